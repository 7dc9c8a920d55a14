// SPDX-License-Identifier: GPL-2.0
/*
 * luolat: log2 histograms of the duration_ns of LUO's events, one per
 * operation and handler (struct luolat_key), kept in a hash map that
 * luolat.c reads and empties at each interval.  Only the
 * events that time something count: file and FLB callbacks, serialize and
 * reboot_end (the whole reboot-time freeze and serialize).
 */
#include "vmlinux.h"
#include "luo_events.bpf.h"
#include "luo_helpers.bpf.h"
#include "luolat.h"

/* Bit i set: op i counts.  0: every timed op. */
const volatile __u32 targ_ops = 0;
const volatile bool filter_handler = false;
const volatile char targ_handler[LUO_COMPAT_LEN] = {};

/* The ops whose events carry a duration_ns. */
#define TIMED_OPS	((1U << LUO_OP_FILE_PRESERVE) | (1U << LUO_OP_FILE_UNPRESERVE) |	\
			 (1U << LUO_OP_FILE_FREEZE) | (1U << LUO_OP_FILE_UNFREEZE) |	\
			 (1U << LUO_OP_FILE_RETRIEVE) | (1U << LUO_OP_FILE_CAN_FINISH) |	\
			 (1U << LUO_OP_FILE_FINISH) | (1U << LUO_OP_FLB_PRESERVE) |	\
			 (1U << LUO_OP_FLB_UNPRESERVE) | (1U << LUO_OP_FLB_RETRIEVE) |	\
			 (1U << LUO_OP_FLB_FINISH) | (1U << LUO_OP_REBOOT_END) |	\
			 (1U << LUO_OP_SERIALIZE))

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LUOLAT_MAX_KEYS);
	__type(key, struct luolat_key);
	__type(value, struct luolat_val);
} hists SEC(".maps");

/* Keys the map had no room for. */
__u64 dropped = 0;

static struct luolat_val zero;

static __always_inline void luo_on_event(struct luo_event *e)
{
	struct luolat_key key = {};
	struct luolat_val *v;
	__u32 s;

	if (!(TIMED_OPS & (1U << e->op)))
		return;
	if (targ_ops && !(targ_ops & (1U << e->op)))
		return;
	key.op = e->op;
	/* An FLB's histogram is its own, whichever file's handler caused it. */
	if (e->op >= LUO_OP_FLB_PRESERVE && e->op <= LUO_OP_FLB_FINISH)
		__builtin_memcpy(key.name, e->session, sizeof(key.name));
	else
		__builtin_memcpy(key.name, e->handler, sizeof(key.name));
	if (filter_handler && !luo_str_eq(key.name, targ_handler, LUO_COMPAT_LEN))
		return;

	v = bpf_map_lookup_elem(&hists, &key);
	if (!v) {
		if (bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST) &&
		    !bpf_map_lookup_elem(&hists, &key)) {
			__sync_fetch_and_add(&dropped, 1);
			return;
		}
		v = bpf_map_lookup_elem(&hists, &key);
		if (!v)
			return;
	}
	s = luo_log2_slot(e->duration_ns);
	__sync_fetch_and_add(&v->slots[s], 1);
	__sync_fetch_and_add(&v->count, 1);
	__sync_fetch_and_add(&v->sum_ns, e->duration_ns);
	if (e->result < 0)
		__sync_fetch_and_add(&v->failed, 1);
}

char LICENSE[] SEC("license") = "GPL";
