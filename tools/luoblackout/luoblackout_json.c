// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout's JSON view: the latest update, the history and its
 * percentiles as one object.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luo_tools.h"
#include "luo_record.h"
#include "luoblackout.h"

static void json_ns(FILE *f, const struct luo_record_update *u, __u64 cycles, bool known)
{
	if (known && luo_rec_khz(u))
		fprintf(f, "%llu", (unsigned long long)blackout_ns(u, cycles));
	else
		fprintf(f, "null");
}

static void json_error(FILE *f, int result)
{
	char buf[32];

	if (result)
		luo_json_str(f, blackout_errname(buf, sizeof(buf), result));
	else
		fprintf(f, "null");
}

/*
 * The new kernel's start, step by step ("phase": the phase it is a part
 * of; a step skipped lasts 0), and its slowest initcalls (starts from
 * FREEZE_BEGIN, as the phases').
 */
static void print_steps_json(FILE *f, const struct latest *l)
{
	const struct luo_record_update *u = l->u;
	unsigned int i;
	int s;

	fprintf(f, ",\"steps\":[");
	for (s = 0; l->has_steps && s < LUO_RECORD_NR_BOOT; s++) {
		bool known = l->step_ph[s] == PH_DONE || l->step_ph[s] == PH_SKIPPED;

		fprintf(f, "%s{\"step\":\"%s\",\"phase\":\"%s\",\"state\":\"%s\",\"start_ns\":",
			s ? "," : "", luo_rec_boot_name(s),
			luo_rec_phase_name(luo_rec_boot_mark(s) - 1),
			blackout_phase_state_names[l->step_ph[s]]);
		json_ns(f, u, l->step_start_cyc[s], known);
		fprintf(f, ",\"ns\":");
		json_ns(f, u, l->step_cyc[s], known);
		if (known)
			fprintf(f, ",\"cycles\":%llu}", (unsigned long long)l->step_cyc[s]);
		else
			fprintf(f, ",\"cycles\":null}");
	}
	fprintf(f, "],\"initcalls\":[");
	for (i = 0; i < l->nr_initcalls; i++) {
		fprintf(f, "%s{\"name\":", i ? "," : "");
		luo_json_str(f, u->initcalls[i].name);
		fprintf(f, ",\"start_ns\":");
		json_ns(f, u, l->initcall_start_cyc[i], true);
		fprintf(f, ",\"ns\":");
		json_ns(f, u, u->initcalls[i].cycles, true);
		fprintf(f, ",\"cycles\":%llu}", (unsigned long long)u->initcalls[i].cycles);
	}
	fprintf(f, "]");
}

static void print_latest_json(FILE *f, const struct luo_rec *rec, const struct latest *l)
{
	const struct luo_record_update *u = l->u;
	unsigned int i;
	int p;

	fprintf(f, "{\"number\":%llu,\"state\":", (unsigned long long)u->number);
	luo_json_str(f, luo_rec_state_name(l->state));
	fprintf(f, ",\"result\":%d,\"error\":", u->result);
	json_error(f, u->result);
	fprintf(f, ",\"sessions\":%u,\"files\":%u,\"bytes\":%llu,\"marks\":%u,\"khz\":%u,"
		"\"next_khz\":%u,\"rate_known\":%s,\"rate_from\":%s,\"total_ns\":",
		u->nr_sessions, u->nr_files, (unsigned long long)u->bytes, u->marks, u->khz,
		blackout_rate_given(u) ? 0 : u->next_khz, l->rate ? "true" : "false",
		!l->rate ? "null" : u->khz ? "\"old kernel\"" :
		blackout_rate_given(u) ? "\"option\"" : "\"new kernel\"");
	json_ns(f, u, l->span_cyc, l->state == LUO_REC_STATE_DONE);
	fprintf(f, ",\"known_ns\":");
	json_ns(f, u, l->span_cyc, true);
	fprintf(f, ",\"known_cycles\":%llu,\"phases\":[", (unsigned long long)l->span_cyc);
	for (p = 0; p < LUO_NR_PHASES; p++) {
		bool known = l->ph[p] == PH_DONE || l->ph[p] == PH_ABORTED;

		fprintf(f, "%s{\"phase\":\"%s\",\"state\":\"%s\",\"start_ns\":", p ? "," : "",
			luo_rec_phase_name(p), blackout_phase_state_names[l->ph[p]]);
		json_ns(f, u, l->start_cyc[p], known);
		fprintf(f, ",\"duration_ns\":");
		json_ns(f, u, l->cyc[p], known);
		if (known)
			fprintf(f, ",\"duration_cycles\":%llu,\"share\":%.6f",
				(unsigned long long)l->cyc[p],
				l->span_cyc ? (double)l->cyc[p] / l->span_cyc : 0.0);
		else
			fprintf(f, ",\"duration_cycles\":null,\"share\":null");
		fprintf(f, "}");
	}
	fprintf(f, "]");
	print_steps_json(f, l);
	fprintf(f, ",\"freeze\":{\"files\":%u,\"cost_ns\":%llu,\"luo_ns\":", l->nr_frozen,
		(unsigned long long)l->freeze_cost);
	if (l->ph[0] == PH_DONE && u->khz && blackout_ns(u, l->cyc[0]) >= l->freeze_cost)
		fprintf(f, "%llu", (unsigned long long)(blackout_ns(u, l->cyc[0]) - l->freeze_cost));
	else
		fprintf(f, "null");
	fprintf(f, ",\"cost_clock\":\"%s\",\"handlers\":[", u->khz ? "tsc" : "monotonic");
	for (i = 0; i < l->nr_handlers; i++) {
		const struct handler_cost *h = &l->handlers[i];

		fprintf(f, "%s{\"handler\":", i ? "," : "");
		luo_json_str(f, h->name);
		fprintf(f, ",\"files\":%u,\"refused\":%u,\"cost_ns\":%llu,\"max_cost_ns\":%llu}",
			h->files, h->failed, (unsigned long long)h->cost,
			(unsigned long long)h->max);
	}
	fprintf(f, "]},\"abort\":");
	if (l->state != LUO_REC_STATE_ABORTED) {
		fprintf(f, "null");
	} else {
		fprintf(f, "{\"phase\":");
		if (l->nr_phases < LUO_NR_PHASES)
			luo_json_str(f, luo_rec_phase_name(l->nr_phases));
		else
			fprintf(f, "null");
		fprintf(f, ",\"after_ns\":");
		json_ns(f, u, l->span_cyc, l->abort != NULL);
		fprintf(f, ",\"refused\":");
		if (l->refused) {
			fprintf(f, "{\"session\":");
			luo_json_str(f, l->refused->session);
			fprintf(f, ",\"handler\":");
			luo_json_str(f, l->refused->handler);
			fprintf(f, ",\"token\":%llu,\"result\":%d}",
				(unsigned long long)l->refused->token, l->refused->result);
		} else {
			fprintf(f, "null");
		}
		fprintf(f, "}");
	}
	fprintf(f, ",\"events\":%u,\"dropped\":%u}", rec->hdr.nr_entries, rec->hdr.dropped);
}

