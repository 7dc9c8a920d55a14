// SPDX-License-Identifier: GPL-2.0
/*
 * luosnoop: every LUO transition that passes the filters, as one struct
 * luo_event in its CPU's ring (luosnoop.h), for luosnoop.c to print.
 * The filters are set by the loader in .rodata before the load, so the
 * verifier drops the code of those not in use.
 */
#include "vmlinux.h"
#include "luo_events.bpf.h"
#include "luo_helpers.bpf.h"
#include "luo_filter.bpf.h"
#include "luosnoop.h"

/* Bit i set: op i passes.  0: every op. */
const volatile __u32 targ_ops = 0;
const volatile bool targ_failed = false;
const volatile bool filter_session = false;
const volatile bool filter_handler = false;
const volatile char targ_session[LUO_NAME_LEN] = {};
const volatile char targ_handler[LUO_COMPAT_LEN] = {};

/* The slots of a CPU's ring: 1 << ring_shift (set by the loader). */
const volatile __u32 ring_shift = 8;

/* Events of a CPU that has no ring (none of the ids the loader counted). */
__u64 lost_nocpu = 0;

/* One struct luosnoop_ring a CPU (the loader sets the number). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct luosnoop_ring);
} rings SEC(".maps");

/* CPU c's ring is slots [c << ring_shift, (c + 1) << ring_shift). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct luosnoop_slot);
} slots SEC(".maps");

/*
 * The strings luosnoop has been sent, by their kernel addresses: a slot
 * holds the last address whose string went out in an event (published) and
 * hashed there.  An event whose string's address is in its slot carries the
 * address alone, and luosnoop names it from the event that carried it:
 * reading a string costs more than the rest of an event under emulation.
 * A session's name is sent whatever the table holds when the session is
 * born (created or retrieved), the one time its address may have held
 * another name; a handler's or an FLB's compatible string lives as long as
 * its module, and is sent again only when its slot was taken by another.
 */
#define SENT_SHIFT	10
__u64 sent[1 << SENT_SHIFT] = {};

/* Only to wake luosnoop: its records carry nothing. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} wakeup SEC(".maps");

static __always_inline bool is_flb(__u32 op)
{
	return op >= LUO_OP_FLB_PRESERVE && op <= LUO_OP_FLB_FINISH;
}

static __always_inline bool has_session(__u32 op)
{
	return op <= LUO_OP_FILE_FINISH;
}

/* The events where a session name is born: its string is always sent. */
static __always_inline bool born(__u32 op)
{
	return op == LUO_OP_SESSION_CREATE || op == LUO_OP_SESSION_RETRIEVE;
}

static __always_inline __u64 *sent_slot(__u64 addr)
{
	return &sent[luo_slot(0, addr, 1U << SENT_SHIFT) & ((1U << SENT_SHIFT) - 1)];
}

/* Whether luosnoop has the string at @addr from an earlier event. */
static __always_inline bool was_sent(__u64 addr)
{
	return *(volatile __u64 *)sent_slot(addr) == addr;
}

/* The string at @addr is luosnoop's once the event that carries it is published. */
static __always_inline void mark_sent(__u64 addr, bool ok)
{
	__u64 *slot = sent_slot(addr);

	if (ok)
		*(volatile __u64 *)slot = addr;
	else if (*slot == addr)
		/* A failed create names a copy on the kernel's stack. */
		*(volatile __u64 *)slot = 0;
}

/*
 * luosnoop is not woken for each event: on a busy or small machine every
 * wakeup is a context switch charged to the operation being traced (it
 * tripled the latency of a preserve on a one-CPU guest), and inside the
 * reboot it would lengthen the blackout being watched.  luosnoop reads the
 * rings every 100 ms; it is woken early only when a ring gets half full,
 * and at reboot_end.
 */
static __always_inline void wake(__u32 op, __u64 n, __u64 tail)
{
	__u8 nothing = 0;

	/*
	 * @n: the ring's slots claimed up to this event's; @tail: read so
	 * far, which may have passed @n meanwhile (the ring is empty then).
	 */
	if (op == LUO_OP_REBOOT_END || (tail <= n && n - tail >= (1ULL << ring_shift) / 2))
		bpf_ringbuf_output(&wakeup, &nothing, sizeof(nothing), BPF_RB_FORCE_WAKEUP);
}

