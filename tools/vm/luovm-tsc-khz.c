// SPDX-License-Identifier: GPL-2.0
/*
 * luovm-tsc-khz: the rate of this machine's TSC, in kHz.
 *
 * Under QEMU's TCG a guest's TSC counts at the host's rate, but the guest
 * kernel has to calibrate it against a timer QEMU emulates, which fails
 * now and then on a loaded host ("could not calculate TSC khz"), leaving
 * the kernel without a TSC rate.  luovm measures the rate here, on the
 * host, and hands it to the guest as tsc_early_khz=, as a hypervisor
 * would through CPUID.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct timespec pause = { .tv_nsec = 200 * 1000 * 1000 };
	double t0, t1;
	unsigned long long c0, c1;

	t0 = now();
	c0 = __rdtsc();
	nanosleep(&pause, NULL);
	c1 = __rdtsc();
	t1 = now();
	if (t1 <= t0 || c1 <= c0)
		return 1;
	printf("%.0f\n", (c1 - c0) / (t1 - t0) / 1000);
	return 0;
}
