// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout's text view: the latest update as a waterfall (the freeze
 * handler by handler, the new kernel's start step by step), the history
 * and its percentiles.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luo_tools.h"
#include "luo_record.h"
#include "luoblackout.h"

#define BAR_WIDTH	30

static const char *fmt_ns(char *buf, size_t len, __u64 ns)
{
	return luo_fmt_ns(buf, len, ns);
}

/* A duration of @u, or its cycles when the rate is unknown. */
static const char *fmt_dur(char *buf, size_t len, const struct luo_record_update *u,
			   __u64 cycles)
{
	if (luo_rec_khz(u))
		return fmt_ns(buf, len, blackout_ns(u, cycles));
	if (cycles < 1000)
		snprintf(buf, len, "%llu cyc", (unsigned long long)cycles);
	else if (cycles < 1000000)
		snprintf(buf, len, "%.1f Kcyc", cycles / 1e3);
	else if (cycles < 1000000000)
		snprintf(buf, len, "%.1f Mcyc", cycles / 1e6);
	else
		snprintf(buf, len, "%.1f Gcyc", cycles / 1e9);
	return buf;
}

/* The cells [a, b) of the waterfall of @span, a '.' when it rounds to none. */
static void print_bar(__u64 start, __u64 len, __u64 span, bool known)
{
	char bar[BAR_WIDTH + 1];
	unsigned int a, b, i;

	memset(bar, ' ', BAR_WIDTH);
	bar[BAR_WIDTH] = '\0';
	/* A step of a phase still running lies past the window known. */
	if (known && span && start + len <= span) {
		a = (unsigned int)(((unsigned __int128)start * BAR_WIDTH + span / 2) / span);
		b = (unsigned int)(((unsigned __int128)(start + len) * BAR_WIDTH + span / 2) / span);
		if (b > BAR_WIDTH)
			b = BAR_WIDTH;
		if (a >= BAR_WIDTH)
			a = BAR_WIDTH - 1;
		for (i = a; i < b; i++)
			bar[i] = '#';
		if (b <= a)
			bar[a] = '.';
	}
	printf(" |%s|", bar);
}

/* START, DURATION, SHARE and the bar of an interval of the window, or dashes. */
static void print_cells(const struct luo_record_update *u, __u64 start, __u64 cyc,
			__u64 span, bool known)
{
	char b1[32], b2[32];

	if (known)
		printf("%10s %10s %5.1f%%", fmt_dur(b1, sizeof(b1), u, start),
		       fmt_dur(b2, sizeof(b2), u, cyc), span ? 100.0 * cyc / span : 0.0);
	else
		printf("%10s %10s %6s", "-", "-", "-");
	print_bar(start, cyc, span, known);
}

/* The end of a row: what a phase or step not simply done is. */
static void print_state(const struct latest *l, enum phase_state ph)
{
	char buf[32];

	if (ph == PH_ABORTED)
		printf(" aborted (%s)", blackout_errname(buf, sizeof(buf), l->u->result));
	else if (ph == PH_RUNNING)
		printf(" running");
	else if (ph == PH_SKIPPED)
		printf(" not stamped: in the next step");
	else if (ph == PH_NONE && l->state != LUO_REC_STATE_DONE)
		printf(" not reached");
	putchar('\n');
}

/* Phase @p step by step: the new kernel's start, for "boot" and "wait". */
static void print_steps(const struct latest *l, int p)
{
	bool any = false;
	int s;

	for (s = 0; s < LUO_RECORD_NR_BOOT; s++)
		if (luo_rec_boot_mark(s) == p + 1 && l->step_ph[s] != PH_NONE)
			any = true;
	for (s = 0; any && s < LUO_RECORD_NR_BOOT; s++) {
		if (luo_rec_boot_mark(s) != p + 1)
			continue;
		printf("  %-14s %-24s ", luo_rec_boot_name(s), blackout_step_what[s]);
		print_cells(l->u, l->step_start_cyc[s], l->step_cyc[s], l->span_cyc,
			    l->step_ph[s] == PH_DONE);
		print_state(l, l->step_ph[s]);
	}
}

