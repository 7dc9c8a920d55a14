// SPDX-License-Identifier: GPL-2.0
/*
 * fail_function_race - re-arm fail_function on a function while other
 * threads call it: the reproducer of the crash luo_fuzz met once in about
 * twenty minutes of fuzzing (Documentation/robustness.rst, "Results").
 *
 * The main thread adds __x64_sys_getppid to fail_function, sets its retval
 * and probability, removes it again, in a loop; each add and remove
 * registers and unregisters a kprobe on the function's ftrace site, i.e.
 * rewrites that call site and an ftrace trampoline.  Meanwhile --threads
 * threads call getppid(2) as fast as they can.  Nothing of LUO is involved.
 * With --hold the callers are held off (a rwlock) while the main thread
 * re-arms, which is what luo_fuzz does since.
 *
 * Exit 0 when the kernel survived --seconds, with the counts printed; a
 * kernel that did not is for the VM runner to report.
 *
 *   fail_function_race [--seconds S] [--threads T] [--hold]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "luo_util.h"

#define FF	"/sys/kernel/debug/fail_function/"
#define FUNC	"__x64_sys_getppid"
#define MAX_THREADS	16

static atomic_bool stop;
static atomic_ulong calls;
static bool hold;
static pthread_rwlock_t lock;

static void *caller(void *arg)
{
	unsigned long n = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		if (hold)
			pthread_rwlock_rdlock(&lock);
		syscall(SYS_getppid);
		if (hold)
			pthread_rwlock_unlock(&lock);
		n++;
	}
	atomic_fetch_add(&calls, n);
	return NULL;
}

/* One re-arm: what luo_fuzz's rotation of the failing hook does. */
static int rearm(void)
{
	int err;

	if (hold)
		pthread_rwlock_wrlock(&lock);
	write_file(FF "probability", "0");
	write_file(FF "inject", "");
	err = write_file(FF "inject", FUNC);
	if (!err)
		err = write_file(FF FUNC "/retval", "0xfffffffffffffff2");	/* -EFAULT */
	if (!err)
		err = write_file(FF "probability", "50");
	if (hold)
		pthread_rwlock_unlock(&lock);
	return err;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seconds S] [--threads T] [--hold]\n"
		"Re-arms fail_function on " FUNC " in a loop while T threads (2) call\n"
		"getppid(2), for S seconds (60); --hold keeps the callers out of each re-arm.\n"
		"example: %s --seconds 30            (the crash, under QEMU's multi-threaded TCG)\n"
		"         %s --seconds 30 --hold     (no crash)\n",
		prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "hold", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	pthread_t tid[MAX_THREADS];
	pthread_rwlockattr_t attr;
	unsigned long rearms = 0;
	int seconds = 60, threads = 2, c, i, err = 0;
	time_t t0;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 's': seconds = atoi(optarg); break;
		case 't': threads = atoi(optarg); break;
		case 'H': hold = true; break;
		default: usage(argv[0]);
		}
	}
	if (seconds <= 0 || threads <= 0 || threads > MAX_THREADS)
		usage(argv[0]);
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&lock, &attr);
	/* Every task may fail, one call in 2: the callers ignore the result. */
	if (write_file(FF "task-filter", "N") || write_file(FF "interval", "1") ||
	    write_file(FF "times", "-1") || write_file(FF "verbose", "0")) {
		fprintf(stderr, "no fail_function in debugfs (CONFIG_FAIL_FUNCTION)\n");
		return 1;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, caller, NULL);
	t0 = time(NULL);
	while (time(NULL) - t0 < seconds) {
		err = rearm();
		if (err) {
			fprintf(stderr, "fail_function refused a step: %s\n", strerror(-err));
			break;
		}
		rearms++;
		usleep(2000);
	}
	atomic_store(&stop, true);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	write_file(FF "inject", "");
	write_file(FF "probability", "0");
	printf("%s: %lu re-arms of " FUNC ", %lu calls by %d threads in %d s%s\n",
	       err ? "stopped" : "survived", rearms, atomic_load(&calls), threads, seconds,
	       hold ? ", callers held off during each re-arm" : "");
	return err ? 1 : 0;
}
