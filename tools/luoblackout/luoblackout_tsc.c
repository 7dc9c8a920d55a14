// SPDX-License-Identifier: GPL-2.0
/*
 * The TSC, the clock kexec does not reset (x86): what --systemd and
 * arm/collect (luoblackout.h) read with it and put on it.
 */
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "luoblackout.h"

__u64 blackout_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * BLACKOUT_NS_PER_SEC + ts.tv_nsec;
}

void blackout_tsc_mono(__u64 *tsc, __u64 *mono)
{
	__u64 t0, t1, m, best = ~0ull;
	int i;

	for (i = 0; i < 5; i++) {
		t0 = __rdtsc();
		m = blackout_clock_ns(CLOCK_MONOTONIC);
		t1 = __rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*mono = m;
		}
	}
}

__u64 blackout_mono_to_tsc(__u64 mono, __u64 ref_tsc, __u64 ref_mono, __u64 khz)
{
	__s64 d = (__s64)(mono - ref_mono);

	return ref_tsc + (__s64)((__int128)d * (__s64)khz / 1000000);
}

__u64 blackout_khz_since(__u64 ref_tsc, __u64 ref_mono)
{
	__u64 tsc, mono;

	blackout_tsc_mono(&tsc, &mono);
	if (mono - ref_mono < BLACKOUT_NS_PER_SEC / 10) {
		usleep(200000);
		blackout_tsc_mono(&tsc, &mono);
	}
	return mono > ref_mono ? (__u64)((__int128)(tsc - ref_tsc) * 1000000 / (mono - ref_mono)) : 0;
}
