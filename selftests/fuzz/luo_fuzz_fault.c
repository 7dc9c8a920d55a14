// SPDX-License-Identifier: GPL-2.0
/*
 * luo_fuzz: fault injection while the fuzzer runs.  The kernel's own fault
 * injection (Documentation/fault-injection/fault-injection.rst), scoped with
 * task-filter to the threads that ask for it through make-it-fail:
 *   slab   failslab: kmalloc and friends fail
 *   page   fail_page_alloc: page allocations fail
 *   hooks  fail_function on LUO's BPF hooks, one hook at a time, in turn:
 *          the operation behind the hook fails with EIO
 * Moving the failing hook on rewrites kernel text (fail_function's kprobe
 * sits on the hook's ftrace call site), so it waits until no request is
 * in flight: see fz_fault_op_begin().
 * Any of it that cannot be armed fails the run: a fault injection that
 * silently injects nothing would pass every check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include "luo_util.h"
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

/*
 * Requests hold this lock shared, the rotation of the failing hook holds it
 * exclusive.  Re-arming fail_function registers and unregisters a kprobe on
 * the hook's ftrace site, i.e. rewrites the call site and the trampoline
 * while other CPUs may be running them.  Under QEMU's multi-threaded TCG a
 * CPU that does so has been seen to return to address 0, within a second
 * of re-arming in a loop, whatever the function (a system call's entry
 * does it too); never on one CPU, with one TCG thread, or with the callers
 * held off like this (Documentation/robustness.rst, "Results").  It is the
 * emulation's or ftrace's, not LUO's, and must not end a fuzzing run.  In
 * shared memory: the forked children's requests count too.  Writers first,
 * or the rotation would starve.
 */
static pthread_rwlock_t *fz_rotate_lock;

static int rotate_lock_init(void)
{
	pthread_rwlockattr_t attr;
	void *mem;

	mem = mmap(NULL, sizeof(*fz_rotate_lock), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(mem, &attr);
	pthread_rwlockattr_destroy(&attr);
	fz_rotate_lock = mem;
	return 0;
}

/**
 * fz_fault_op_begin - A request is about to be issued: no rotation now.
 *
 * Pairs with fz_fault_op_end().  Nothing to do unless hooks are failed.
 */
void fz_fault_op_begin(void)
{
	if (fz_rotate_lock)
		pthread_rwlock_rdlock(fz_rotate_lock);
}

/**
 * fz_fault_op_end - The request of fz_fault_op_begin() has returned.
 */
void fz_fault_op_end(void)
{
	if (fz_rotate_lock)
		pthread_rwlock_unlock(fz_rotate_lock);
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
		err = write_file(path, vals[i]);
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
			err = write_file(DBG "failslab/ignore-gfp-wait", "N");
	}
	if (!err && (faults & FZ_FAULT_PAGE)) {
		err = attr_setup("fail_page_alloc", percent);
		if (!err)
			err = write_file(DBG "fail_page_alloc/ignore-gfp-wait", "N");
		/* Order-0 pages too: the default spares them. */
		if (!err)
			err = write_file(DBG "fail_page_alloc/min-order", "0");
	}
	if (!err && (faults & FZ_FAULT_HOOKS)) {
		err = fz_rotate_lock ? 0 : rotate_lock_init();
		if (!err)
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
	while (fz_faults && write_file("/proc/thread-self/make-it-fail", on ? "1" : "0") &&
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
	pthread_rwlock_wrlock(fz_rotate_lock);
	/*
	 * A function added to fail_function fails with -EINVAL until its
	 * retval is set: no failure at all until then.  retval is read as
	 * an unsigned 64-bit number: -EIO is written as such.
	 */
	write_file(DBG "fail_function/probability", "0");
	write_file(DBG "fail_function/inject", "");
	fz_hook = -1;
	err = write_file(DBG "fail_function/inject", fz_hooks[next]);
	snprintf(path, sizeof(path), DBG "fail_function/%s/retval", fz_hooks[next]);
	snprintf(val, sizeof(val), "%#llx", (unsigned long long)-EIO);
	if (!err)
		err = write_file(path, val);
	snprintf(val, sizeof(val), "%u", fz_percent);
	if (!err)
		err = write_file(DBG "fail_function/probability", val);
	if (!err)
		fz_hook = next;
	pthread_rwlock_unlock(fz_rotate_lock);
	return err;
}

/**
 * fz_fault_teardown - Disarm everything fz_fault_setup() armed.
 */
void fz_fault_teardown(void)
{
	if (fz_faults & FZ_FAULT_SLAB)
		write_file(DBG "failslab/probability", "0");
	if (fz_faults & FZ_FAULT_PAGE)
		write_file(DBG "fail_page_alloc/probability", "0");
	if (fz_faults & FZ_FAULT_HOOKS) {
		write_file(DBG "fail_function/inject", "");
		write_file(DBG "fail_function/probability", "0");
	}
	fz_hook = -1;
	fz_faults = 0;
}
