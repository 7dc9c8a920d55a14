/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luotop's maps, shared by luotop.bpf.c and the tool.
 *
 * stats:    per-CPU hash, operation x handler -> counts and a log2
 *           histogram of the callback's duration (what luotop sums up
 *           across CPUs to show rates, p50 and p99);
 * sessions: hash, the sessions seen since luotop attached, outgoing
 *           (created) and incoming (retrieved), with their files.
 */
#ifndef LUOTOP_H
#define LUOTOP_H

#include "luo_ops.h"

#define LUOTOP_MAX_STATS	1024
#define LUOTOP_MAX_SESSIONS	4096

/* Operation x handler; @handler is "" for the events without one. */
struct luotop_key {
	__u32 op;			/* enum luo_op */
	char handler[LUO_COMPAT_LEN];
};

struct luotop_stat {
	__u64 count;			/* events */
	__u64 ok;			/* of which result >= 0 */
	__u64 errors;			/* of which result < 0 */
	__u64 timed;			/* of which duration_ns > 0 */
	__u64 sum_ns;			/* their total duration */
	__u64 slots[LUO_HIST_SLOTS];	/* log2 histogram of duration_ns */
};

enum luotop_dir {
	LUOTOP_OUT = 1,			/* created here, to be handed over */
	LUOTOP_IN = 2,			/* retrieved, from the previous kernel */
};

struct luotop_skey {
	__u32 dir;			/* enum luotop_dir */
	char name[LUO_NAME_LEN];
};

#define LUOTOP_S_FINISHED	0x1
#define LUOTOP_S_RELEASED	0x2

struct luotop_session {
	__u64 files;		/* OUT: preserved now; IN: held at retrieve */
	__u64 retrieved;	/* IN: files retrieved */
	__u64 finished;		/* IN: files finished */
	__u32 flags;		/* LUOTOP_S_* */
	__u32 pad;
};

#endif /* LUOTOP_H */
