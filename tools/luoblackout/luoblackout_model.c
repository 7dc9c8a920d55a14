// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout's model: the live-update record cut into what every view
 * shows (the latest update's phases, its handlers' freeze costs, the new
 * kernel's start step by step, the history and its percentiles).  No
 * output here.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luo_tools.h"
#include "luo_record.h"
#include "luoblackout.h"

/* What each phase is, in the waterfall. */
const char *const blackout_phase_what[LUO_NR_PHASES] = {
	"every file frozen",
	"handover written",
	"devices shut down, to the jump",
	"jump + boot to LUO ready",
	"userspace to first retrieve",
	"sessions and files retrieved",
	"up to the last FINISH",
};

/* What each step of the new kernel's start covers, under its phase. */
const char *const blackout_step_what[LUO_RECORD_NR_BOOT] = {
	[LUO_BOOT_CLOCK] = "purgatory, early setup",
	[LUO_BOOT_SMP] = "start_kernel, CPUs up",
	[LUO_BOOT_READY] = "initcalls before LUO's",
	[LUO_BOOT_INITCALLS] = "initcalls after LUO's",
	[LUO_BOOT_INIT] = "initramfs, to exec init",
	[LUO_BOOT_FIRST_RETRIEVE] = "init to first retrieve",
};

const char *const blackout_phase_state_names[PH_NR] = {
	[PH_DONE] = "done",
	[PH_ABORTED] = "aborted",
	[PH_RUNNING] = "running",
	[PH_NONE] = "not reached",
	[PH_SKIPPED] = "skipped",
};

static const unsigned int blackout_pct_levels[NR_PCTS - 1] = { 50, 90, 99 };
const char *const blackout_pct_names[NR_PCTS] = { "p50", "p90", "p99", "max" };
const char *const blackout_pct_quantiles[NR_PCTS - 1] = { "0.5", "0.9", "0.99" };

/* The updates whose rate is the one given with -k: neither kernel knew it. */
static const struct luo_record_update *given_base;
static bool given[LUO_RECORD_MAX_UPDATES];

void blackout_give_rate(struct luo_rec *rec, __u32 khz)
{
	__u32 i;

	given_base = rec->updates;
	for (i = 0; khz && i < rec->hdr.nr_updates && i < LUO_RECORD_MAX_UPDATES; i++) {
		if (!luo_rec_khz(&rec->updates[i])) {
			rec->updates[i].next_khz = khz;
			given[i] = true;
		}
	}
}

bool blackout_rate_given(const struct luo_record_update *u)
{
	return given_base && u >= given_base && u - given_base < LUO_RECORD_MAX_UPDATES &&
	       given[u - given_base];
}

__u64 blackout_ns(const struct luo_record_update *u, __u64 cycles)
{
	return luo_rec_ns(u, cycles);
}

/* "-EIO" for -5, into @buf. */
const char *blackout_errname(char *buf, size_t len, int result)
{
	const char *name = strerrorname_np(-result);

	if (name)
		snprintf(buf, len, "-%s", name);
	else
		snprintf(buf, len, "%d", result);
	return buf;
}

static void add_handler(struct latest *l, const struct luo_record_entry *e)
{
	struct handler_cost *h;
	unsigned int i;

	for (i = 0; i < l->nr_handlers; i++)
		if (!strcmp(l->handlers[i].name, e->handler))
			break;
	if (i == l->nr_handlers) {
		if (i == MAX_HANDLERS) {
			l->more_handlers = true;
			return;
		}
		l->nr_handlers++;
		snprintf(l->handlers[i].name, sizeof(l->handlers[i].name), "%s", e->handler);
	}
	h = &l->handlers[i];
	if (e->result) {
		h->failed++;
		return;
	}
	h->files++;
	h->cost += e->cost;
	if (e->cost > h->max)
		h->max = e->cost;
}

static int cmp_handlers(const void *a, const void *b)
{
	const struct handler_cost *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? 1 : -1;
	return strcmp(x->name, y->name);
}

/*
 * The steps of the new kernel's start, within the phases analyzed: a step
 * is known when the phase it is a part of ended at its mark or is running
 * (in an update without sessions no retrieve ends "wait": its steps lie
 * after the window and are left out).
 */
static void analyze_steps(struct latest *l)
{
	const struct luo_record_update *u = l->u;
	__u64 t0 = u->t[LUO_MARK_FREEZE_BEGIN];
	__u64 start = l->start_cyc[LUO_MARK_READY - 1];	/* "boot": from JUMP */
	int s, m, n = luo_rec_boot_cycles(u, l->step_cyc);
	bool ended, running;
	unsigned int i;

	for (s = 0; s < LUO_RECORD_NR_BOOT; s++) {
		m = luo_rec_boot_mark(s);
		ended = luo_rec_reached(u, m);
		running = l->ph[m - 1] == PH_RUNNING;
		l->step_start_cyc[s] = start;
		start += l->step_cyc[s];
		if (!n || (!ended && !running))
			l->step_ph[s] = PH_NONE;
		else if (luo_rec_boot_stamped(u, s))
			l->step_ph[s] = PH_DONE;
		else if (s < n || ended)
			l->step_ph[s] = PH_SKIPPED;	/* its time is the next one's */
		else
			l->step_ph[s] = s == n ? PH_RUNNING : PH_NONE;
		if (l->step_ph[s] != PH_NONE)
			l->has_steps = true;
	}
	l->nr_initcalls = l->has_steps ? u->nr_initcalls : 0;
	for (i = 0; i < l->nr_initcalls; i++)
		l->initcall_start_cyc[i] = u->initcalls[i].t > t0 ? u->initcalls[i].t - t0 : 0;
}

void blackout_analyze_latest(const struct luo_rec *rec, struct latest *l)
{
	const struct luo_record_update *u = &rec->updates[rec->hdr.nr_updates - 1];
	__u64 t0 = u->t[LUO_MARK_FREEZE_BEGIN], start = 0, end;
	__u32 i;
	int p;

	memset(l, 0, sizeof(*l));
	l->u = u;
	l->state = luo_rec_state(rec, rec->hdr.nr_updates - 1);
	l->rate = luo_rec_khz(u) != 0;
	l->nr_phases = luo_rec_phase_cycles(u, l->cyc);

	for (i = 0; i < rec->hdr.nr_entries; i++) {
		const struct luo_record_entry *e = &rec->entries[i];

		if (e->type == LUO_REC_ABORT && !l->abort)
			l->abort = e;
		if (e->type != LUO_REC_FILE_FREEZE)
			continue;
		if (e->result && !l->refused)
			l->refused = e;
		add_handler(l, e);
		if (!e->result) {
			l->nr_frozen++;
			l->freeze_cost += e->cost;
		}
	}
	qsort(l->handlers, l->nr_handlers, sizeof(l->handlers[0]), cmp_handlers);

	for (p = 0; p < LUO_NR_PHASES; p++) {
		l->start_cyc[p] = start;
		if (p < l->nr_phases) {
			l->ph[p] = PH_DONE;
			start += l->cyc[p];
			continue;
		}
		l->ph[p] = PH_NONE;
		if (p != l->nr_phases)
			continue;
		if (l->state == LUO_REC_STATE_ABORTED) {
			l->ph[p] = PH_ABORTED;
			/* The abort's own event tells how far the phase went. */
			end = l->abort && l->abort->t >= t0 ? l->abort->t - t0 : start;
			l->cyc[p] = end > start ? end - start : 0;
		} else if (l->state == LUO_REC_STATE_IN_PROGRESS) {
			l->ph[p] = PH_RUNNING;
		}
	}
	/* What is known: the phases that ended, and an aborted one. */
	for (p = 0; p < LUO_NR_PHASES; p++)
		if (l->ph[p] == PH_DONE || l->ph[p] == PH_ABORTED)
			l->span_cyc += l->cyc[p];
	analyze_steps(l);
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least @pct % of them at or below. */
static __u64 nearest_rank(const __u64 *sorted, unsigned int n, unsigned int pct)
{
	unsigned int rank = (pct * n + 99) / 100;

	return sorted[rank ? rank - 1 : 0];
}

void blackout_analyze_history(const struct luo_rec *rec, struct history *h,
			      unsigned int history)
{
	__u64 vals[1 + LUO_NR_PHASES][LUO_RECORD_MAX_UPDATES];
	unsigned int n = 0, k, j;
	__u32 i;

	memset(h, 0, sizeof(*h));
	h->nr = rec->hdr.nr_updates;
	h->first = h->nr > history ? h->nr - history : 0;
	for (i = h->first; i < h->nr && n < LUO_RECORD_MAX_UPDATES; i++) {
		const struct luo_record_update *u = &rec->updates[i];
		__u64 ns[LUO_NR_PHASES];

		if (luo_rec_state(rec, i) != LUO_REC_STATE_DONE || !luo_rec_khz(u))
			continue;
		luo_rec_phases(u, ns);
		vals[0][n] = luo_rec_total_ns(u);
		for (k = 0; k < LUO_NR_PHASES; k++)
			vals[1 + k][n] = ns[k];
		n++;
	}
	h->nr_done = n;
	if (!n)
		return;
	for (k = 0; k < 1 + LUO_NR_PHASES; k++) {
		qsort(vals[k], n, sizeof(vals[k][0]), cmp_u64);
		for (j = 0; j < NR_PCTS - 1; j++)
			h->pct[k][j] = nearest_rank(vals[k], n, blackout_pct_levels[j]);
		h->pct[k][NR_PCTS - 1] = vals[k][n - 1];
		for (j = 0; j < n; j++)
			h->sum[k] += vals[k][j];
	}
}
