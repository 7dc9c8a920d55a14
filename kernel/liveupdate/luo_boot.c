// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the new kernel's start, step by step.
 */

/**
 * DOC: LUO boot steps
 *
 * The new kernel's boot is the largest share of a blackout, and one bar
 * says nothing of where it goes.  From its early_initcall on, LUO times
 * the steps of this kernel's start on the record's clock
 * (__LUO_RECORD_BOOT_MAPPER in include/uapi/linux/liveupdate_record.h)
 * and keeps the %LUO_RECORD_INITCALLS slowest initcalls:
 *
 * - CLOCK, when the kernel's clock started (printk time 0): the record's
 *   clock now, less local_clock() at the record clock's rate;
 * - SMP, when the last CPU came online: a CPU hotplug callback run on
 *   each CPU as smp_init() brings it up (none with one CPU);
 * - the initcalls, from the kernel's initcall_start and initcall_finish
 *   tracepoints, those that PID 1 runs (module loads later are not the
 *   boot's);
 * - INIT, when PID 1 executes init (sched_process_exec).  The initcalls
 *   are over by then: the last one's return is INITCALLS.
 *
 * luo_record_boot_early() gives CLOCK and SMP to the record when LUO
 * takes over the handover; at INIT, luo_record_boot_init() takes the
 * rest, and a work item takes the probes away (a probe cannot unregister
 * itself).  The initcalls that run before LUO's early_initcall, in the
 * same level, are not timed.  Without a clock that survives kexec there
 * is no record to put them in, and nothing is probed; without the TSC's
 * rate, CLOCK alone is unknown.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/cpuhotplug.h>
#include <linux/init.h>
#include <linux/math64.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <trace/events/initcall.h>
#include <trace/events/sched.h>

#include "luo_internal.h"
#include "luo_record.h"

/**
 * struct luo_boot - This kernel's start, as far as it went.
 * @clock:      The record's clock when the kernel's clock started; 0
 *              when unknown.
 * @smp:        When the last CPU came online; 0 before any did.
 * @call_t:     When the initcall now running was called; 0 if none.
 * @last_ret:   When the last initcall returned.
 * @nr:         Entries used in @slow.
 * @slow:       The slowest initcalls so far, slowest first.
 * @cpuhp:      The CPU hotplug state of the SMP callback, or < 0.
 * @done:       PID 1 executed init: nothing more is timed.
 */
struct luo_boot {
	u64 clock;
	u64 smp;
	u64 call_t;
	u64 last_ret;
	unsigned int nr;
	struct luo_record_initcall slow[LUO_RECORD_INITCALLS];
	int cpuhp;
	bool done;
};

static struct luo_boot luo_boot = { .cpuhp = -1 };

/**
 * luo_boot_keep - Keep an initcall among the slowest, if it is one.
 * @slow:   The slowest so far, slowest first, %LUO_RECORD_INITCALLS room.
 * @nr:     How many @slow holds; updated.
 * @t:      When it was called.
 * @cycles: How long it ran.
 * @fn:     Its function, for its name.
 *
 * A tie keeps the earlier call first.
 */
void luo_boot_keep(struct luo_record_initcall *slow, unsigned int *nr,
		   u64 t, u64 cycles, void *fn)
{
	unsigned int i = *nr;

	if (i == LUO_RECORD_INITCALLS) {
		if (cycles <= slow[i - 1].cycles)
			return;
		i--;
	} else {
		(*nr)++;
	}
	for (; i && slow[i - 1].cycles < cycles; i--)
		slow[i] = slow[i - 1];
	slow[i].t = t;
	slow[i].cycles = cycles;
	snprintf(slow[i].name, sizeof(slow[i].name), "%ps", fn);
}

/* Only PID 1's initcalls are the boot's; module loads come later. */
static bool luo_boot_timing(void)
{
	return task_pid_nr(current) == 1 && !READ_ONCE(luo_boot.done);
}

