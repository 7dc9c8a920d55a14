/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luo_perf: what its modes share (luo_perf.c, luo_perf_ops.c) and the
 * modes of their own files (luo_perf_ops.c, luo_perf_lookup.c,
 * luo_perf_reboot.c).
 */
#ifndef LUO_PERF_H
#define LUO_PERF_H

#include <stdio.h>

#include "luo_util.h"

/* CLOCK_MONOTONIC in ns. */
unsigned long long now_ns(void);
/* "luo_perf: @what: strerror(@err)" on stderr, exit 1; @err < 0 or > 0. */
void die(const char *what, int err) __attribute__((noreturn));
/* The median of the @n values at @v. */
unsigned long long median(const unsigned long long *v, int n);
/* "@key": [v0, v1, ...] into @f. */
void json_samples(FILE *f, const char *key, const unsigned long long *v, int n);
/* @path opened for writing; exits when it is NULL or cannot be. */
FILE *open_out(const char *path);

/* A memfd of @mib MiB (one page when 0), every page written for @token. */
int sized_memfd(unsigned long mib, unsigned long long token);

/* The toolkit on or off: run the command that does it. */
struct toggle {
	const char *on, *off;
	int state;
	int per_block;		/* retrieve: small files in a block */
};

/* Whether block @b has the toolkit attached: off, on, on, off, off, on, ... */
int block_tools(int b);
/* Attach (@on) or detach the toolkit, if it is not so already; exits on failure. */
void tools_set(struct toggle *tg, int on);
/* The time of a fixed loop in userspace, in ns: the CPU's speed now. */
unsigned long long speed_probe(void);
/* "blocks": B, "tools": [0, 1, 1, 0, ...],  into @f. */
void json_blocks(FILE *f, int blocks);

int cmd_ops(int reps, int blocks, struct toggle *tg, const char *out);
int cmd_lookup(int files, int reps, const char *out);
int cmd_reboot(const char *kernel, int files, int reps, const char *out);

#endif /* LUO_PERF_H */
