// SPDX-License-Identifier: GPL-2.0
/*
 * luo_plant.bpf.c - regressions planted into a live update, for the
 * perf-regression tests to catch.
 *
 * Each program spins, without sleeping, for as long as its plant says:
 *  - fentry on luo_hook_file_preserve: delay[PLANT_PRESERVE] ns per MiB
 *    squared of a sized file (a preserve that grows faster than the data);
 *  - fentry on luo_hook_file_freeze: delay[PLANT_FREEZE] ns per MiB of a
 *    sized file (a freeze that pays for the data in the blackout);
 *  - fentry on liveupdate_reboot: delay[PLANT_REBOOT] ns at the start of
 *    the reboot, before LUO's record takes its first mark (time the record
 *    does not see);
 *  - tp_btf on LUO's file preserve, freeze and retrieve events:
 *    delay[PLANT_EVENTS] ns each (a tracing program that costs too much);
 *  - fentry on luo_hook_file_preserve: delay[PLANT_LOOKUP] ns times the
 *    index of a timed preserve of luo_perf lookup (a token lookup that
 *    walks the session's files);
 *  - fentry on luo_hook_file_freeze: delay[PLANT_FREEZE_NTH] ns times n
 *    for the n-th file the reboot freezes (a reboot that grows faster
 *    than its files), n counted from liveupdate_reboot's entry.
 * And one that is not a regression, for luo_perf reboot: fmod_ret on
 * luo_hook_serialize, failing every reboot with -ECANCELED once all its
 * files are frozen, so that the reboot path can be timed without a kexec.
 * luo_plant attaches one of them at a time and pins its link.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "luo_plant.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before the load. */
const volatile __u64 delay[NR_PLANTS] = {};

/* How often each plant ran, and the ns it spun in all. */
__u64 runs[NR_PLANTS];
__u64 spun_ns[NR_PLANTS];

struct spin {
	__u64 until;
};

static long spin_step(__u64 i, void *ctx)
{
	struct spin *s = ctx;

	return bpf_ktime_get_ns() >= s->until;
}

/* Busy-wait @ns; bpf_loop() bounds each round, so take as many as needed. */
static __always_inline void spin(int plant, __u64 ns)
{
	__u64 t0 = bpf_ktime_get_ns();
	struct spin s = { .until = t0 + ns };
	int round;

	if (!ns)
		return;
	for (round = 0; round < 64; round++) {
		bpf_loop(1 << 20, spin_step, &s, 0);
		if (bpf_ktime_get_ns() >= s.until)
			break;
	}
	__sync_fetch_and_add(&runs[plant], 1);
	__sync_fetch_and_add(&spun_ns[plant], bpf_ktime_get_ns() - t0);
}

static __always_inline __u64 mib_of(__u64 token)
{
	return (token & PERF_TOKEN_SIZED) ? PERF_TOKEN_MIB(token) : 0;
}

SEC("fentry/luo_hook_file_preserve")
int BPF_PROG(plant_preserve, const char *session, const char *handler, __u64 token)
{
	__u64 mib = mib_of(token);

	spin(PLANT_PRESERVE, delay[PLANT_PRESERVE] * mib * mib);
	return 0;
}

SEC("fentry/luo_hook_file_preserve")
int BPF_PROG(plant_lookup, const char *session, const char *handler, __u64 token)
{
	if (token & PERF_TOKEN_LOOKUP)
		spin(PLANT_LOOKUP, delay[PLANT_LOOKUP] * PERF_TOKEN_INDEX(token));
	return 0;
}

SEC("fentry/luo_hook_file_freeze")
int BPF_PROG(plant_freeze, const char *session, const char *handler, __u64 token)
{
	spin(PLANT_FREEZE, delay[PLANT_FREEZE] * mib_of(token));
	return 0;
}

/* Files frozen since the reboot began (PLANT_FREEZE_NTH) */
__u64 frozen;

SEC("fentry/liveupdate_reboot")
int BPF_PROG(plant_freeze_nth_reset)
{
	frozen = 0;
	return 0;
}

SEC("fentry/luo_hook_file_freeze")
int BPF_PROG(plant_freeze_nth, const char *session, const char *handler, __u64 token)
{
	spin(PLANT_FREEZE_NTH, delay[PLANT_FREEZE_NTH] * ++frozen);
	return 0;
}

SEC("fmod_ret/luo_hook_serialize")
int BPF_PROG(abort_reboot, unsigned long nr_sessions, unsigned long nr_files)
{
	__sync_fetch_and_add(&runs[PLANT_ABORT], 1);
	return -125;	/* -ECANCELED */
}

SEC("fentry/liveupdate_reboot")
int BPF_PROG(plant_reboot)
{
	spin(PLANT_REBOOT, delay[PLANT_REBOOT]);
	return 0;
}

SEC("tp_btf/luo_file_preserve")
int BPF_PROG(plant_ev_preserve)
{
	spin(PLANT_EVENTS, delay[PLANT_EVENTS]);
	return 0;
}

SEC("tp_btf/luo_file_freeze")
int BPF_PROG(plant_ev_freeze)
{
	spin(PLANT_EVENTS, delay[PLANT_EVENTS]);
	return 0;
}

SEC("tp_btf/luo_file_retrieve")
int BPF_PROG(plant_ev_retrieve)
{
	spin(PLANT_EVENTS, delay[PLANT_EVENTS]);
	return 0;
}
