/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LUO operations the toolkit tells apart, shared by the BPF programs
 * and the tools: one per liveupdate tracepoint.
 */
#ifndef LUO_OPS_H
#define LUO_OPS_H

#define LUO_NAME_LEN	64	/* session names, as in the uapi */
#define LUO_COMPAT_LEN	48	/* handler and FLB compatible strings */

enum luo_op {
	LUO_OP_SESSION_CREATE,
	LUO_OP_SESSION_RETRIEVE,
	LUO_OP_SESSION_RELEASE,
	LUO_OP_SESSION_FINISH,
	LUO_OP_FILE_PRESERVE,
	LUO_OP_FILE_UNPRESERVE,
	LUO_OP_FILE_FREEZE,
	LUO_OP_FILE_UNFREEZE,
	LUO_OP_FILE_RETRIEVE,
	LUO_OP_FILE_CAN_FINISH,
	LUO_OP_FILE_FINISH,
	LUO_OP_FLB_PRESERVE,
	LUO_OP_FLB_UNPRESERVE,
	LUO_OP_FLB_RETRIEVE,
	LUO_OP_FLB_FINISH,
	LUO_OP_REBOOT_BEGIN,
	LUO_OP_REBOOT_END,
	LUO_OP_SERIALIZE,
	LUO_OP_INCOMING,
	LUO_NR_OPS
};

/*
 * One event as the BPF side sees it.  @session holds the session name, or
 * the FLB's compatible string for FLB events; @handler the handler's
 * compatible string.  @token is the file's token, the FLB's file count
 * (FLB events), or the liveupdate-number (incoming); @sessions and @files
 * count what the reboot, serialize and incoming events (and @files the
 * session events) are about; @bytes is what serialize handed over; @flbs
 * the FLBs handed over (serialize, incoming); @dropped the sessions the new
 * kernel refused (incoming).
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
};

#endif /* LUO_OPS_H */
