// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout's Prometheus view: the text exposition format, for
 * node_exporter's textfile collector (written atomically).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luo_tools.h"
#include "luo_record.h"
#include "luoblackout.h"

/* ns as seconds, exactly. */
static void prom_secs(FILE *f, __u64 ns)
{
	fprintf(f, "%llu.%09llu", (unsigned long long)(ns / 1000000000ULL),
		(unsigned long long)(ns % 1000000000ULL));
}

static void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void prom_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fprintf(f, "\\n");
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The new kernel's start of the latest update: its steps, its slowest initcalls. */
static void print_prom_steps(FILE *f, const struct latest *l)
{
	const struct luo_record_update *u = l->u;
	unsigned int i;
	int s;

	prom_family(f, "luo_blackout_boot_step_seconds", "gauge",
		    "Duration of each step of the new kernel's start that was stamped in the "
		    "latest update, a part of the phase named.");
	for (s = 0; s < LUO_RECORD_NR_BOOT; s++) {
		if (l->step_ph[s] != PH_DONE)
			continue;
		fprintf(f, "luo_blackout_boot_step_seconds{step=\"%s\",phase=\"%s\"} ",
			luo_rec_boot_name(s), luo_rec_phase_name(luo_rec_boot_mark(s) - 1));
		prom_secs(f, blackout_ns(u, l->step_cyc[s]));
		fputc('\n', f);
	}
	prom_family(f, "luo_blackout_initcall_seconds", "gauge",
		    "Duration of the slowest initcalls of the new kernel's start in the latest "
		    "update, rank 1 the slowest.");
	for (i = 0; i < l->nr_initcalls; i++) {
		fprintf(f, "luo_blackout_initcall_seconds{initcall=");
		prom_label(f, u->initcalls[i].name);
		fprintf(f, ",rank=\"%u\"} ", i + 1);
		prom_secs(f, blackout_ns(u, u->initcalls[i].cycles));
		fputc('\n', f);
	}
}

