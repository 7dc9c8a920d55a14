/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luoblackout arm: the memfd it preserves through LUO itself, and the
 * events its BPF side (luoblackout.bpf.c) hands to the armed process.
 *
 * The memfd is one struct luob_arm followed by up to @max_events struct
 * luob_arm_event, written by the armed process until the kexec: when it
 * was armed (TSC, CLOCK_MONOTONIC and CLOCK_REALTIME together, the TSC's
 * rate measured there), the kernel and boot it was armed in, and every
 * LUO event it saw from then on, each put on the TSC.  `luoblackout
 * collect` reads it in the next kernel.  Little-endian, this layout only
 * (LUOB_ARM_VERSION): collect refuses another.
 */
#ifndef LUOBLACKOUT_ARM_H
#define LUOBLACKOUT_ARM_H

#include "luo_ops.h"

#define LUOB_ARM_MAGIC		0x314d524142554f4cULL	/* "LUOBARM1" */
#define LUOB_ARM_VERSION	1
#define LUOB_ARM_EVENTS		1024
#define LUOB_ARM_TOKEN		1	/* the memfd's token in its session */
#define LUOB_ARM_SESSION	"luoblackout"

/* One LUO event the armed process saw. */
struct luob_arm_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() (BPF side) */
	__u64 tsc;		/* the same instant on the TSC (armed process) */
	__u64 duration_ns;	/* as in struct luo_args */
	__u64 token;
	__s32 result;
	__u32 op;		/* enum luo_op */
	__u32 unknown;		/* LUO_UNKNOWN_* */
	__u32 pid;
	char session[LUO_NAME_LEN];
	char handler[LUO_COMPAT_LEN];
};

struct luob_arm {
	__u64 magic;		/* LUOB_ARM_MAGIC */
	__u32 version;		/* LUOB_ARM_VERSION */
	__u32 header_size;	/* sizeof(struct luob_arm) */
	__u32 event_size;	/* sizeof(struct luob_arm_event) */
	__u32 max_events;	/* room after the header */
	__u64 tsc;		/* armed: the TSC ... */
	__u64 mono_ns;		/* ... CLOCK_MONOTONIC ... */
	__u64 real_ns;		/* ... and CLOCK_REALTIME, together */
	__u64 khz;		/* the TSC's rate, measured when armed */
	__u32 mode;		/* how events were seen: enum luo_mode, 0: not at all */
	__u32 pid;		/* the armed process */
	__u64 nr_events;	/* events seen; those past max_events are lost */
	__u64 lost;		/* events the BPF side could not hand over (ring full) */
	char release[65];	/* uname -r of the armed kernel */
	char boot_id[37];	/* its /proc/sys/kernel/random/boot_id */
	char pad[2];
};

#endif /* LUOBLACKOUT_ARM_H */
