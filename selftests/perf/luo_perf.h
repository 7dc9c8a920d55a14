/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luo_perf: what its modes share (luo_perf.c) and the modes of their own
 * files (luo_perf_lookup.c, luo_perf_reboot.c).
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

int cmd_lookup(int files, int reps, const char *out);
int cmd_reboot(const char *kernel, int files, int reps, const char *out);

#endif /* LUO_PERF_H */