/* The slowest initcalls of the new kernel's start, slowest first. */
static void print_initcalls(const struct latest *l)
{
	const struct luo_record_update *u = l->u;
	char b1[32], b2[32];
	unsigned int i;

	if (!l->nr_initcalls)
		return;
	printf("  slowest initcalls of its start (START from the first freeze)\n");
	for (i = 0; i < l->nr_initcalls; i++)
		printf("    %2u %-34s %10s %10s\n", i + 1, u->initcalls[i].name,
		       fmt_dur(b1, sizeof(b1), u, l->initcall_start_cyc[i]),
		       fmt_dur(b2, sizeof(b2), u, u->initcalls[i].cycles));
}

static void print_latest_text(const struct luo_rec *rec, const struct latest *l)
{
	const struct luo_record_update *u = l->u;
	char b1[32], b2[32];
	__u64 span = l->span_cyc;
	unsigned int i;
	int p;

	printf("Live update #%llu: %s", (unsigned long long)u->number,
	       luo_rec_state_name(l->state));
	if (l->state == LUO_REC_STATE_ABORTED)
		printf(" with %s (%s), the kexec was refused; it was to hand over %u sessions, "
		       "%u files\n", blackout_errname(b1, sizeof(b1), u->result), strerror(-u->result),
		       u->nr_sessions, u->nr_files);
	else
		printf("; %u sessions, %u files, %llu bytes handed over\n", u->nr_sessions,
		       u->nr_files, (unsigned long long)u->bytes);

	switch (l->state) {
	case LUO_REC_STATE_DONE:
		printf("Blackout window: %s, from the first freeze in the old kernel to the last "
		       "FINISH in the new one\n", fmt_dur(b1, sizeof(b1), u, span));
		break;
	case LUO_REC_STATE_ABORTED:
		printf("Aborted during %s, %s after the first freeze; the old kernel went on\n",
		       l->nr_phases < LUO_NR_PHASES ? luo_rec_phase_name(l->nr_phases) : "?",
		       fmt_dur(b1, sizeof(b1), u, span));
		break;
	case LUO_REC_STATE_IN_PROGRESS:
		printf("In progress: %s up to its last mark so far; %s (the blackout ends when "
		       "every incoming session is finished)\n", fmt_dur(b1, sizeof(b1), u, span),
		       luo_rec_reached(u, LUO_MARK_FIRST_RETRIEVE) ?
		       "sessions are being retrieved and finished" :
		       "no session retrieved yet");
		break;
	default:
		printf("Never taken over by a new kernel's LUO: %s known, to the last mark\n",
		       fmt_dur(b1, sizeof(b1), u, span));
		break;
	}
	if (!luo_rec_khz(u))
		printf("Neither kernel knew its TSC's rate: durations in TSC cycles, not ns; "
		       "the shares hold (-k KHZ gives the rate)\n");
	else if (blackout_rate_given(u))
		printf("Clock: neither kernel knew its TSC's rate: %u kHz, as given with -k\n",
		       u->next_khz);
	else if (!u->khz)
		printf("Clock: the old kernel could not calibrate its TSC: the new kernel's rate "
		       "(%u kHz) serves\n", u->next_khz);
	putchar('\n');

	printf("%-10s %-30s %10s %10s %6s WATERFALL, 0 to %s\n", "PHASE", "WHAT", "START",
	       "DURATION", "SHARE", fmt_dur(b1, sizeof(b1), u, span));
	for (p = 0; p < LUO_NR_PHASES; p++) {
		bool known = l->ph[p] == PH_DONE || l->ph[p] == PH_ABORTED;

		printf("%-10s %-30s ", luo_rec_phase_name(p), blackout_phase_what[p]);
		print_cells(u, l->start_cyc[p], l->cyc[p], span, known);
		print_state(l, l->ph[p]);
		if (l->has_steps)
			print_steps(l, p);
		if (p + 1 == LUO_MARK_READY)
			print_initcalls(l);

		if (p != 0 || (!l->nr_handlers && !l->refused))
			continue;
		/* The freeze phase, handler by handler. */
		for (i = 0; i < l->nr_handlers; i++) {
			const struct handler_cost *h = &l->handlers[i];
			char what[64];

			snprintf(what, sizeof(what), "%u file%s frozen", h->files,
				 h->files == 1 ? "" : "s");
			printf("  %-29s %-20s %10s  max %s", h->name, what,
			       fmt_ns(b1, sizeof(b1), h->cost), fmt_ns(b2, sizeof(b2), h->max));
			if (h->failed)
				printf(", %u refused", h->failed);
			putchar('\n');
		}
		if (l->more_handlers)
			printf("  (more handlers than %d: the others are left out)\n",
			       MAX_HANDLERS);
		if (l->refused)
			printf("  refused: session %s, handler %s, token %llu: %s\n",
			       l->refused->session, l->refused->handler,
			       (unsigned long long)l->refused->token,
			       blackout_errname(b1, sizeof(b1), l->refused->result));
		/* Only costs timed on the TSC are fine enough to subtract. */
		if (l->ph[0] == PH_DONE && u->khz) {
			__u64 phase = blackout_ns(u, l->cyc[0]);

			if (phase >= l->freeze_cost)
				printf("  %-50s %10s\n", "LUO, outside the handlers' freeze()",
				       fmt_ns(b1, sizeof(b1), phase - l->freeze_cost));
		}
		if (!u->khz)
			printf("  (the old kernel timed freeze() with CLOCK_MONOTONIC, which may "
			       "tick coarsely)\n");
		if (rec->hdr.dropped)
			printf("  (%u events of this update were dropped: the costs are "
			       "partial)\n", rec->hdr.dropped);
	}
	if (l->state == LUO_REC_STATE_DONE)
		printf("%-10s %-30s %10s %10s %5.1f%%\n", "total", "", "",
		       fmt_dur(b1, sizeof(b1), u, span), 100.0);
	else
		printf("%-10s %-30s %10s %10s\n", "so far", "(not done)", "",
		       fmt_dur(b1, sizeof(b1), u, span));
}

