// SPDX-License-Identifier: GPL-2.0
/*
 * luo_inject.bpf.c - fail chosen steps of LUO's file transitions, and see
 * what LUO made of it.
 *
 * The fmod_ret programs make luo_hook_file_preserve, luo_hook_file_freeze
 * and luo_hook_file_retrieve return targets[hook].error for the calls that
 * targets[hook] selects; the loader enables only those it needs.  The
 * tp_btf programs copy each luo_file_{preserve,freeze,unfreeze,retrieve}
 * event into a ring buffer.  Both look only at the sessions named
 * INJ_SESSION_PREFIX..., so that other users of LUO are left alone.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "luo_helpers.bpf.h"
#include "luo_inject.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before the load. */
const volatile struct inj_target targets[INJ_NR_HOOKS] = {};

/* Calls that matched targets[hook], and errors returned, per hook. */
__u32 matched[INJ_NR_HOOKS];
__u32 injected[INJ_NR_HOOKS];

/* Events the ring buffer had no room for. */
__u32 lost;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* Whether session @name is one of the test's. */
static __always_inline bool ours(const char *name)
{
	const char prefix[] = INJ_SESSION_PREFIX;
	int i;

	for (i = 0; i < sizeof(prefix) - 1; i++)
		if (name[i] != prefix[i])
			return false;
	return true;
}

/* Whether @name is @target's session, any of ours for an empty one. */
static __always_inline bool same_session(const char *name,
					 const volatile struct inj_target *target)
{
	return !target->session[0] || luo_str_eq(name, target->session, INJ_NAME_LEN);
}

/*
 * The result of @hook for the file @token of @session: @ret, what the
 * hook returns so far, unless the call is one targets[@hook] selects.
 */
static __always_inline int inject(enum inj_hook hook, const char *session,
				  __u64 token, int ret)
{
	const volatile struct inj_target *target = &targets[hook];
	char name[INJ_NAME_LEN];
	__u32 n;

	if (ret || bpf_probe_read_kernel_str(name, sizeof(name), session) < 0)
		return ret;
	if (!ours(name) || !same_session(name, target) ||
	    (target->token && target->token != token))
		return 0;
	n = __sync_fetch_and_add(&matched[hook], 1) + 1;
	if (target->nth && target->nth != n)
		return 0;
	__sync_fetch_and_add(&injected[hook], 1);
	return target->error;
}

SEC("fmod_ret/luo_hook_file_preserve")
int BPF_PROG(inject_preserve, const char *session, const char *handler,
	     __u64 token, int ret)
{
	return inject(INJ_HOOK_PRESERVE, session, token, ret);
}

SEC("fmod_ret/luo_hook_file_freeze")
int BPF_PROG(inject_freeze, const char *session, const char *handler,
	     __u64 token, int ret)
{
	return inject(INJ_HOOK_FREEZE, session, token, ret);
}

SEC("fmod_ret/luo_hook_file_retrieve")
int BPF_PROG(inject_retrieve, const char *session, const char *handler,
	     __u64 token, int ret)
{
	return inject(INJ_HOOK_RETRIEVE, session, token, ret);
}

SEC("fmod_ret/luo_hook_file_can_finish")
int BPF_PROG(inject_can_finish, const char *session, const char *handler,
	     __u64 token, int ret)
{
	return inject(INJ_HOOK_CAN_FINISH, session, token, ret);
}

/* Put one event of a test's session into the ring buffer. */
static __always_inline int record(enum inj_event_type type, const char *session,
				  const char *handler, __u64 token, int result)
{
	struct inj_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return 0;
	}
	bpf_probe_read_kernel_str(e->session, sizeof(e->session), session);
	if (!ours(e->session)) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	bpf_probe_read_kernel_str(e->handler, sizeof(e->handler), handler);
	e->token = token;
	e->result = result;
	e->type = type;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/luo_file_preserve")
int BPF_PROG(on_preserve, const char *session, const char *handler, __u64 token,
	     int result, __u64 duration_ns)
{
	return record(INJ_EV_PRESERVE, session, handler, token, result);
}

SEC("tp_btf/luo_file_freeze")
int BPF_PROG(on_freeze, const char *session, const char *handler, __u64 token,
	     int result, __u64 duration_ns)
{
	return record(INJ_EV_FREEZE, session, handler, token, result);
}

SEC("tp_btf/luo_file_unfreeze")
int BPF_PROG(on_unfreeze, const char *session, const char *handler, __u64 token,
	     int result, __u64 duration_ns)
{
	return record(INJ_EV_UNFREEZE, session, handler, token, result);
}

SEC("tp_btf/luo_file_retrieve")
int BPF_PROG(on_retrieve, const char *session, const char *handler, __u64 token,
	     int result, __u64 duration_ns)
{
	return record(INJ_EV_RETRIEVE, session, handler, token, result);
}
