/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luo_bench.h: what the parts of luo_bench share: the command line
 * (luo_bench.c: usage, options, main()), the helpers every workload uses
 * (luo_bench_util.c) and the workloads, one file each (luo_bench_size.c,
 * luo_bench_scale.c, luo_bench_probe.c), and luo_dev.h for all of them.
 */
#ifndef LUO_BENCH_H
#define LUO_BENCH_H

#include <stddef.h>
#include <time.h>

#include "luo_dev.h"

#define PROG		"luo_bench"
#define PATTERN_MAGIC	0x6c756f62656e6368ULL	/* "luobench" */

/* The command line (luo_bench.c). */
struct bench_opt {
	int stage;
	unsigned long mib;
	int reps;
	long budget_s;		/* scale stage 1: give up after this long, 0: never */
	long sessions;
	long files;
	const char *name;
};
extern struct bench_opt opt;

/* luo_bench_util.c: on error, die() adds strerror(errno), fail() does not. */
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
const char *errname(int err);
unsigned long long clock_ns(clockid_t clk);
unsigned long long now_ns(void);
unsigned long long median(unsigned long long *v, size_t n);
unsigned long long min_of(const unsigned long long *v, size_t n);
void print_list(const char *key, const unsigned long long *v, size_t n);
void *xcalloc(size_t n, size_t size);
int open_luo(void);
void mark_resumed(void);
void raise_nofile(unsigned long need);
long long mem_free_bytes(void);

/* The workloads: each returns main()'s exit code. */
int size_stage1(void);
int size_stage2(void);
int scale_stage1(void);
int scale_stage2(void);
int cmd_probe(void);

#endif /* LUO_BENCH_H */
