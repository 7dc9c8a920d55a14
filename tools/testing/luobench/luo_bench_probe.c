// SPDX-License-Identifier: GPL-2.0
/*
 * luo_bench probe: the BPF programs that time liveupdate_reboot() from its
 * entry to its return (luo_bench_reboot.bpf.c), pinned so that they stay
 * attached until the kexec, and the calibration of what they add.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "luo_bench.h"
#include "luo_bench_reboot.skel.h"

#define BPFFS		"/sys/fs/bpf"
#define PIN_IN		BPFFS "/luobench_reboot_in"
#define PIN_OUT		BPFFS "/luobench_reboot_out"
#define CALIB_ROUNDS	5

/* bpffs on BPFFS, mounted here when nothing is (a guest's init may not). */
static void bpffs_ready(void)
{
	struct statfs fs;

	if (!statfs(BPFFS, &fs) && fs.f_type == BPF_FS_MAGIC)
		return;
	if (mount("bpf", BPFFS, "bpf", 0, NULL))
		die("mount bpffs on %s", BPFFS);
}

static void pin(struct bpf_link *link, const char *path)
{
	int err;

	unlink(path);	/* a probe of an earlier run in this boot */
	err = bpf_link__pin(link, path);
	if (err) {
		errno = -err;
		die("bpf_link__pin() at %s", path);
	}
}

/*
 * The window of each program pair is read with bpf_ktime_get_ns() inside
 * its programs, and printed by the fexit program once the function has
 * returned: nothing inside the window writes to the console (the kprobe
 * events this replaces printed the entry's line inside it, 20 us to 1.5 ms
 * under TCG depending on the console's state).  What the pair adds to a
 * window (the trampolines, the programs' ends) is what it measures around
 * getppid(), which does nearly nothing: the host reads it as calib_ns.
 *
 * The reboot's links are pinned in bpffs: they outlive this process and
 * hold the programs until the kexec.  The calibration's go with it.
 */
int cmd_probe(void)
{
	struct luo_bench_reboot *skel;
	int err, i;

	bpffs_ready();
	skel = luo_bench_reboot__open();
	if (!skel)
		die("open the BPF object");
	skel->rodata->calib_tgid = getpid();
	err = luo_bench_reboot__load(skel);
	if (!err)
		err = luo_bench_reboot__attach(skel);
	if (err) {
		errno = -err;
		die("load and attach the programs on liveupdate_reboot() (BTF, fentry?)");
	}
	pin(skel->links.reboot_in, PIN_IN);
	pin(skel->links.reboot_out, PIN_OUT);
	for (i = 0; i < CALIB_ROUNDS; i++)
		syscall(SYS_getppid);
	luo_bench_reboot__destroy(skel);
	printf("luobench: workload=probe programs=fentry,fexit:liveupdate_reboot pinned=%s,%s",
	       PIN_IN, PIN_OUT);
	printf(" calib=__do_sys_getppid calib_rounds=%d\n", CALIB_ROUNDS);
	return 0;
}
