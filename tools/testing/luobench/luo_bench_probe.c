// SPDX-License-Identifier: GPL-2.0
/*
 * luo_bench probe: the kprobe events around liveupdate_reboot() that time
 * it on the console, and the calibration of what printing them costs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "luo_bench.h"

#define TRACEFS		"/sys/kernel/tracing"
#define CALIB_FUNC	"__x64_sys_getppid"
#define CALIB_ROUNDS	5

static void tracefs_write(const char *file, const char *text, bool exist_ok)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		die("open %s (is tracefs mounted, CONFIG_KPROBE_EVENTS=y?)", path);
	if (write(fd, text, strlen(text)) < 0 && !(exist_ok && (errno == EEXIST || errno == EBUSY)))
		die("write '%.*s' to %s", (int)strcspn(text, "\n"), text, path);
	close(fd);
}

/*
 * With tp_printk, an event is printed on the console by the printk() of
 * the probe itself, synchronously on a legacy (8250) console: the time
 * between reboot_in and reboot_out then includes the probes and printing
 * reboot_in's line.  A pair of the same probes around a syscall that does
 * nothing (getppid(), filtered on this process) measures that cost, so that
 * the host can subtract it: the first pair is as cold as the reboot's one.
 *
 * No kprobe event is ever disabled here: on this 7.2 kernel, enabling a
 * kretprobe event, disabling it and then enabling another one makes the
 * latter jump to address 0 when it fires.  The calibration probes are
 * instead left enabled with a filter no process matches.
 */
int cmd_probe(void)
{
	char filter[64];
	int i;

	tracefs_write("kprobe_events", "p:luobench/reboot_in liveupdate_reboot\n", true);
	tracefs_write("kprobe_events", "r:luobench/reboot_out liveupdate_reboot ret=$retval\n", true);
	tracefs_write("kprobe_events", "p:luobench/calib_in " CALIB_FUNC "\n", true);
	tracefs_write("kprobe_events", "r:luobench/calib_out " CALIB_FUNC "\n", true);
	tracefs_write("events/luobench/reboot_in/enable", "1\n", false);
	tracefs_write("events/luobench/reboot_out/enable", "1\n", false);
	snprintf(filter, sizeof(filter), "common_pid == %d\n", getpid());
	tracefs_write("events/luobench/calib_in/filter", filter, false);
	tracefs_write("events/luobench/calib_out/filter", filter, false);
	tracefs_write("events/luobench/calib_in/enable", "1\n", false);
	tracefs_write("events/luobench/calib_out/enable", "1\n", false);
	for (i = 0; i < CALIB_ROUNDS; i++)
		syscall(SYS_getppid);
	/* pid 0, the idle task, makes no syscall. */
	tracefs_write("events/luobench/calib_in/filter", "common_pid == 0\n", false);
	tracefs_write("events/luobench/calib_out/filter", "common_pid == 0\n", false);
	printf("luobench: workload=probe events=luobench/reboot_in,luobench/reboot_out enabled=1 calib=%s calib_rounds=%d\n",
	       CALIB_FUNC, CALIB_ROUNDS);
	return 0;
}