static void luo_boot_call(void *data, initcall_t fn)
{
	if (luo_boot_timing())
		luo_boot.call_t = luo_clock();
}

static void luo_boot_ret(void *data, initcall_t fn, int ret)
{
	u64 t = luo_clock();

	if (!luo_boot_timing() || !luo_boot.call_t || t < luo_boot.call_t)
		return;
	luo_boot.last_ret = t;
	luo_boot_keep(luo_boot.slow, &luo_boot.nr, luo_boot.call_t,
		      t - luo_boot.call_t, fn);
	luo_boot.call_t = 0;
}

static int luo_boot_cpu_online(unsigned int cpu)
{
	u64 t = luo_clock(), old = READ_ONCE(luo_boot.smp);

	while (old < t && !try_cmpxchg64(&luo_boot.smp, &old, t))
		;
	return 0;
}

static void luo_boot_stop(struct work_struct *work);
static DECLARE_WORK(luo_boot_stop_work, luo_boot_stop);

static void luo_boot_exec(void *data, struct task_struct *p, pid_t old_pid,
			  struct linux_binprm *bprm)
{
	u64 t = luo_clock();

	if (task_pid_nr(p) != 1 || READ_ONCE(luo_boot.done))
		return;
	WRITE_ONCE(luo_boot.done, true);
	luo_record_boot_init(luo_boot.last_ret, t, luo_boot.slow, luo_boot.nr);
	schedule_work(&luo_boot_stop_work);
}

static void luo_boot_stop(struct work_struct *work)
{
	unregister_trace_initcall_start(luo_boot_call, NULL);
	unregister_trace_initcall_finish(luo_boot_ret, NULL);
	unregister_trace_sched_process_exec(luo_boot_exec, NULL);
	tracepoint_synchronize_unregister();
}

/**
 * luo_boot_early - The steps of this kernel's start before LUO's own.
 * @clock: Set to when the kernel's clock started, 0 when unknown.
 * @smp:   Set to when the last CPU came online, 0 when none did.
 */
void luo_boot_early(u64 *clock, u64 *smp)
{
	*clock = luo_boot.clock;
	*smp = READ_ONCE(luo_boot.smp);
}

static int __init luo_boot_init(void)
{
	u64 t = luo_clock(), since;
	u32 khz = luo_clock_khz();
	int err;

	if (luo_clock_id() != LUO_RECORD_CLOCK_TSC)
		return 0;
	/* Only the clock's start needs the rate: the rest compares cycles. */
	since = khz ? mul_u64_u32_div(local_clock(), khz, NSEC_PER_MSEC) : t;
	if (since < t)
		luo_boot.clock = t - since;

	err = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "luo/boot:online",
					luo_boot_cpu_online, NULL);
	if (err > 0)
		luo_boot.cpuhp = err;

	err = register_trace_initcall_start(luo_boot_call, NULL);
	if (!err) {
		err = register_trace_initcall_finish(luo_boot_ret, NULL);
		if (err)
			unregister_trace_initcall_start(luo_boot_call, NULL);
	}
	if (!err) {
		err = register_trace_sched_process_exec(luo_boot_exec, NULL);
		if (err) {
			unregister_trace_initcall_start(luo_boot_call, NULL);
			unregister_trace_initcall_finish(luo_boot_ret, NULL);
		}
	}
	/* Without them, the steps before LUO's still reach the record. */
	if (err)
		pr_info("boot steps: %pe, initcalls and init are not timed\n",
			ERR_PTR(err));
	return 0;
}
early_initcall(luo_boot_init);

/* Every CPU of the boot is up long before: later hotplugs are not the boot's. */
static int __init luo_boot_smp_done(void)
{
	if (luo_boot.cpuhp >= 0)
		cpuhp_remove_state_nocalls(luo_boot.cpuhp);
	luo_boot.cpuhp = -1;
	return 0;
}
late_initcall_sync(luo_boot_smp_done);
