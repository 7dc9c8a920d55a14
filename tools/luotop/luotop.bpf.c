// SPDX-License-Identifier: GPL-2.0
/*
 * luotop's BPF side.  Every liveupdate event (luo_events.bpf.h) is counted
 * per operation x handler in a per-CPU hash, with its errors and a log2
 * histogram of the handler callback's duration; luotop sums the CPUs once
 * a refresh and derives rates, p50 and p99.  The sessions created or
 * retrieved while luotop runs are followed in a second hash, with the
 * files preserved into them, or retrieved and finished from them: LUO has
 * no other interface that lists its sessions.
 */
#include "vmlinux.h"
#include "luo_events.bpf.h"
#include "luo_helpers.bpf.h"
#include "luotop.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, LUOTOP_MAX_STATS);
	__type(key, struct luotop_key);
	__type(value, struct luotop_stat);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LUOTOP_MAX_SESSIONS);
	__type(key, struct luotop_skey);
	__type(value, struct luotop_session);
} sessions SEC(".maps");

/* Initial values, too large for the BPF stack. */
struct luotop_stat zero_stat = {};
struct luotop_session zero_session = {};

static __always_inline void count(struct luo_event *e)
{
	struct luotop_key k = { .op = e->op };
	struct luotop_stat *st;
	__u32 slot;

	__builtin_memcpy(k.handler, e->handler, sizeof(k.handler));
	st = bpf_map_lookup_elem(&stats, &k);
	if (!st) {
		bpf_map_update_elem(&stats, &k, &zero_stat, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&stats, &k);
		if (!st)
			return;
	}
	/* Per-CPU: no other CPU writes this copy. */
	st->count++;
	if (e->result < 0)
		st->errors++;
	else
		st->ok++;
	if (!e->duration_ns)
		return;
	st->timed++;
	st->sum_ns += e->duration_ns;
	slot = luo_log2_slot(e->duration_ns);
	st->slots[slot]++;
}

static __always_inline struct luotop_session *session(struct luo_event *e,
						       __u32 dir, bool create)
{
	struct luotop_skey k = { .dir = dir };
	struct luotop_session *s;

	__builtin_memcpy(k.name, e->session, sizeof(k.name));
	s = bpf_map_lookup_elem(&sessions, &k);
	if (s || !create)
		return s;
	bpf_map_update_elem(&sessions, &k, &zero_session, BPF_ANY);
	return bpf_map_lookup_elem(&sessions, &k);
}

static __always_inline void follow(struct luo_event *e)
{
	struct luotop_skey k = { .dir = LUOTOP_OUT };
	struct luotop_session *s;

	if (e->result < 0)
		return;
	switch (e->op) {
	case LUO_OP_SESSION_CREATE:
		s = session(e, LUOTOP_OUT, true);
		if (s) {
			s->files = 0;
			s->flags = 0;
		}
		break;
	case LUO_OP_SESSION_RETRIEVE:
		s = session(e, LUOTOP_IN, true);
		if (s) {
			s->files = e->files;
			s->flags = 0;
		}
		break;
	case LUO_OP_SESSION_FINISH:
		s = session(e, LUOTOP_IN, false);
		if (s)
			s->flags |= LUOTOP_S_FINISHED;
		break;
	case LUO_OP_SESSION_RELEASE:
		/*
		 * An incoming session stays listed once closed, to count it as
		 * finished or not; an outgoing one is gone with its files.
		 */
		s = session(e, LUOTOP_IN, false);
		if (s && !(s->flags & LUOTOP_S_RELEASED)) {
			s->flags |= LUOTOP_S_RELEASED;
			break;
		}
		__builtin_memcpy(k.name, e->session, sizeof(k.name));
		bpf_map_delete_elem(&sessions, &k);
		break;
	case LUO_OP_FILE_PRESERVE:
		s = session(e, LUOTOP_OUT, false);
		if (s)
			__sync_fetch_and_add(&s->files, 1);
		break;
	case LUO_OP_FILE_UNPRESERVE:
		s = session(e, LUOTOP_OUT, false);
		if (s && s->files)
			__sync_fetch_and_sub(&s->files, 1);
		break;
	case LUO_OP_FILE_RETRIEVE:
		s = session(e, LUOTOP_IN, false);
		if (s)
			__sync_fetch_and_add(&s->retrieved, 1);
		break;
	case LUO_OP_FILE_FINISH:
		s = session(e, LUOTOP_IN, false);
		if (s)
			__sync_fetch_and_add(&s->finished, 1);
		break;
	}
}

static __always_inline void luo_on_event(struct luo_event *e)
{
	count(e);
	follow(e);
}
