// SPDX-License-Identifier: GPL-2.0
/*
 * luo_record_check's phases: the clock and the marks of an update of the
 * history, the phases between the marks printed as a waterfall, and the
 * checks that the marks were stamped in order and that the phases add up
 * to the update's total.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
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
