// SPDX-License-Identifier: GPL-2.0
/*
 * luo_fuzz - a concurrent fuzzer of /dev/liveupdate, across a live update.
 *
 * Stage 1: threads of this process, and of forked children sharing its
 * descriptors, issue random requests on a table of descriptors (the device,
 * sessions, memfds, pipes, /dev/null): create and retrieve sessions under
 * names that collide, preserve any descriptor under tokens that collide,
 * retrieve files, finish, get names, close, dup, unknown ioctl numbers,
 * with structure sizes that are right, short, long with a zero or non-zero
 * tail, or past the page.  Every result is checked against what the uAPI
 * documents for that request on that kind of descriptor (luo_fuzz_ops.c),
 * and against a ledger of what this process preserved.  Then what
 * survived is written to a state file, and a child holds it across the
 * kexec.
 *
 * Stage 2: every session of the state file is retrieved by racing threads
 * (exactly one wins), every file by all of them (the same file each time,
 * its contents intact), a retrieved file cannot be preserved again before
 * the FINISH, racing FINISHes finish once; then random requests again.
 *
 * Optional fault injection (--fail) fails allocations and LUO's hooks in
 * the fuzzing threads only.  A seed makes each thread's choices repeat;
 * how they interleave is the machine's.
 *
 *   luo_fuzz --stage 1 --state FILE [--seed N] [--seconds S] [--threads T]
 *            [--procs P] [--fail slab,page,hooks] [--fail-percent N]
 *   luo_fuzz --stage 2 --state FILE [same options]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "luo_util.h"
#include "luo_check.h"
#include "luo_fuzz.h"

static struct fz_opts opts = {
	.seconds = 20,
	.threads = 4,
	.procs = 2,
	.fail_percent = 2,
};

void fz_tap(bool ok, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ok)
		ksft_test_result_pass("%s", what);
	else
		ksft_test_result_fail("%s", what);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Fuzzing threads of this process, until the deadline.  With --fail, the
 * faults are injected every other FZ_FAULT_PHASE seconds, so that the
 * checks that allow no ENOMEM or EIO get their share of the run.
 */
#define FZ_FAULT_PHASE	2

static void *fuzz_thread(void *arg)
{
	struct fz_thread *t = arg;
	double t0 = now(), t1;
	bool on;

	while ((t1 = now()) < t->deadline) {
		on = opts.faults && (int)((t1 - t0) / FZ_FAULT_PHASE) % 2;
		if (on != t->faulting) {
			fz_fault_task(on);
			t->faulting = on;
		}
		fz_fault_op_begin();
		fz_random_op(t);
		fz_fault_op_end();
	}
	fz_fault_task(false);
	t->faulting = false;
	return NULL;
}

/* Run @threads threads of random requests for @seconds; 0 when no violation. */
static void fuzz_for(struct fz_proc *p, double seconds, unsigned int salt)
{
	struct fz_thread t[FZ_MAX_THREADS];
	pthread_t tid[FZ_MAX_THREADS];
	double deadline = now() + seconds, next = now() + 1;
	unsigned long tick = 0;
	unsigned int i;

	for (i = 0; i < opts.threads; i++) {
		fz_thread_init(&t[i], p, opts.seed ^ ((uint64_t)(salt * 131 + i + 1) << 32),
			       deadline);
		pthread_create(&tid[i], NULL, fuzz_thread, &t[i]);
	}
	/* This thread turns the failing hook, once a second. */
	while (now() < deadline) {
		usleep(20000);
		if (now() >= next) {
			if (!p->id && fz_fault_rotate(++tick))
				fz_violation(p, "fail_function refused the next hook");
			next += 1;
		}
	}
	for (i = 0; i < opts.threads; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < opts.threads; i++)
		fz_thread_done(&t[i]);
}

/* Forked children: their own ledger over the shared descriptors. */
static int fork_children(struct fz_proc *p, pid_t *pids)
{
	unsigned int i;
	int bad;

	/* Nothing buffered twice; a child's output must reach the log. */
	fflush(NULL);
	for (i = 0; i < opts.procs; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return -errno;
		if (!pids[i]) {
			fz_proc_forked(p, i + 1);
			fuzz_for(p, opts.seconds, i + 1);
			bad = fz_report_violations(p, "child") ? 1 : 0;
			fflush(NULL);
			_exit(bad);
		}
	}
	return 0;
}

