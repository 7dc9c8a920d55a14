// SPDX-License-Identifier: GPL-2.0
/*
 * luo_record_check's phases: the clock and the marks of an update of the
 * history, the phases between the marks printed as a waterfall, and the
 * checks that the marks were stamped in order and that the phases add up
 * to the update's total; the same of the new kernel's boot steps, and its
 * slowest initcalls.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/liveupdate_record.h>

#include "luo_record_check.h"

#define NSEC_PER_MSEC	1000000U
#define ALL_MARKS	(BIT(LUO_RECORD_NR_MARKS) - 1)

/*
 * Names from the uapi's lists (the parser of the binary record, in
 * luo_record_check.c, is this checker's own; the names are not).
 */
#define PHASE_FN(x, phase)	[LUO_MARK_##x] = phase,
#define MARK_FN(x, ...)		[LUO_MARK_##x] = #x,

static const char * const phase_names[LUO_RECORD_NR_MARKS] = {
	__LUO_RECORD_MARK_MAPPER(PHASE_FN)
};

static const char * const mark_names[LUO_RECORD_NR_MARKS] = {
	__LUO_RECORD_MARK_MAPPER(MARK_FN)
};

#define STEP_FN(x, phase, mark)	[LUO_BOOT_##x] = phase,
#define STEP_MARK_FN(x, phase, mark) [LUO_BOOT_##x] = LUO_MARK_##mark,

static const char * const step_names[LUO_RECORD_NR_BOOT] = {
	__LUO_RECORD_BOOT_MAPPER(STEP_FN)
};

static const int step_marks[LUO_RECORD_NR_BOOT] = {
	__LUO_RECORD_BOOT_MAPPER(STEP_MARK_FN)
};

/*
 * The rate of @u's clock: the old kernel's, or the new kernel's when the
 * old one could not calibrate its TSC; 0 when neither could.
 */
static uint32_t rate(const struct luo_record_update *u)
{
	return u->khz ? u->khz : u->next_khz;
}

/* @cycles of @u's clock in ns, or still in cycles when its rate is unknown. */
uint64_t ns(const struct luo_record_update *u, uint64_t cycles)
{
	uint32_t khz = rate(u);

	return khz ? (uint64_t)((unsigned __int128)cycles * NSEC_PER_MSEC / khz) : cycles;
}

bool reached(const struct luo_record_update *u, int mark)
{
	return u->marks & BIT(mark);
}

static bool stamped(const struct luo_record_update *u, int step)
{
	return u->boot_steps & BIT(step);
}

/*
 * The slowest initcalls of @u's boot: as many as the record keeps (any
 * kernel runs more), slowest first, each within the boot's initcalls.
 */
static void check_initcalls(const struct luo_record_update *u)
{
	uint64_t from = u->boot[LUO_BOOT_CLOCK], to = u->boot[LUO_BOOT_INITCALLS];
	bool sorted = true, inside = true, named = true;
	uint32_t i;

	for (i = 0; i < u->nr_initcalls && i < LUO_RECORD_INITCALLS; i++) {
		const struct luo_record_initcall *c = &u->initcalls[i];
		size_t len = strnlen(c->name, sizeof(c->name));

		printf("#   initcall %-40.*s %14.3f ms at %.3f ms after the jump\n", (int)len,
		       c->name, ns(u, c->cycles) / 1e6,
		       c->t >= u->t[LUO_MARK_JUMP] ? ns(u, c->t - u->t[LUO_MARK_JUMP]) / 1e6 : -1.0);
		if (i && c->cycles > u->initcalls[i - 1].cycles)
			sorted = false;
		if (c->t < from || c->t + c->cycles > to)
			inside = false;
		if (!len || len == sizeof(c->name))
			named = false;
	}
	check(u->nr_initcalls == LUO_RECORD_INITCALLS,
	      "update %" PRIu64 ": the boot's %d slowest initcalls kept (%u)",
	      (uint64_t)u->number, LUO_RECORD_INITCALLS, u->nr_initcalls);
	check(sorted && named, "update %" PRIu64 ": initcalls slowest first, each named",
	      (uint64_t)u->number);
	check(inside && stamped(u, LUO_BOOT_CLOCK) && stamped(u, LUO_BOOT_INITCALLS),
	      "update %" PRIu64 ": each initcall ran between the clock's start and the last "
	      "initcall's return", (uint64_t)u->number);
}

/*
 * The steps of the new kernel's start of @u (which reached READY): each
 * stamped that this kernel goes through, in order from the jump, those of
 * each phase adding up to it.
 */
static void check_boot(const struct luo_record_update *u)
{
	uint64_t prev = u->t[LUO_MARK_JUMP];
	bool order = true, smp = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	uint32_t want = BIT(LUO_BOOT_CLOCK) | BIT(LUO_BOOT_READY) |
			BIT(LUO_BOOT_INITCALLS) | BIT(LUO_BOOT_INIT);
	int s;

	printf("#   boot steps, from the jump (%s):\n", rate(u) ? "ns" : "cycles");
	for (s = 0; s < LUO_RECORD_NR_BOOT; s++) {
		if (!stamped(u, s))
			continue;
		if (u->boot[s] < prev) {
			order = false;
			printf("#     %-14s goes back in time\n", step_names[s]);
			continue;
		}
		printf("#     %-14s %-10s %16" PRIu64 "\n", step_names[s],
		       phase_names[step_marks[s]], ns(u, u->boot[s] - prev));
		prev = u->boot[s];
	}
	/* The harness gives every kernel of a run the same CPUs. */
	if (smp)
		want |= BIT(LUO_BOOT_SMP);
	if (reached(u, LUO_MARK_FIRST_RETRIEVE))
		want |= BIT(LUO_BOOT_FIRST_RETRIEVE);
	check(u->boot_steps == want,
	      "update %" PRIu64 ": boot steps %#x stamped, as expected %#x (%s CPUs)",
	      (uint64_t)u->number, u->boot_steps, want, smp ? "several" : "one");
	check(order, "update %" PRIu64 ": the boot steps' times never go back",
	      (uint64_t)u->number);
	check(u->boot[LUO_BOOT_READY] == u->t[LUO_MARK_READY] &&
	      (!reached(u, LUO_MARK_FIRST_RETRIEVE) ||
	       u->boot[LUO_BOOT_FIRST_RETRIEVE] == u->t[LUO_MARK_FIRST_RETRIEVE]),
	      "update %" PRIu64 ": steps READY and FIRST_RETRIEVE are their marks",
	      (uint64_t)u->number);
	/*
	 * With the steps in order and READY's and FIRST_RETRIEVE's their
	 * marks, the steps of boot and wait add up to them: what the tools
	 * add up is checked against the record by blackout_check.
	 */
	check_initcalls(u);
}

