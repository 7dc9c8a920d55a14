// SPDX-License-Identifier: GPL-2.0
/*
 * luolat: log2 histograms of the duration_ns of LUO's events, one per
 * operation and handler (struct luolat_key), kept in the slots of a per-CPU
 * table (luolat.c reads their growth at each interval) or, for a key whose
 * slot is taken, in a per-CPU hash map (read and emptied).  Only the events that
 * time something count: file and FLB callbacks, serialize and reboot_end
 * (the whole reboot-time freeze and serialize); luolat.c loads no program
 * for the other events (nor for the ops -o leaves out), and the test here
 * is for the fentry mode, whose programs serve several ops.
 */
#include "vmlinux.h"
#include "luo_events.bpf.h"
#include "luo_helpers.bpf.h"
#include "luo_filter.bpf.h"
#include "luolat.h"

/* Bit i set: op i counts.  0: every timed op. */
const volatile __u32 targ_ops = 0;
const volatile bool filter_handler = false;
const volatile char targ_handler[LUO_COMPAT_LEN] = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, LUOLAT_MAX_KEYS);
	__type(key, struct luolat_key);
	__type(value, struct luolat_val);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LUOLAT_SLOTS);
	__type(key, __u32);
	__type(value, struct luolat_slot);
} slots SEC(".maps");

/*
 * Kernel address -> the name there, read when a histogram is made: room for
 * a name per slot and per key of the hash, never evicted.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LUOLAT_SLOTS + LUOLAT_MAX_KEYS);
	__type(key, __u64);
	__type(value, struct luolat_name);
} names SEC(".maps");

/* Keys the map had no room for. */
__u64 dropped = 0;

static struct luolat_val zero;

/* A new histogram's name, read once. */
static __always_inline void name_of(__u64 addr)
{
	struct luolat_name n;

	luo_read_str(n.name, sizeof(n.name), (const char *)addr);
	bpf_map_update_elem(&names, &addr, &n, BPF_ANY);
}

/* The first event of a histogram in the hash map: the histogram made. */
static __always_inline struct luolat_val *new_hist(struct luolat_key *key)
{
	name_of(key->name);
	if (bpf_map_update_elem(&hists, key, &zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&hists, key)) {
		__sync_fetch_and_add(&dropped, 1);
		return NULL;
	}
	return bpf_map_lookup_elem(&hists, key);
}

static __always_inline void luo_on_event(const struct luo_args *a)
{
	struct luolat_key key = {};
	struct luolat_slot *slot;
	struct luolat_val *v;
	const char *name;
	__u32 idx;

	/* An event whose duration LUO does not tell (fentry mode) is not counted as 0. */
	if (!(LUO_OPS_TIMED & (1U << a->op)) || (a->unknown & LUO_UNKNOWN_DURATION))
		return;
	if (!luo_task_passes())
		return;
	if (targ_ops && !(targ_ops & (1U << a->op)))
		return;
	/* An FLB's histogram is its own, whichever file's handler caused it. */
	if (a->op >= LUO_OP_FLB_PRESERVE && a->op <= LUO_OP_FLB_FINISH)
		name = a->session;
	else
		name = a->handler;
	if (filter_handler) {
		char s[LUO_COMPAT_LEN];

		luo_read_str(s, sizeof(s), name);
		if (!luo_str_eq(s, targ_handler, LUO_COMPAT_LEN))
			return;
	}
	key.op = a->op;
	key.name = (__u64)name;
	idx = luo_slot(key.op, key.name, LUOLAT_SLOTS);
	slot = bpf_map_lookup_elem(&slots, &idx);
	if (!slot)
		return;
	if (!slot->key.used) {
		name_of(key.name);
		slot->key = key;
		slot->key.used = 1;
	}
	if (slot->key.op == key.op && slot->key.name == key.name) {
		v = &slot->val;
	} else {
		v = bpf_map_lookup_elem(&hists, &key);
		if (!v)
			v = new_hist(&key);
		if (!v)
			return;
	}
	/* This CPU's copy: no other CPU writes it. */
	v->slots[luo_log2_slot(a->duration_ns)]++;
	v->count++;
	v->sum_ns += a->duration_ns;
	if (a->result < 0)
		v->failed++;
}

char LICENSE[] SEC("license") = "GPL";
