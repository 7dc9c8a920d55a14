// SPDX-License-Identifier: GPL-2.0
/*
 * luo_bench_reboot.bpf.c: liveupdate_reboot() timed from its entry to its
 * return by an fentry and an fexit program, and the same pair around
 * getppid() (the process calib_tgid only) for what the pair itself adds.
 *
 * Nothing is printed inside a window: the fexit program prints the
 * duration once the function has returned, through bpf_printk(), which a
 * kernel booted with tp_printk writes on the console (the kexec follows at
 * once: the trace buffer would not survive it).  luobench_collect.py reads
 *
 *	bpf_trace_printk: luobench: reboot_ns=N ret=R
 *	bpf_trace_printk: luobench: calib_ns=N
 *
 * Both kernels' liveupdate_reboot() is a global function called by
 * kernel_kexec(): the same programs time mainline's and ours.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* The process whose getppid() calls calibrate; set before the load. */
const volatile __u32 calib_tgid;

/* One reboot and one calibration call at a time: each has its own start. */
static __u64 reboot_t0, calib_t0;

SEC("fentry/liveupdate_reboot")
int BPF_PROG(reboot_in)
{
	reboot_t0 = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/liveupdate_reboot")
int BPF_PROG(reboot_out, int ret)
{
	__u64 t = bpf_ktime_get_ns();

	bpf_printk("luobench: reboot_ns=%llu ret=%d", t - reboot_t0, ret);
	return 0;
}

static __always_inline bool calib_task(void)
{
	return bpf_get_current_pid_tgid() >> 32 == calib_tgid;
}

SEC("fentry/__do_sys_getppid")
int BPF_PROG(calib_in)
{
	if (calib_task())
		calib_t0 = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/__do_sys_getppid")
int BPF_PROG(calib_out)
{
	__u64 t = bpf_ktime_get_ns();

	if (calib_task())
		bpf_printk("luobench: calib_ns=%llu", t - calib_t0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