/* Print the phases of @u and check they are stamped in order and add up. */
void check_update(const struct luo_record_update *u, bool latest)
{
	uint64_t prev, total_ns, sum_ns = 0, d;
	bool done = reached(u, LUO_MARK_DONE), order = true, contiguous;
	const char *unit = rate(u) ? "ns" : "cycles";
	int m, last = LUO_MARK_FREEZE_BEGIN;
	uint32_t need;

	printf("# update %" PRIu64 ": %s, %u sessions, %u files, %" PRIu64 " bytes, marks %#x, "
	       "%u kHz (new kernel: %u kHz)\n", (uint64_t)u->number,
	       u->result ? "aborted" : done ? "done" : "not finished", u->nr_sessions,
	       u->nr_files, (uint64_t)u->bytes, u->marks, u->khz, u->next_khz);
	if (u->result)
		printf("#   result %d\n", u->result);
	if (!rate(u))
		printf("#   neither kernel knew its TSC's rate: times in cycles, "
		       "'ms' in Mcycles\n");
	printf("#   %-10s %14s %14s %13s %s\n", "phase", "start ms", "duration ms", "duration",
	       unit);
	prev = u->t[LUO_MARK_FREEZE_BEGIN];
	for (m = LUO_MARK_FREEZE_END; m < LUO_RECORD_NR_MARKS; m++) {
		if (!reached(u, m))
			continue;
		if (u->t[m] < prev) {
			order = false;
			printf("#   %-10s goes back in time: %s at %" PRIu64 " < %s at %"
			       PRIu64 "\n", phase_names[m], mark_names[m], (uint64_t)u->t[m],
			       mark_names[last], (uint64_t)prev);
		} else {
			d = ns(u, u->t[m] - prev);
			sum_ns += d;
			printf("#   %-10s %14.3f %14.3f %16" PRIu64 "\n", phase_names[m],
			       ns(u, prev - u->t[LUO_MARK_FREEZE_BEGIN]) / 1e6, d / 1e6, d);
		}
		prev = u->t[m];
		last = m;
	}
	total_ns = done && u->t[LUO_MARK_DONE] >= u->t[LUO_MARK_FREEZE_BEGIN] ?
		   ns(u, u->t[LUO_MARK_DONE] - u->t[LUO_MARK_FREEZE_BEGIN]) : 0;
	if (done)
		printf("#   %-10s %14s %14.3f %16" PRIu64 "\n", "total", "", total_ns / 1e6,
		       total_ns);

	if (u->result) {
		/* Aborted in the old kernel: nothing after the abort. */
		check(u->marks && !reached(u, LUO_MARK_JUMP),
		      "update %" PRIu64 ": aborted (%d) before the jump", (uint64_t)u->number,
		      u->result);
		return;
	}
	/* Marks come in order; a session-less update has no retrieves. */
	need = BIT(LUO_MARK_FREEZE_BEGIN);
	for (m = LUO_MARK_FREEZE_END; m < LUO_RECORD_NR_MARKS && reached(u, m); m++)
		need |= BIT(m);
	contiguous = u->marks == need;
	if (!contiguous && done && !u->nr_sessions)
		contiguous = u->marks == (ALL_MARKS & ~BIT(LUO_MARK_FIRST_RETRIEVE) &
					  ~BIT(LUO_MARK_LAST_RETRIEVE));
	check(contiguous && reached(u, LUO_MARK_FREEZE_BEGIN),
	      "update %" PRIu64 ": marks %#x stamped in order from FREEZE_BEGIN",
	      (uint64_t)u->number, u->marks);
	check(order, "update %" PRIu64 ": the marks' times never go back", (uint64_t)u->number);
	if (latest)
		check(done, "update %" PRIu64 " (the latest) is done: every incoming session "
		      "finished", (uint64_t)u->number);
	if (reached(u, LUO_MARK_READY))
		check_boot(u);
	if (!done)
		return;
	d = sum_ns > total_ns ? sum_ns - total_ns : total_ns - sum_ns;
	check(order && total_ns && d * 100 <= total_ns,
	      "update %" PRIu64 ": the phases add up to the total, %.3f ms (sum %.3f ms)",
	      (uint64_t)u->number, total_ns / 1e6, sum_ns / 1e6);
	/* Both kernels calibrated their TSC (a guest that cannot is a failure). */
	d = u->next_khz > u->khz ? u->next_khz - u->khz : u->khz - u->next_khz;
	check(u->khz && u->next_khz && d * 100 <= u->khz,
	      "update %" PRIu64 ": both kernels know the clock's rate, alike (%u, %u kHz)",
	      (uint64_t)u->number, u->khz, u->next_khz);
}