static void print_prom(FILE *f, const struct luo_rec *rec, const struct latest *l,
		       const struct history *h)
{
	static const enum luo_record_state states[] = {
		LUO_REC_STATE_DONE, LUO_REC_STATE_ABORTED, LUO_REC_STATE_IN_PROGRESS,
		LUO_REC_STATE_UNFINISHED, LUO_REC_STATE_INCOMPLETE,
	};
	static const char *const state_labels[] = {
		[LUO_REC_STATE_DONE] = "done",
		[LUO_REC_STATE_ABORTED] = "aborted",
		[LUO_REC_STATE_IN_PROGRESS] = "in_progress",
		[LUO_REC_STATE_UNFINISHED] = "unfinished",
		[LUO_REC_STATE_INCOMPLETE] = "incomplete",
	};
	unsigned int counts[5] = { 0 }, i, j;
	const struct luo_record_update *u;
	__u32 k;
	int p;

	prom_family(f, "luo_record_updates", "gauge",
		    "Live updates in the history of the live-update record.");
	fprintf(f, "luo_record_updates %u\n", rec->hdr.nr_updates);
	prom_family(f, "luo_record_dropped_events", "gauge",
		    "Events of the latest update that found no room in the record.");
	fprintf(f, "luo_record_dropped_events %u\n", rec->hdr.dropped);

	if (l) {
		u = l->u;
		prom_family(f, "luo_update_number", "gauge",
			    "The liveupdate-number the latest recorded update hands over.");
		fprintf(f, "luo_update_number %llu\n", (unsigned long long)u->number);
		prom_family(f, "luo_update_result", "gauge",
			    "0, or the negative errno that aborted the latest update.");
		fprintf(f, "luo_update_result %d\n", u->result);
		prom_family(f, "luo_update_state", "gauge",
			    "1 for the state the latest update is in, 0 for the others.");
		for (i = 0; i < ARRAY_SIZE(states); i++)
			fprintf(f, "luo_update_state{state=\"%s\"} %d\n", state_labels[states[i]],
				l->state == states[i]);
		prom_family(f, "luo_update_sessions", "gauge",
			    "Sessions the latest update handed over.");
		fprintf(f, "luo_update_sessions %u\n", u->nr_sessions);
		prom_family(f, "luo_update_files", "gauge",
			    "Files the latest update handed over.");
		fprintf(f, "luo_update_files %u\n", u->nr_files);
		prom_family(f, "luo_update_bytes", "gauge",
			    "Bytes of descriptors the latest update handed over.");
		fprintf(f, "luo_update_bytes %llu\n", (unsigned long long)u->bytes);
		if (l->rate) {
			prom_family(f, "luo_blackout_seconds", "gauge",
				    "Duration of each phase of the latest update that ended "
				    "(an aborted phase: up to the abort).");
			for (p = 0; p < LUO_NR_PHASES; p++) {
				if (l->ph[p] != PH_DONE && l->ph[p] != PH_ABORTED)
					continue;
				fprintf(f, "luo_blackout_seconds{phase=\"%s\"} ",
					luo_rec_phase_name(p));
				prom_secs(f, blackout_ns(u, l->cyc[p]));
				fputc('\n', f);
			}
			prom_family(f, "luo_blackout_total_seconds", "gauge",
				    "Blackout window of the latest update, first freeze to last "
				    "FINISH; absent until it is done.");
			if (l->state == LUO_REC_STATE_DONE) {
				fprintf(f, "luo_blackout_total_seconds ");
				prom_secs(f, blackout_ns(u, l->span_cyc));
				fputc('\n', f);
			}
		}
		if (l->rate)
			print_prom_steps(f, l);
		prom_family(f, "luo_blackout_freeze_handler_seconds", "gauge",
			    "Time the freeze() callbacks of each handler took in the latest "
			    "update.");
		for (i = 0; i < l->nr_handlers; i++) {
			fprintf(f, "luo_blackout_freeze_handler_seconds{handler=");
			prom_label(f, l->handlers[i].name);
			fprintf(f, "} ");
			prom_secs(f, l->handlers[i].cost);
			fputc('\n', f);
		}
		prom_family(f, "luo_blackout_freeze_handler_files", "gauge",
			    "Files each handler froze in the latest update.");
		for (i = 0; i < l->nr_handlers; i++) {
			fprintf(f, "luo_blackout_freeze_handler_files{handler=");
			prom_label(f, l->handlers[i].name);
			fprintf(f, "} %u\n", l->handlers[i].files);
		}
	}

	for (k = h->first; k < h->nr; k++)
		counts[luo_rec_state(rec, k)]++;
	prom_family(f, "luo_history_updates", "gauge",
		    "Updates of the history shown, by state.");
	for (i = 0; i < ARRAY_SIZE(states); i++)
		fprintf(f, "luo_history_updates{state=\"%s\"} %u\n", state_labels[states[i]],
			counts[states[i]]);
	prom_family(f, "luo_blackout_history_seconds", "summary",
		    "Totals and phases of the completed updates of the history "
		    "(nearest-rank quantiles).");
	for (p = 0; p < 1 + LUO_NR_PHASES && h->nr_done; p++) {
		const char *name = p ? luo_rec_phase_name(p - 1) : "total";

		for (j = 0; j < NR_PCTS - 1; j++) {
			fprintf(f, "luo_blackout_history_seconds{phase=\"%s\",quantile=\"%s\"} ",
				name, blackout_pct_quantiles[j]);
			prom_secs(f, h->pct[p][j]);
			fputc('\n', f);
		}
		fprintf(f, "luo_blackout_history_seconds_sum{phase=\"%s\"} ", name);
		prom_secs(f, h->sum[p]);
		fprintf(f, "\nluo_blackout_history_seconds_count{phase=\"%s\"} %u\n", name,
			h->nr_done);
	}
	prom_family(f, "luo_blackout_history_max_seconds", "gauge",
		    "Longest total and phases of the completed updates of the history.");
	for (p = 0; p < 1 + LUO_NR_PHASES && h->nr_done; p++) {
		fprintf(f, "luo_blackout_history_max_seconds{phase=\"%s\"} ",
			p ? luo_rec_phase_name(p - 1) : "total");
		prom_secs(f, h->pct[p][NR_PCTS - 1]);
		fputc('\n', f);
	}
}

/* Write the metrics to @path.tmp, then rename it over @path. */
struct prom_args {
	const struct luo_rec *rec;
	const struct latest *l;
	const struct history *h;
};

static void fill_prom(FILE *f, void *arg)
{
	const struct prom_args *a = arg;

	print_prom(f, a->rec, a->l, a->h);
}

int blackout_write_prom(const char *path, const struct luo_rec *rec, const struct latest *l,
			const struct history *h)
{
	struct prom_args a = { rec, l, h };

	return luo_write_atomic(TOOL, path, fill_prom, &a);
}