static void print_ns_cell(__u64 ns, bool known)
{
	char buf[32];

	printf(" %10s", known ? fmt_ns(buf, sizeof(buf), ns) : "-");
}

/* RESULT column: the state, or the errno of an abort. */
static const char *result_cell(char *buf, size_t len, const struct luo_rec *rec, __u32 i)
{
	enum luo_record_state s = luo_rec_state(rec, i);

	if (s == LUO_REC_STATE_ABORTED)
		return blackout_errname(buf, len, rec->updates[i].result);
	if (s == LUO_REC_STATE_IN_PROGRESS)
		return "running";
	return luo_rec_state_name(s);
}

static void print_history_text(const struct luo_rec *rec, const struct history *h)
{
	char buf[32];
	unsigned int j;
	__u32 i;
	int p;

	if (h->first >= h->nr)
		return;
	printf("\nHistory: the last %u of %u recorded updates (the record keeps %u), oldest "
	       "first\n", h->nr - h->first, h->nr, rec->hdr.max_updates);
	printf("%6s %-11s %5s %6s %10s", "#", "RESULT", "SESS", "FILES", "TOTAL");
	for (p = 0; p < LUO_NR_PHASES; p++) {
		char up[16];
		unsigned int c;

		for (c = 0; luo_rec_phase_name(p)[c] && c < sizeof(up) - 1; c++)
			up[c] = luo_rec_phase_name(p)[c] - 'a' + 'A';
		up[c] = '\0';
		printf(" %10s", up);
	}
	putchar('\n');
	for (i = h->first; i < h->nr; i++) {
		const struct luo_record_update *u = &rec->updates[i];
		__u64 ns[LUO_NR_PHASES];
		int n = luo_rec_phases(u, ns);
		bool rate = luo_rec_khz(u);

		printf("%6llu %-11s %5u %6u", (unsigned long long)u->number,
		       result_cell(buf, sizeof(buf), rec, i), u->nr_sessions, u->nr_files);
		print_ns_cell(luo_rec_total_ns(u), rate && luo_rec_reached(u, LUO_MARK_DONE));
		for (p = 0; p < LUO_NR_PHASES; p++)
			print_ns_cell(ns[p], rate && p < n);
		putchar('\n');
	}
	if (!h->nr_done) {
		printf("Percentiles: no completed update with a known clock rate in the history "
		       "shown\n");
		return;
	}
	printf("\nPercentiles over %u completed update%s (nearest rank)\n", h->nr_done,
	       h->nr_done == 1 ? "" : "s");
	for (j = 0; j < NR_PCTS; j++) {
		printf("%6s %-11s %5s %6s", "", blackout_pct_names[j], "", "");
		for (p = 0; p < 1 + LUO_NR_PHASES; p++)
			print_ns_cell(h->pct[p][j], true);
		putchar('\n');
	}
}

void blackout_print_text(const char *path, const struct luo_rec *rec, const struct latest *l,
			 const struct history *h)
{
	if (l)
		print_latest_text(rec, l);
	else
		printf("No live update recorded yet: the history of %s is empty\n", path);
	print_history_text(rec, h);
}
