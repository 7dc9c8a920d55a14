/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luosnoop's output (luosnoop_print.c): the events as text lines or JSON
 * objects, and the summaries of "luosnoop interval [count]".
 */
#ifndef LUOSNOOP_PRINT_H
#define LUOSNOOP_PRINT_H

#include <stdbool.h>
#include <time.h>
#include <linux/types.h>

#include "luo_mode.h"
#include "luo_ops.h"

/* How to print: set before luosnoop_print_start(). */
struct luosnoop_out {
	bool json;
	enum luo_mode mode;	/* named in each JSON event */
	long interval;		/* seconds of a summary's interval */
	bool elapsed;		/* -T: each event's time since start_ns too */
	__u64 start_ns;		/* CLOCK_MONOTONIC when tracing began */
};
extern struct luosnoop_out luosnoop_out;

/*
 * Make stdout's buffer PIPE_BUF bytes, each write of it whole lines: before
 * anything is printed.  0, or -1 without the memory for it.
 */
int luosnoop_print_init(void);
/* Flush stdout and free what luosnoop_print_init() took. */
void luosnoop_print_fini(void);
/* @clk in ns. */
__u64 luosnoop_ns(clockid_t clk);
/* Take the wall clock's offset from CLOCK_MONOTONIC, for the events' times. */
void luosnoop_print_start(void);
/* The text's column titles. */
void luosnoop_print_header(void);
/* @e, whose operation is named @op. */
void luosnoop_print_event(const struct luo_event *e, const char *op);
/* The summary of interval @n: @shown per operation (then zeroed), @lost. */
void luosnoop_print_summary(long n, __u64 shown[LUO_NR_OPS], __u64 lost);

#endif /* LUOSNOOP_PRINT_H */
