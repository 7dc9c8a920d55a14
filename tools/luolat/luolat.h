/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luolat: what luolat.bpf.c and luolat.c share, the key
 * and the value of the histogram map.
 */
#ifndef LUOLAT_H
#define LUOLAT_H

#include "luo_ops.h"

#define LUOLAT_MAX_KEYS	1024
#define LUOLAT_SLOTS	256	/* of the per-CPU table; a power of 2 */

/*
 * One histogram per operation and per name: the handler's compatible string
 * for file events, the FLB's for FLB events, none for reboot_end and
 * serialize.  The BPF side keys a histogram by the kernel's address of the
 * name, and reads the name once, into the names map, when the histogram is
 * made: no string is read or hashed per event.  Each CPU counts in its
 * own slot of a table (luo_slot() of the key); only a key whose slot
 * another key holds on that CPU goes to the hash map.  luolat.c adds up the
 * histograms of one name (a name at two addresses, a module reloaded).
 */
struct luolat_key {
	__u32 op;			/* enum luo_op */
	__u32 used;			/* a slot: 1 once it holds this key */
	__u64 name;			/* kernel address of the name, 0: none */
};

/* The names map's value, for a kernel address. */
struct luolat_name {
	char name[LUO_COMPAT_LEN];
};

/* Per CPU: each CPU counts its own events, without atomics. */
struct luolat_val {
	__u64 slots[LUO_HIST_SLOTS];	/* log2 of duration_ns */
	__u64 count;
	__u64 sum_ns;
	__u64 failed;			/* result < 0 */
};

/* A slot of the per-CPU table: its key and its counts since it was taken. */
struct luolat_slot {
	struct luolat_key key;
	struct luolat_val val;
};

#endif /* LUOLAT_H */