void blackout_print_json(FILE *f, const char *path, const struct luo_rec *rec,
			 const struct latest *l,
		       const struct history *h)
{
	unsigned int j;
	__u32 i;
	int p;

	fprintf(f, "{\"record\":{\"path\":");
	luo_json_str(f, path);
	fprintf(f, ",\"version\":%u,\"clock\":\"%s\",\"updates\":%u,\"max_updates\":%u,"
		"\"events\":%u,\"dropped\":%u},\"latest\":", rec->hdr.version,
		rec->hdr.clock == LUO_RECORD_CLOCK_TSC ? "tsc" :
		rec->hdr.clock == LUO_RECORD_CLOCK_MONO ? "monotonic" : "unknown",
		rec->hdr.nr_updates, rec->hdr.max_updates, rec->hdr.nr_entries,
		rec->hdr.dropped);
	if (l)
		print_latest_json(f, rec, l);
	else
		fprintf(f, "null");

	fprintf(f, ",\"history\":[");
	for (i = h->first; i < h->nr; i++) {
		const struct luo_record_update *u = &rec->updates[i];
		__u64 cyc[LUO_NR_PHASES];
		int n = luo_rec_phase_cycles(u, cyc);

		fprintf(f, "%s{\"number\":%llu,\"state\":", i > h->first ? "," : "",
			(unsigned long long)u->number);
		luo_json_str(f, luo_rec_state_name(luo_rec_state(rec, i)));
		fprintf(f, ",\"result\":%d,\"error\":", u->result);
		json_error(f, u->result);
		fprintf(f, ",\"sessions\":%u,\"files\":%u,\"bytes\":%llu,\"total_ns\":",
			u->nr_sessions, u->nr_files, (unsigned long long)u->bytes);
		if (luo_rec_reached(u, LUO_MARK_DONE) && luo_rec_khz(u))
			fprintf(f, "%llu", (unsigned long long)luo_rec_total_ns(u));
		else
			fprintf(f, "null");
		fprintf(f, ",\"phases\":{");
		for (p = 0; p < LUO_NR_PHASES; p++) {
			fprintf(f, "%s\"%s\":", p ? "," : "", luo_rec_phase_name(p));
			json_ns(f, u, cyc[p], p < n);
		}
		fprintf(f, "}}");
	}
	fprintf(f, "],\"percentiles\":{\"updates\":%u,\"method\":\"nearest-rank\"", h->nr_done);
	for (p = 0; p < 1 + LUO_NR_PHASES; p++) {
		fprintf(f, ",\"%s\":", p ? luo_rec_phase_name(p - 1) : "total");
		if (!h->nr_done) {
			fprintf(f, "null");
			continue;
		}
		for (j = 0; j < NR_PCTS; j++)
			fprintf(f, "%s\"%s\":%llu", j ? "," : "{", blackout_pct_names[j],
				(unsigned long long)h->pct[p][j]);
		fprintf(f, "}");
	}
	fprintf(f, "}}\n");
}
