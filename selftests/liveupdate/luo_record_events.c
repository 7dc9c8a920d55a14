// SPDX-License-Identifier: GPL-2.0
/*
 * luo_record_check's events: those of the latest update, printed, checked
 * against its marks and phases (one freeze per file, the retrieves and
 * finishes after READY), and searched for the files the caller preserved
 * (--file).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/liveupdate_record.h>

#include "luo_record_check.h"

/*
 * Names from the uapi's list (the parser of the binary record, in
 * luo_record_check.c, is this checker's own; the names are not).
 */
#define EVENT_FN(x, name)	[LUO_REC_##x] = name,

static const char * const event_names[LUO_RECORD_NR_EVENTS] = {
	__LUO_RECORD_EVENT_MAPPER(EVENT_FN)
};

#define NR_EVENT_NAMES	ARRAY_SIZE(event_names)

static const char *event_name(uint32_t type)
{
	return type < NR_EVENT_NAMES && event_names[type] ? event_names[type] : "?";
}

static bool same_file(const struct luo_record_entry *a, const struct luo_record_entry *b)
{
	return a->token == b->token && !strcmp(a->session, b->session) &&
	       !strcmp(a->handler, b->handler);
}

/* Check the events of the latest update @u against its marks. */
void check_entries(const struct luo_record_update *u,
		   const struct luo_record_entry *e, uint32_t n, uint32_t dropped)
{
	uint64_t freeze_cost = 0, retrieve_cost = 0, t0 = u->t[LUO_MARK_FREEZE_BEGIN];
	uint32_t i, j, nr_freeze = 0, bad_freeze = 0, nr_retr = 0, bad_retr = 0;
	uint32_t nr_sretr = 0, nr_sfin = 0, bad_sfin = 0, unknown = 0;
	int64_t first_sretr = -1, last_retr = -1;
	bool time_order = true, marks_ok = true, after_ready = true;
	static const struct {
		uint32_t type;
		int mark;
	} mark_events[] = {
		{ LUO_REC_FREEZE_BEGIN, LUO_MARK_FREEZE_BEGIN },
		{ LUO_REC_FREEZE_END, LUO_MARK_FREEZE_END },
		{ LUO_REC_SERIALIZED, LUO_MARK_SERIALIZED },
		{ LUO_REC_JUMP, LUO_MARK_JUMP },
		{ LUO_REC_READY, LUO_MARK_READY },
		{ LUO_REC_DONE, LUO_MARK_DONE },
	};

	printf("# events of update %" PRIu64 ": %u, %u dropped\n", (uint64_t)u->number, n, dropped);
	for (i = 0; i < n; i++) {
		printf("#   %12.3f ms %-16s result=%d", e[i].t >= t0 ? ns(u, e[i].t - t0) / 1e6 :
		       -(ns(u, t0 - e[i].t) / 1e6), event_name(e[i].type), e[i].result);
		if (e[i].session[0])
			printf(" session=%s", e[i].session);
		if (e[i].handler[0])
			printf(" handler=%s token=%" PRIu64 " cost=%" PRIu64 " ns", e[i].handler,
			       (uint64_t)e[i].token, (uint64_t)e[i].cost);
		if (e[i].type == LUO_REC_SERIALIZED)
			printf(" bytes=%" PRIu64, (uint64_t)e[i].cost);
		putchar('\n');
	}

	check(!dropped, "update %" PRIu64 ": no event dropped (%u)", (uint64_t)u->number, dropped);
	for (i = 0; i < n; i++) {
		if (!e[i].type || e[i].type >= NR_EVENT_NAMES)
			unknown++;
		if (i && e[i].t < e[i - 1].t)
			time_order = false;
	}
	check(!unknown, "update %" PRIu64 ": every event is of a known type", (uint64_t)u->number);
	check(n && time_order, "update %" PRIu64 ": the %u events are in time order",
	      (uint64_t)u->number, n);

	/* Each mark was stamped with its event, at the same instant. */
	for (j = 0; j < ARRAY_SIZE(mark_events); j++) {
		uint32_t cnt = 0;
		bool at = true;

		for (i = 0; i < n; i++) {
			if (e[i].type != mark_events[j].type)
				continue;
			cnt++;
			at = at && e[i].t == u->t[mark_events[j].mark];
		}
		if (cnt != (reached(u, mark_events[j].mark) ? 1U : 0U) || !at) {
			marks_ok = false;
			printf("#   %s: %u events, mark %s, %s time\n",
			       event_name(mark_events[j].type), cnt,
			       reached(u, mark_events[j].mark) ? "reached" : "not reached",
			       at ? "same" : "another");
		}
	}
	check(marks_ok && n && e[0].type == LUO_REC_FREEZE_BEGIN &&
	      (!reached(u, LUO_MARK_DONE) || e[n - 1].type == LUO_REC_DONE),
	      "update %" PRIu64 ": each mark has its one event at its time, freeze-begin "
	      "first, done last", (uint64_t)u->number);
	for (i = 0; i < n; i++)
		if (e[i].type == LUO_REC_SERIALIZED)
			check(e[i].cost == u->bytes && u->bytes,
			      "update %" PRIu64 ": serialized %" PRIu64 " bytes, as the update "
			      "says (%" PRIu64 ")", (uint64_t)u->number, (uint64_t)e[i].cost,
			      (uint64_t)u->bytes);

	/* The freezes: one per file, within the freeze phase. */
	for (i = 0; i < n; i++) {
		if (e[i].type != LUO_REC_FILE_FREEZE)
			continue;
		nr_freeze++;
		freeze_cost += e[i].cost;
		if (e[i].result || !e[i].session[0] || !e[i].handler[0] ||
		    e[i].t < u->t[LUO_MARK_FREEZE_BEGIN] || e[i].t > u->t[LUO_MARK_FREEZE_END])
			bad_freeze++;
		for (j = 0; j < i; j++)
			if (e[j].type == LUO_REC_FILE_FREEZE && same_file(&e[i], &e[j]))
				bad_freeze++;
	}
	check(nr_freeze == u->nr_files && !bad_freeze,
	      "update %" PRIu64 ": %u file-freeze events for %u files, each with a session, "
	      "handler and token, result 0, within the freeze phase (%u wrong)",
	      (uint64_t)u->number, nr_freeze, u->nr_files, bad_freeze);
	/*
	 * Costs are ns from the TSC: the kernel that measured them must know
	 * its rate (every guest calibrates its TSC), or they could not be
	 * held against the phase.
	 */
	check(u->khz && freeze_cost <= ns(u, u->t[LUO_MARK_FREEZE_END] -
					  u->t[LUO_MARK_FREEZE_BEGIN]),
	      "update %" PRIu64 ": the old kernel knew its TSC rate (%" PRIu64 " kHz); the "
	      "handlers' freezes took %" PRIu64 " ns of the %" PRIu64 " ns freeze phase",
	      (uint64_t)u->number, (uint64_t)u->khz, freeze_cost,
	      u->khz ? ns(u, u->t[LUO_MARK_FREEZE_END] - u->t[LUO_MARK_FREEZE_BEGIN]) : 0);

	/* The new kernel's side: retrieves and finishes after READY. */
	for (i = 0; i < n; i++) {
		switch (e[i].type) {
		case LUO_REC_SESSION_RETRIEVE:
			if (!e[i].result) {
				nr_sretr++;
				if (first_sretr < 0)
					first_sretr = i;
				last_retr = i;
			}
			break;
		case LUO_REC_FILE_RETRIEVE:
			nr_retr++;
			retrieve_cost += e[i].cost;
			if (!e[i].result)
				last_retr = i;
			/* A file that was frozen, retrieved once. */
			for (j = 0; j < n; j++)
				if (e[j].type == LUO_REC_FILE_FREEZE && same_file(&e[i], &e[j]))
					break;
			if (j == n)
				bad_retr++;
			for (j = 0; j < i; j++)
				if (e[j].type == LUO_REC_FILE_RETRIEVE && same_file(&e[i], &e[j]))
					bad_retr++;
			break;
		case LUO_REC_SESSION_FINISH:
			/* Finished, or closed unfinished: either way, gone. */
			if (!e[i].result || e[i].result == -ECANCELED)
				nr_sfin++;
			for (j = 0; j < i; j++)
				if (e[j].type == LUO_REC_SESSION_FINISH &&
				    (!e[j].result || e[j].result == -ECANCELED) &&
				    !strcmp(e[j].session, e[i].session))
					bad_sfin++;
			break;
		default:
			continue;
		}
		if (!reached(u, LUO_MARK_READY) || e[i].t < u->t[LUO_MARK_READY])
			after_ready = false;
	}
	if (!reached(u, LUO_MARK_DONE))
		return;
	check(after_ready, "update %" PRIu64 ": retrieves and finishes come after READY",
	      (uint64_t)u->number);
	check(nr_sretr == u->nr_sessions && nr_sfin == u->nr_sessions && !bad_sfin,
	      "update %" PRIu64 ": %u sessions retrieved and %u finished of %u handed over",
	      (uint64_t)u->number, nr_sretr, nr_sfin, u->nr_sessions);
	check(!bad_retr, "update %" PRIu64 ": %u file-retrieve events, each of a frozen file, "
	      "once", (uint64_t)u->number, nr_retr);
	if (u->nr_sessions) {
		check(first_sretr >= 0 && e[first_sretr].t == u->t[LUO_MARK_FIRST_RETRIEVE] &&
		      last_retr >= 0 && e[last_retr].t == u->t[LUO_MARK_LAST_RETRIEVE],
		      "update %" PRIu64 ": FIRST_RETRIEVE and LAST_RETRIEVE are the first session "
		      "retrieve and the last retrieve", (uint64_t)u->number);
		if (u->next_khz)
			check(retrieve_cost <= ns(u, u->t[LUO_MARK_LAST_RETRIEVE] -
						  u->t[LUO_MARK_FIRST_RETRIEVE]),
			      "update %" PRIu64 ": the handlers' retrieves took %" PRIu64
			      " ns of the %" PRIu64 " ns retrieve phase", (uint64_t)u->number,
			      retrieve_cost, ns(u, u->t[LUO_MARK_LAST_RETRIEVE] -
						u->t[LUO_MARK_FIRST_RETRIEVE]));
		else
			printf("# update %" PRIu64 ": the new kernel had no TSC rate: its retrieve "
			       "costs (%" PRIu64 " ns) are not held against the phase\n",
			       (uint64_t)u->number, retrieve_cost);
	}

	/* The files the caller preserved. */
	if (!nr_want)
		return;
	for (j = 0; j < nr_want; j++) {
		want[j].frozen = 0;
		want[j].retrieved = 0;
	}
	unknown = 0;
	for (i = 0; i < n; i++) {
		if (e[i].type != LUO_REC_FILE_FREEZE && e[i].type != LUO_REC_FILE_RETRIEVE)
			continue;
		for (j = 0; j < nr_want; j++)
			if (want[j].token == e[i].token && !strcmp(want[j].session, e[i].session) &&
			    !strcmp(want[j].handler, e[i].handler))
				break;
		if (j == nr_want) {
			if (e[i].type == LUO_REC_FILE_FREEZE) {
				printf("#   unexpected: %s session=%s handler=%s token=%"
				       PRIu64 "\n", event_name(e[i].type), e[i].session,
				       e[i].handler, (uint64_t)e[i].token);
				unknown++;
			}
			continue;
		}
		if (e[i].result)
			continue;
		if (e[i].type == LUO_REC_FILE_FREEZE)
			want[j].frozen++;
		else
			want[j].retrieved++;
	}
	for (j = 0; j < nr_want; j++) {
		if (want[j].frozen == 1 && want[j].retrieved == 1)
			continue;
		printf("#   %s:%s:%" PRIu64 ": frozen %u times, retrieved %u times\n",
		       want[j].session, want[j].handler, want[j].token, want[j].frozen,
		       want[j].retrieved);
		unknown++;
	}
	check(!unknown, "update %" PRIu64 ": froze exactly the %u expected files and each was "
	      "retrieved", (uint64_t)u->number, nr_want);
}
