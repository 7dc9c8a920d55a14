// SPDX-License-Identifier: GPL-2.0
/*
 * luo_fuzz: fault injection while the fuzzer runs.  The kernel's own fault
 * injection (Documentation/fault-injection/fault-injection.rst), scoped with
 * task-filter to the threads that ask for it through make-it-fail:
 *   slab   failslab: kmalloc and friends fail
 *   page   fail_page_alloc: page allocations fail
 *   hooks  fail_function on LUO's BPF hooks, one hook at a time, in turn:
 *          the operation behind the hook fails with EIO
 * Any of it that cannot be armed fails the run: a fault injection that
 * silently injects nothing would pass every check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "luo_fuzz.h"

#define DBG "/sys/kernel/debug/"

/* The hooks an ioctl reaches (the reboot's are left alone: see robustness.rst). */
static const char *const fz_hooks[] = {
	"luo_hook_session_create",
	"luo_hook_session_retrieve",
	"luo_hook_file_preserve",
	"luo_hook_file_retrieve",
	"luo_hook_file_can_finish",
};

static unsigned int fz_faults, fz_percent;
static int fz_hook = -1;	/* the hook failing now, or -1 */

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The common attributes of one fault type, under debugfs @dir. */
static int attr_setup(const char *dir, unsigned int percent)
{
	static const char *const names[] = {
		"interval", "times", "space", "verbose", "task-filter", "probability",
	};
	char vals[6][16] = { "1", "-1", "0", "0", "Y" };
	char path[128];
	unsigned int i;
	int err;

	snprintf(vals[5], sizeof(vals[5]), "%u", percent);
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), DBG "%s/%s", dir, names[i]);
		err = put(path, vals[i]);
		if (err)
			return err;
	}
	return 0;
}

/**
 * fz_fault_setup - Arm the fault types in @faults (enum fz_fault).
 * @faults:  Which.
 * @percent: Probability of a failure per call of a task that asked for it.
 *
 * Return: 0, or -errno when the kernel lacks one of them.
 */
int fz_fault_setup(unsigned int faults, unsigned int percent)
{
	int err = 0;

	fz_faults = faults;
	fz_percent = percent;
	if (faults & FZ_FAULT_SLAB) {
		err = attr_setup("failslab", percent);
		if (!err)
			err = put(DBG "failslab/ignore-gfp-wait", "N");
	}
	if (!err && (faults & FZ_FAULT_PAGE)) {
		err = attr_setup("fail_page_alloc", percent);
		if (!err)
			err = put(DBG "fail_page_alloc/ignore-gfp-wait", "N");
		/* Order-0 pages too: the default spares them. */
		if (!err)
			err = put(DBG "fail_page_alloc/min-order", "0");
	}
	if (!err && (faults & FZ_FAULT_HOOKS)) {
		err = attr_setup("fail_function", percent);
		if (!err)
			err = fz_fault_rotate(0);
	}
	return err;
}

/**
 * fz_fault_task - Let the calling thread's system calls fail, or not.
 * @on: Whether they may.
 */
void fz_fault_task(bool on)
{
	int tries = 0;

	/* Turning it off may itself meet an injected failure: insist. */
	while (fz_faults && put("/proc/thread-self/make-it-fail", on ? "1" : "0") &&
	       ++tries < 1000)
		;
}

/**
 * fz_fault_rotate - Move the failing hook on to the next one.
 * @tick: A counter: the hook is fz_hooks[tick % number of hooks].
 *
 * Return: 0, or -errno when fail_function refused a step.
 */
int fz_fault_rotate(unsigned long tick)
{
	char path[128], val[32];
	int next, err;

	if (!(fz_faults & FZ_FAULT_HOOKS))
		return 0;
	next = tick % (sizeof(fz_hooks) / sizeof(fz_hooks[0]));
	if (next == fz_hook)
		return 0;
	/*
	 * A function added to fail_function fails with -EINVAL until its
	 * retval is set: no failure at all until then.  retval is read as
	 * an unsigned 64-bit number: -EIO is written as such.
	 */
	put(DBG "fail_function/probability", "0");
	put(DBG "fail_function/inject", "");
	fz_hook = -1;
	err = put(DBG "fail_function/inject", fz_hooks[next]);
	snprintf(path, sizeof(path), DBG "fail_function/%s/retval", fz_hooks[next]);
	snprintf(val, sizeof(val), "%#llx", (unsigned long long)-EIO);
	if (!err)
		err = put(path, val);
	snprintf(val, sizeof(val), "%u", fz_percent);
	if (!err)
		err = put(DBG "fail_function/probability", val);
	if (!err)
		fz_hook = next;
	return err;
}

/**
 * fz_fault_teardown - Disarm everything fz_fault_setup() armed.
 */
void fz_fault_teardown(void)
{
	if (fz_faults & FZ_FAULT_SLAB)
		put(DBG "failslab/probability", "0");
	if (fz_faults & FZ_FAULT_PAGE)
		put(DBG "fail_page_alloc/probability", "0");
	if (fz_faults & FZ_FAULT_HOOKS) {
		put(DBG "fail_function/inject", "");
		put(DBG "fail_function/probability", "0");
	}
	fz_hook = -1;
	fz_faults = 0;
}
