/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luolat: what luolat.bpf.c and luolat.c share, the key
 * and the value of the histogram map.
 */
#ifndef LUOLAT_H
#define LUOLAT_H

#include "luo_ops.h"

#define LUOLAT_MAX_KEYS	1024

/*
 * One histogram per operation and per name: the handler's compatible string
 * for file events, the FLB's for FLB events, "" for reboot_end and
 * serialize.
 */
struct luolat_key {
	__u32 op;			/* enum luo_op */
	char name[LUO_COMPAT_LEN];
};

struct luolat_val {
	__u64 slots[LUO_HIST_SLOTS];	/* log2 of duration_ns */
	__u64 count;
	__u64 sum_ns;
	__u64 failed;			/* result < 0 */
};

#endif /* LUOLAT_H */