/*
 * Claim the next slot of @r: its number, or -1 when the ring is full (or
 * taken and retaken under us by other tasks on this CPU, four times over:
 * counted as lost too).
 */
static __always_inline __s64 claim(struct luosnoop_ring *r)
{
	__u64 head, tail;
	int i;

	for (i = 0; i < 4; i++) {
		head = *(volatile __u64 *)&r->head;
		tail = *(volatile __u64 *)&r->tail;
		if (head - tail >= (1ULL << ring_shift))
			return -1;
		if (__sync_val_compare_and_swap(&r->head, head, head + 1) == head)
			return head;
	}
	return -1;
}

/* The string filters, on the strings read. */
static __always_inline bool names_pass(__u32 op, const char *session, const char *handler)
{
	/* FLB events carry the FLB's name where others carry the session's. */
	if (filter_session &&
	    (!has_session(op) || !luo_str_eq(session, targ_session, LUO_NAME_LEN)))
		return false;
	/* --handler matches a file's handler, or an FLB by its own name. */
	if (filter_handler &&
	    !luo_str_eq(handler, targ_handler, LUO_COMPAT_LEN) &&
	    !(is_flb(op) && luo_str_eq(session, targ_handler, LUO_COMPAT_LEN)))
		return false;
	return true;
}

/*
 * The cheap filters first; a string is read only for an event that is
 * printed and whose string luosnoop does not have (and for every event, to
 * filter on it, when --session or --handler asks: an event filtered out
 * takes no room in a ring).  The event is built in its slot.
 */
static __always_inline void luo_on_event(const struct luo_args *a)
{
	char session[LUO_NAME_LEN], handler[LUO_COMPAT_LEN];
	__u64 saddr = (__u64)a->session, haddr = (__u64)a->handler;
	__u32 cpu = bpf_get_smp_processor_id(), idx;
	bool have = filter_session || filter_handler;
	struct luosnoop_ring *r;
	struct luosnoop_slot *s;
	__u32 named = 0;
	__s64 n;

	/* A name born at an address luosnoop knows, filtered out or not. */
	if (born(a->op) && was_sent(saddr))
		mark_sent(saddr, false);
	if (targ_ops && !(targ_ops & (1U << a->op)))
		return;
	if (targ_failed && a->result >= 0)
		return;
	if (!luo_task_passes())
		return;
	if (have) {
		luo_read_str(session, sizeof(session), luo_session_str(a));
		luo_read_str(handler, sizeof(handler), a->handler);
		if (!names_pass(a->op, session, handler))
			return;
	}
	r = bpf_map_lookup_elem(&rings, &cpu);
	if (!r) {
		__sync_fetch_and_add(&lost_nocpu, 1);
		return;
	}
	n = claim(r);
	if (n < 0) {
		__sync_fetch_and_add(&r->lost, 1);
		return;
	}
	idx = (cpu << ring_shift) | (n & ((1ULL << ring_shift) - 1));
	/* Always there: the loader sized slots as rings << ring_shift. */
	s = bpf_map_lookup_elem(&slots, &idx);
	if (!s)
		return;
	luo_event_fill(&s->e, a);
	if (saddr && (born(a->op) || !was_sent(saddr))) {
		if (have)
			__builtin_memcpy(s->e.session, session, sizeof(session));
		else
			luo_read_str(s->e.session, sizeof(s->e.session), luo_session_str(a));
		named |= LUO_EV_SESSION_NAMED;
	}
	if (haddr && !was_sent(haddr)) {
		if (have)
			__builtin_memcpy(s->e.handler, handler, sizeof(handler));
		else
			luo_read_str(s->e.handler, sizeof(s->e.handler), a->handler);
		named |= LUO_EV_HANDLER_NAMED;
	}
	s->e.named = named;
	/* Published: a full barrier, after the event's stores. */
	__sync_lock_test_and_set(&s->seq, n + 1);
	if (named & LUO_EV_SESSION_NAMED)
		mark_sent(saddr, !born(a->op) || a->result >= 0);
	if (named & LUO_EV_HANDLER_NAMED)
		mark_sent(haddr, true);
	wake(a->op, n + 1, *(volatile __u64 *)&r->tail);
}

char LICENSE[] SEC("license") = "GPL";
