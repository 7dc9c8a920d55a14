/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The liveupdate tracepoints as BTF-typed raw tracepoints, each turned into
 * one struct luo_args of its arguments.  A tool's X.bpf.c includes this
 * after vmlinux.h and then defines
 *
 *	static __always_inline void luo_on_event(const struct luo_args *a);
 *
 * which every event of the running kernel's LUO reaches.  The arguments are
 * as the tracepoint passed them: the strings are the kernel's, and nothing
 * else (time, task, a copy of a string) is taken, for a BPF program costs
 * what it does on every LUO operation.  A tool takes what it needs:
 * luo_read_str() for a string, luo_event_fill() for struct luo_event
 * but its strings.
 */
#ifndef LUO_EVENTS_BPF_H
#define LUO_EVENTS_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "luo_ops.h"

/*
 * One event's arguments.  @session is the session's name, or the FLB's
 * compatible string for FLB events; the other fields are struct
 * luo_event's.  The strings are kernel pointers, or NULL: each names its
 * string for as long as the session, the handler or the FLB lives, and
 * the tools key them by it.  @session_copy, when not NULL, is where the
 * session's name is read instead (a copy taken before the session was
 * freed: luo_fentry.bpf.h).  @unknown: the LUO_UNKNOWN_* fields that the
 * kernel's LUO does not tell in this mode (0 from the tracepoints).
 */
struct luo_args {
	const char *session;
	const char *session_copy;
	const char *handler;
	__u64 token;
	__u64 duration_ns;
	__u64 sessions;
	__u64 files;
	__u64 flbs;
	__u64 bytes;
	__u64 dropped;
	__s32 result;
	__u32 op;
	__u32 unknown;
};

static __always_inline void luo_on_event(const struct luo_args *a);

/* Read the kernel's string @src into @dst ("" for none). */
static __always_inline void luo_read_str(char *dst, int len, const char *src)
{
	if (!src || bpf_probe_read_kernel_str(dst, len, src) < 0)
		dst[0] = '\0';
}

/* Where @a's session name is read. */
static __always_inline const char *luo_session_str(const struct luo_args *a)
{
	return a->session_copy ? a->session_copy : a->session;
}

/*
 * @e from @a, with the time and the current task; the strings' addresses,
 * not the strings: @e's @named is 0.  The task's pid and comm are read in
 * place: bpf_get_current_task_btf() is inlined by the verifier (x86-64),
 * where bpf_get_current_pid_tgid() and bpf_get_current_comm() are calls.
 */
static __always_inline void luo_event_fill(struct luo_event *e, const struct luo_args *a)
{
	struct task_struct *task = bpf_get_current_task_btf();

	e->ts_ns = bpf_ktime_get_ns();
	e->duration_ns = a->duration_ns;
	e->token = a->token;
	e->sessions = a->sessions;
	e->files = a->files;
	e->bytes = a->bytes;
	e->pid = task->tgid;
	e->result = a->result;
	e->op = a->op;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	e->flbs = a->flbs;
	e->dropped = a->dropped;
	e->session_addr = (__u64)a->session;
	e->handler_addr = (__u64)a->handler;
	e->named = 0;
	e->unknown = a->unknown;
}

#define LUO_SESSION_EVENT(tp, OP)						\
SEC("tp_btf/" #tp)								\
int BPF_PROG(tp, const char *session, unsigned long nr_files, int result)	\
{										\
	struct luo_args a = {							\
		.op = OP, .session = session, .files = nr_files,		\
		.result = result,						\
	};									\
										\
	luo_on_event(&a);							\
	return 0;								\
}

#define LUO_FILE_EVENT(tp, OP)							\
SEC("tp_btf/" #tp)								\
int BPF_PROG(tp, const char *session, const char *handler, u64 token,		\
	     int result, u64 duration_ns)					\
{										\
	struct luo_args a = {							\
		.op = OP, .session = session, .handler = handler,		\
		.token = token, .result = result, .duration_ns = duration_ns,	\
	};									\
										\
	luo_on_event(&a);							\
	return 0;								\
}

#define LUO_FLB_EVENT(tp, OP)							\
SEC("tp_btf/" #tp)								\
int BPF_PROG(tp, const char *flb, const char *handler, u64 count,		\
	     int result, u64 duration_ns)					\
{										\
	struct luo_args a = {							\
		.op = OP, .session = flb, .handler = handler, .token = count,	\
		.result = result, .duration_ns = duration_ns,			\
	};									\
										\
	luo_on_event(&a);							\
	return 0;								\
}

/*
 * One program per event of the session, file and FLB classes, from
 * luo_ops.h's list; the events with fields of their own (OWN) follow.
 */
#define LUO_CLASS_SESSION(x, name)	LUO_SESSION_EVENT(luo_##name, LUO_OP_##x)
#define LUO_CLASS_FILE(x, name)		LUO_FILE_EVENT(luo_##name, LUO_OP_##x)
#define LUO_CLASS_FLB(x, name)		LUO_FLB_EVENT(luo_##name, LUO_OP_##x)
#define LUO_CLASS_OWN(x, name)
#define LUO_CLASS_EVENT(x, name, class)	LUO_CLASS_##class(x, name)

LUO_OP_MAPPER(LUO_CLASS_EVENT)

SEC("tp_btf/luo_reboot_begin")
int BPF_PROG(luo_reboot_begin, unsigned long nr_sessions, unsigned long nr_files)
{
	struct luo_args a = {
		.op = LUO_OP_REBOOT_BEGIN, .sessions = nr_sessions, .files = nr_files,
	};

	luo_on_event(&a);
	return 0;
}

SEC("tp_btf/luo_reboot_end")
int BPF_PROG(luo_reboot_end, unsigned long nr_sessions, unsigned long nr_files,
	     int result, u64 duration_ns)
{
	struct luo_args a = {
		.op = LUO_OP_REBOOT_END, .sessions = nr_sessions, .files = nr_files,
		.result = result, .duration_ns = duration_ns,
	};

	luo_on_event(&a);
	return 0;
}

SEC("tp_btf/luo_serialize")
int BPF_PROG(luo_serialize, unsigned long nr_sessions, unsigned long nr_files,
	     unsigned long nr_flbs, u64 bytes, int result, u64 duration_ns)
{
	struct luo_args a = {
		.op = LUO_OP_SERIALIZE, .sessions = nr_sessions, .files = nr_files,
		.flbs = nr_flbs, .bytes = bytes, .result = result,
		.duration_ns = duration_ns,
	};

	luo_on_event(&a);
	return 0;
}

SEC("tp_btf/luo_incoming")
int BPF_PROG(luo_incoming, u64 number, unsigned long nr_sessions,
	     unsigned long nr_files, unsigned long dropped, unsigned long nr_flbs,
	     int result)
{
	struct luo_args a = {
		.op = LUO_OP_INCOMING, .token = number, .sessions = nr_sessions,
		.files = nr_files, .dropped = dropped, .flbs = nr_flbs,
		.result = result,
	};

	luo_on_event(&a);
	return 0;
}

/* The same events from mainline's LUO functions, where the tracepoints are not. */
#include "luo_fentry.bpf.h"

#endif /* LUO_EVENTS_BPF_H */
