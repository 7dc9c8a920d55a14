// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout's BPF side, for `luoblackout arm`: every LUO event
 * (luo_events.bpf.h: the tracepoints, or mainline's functions) into a ring
 * buffer, with its strings, for the armed process to write into the memfd
 * it preserves (luoblackout_arm.h).  Woken at each event: the reboot's
 * must reach the memfd before the kexec jumps.
 */
#include "vmlinux.h"
#include "luo_events.bpf.h"
#include "luoblackout_arm.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

__u64 lost = 0;

static __always_inline void luo_on_event(const struct luo_args *a)
{
	struct luob_arm_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->tsc = 0;
	e->duration_ns = a->duration_ns;
	e->token = a->token;
	e->result = a->result;
	e->op = a->op;
	e->unknown = a->unknown;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	luo_read_str(e->session, sizeof(e->session), luo_session_str(a));
	luo_read_str(e->handler, sizeof(e->handler), a->handler);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}
