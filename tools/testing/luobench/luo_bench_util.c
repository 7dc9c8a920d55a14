// SPDX-License-Identifier: GPL-2.0
/*
 * luo_bench: the helpers every workload uses: dying with a message, naming
 * an errno, the clocks, medians and lists of samples, /dev/liveupdate, the
 * "@@LUOVM resumed" marker and the limit on open files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "luo_bench.h"

void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

const char *errname(int err)
{
	static char buf[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

unsigned long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

unsigned long long now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Median of @n values (sorted in place); the lower one of an even count's two. */
unsigned long long median(unsigned long long *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_ull);
	return v[(n - 1) / 2];
}

unsigned long long min_of(const unsigned long long *v, size_t n)
{
	unsigned long long m = n ? v[0] : 0;
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

void print_list(const char *key, const unsigned long long *v, size_t n)
{
	size_t i;

	printf(" %s=", key);
	for (i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", v[i]);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		die("calloc %zu x %zu", n, size);
	return p;
}

int open_luo(void)
{
	int fd = luo_open();

	if (fd < 0) {
		errno = -fd;
		die("open " LUO_DEVICE);
	}
	return fd;
}

/*
 * The end of the blackout as the host sees it: the line must leave the
 * guest now, not when the buffer fills, so drain the serial line.
 */
void mark_resumed(void)
{
	fflush(stdout);
	printf("@@LUOVM resumed\n");
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
}

/* Enough descriptors for @need open at once (root may raise the hard limit). */
void raise_nofile(unsigned long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit(RLIMIT_NOFILE)");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		rl.rlim_max = need;
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE, %lu) (see /proc/sys/fs/nr_open)", need);
}

/*
 * MemFree of /proc/meminfo, in bytes: what the kernel has not handed out,
 * so that the drop over a step is what the step took (slab, pages, page
 * tables: all of it), page cache aside.
 */
long long mem_free_bytes(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	long long kib = -1;
	char line[128];

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lld kB", &kib) == 1)
			break;
	fclose(f);
	if (kib < 0)
		fail("no MemFree in /proc/meminfo");
	return kib * 1024;
}
