// SPDX-License-Identifier: GPL-2.0
/*
 * luo_opbench: latency of LUO's userspace-facing operations in one kernel.
 *
 * Times, over many iterations, the three operations every live-update
 * agent repeats: creating a session, preserving a one-page memfd in it, and
 * closing the session (which unpreserves the file).  Prints the median and
 * the 90th percentile of each in ns.  Used to measure what LUO's
 * tracepoints cost when compiled in but disabled, when enabled, and to
 * compare with mainline's LUO on the same machine.
 *
 *   luo_opbench [-n ITERATIONS] [-l LABEL] [-s PREFIX] [-m EVERY]
 *
 * The sessions are named PREFIX-0, PREFIX-1, ... (PREFIX: opbench), so
 * that two can run at once with prefixes of their own.  With -m, it moves
 * itself to the next CPU it may run on every EVERY iterations (a tracer's
 * per-CPU buffers then each hold a part of its events) and says how many
 * times it moved ("moves=N").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/liveupdate.h>

#include "luo_dev.h"

enum { OP_CREATE, OP_PRESERVE, OP_CLOSE, NR_OPS };
static const char *const op_names[NR_OPS] = { "create", "preserve", "close" };

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* The clocksource behind CLOCK_MONOTONIC: its cost is in every number. */
static const char *clocksource(void)
{
	static char name[32];
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");

	if (!f || !fgets(name, sizeof(name), f))
		snprintf(name, sizeof(name), "unknown");
	if (f)
		fclose(f);
	name[strcspn(name, "\n")] = '\0';
	return name;
}

static void die(const char *what)
{
	fprintf(stderr, "luo_opbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/*
 * Pin the caller to the CPU of @allowed after *@cpu (wrapping), and make
 * it *@cpu; 1 if that is another CPU than before, 0 if @allowed has one.
 */
static int move_cpu(const cpu_set_t *allowed, int *cpu)
{
	int i, next;
	cpu_set_t one;

	for (i = 1; i <= CPU_SETSIZE; i++) {
		next = (*cpu + i) % CPU_SETSIZE;
		if (CPU_ISSET(next, allowed))
			break;
	}
	if (next == *cpu)
		return 0;
	CPU_ZERO(&one);
	CPU_SET(next, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity");
	*cpu = next;
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long *t[NR_OPS], t0;
	const char *label = "luo", *prefix = "opbench";
	int n = 2000, every = 0, moves = 0, cpu = -1, luo, mfd, opt, i, op;
	cpu_set_t allowed;

	while ((opt = getopt(argc, argv, "n:l:s:m:")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'l':
			label = optarg;
			break;
		case 's':
			prefix = optarg;
			break;
		case 'm':
			every = atoi(optarg);
			if (every < 1) {
				fprintf(stderr, "luo_opbench: -m takes a number of iterations >= 1\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr,
				"usage: luo_opbench [-n ITERATIONS] [-l LABEL] [-s PREFIX] [-m EVERY]\n");
			return 2;
		}
	}
	if (every) {
		/* From the first CPU allowed: moves go through them in turn. */
		if (sched_getaffinity(0, sizeof(allowed), &allowed))
			die("sched_getaffinity");
		move_cpu(&allowed, &cpu);
	}
	if (n < 10)
		n = 10;
	for (op = 0; op < NR_OPS; op++) {
		t[op] = calloc(n, sizeof(*t[op]));
		if (!t[op])
			die("calloc");
	}
	luo = luo_open();
	if (luo < 0) {
		errno = -luo;
		die(LUO_DEVICE);
	}
	mfd = memfd_create("opbench", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, 4096) || pwrite(mfd, "x", 1, 0) != 1)
		die("memfd");

	for (i = 0; i < n; i++) {
		char name[LIVEUPDATE_SESSION_NAME_LENGTH];
		int sfd, ret;

		if (every && i && i % every == 0)
			moves += move_cpu(&allowed, &cpu);
		snprintf(name, sizeof(name), "%s-%d", prefix, i);
		t0 = now_ns();
		sfd = luo_create_session(luo, name);
		t[OP_CREATE][i] = now_ns() - t0;
		if (sfd < 0) {
			errno = -sfd;
			die("CREATE_SESSION");
		}
		t0 = now_ns();
		ret = luo_preserve_fd(sfd, mfd, 1);
		t[OP_PRESERVE][i] = now_ns() - t0;
		if (ret < 0) {
			errno = -ret;
			die("PRESERVE_FD");
		}
		t0 = now_ns();
		close(sfd);
		t[OP_CLOSE][i] = now_ns() - t0;
	}

	for (op = 0; op < NR_OPS; op++) {
		qsort(t[op], n, sizeof(*t[op]), cmp_ull);
		if (!t[op][n / 2]) {
			fprintf(stderr, "luo_opbench: CLOCK_MONOTONIC did not advance during '%s': the clocksource (%s) is too coarse\n",
				op_names[op], clocksource());
			return 1;
		}
	}
	printf("%s:", label);
	for (op = 0; op < NR_OPS; op++)
		printf(" %s_p50_ns=%llu %s_p90_ns=%llu", op_names[op], t[op][n / 2],
		       op_names[op], t[op][n * 9 / 10]);
	printf(" n=%d clocksource=%s", n, clocksource());
	if (every)
		printf(" moves=%d", moves);
	putchar('\n');
	return 0;
}
