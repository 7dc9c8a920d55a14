/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The liveupdate tracepoints as BTF-typed raw tracepoints, turned into one
 * struct luo_event each.  A tool's X.bpf.c includes this after vmlinux.h
 * and then defines
 *
 *	static __always_inline void luo_on_event(struct luo_event *e)
 *
 * which this header declares; every event of the running kernel's LUO reaches
 * luo_on_event() with its fields filled in (strings read from the kernel,
 * pid and comm of the current task, ts_ns).  @e points to per-CPU scratch
 * space: copy what must outlive the call.
 */
#ifndef LUO_EVENTS_BPF_H
#define LUO_EVENTS_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "luo_ops.h"

static __always_inline void luo_on_event(struct luo_event *e);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct luo_event);
} luo_scratch SEC(".maps");

static __always_inline struct luo_event *luo_event_new(__u32 op)
{
	__u32 zero = 0;
	struct luo_event *e = bpf_map_lookup_elem(&luo_scratch, &zero);

	if (!e)
		return NULL;
	__builtin_memset(e, 0, sizeof(*e));
	e->op = op;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline void luo_event_str(char *dst, int len, const char *src)
{
	if (src)
		bpf_probe_read_kernel_str(dst, len, src);
}

#define LUO_SESSION_EVENT(tp, OP)						\
SEC("tp_btf/" #tp)								\
int BPF_PROG(tp, const char *session, unsigned long nr_files, int result)	\
{										\
	struct luo_event *e = luo_event_new(OP);				\
										\
	if (!e)									\
		return 0;							\
	luo_event_str(e->session, sizeof(e->session), session);		\
	e->files = nr_files;							\
	e->result = result;							\
	luo_on_event(e);							\
	return 0;								\
}

#define LUO_FILE_EVENT(tp, OP)							\
SEC("tp_btf/" #tp)								\
int BPF_PROG(tp, const char *session, const char *handler, u64 token,		\
	     int result, u64 duration_ns)					\
{										\
	struct luo_event *e = luo_event_new(OP);				\
										\
	if (!e)									\
		return 0;							\
	luo_event_str(e->session, sizeof(e->session), session);		\
	luo_event_str(e->handler, sizeof(e->handler), handler);		\
	e->token = token;							\
	e->result = result;							\
	e->duration_ns = duration_ns;						\
	luo_on_event(e);							\
	return 0;								\
}

#define LUO_FLB_EVENT(tp, OP)							\
SEC("tp_btf/" #tp)								\
int BPF_PROG(tp, const char *flb, const char *handler, u64 count,		\
	     int result, u64 duration_ns)					\
{										\
	struct luo_event *e = luo_event_new(OP);				\
										\
	if (!e)									\
		return 0;							\
	luo_event_str(e->session, sizeof(e->session), flb);			\
	luo_event_str(e->handler, sizeof(e->handler), handler);		\
	e->token = count;							\
	e->result = result;							\
	e->duration_ns = duration_ns;						\
	luo_on_event(e);							\
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
	struct luo_event *e = luo_event_new(LUO_OP_REBOOT_BEGIN);

	if (!e)
		return 0;
	e->sessions = nr_sessions;
	e->files = nr_files;
	luo_on_event(e);
	return 0;
}

SEC("tp_btf/luo_reboot_end")
int BPF_PROG(luo_reboot_end, unsigned long nr_sessions, unsigned long nr_files,
	     int result, u64 duration_ns)
{
	struct luo_event *e = luo_event_new(LUO_OP_REBOOT_END);

	if (!e)
		return 0;
	e->sessions = nr_sessions;
	e->files = nr_files;
	e->result = result;
	e->duration_ns = duration_ns;
	luo_on_event(e);
	return 0;
}

SEC("tp_btf/luo_serialize")
int BPF_PROG(luo_serialize, unsigned long nr_sessions, unsigned long nr_files,
	     unsigned long nr_flbs, u64 bytes, int result, u64 duration_ns)
{
	struct luo_event *e = luo_event_new(LUO_OP_SERIALIZE);

	if (!e)
		return 0;
	e->sessions = nr_sessions;
	e->files = nr_files;
	e->flbs = nr_flbs;
	e->bytes = bytes;
	e->result = result;
	e->duration_ns = duration_ns;
	luo_on_event(e);
	return 0;
}

SEC("tp_btf/luo_incoming")
int BPF_PROG(luo_incoming, u64 number, unsigned long nr_sessions,
	     unsigned long nr_files, unsigned long dropped, unsigned long nr_flbs,
	     int result)
{
	struct luo_event *e = luo_event_new(LUO_OP_INCOMING);

	if (!e)
		return 0;
	e->token = number;
	e->sessions = nr_sessions;
	e->files = nr_files;
	e->dropped = dropped;
	e->flbs = nr_flbs;
	e->result = result;
	luo_on_event(e);
	return 0;
}

#endif /* LUO_EVENTS_BPF_H */
