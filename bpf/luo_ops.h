/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LUO operations the toolkit tells apart, shared by the BPF programs
 * and the tools: one per liveupdate tracepoint.
 */
#ifndef LUO_OPS_H
#define LUO_OPS_H

#define LUO_NAME_LEN	64	/* session names, as in the uapi */
#define LUO_COMPAT_LEN	48	/* handler and FLB compatible strings */

/* log2 histograms of ns, BPF side and tools alike: slot i counts [2^i, 2^(i+1)). */
#define LUO_HIST_SLOTS	40

/*
 * LUO_OP_MAPPER(FN) calls FN(OP, name, CLASS) for each operation, in the
 * order of enum luo_op: one per liveupdate tracepoint, named as the
 * tracepoint without its "luo_" prefix.  CLASS is the tracepoint's event
 * class in include/trace/events/liveupdate.h (SESSION, FILE, FLB), or OWN
 * for an event with fields of its own.  The one list of operations: the
 * enum, the BPF programs of the class events (luo_events.bpf.h), the tools'
 * names (tools/lib/luo_tools.c) and the Python and shell checkers'
 * (tools/lib/luo_names.py) derive from it, and the luo-trace suite checks
 * it against the tracepoints the kernel has.
 */
#define LUO_OP_MAPPER(FN)				\
	FN(SESSION_CREATE, session_create, SESSION)	\
	FN(SESSION_RETRIEVE, session_retrieve, SESSION)	\
	FN(SESSION_RELEASE, session_release, SESSION)	\
	FN(SESSION_FINISH, session_finish, SESSION)	\
	FN(FILE_PRESERVE, file_preserve, FILE)		\
	FN(FILE_UNPRESERVE, file_unpreserve, FILE)	\
	FN(FILE_FREEZE, file_freeze, FILE)		\
	FN(FILE_UNFREEZE, file_unfreeze, FILE)		\
	FN(FILE_RETRIEVE, file_retrieve, FILE)		\
	FN(FILE_CAN_FINISH, file_can_finish, FILE)	\
	FN(FILE_FINISH, file_finish, FILE)		\
	FN(FLB_PRESERVE, flb_preserve, FLB)		\
	FN(FLB_UNPRESERVE, flb_unpreserve, FLB)		\
	FN(FLB_RETRIEVE, flb_retrieve, FLB)		\
	FN(FLB_FINISH, flb_finish, FLB)			\
	FN(REBOOT_BEGIN, reboot_begin, OWN)		\
	FN(REBOOT_END, reboot_end, OWN)			\
	FN(SERIALIZE, serialize, OWN)			\
	FN(INCOMING, incoming, OWN)

#define LUO_OP_ENUM_FN(x, ...)	LUO_OP_##x,

enum luo_op {
	LUO_OP_MAPPER(LUO_OP_ENUM_FN)
	LUO_NR_OPS
};

/*
 * The operations whose events time something (a duration_ns): the file and
 * FLB callbacks, serialize, and reboot_end (the whole reboot's freeze and
 * serialize).  luolat counts these and attaches programs to these alone.
 */
#define LUO_OPS_TIMED	(((1U << (LUO_OP_FLB_FINISH + 1)) - (1U << LUO_OP_FILE_PRESERVE)) |	\
			 (1U << LUO_OP_REBOOT_END) | (1U << LUO_OP_SERIALIZE))

/*
 * What the kernel's LUO does not tell in the tools' fentry mode (mainline's
 * LUO, traced on its functions: luo_fentry.bpf.h), set in struct luo_event's
 * @unknown: the field is shown as unknown, never as 0.
 */
#define LUO_UNKNOWN_DURATION	(1U << 0)	/* @duration_ns */
#define LUO_UNKNOWN_FILES	(1U << 1)	/* @files */
#define LUO_UNKNOWN_BYTES	(1U << 2)	/* @bytes and @flbs */
#define LUO_UNKNOWN_NUMBER	(1U << 3)	/* incoming: @token and @dropped */
#define LUO_UNKNOWN_HANDLER	(1U << 4)	/* @handler */
#define LUO_UNKNOWN_SESSIONS	(1U << 5)	/* @sessions */

/* Set in struct luo_event's @named: the string is in the event. */
#define LUO_EV_SESSION_NAMED	(1U << 0)
#define LUO_EV_HANDLER_NAMED	(1U << 1)

/*
 * One event as the BPF side sees it.  @session holds the session name, or
 * the FLB's compatible string for FLB events; @handler the handler's
 * compatible string.  Each string is there only when @named says so: else
 * an earlier event carried it, for the same kernel address (@session_addr,
 * @handler_addr; 0: no string).  @token is the file's token, the FLB's
 * file count (FLB events), or the liveupdate-number (incoming); @sessions
 * and @files count what the reboot, serialize and incoming events (and
 * @files the session events) are about; @bytes is what serialize handed
 * over; @flbs the FLBs handed over (serialize, incoming); @dropped the
 * sessions the new kernel refused (incoming).
 */
struct luo_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 duration_ns;	/* the callback's (or the reboot's) */
	__u64 token;
	__u64 sessions;
	__u64 files;
	__u64 bytes;
	__u32 pid;
	__s32 result;
	__u32 op;		/* enum luo_op */
	char comm[16];
	char session[LUO_NAME_LEN];
	char handler[LUO_COMPAT_LEN];
	__u64 flbs;
	__u64 dropped;
	__u64 session_addr;
	__u64 handler_addr;
	__u32 named;		/* LUO_EV_*_NAMED */
	__u32 unknown;		/* LUO_UNKNOWN_* */
};

#endif /* LUO_OPS_H */