static int reap_children(pid_t *pids)
{
	int status, bad = 0;
	unsigned int i;

	for (i = 0; i < opts.procs; i++) {
		if (pids[i] <= 0 || waitpid(pids[i], &status, 0) < 0)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	return bad;
}

static void summary(struct fz_proc *p, const char *what, double secs)
{
	unsigned long ops = atomic_load(&p->stats.ops);

	ksft_print_msg("%s: %lu requests in %.1f s (%.0f/s): %lu succeeded, %lu refused as documented, %lu violations\n",
		       what, ops, secs, ops / (secs > 0 ? secs : 1),
		       atomic_load(&p->stats.ok), atomic_load(&p->stats.errors),
		       atomic_load(&p->stats.violations));
	fz_print_by_op(p);
}

static int stage1(struct fz_proc *p)
{
	pid_t pids[FZ_MAX_THREADS] = { 0 };
	double t0 = now();
	int err, bad;

	ksft_set_plan(6);
	check(fz_proc_start(p), 0, "open the device and a first session");
	err = opts.faults ? fz_fault_setup(opts.faults, opts.fail_percent) : 0;
	if (err)
		ksft_exit_fail_msg("--fail: the kernel has no such fault injection: %s\n",
				   errname(-err));
	err = fork_children(p, pids);
	fuzz_for(p, opts.seconds, 0);
	bad = reap_children(pids);
	fz_fault_teardown();
	summary(p, "stage 1", now() - t0);
	if (err || bad)
		ksft_test_result_fail("%u children fuzzed: %d failed%s\n", opts.procs, bad,
				      err ? ", or could not be forked" : "");
	else
		ksft_test_result_pass("%u children fuzzed without a violation\n", opts.procs);
	if (fz_report_violations(p, "stage 1"))
		ksft_test_result_fail("stage 1: every result as documented\n");
	else
		ksft_test_result_pass("stage 1: every result as documented\n");
	check(fz_seed_session(p), 0, "a seeded session of memfds");
	check(fz_state_write(p, opts.state), 0, "what survived written to %s", opts.state);
	fz_proc_drop_device(p);
	check(luo_hold_fds(), 0, "a child holds the sessions");
	return 0;
}

static int stage2(struct fz_proc *p)
{
	double t0;
	int n;

	n = fz_state_read(p, opts.state);
	if (n < 0)
		ksft_exit_fail_msg("cannot read %s: %s\n", opts.state, errname(-n));
	ksft_set_plan(fz_verify_plan(p) + 2);
	check(fz_proc_start(p), 0, "open the device");
	fz_verify_all(p, opts.threads);
	if (opts.faults && fz_fault_setup(opts.faults, opts.fail_percent))
		ksft_exit_fail_msg("--fail: the kernel has no such fault injection\n");
	t0 = now();
	fuzz_for(p, opts.seconds, 100);
	fz_fault_teardown();
	summary(p, "stage 2", now() - t0);
	if (fz_report_violations(p, "stage 2"))
		ksft_test_result_fail("stage 2: every result as documented\n");
	else
		ksft_test_result_pass("stage 2: every result as documented\n");
	return 0;
}

static unsigned int parse_faults(const char *s)
{
	unsigned int f = 0;
	char *dup = strdup(s), *tok, *save;

	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "slab"))
			f |= FZ_FAULT_SLAB;
		else if (!strcmp(tok, "page"))
			f |= FZ_FAULT_PAGE;
		else if (!strcmp(tok, "hooks"))
			f |= FZ_FAULT_HOOKS;
		else
			ksft_exit_fail_msg("--fail: unknown '%s' (slab, page, hooks)\n", tok);
	}
	free(dup);
	return f;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --stage 1|2 --state FILE [--seed N] [--seconds S] [--threads T]\n"
		"          [--procs P] [--fail slab,page,hooks] [--fail-percent N]\n"
		"Stage 1 fuzzes, then leaves what survived to a child across the kexec;\n"
		"stage 2 verifies it, then fuzzes again.  Same seed, same choices per thread.\n"
		"example: %s --stage 1 --state /run/fz --seed 42 --seconds 60 --fail slab\n",
		prog, prog);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "stage", required_argument, NULL, 'S' },
		{ "state", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'j' },
		{ "procs", required_argument, NULL, 'p' },
		{ "fail", required_argument, NULL, 'f' },
		{ "fail-percent", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static struct fz_proc proc;
	int c;

	opts.seed = time(NULL);
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'S': opts.stage = atoi(optarg); break;
		case 's': opts.state = optarg; break;
		case 'r': opts.seed = strtoull(optarg, NULL, 0); break;
		case 't': opts.seconds = atof(optarg); break;
		case 'j': opts.threads = atoi(optarg); break;
		case 'p': opts.procs = atoi(optarg); break;
		case 'f': opts.faults = parse_faults(optarg); break;
		case 'P': opts.fail_percent = atoi(optarg); break;
		default: usage(argv[0]);
		}
	}
	if ((opts.stage != 1 && opts.stage != 2) || !opts.state || !opts.threads ||
	    opts.threads > FZ_MAX_THREADS || opts.procs > FZ_MAX_THREADS)
		usage(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	ksft_print_header();
	ksft_print_msg("luo_fuzz stage %d seed=%llu seconds=%.0f threads=%u procs=%u fail=%#x/%u%%\n",
		       opts.stage, (unsigned long long)opts.seed, opts.seconds, opts.threads,
		       opts.procs, opts.faults, opts.fail_percent);
	fz_proc_init(&proc, &opts);
	if (opts.stage == 1)
		stage1(&proc);
	else
		stage2(&proc);
	ksft_finished();
}
