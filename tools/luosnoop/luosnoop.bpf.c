// SPDX-License-Identifier: GPL-2.0
/*
 * luosnoop: every LUO transition that passes the filters, as one struct
 * luo_event in a ring buffer, for tools/luosnoop/luosnoop.c to print.
 * The filters are set by the loader in .rodata before the load, so the
 * verifier drops the code of those not in use.
 */
#include "vmlinux.h"
#include "luo_events.bpf.h"
#include "luo_helpers.bpf.h"

/* Bit i set: op i passes.  0: every op. */
const volatile __u32 targ_ops = 0;
const volatile __u32 targ_pid = 0;
const volatile bool targ_failed = false;
const volatile bool filter_session = false;
const volatile bool filter_handler = false;
const volatile char targ_session[LUO_NAME_LEN] = {};
const volatile char targ_handler[LUO_COMPAT_LEN] = {};

#define RINGBUF_SIZE	(256 * 1024)

/* Events the ring buffer had no room for. */
__u64 lost = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBUF_SIZE);
} events SEC(".maps");

static __always_inline bool is_flb(__u32 op)
{
	return op >= LUO_OP_FLB_PRESERVE && op <= LUO_OP_FLB_FINISH;
}

static __always_inline bool has_session(__u32 op)
{
	return op <= LUO_OP_FILE_FINISH;
}

/*
 * The reader is not woken for each event: on a busy or small machine every
 * wakeup is a context switch charged to the operation being traced (it
 * tripled the latency of a preserve on a one-CPU guest), and inside the
 * reboot it would lengthen the blackout being watched.  The reader drains
 * the buffer every 100 ms; it is woken early only when the buffer is half
 * full, and at reboot_end, the last event before the kexec.
 */
static __always_inline __u64 wakeup_flags(__u32 op)
{
	if (op == LUO_OP_REBOOT_END)
		return BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > RINGBUF_SIZE / 2)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
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
 * The cheap filters first; the strings are read only for an event that is
 * printed (and once more, to filter on them, when --session or --handler
 * asks: an event filtered out takes no room in the ring buffer).  The event
 * is built in its place in the ring buffer.
 */
static __always_inline void luo_on_event(const struct luo_args *a)
{
	char session[LUO_NAME_LEN], handler[LUO_COMPAT_LEN];
	struct luo_event *e;

	if (targ_ops && !(targ_ops & (1U << a->op)))
		return;
	if (targ_failed && a->result >= 0)
		return;
	if (targ_pid && (bpf_get_current_pid_tgid() >> 32) != targ_pid)
		return;
	if (filter_session || filter_handler) {
		luo_read_str(session, sizeof(session), a->session);
		luo_read_str(handler, sizeof(handler), a->handler);
		if (!names_pass(a->op, session, handler))
			return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	luo_event_fill(e, a);
	bpf_ringbuf_submit(e, wakeup_flags(a->op));
}

char LICENSE[] SEC("license") = "GPL";
