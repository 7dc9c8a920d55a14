// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout - the blackout window of live updates, from LUO's record.
 *
 * Reads the live-update record the kernel keeps in debugfs (liveupdate/
 * record.bin, the layout of <linux/liveupdate_record.h>) and shows the
 * last update as a waterfall of its phases, from the first freeze in the
 * old kernel to the last FINISH in the new one: freeze (with what each
 * handler's freeze() cost, from the record's file-freeze events),
 * serialization, shutdown, the jump and boot up to LUO ready, userspace up
 * to its first retrieve, the retrieves, the finishes.  Then the history of
 * the last updates and the percentiles of their totals and phases.  Output
 * as text, JSON (--json) or Prometheus text exposition (--prom FILE,
 * written atomically for node_exporter's textfile collector).
 *
 * An update the old kernel refused (result < 0) or one still in progress
 * is shown as far as the record knows it.  No BPF: the record is all.
 *
 * Exit: 0, 1 on errors, 2 on a kernel without LUO's events or record.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "luo_tools.h"
#include "luo_record.h"
#include "luoblackout.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DEBUGFS		"/sys/kernel/debug"
#define DEBUGFS_MAGIC	0x64626720
#define BAR_WIDTH	30
#define MAX_HANDLERS	32
/* Percentiles of the history: p50, p90, p99 (nearest rank), then max. */
#define NR_PCTS		4

static struct env {
	const char *file;
	const char *prom;
	const char *systemd;	/* --systemd STAMPS */
	const char *unit;
	unsigned int history;
	__u32 khz;		/* --khz: the rate when no kernel knew it */
	bool json;
	bool verbose;
} env = {
	.history = LUO_RECORD_MAX_UPDATES,
};

const char *argp_program_version = TOOL " 1.0";
const char argp_program_doc[] =
"Show the blackout window of the last live update as a waterfall of its\n"
"phases, the history of past updates and its percentiles, from LUO's\n"
"live-update record.\n"
"\n"
"USAGE: luoblackout [-f FILE] [-n N] [-k KHZ] [--json] [--prom FILE]\n"
"       luoblackout --systemd STAMPS [--unit UNIT] [-f FILE] [--json] [--prom FILE]\n"
"\n"
"EXAMPLES:\n"
"    luoblackout                  # the last update and the history\n"
"    luoblackout -n 5             # show only the last 5 updates' history\n"
"    luoblackout -n 0             # the last update only\n"
"    luoblackout --json           # everything as one JSON object\n"
"    luoblackout --prom /var/lib/node_exporter/textfile/luo.prom\n"
"                                 # Prometheus metrics, written atomically\n"
"    luoblackout --prom -         # the metrics on stdout\n"
"    luoblackout -f record.bin    # a record saved from debugfs\n"
"    luoblackout -k 2096000       # a TSC of 2.096 GHz, where no kernel knew\n"
"    luoblackout --systemd /run/luo-svc/fdstore --unit luo-svc-fdstore.service\n"
"                                 # what that service lived through, systemd's\n"
"                                 # shutdown and start-up around LUO's phases\n"
"\n"
"Phases: freeze (every file's freeze()), serialize (handover written),\n"
"shutdown (devices, up to the jump), boot (jump and new kernel up to LUO\n"
"ready), wait (userspace up to its first session retrieve), retrieve\n"
"(sessions and files retrieved), finish (up to the last session finished).\n"
"Percentiles are nearest-rank over the completed updates shown.\n"
"Exits 2 on a kernel without LUO's events or live-update record.\n";

static const struct argp_option opts[] = {
	{ "file", 'f', "FILE", 0, "Record to read (default " LUO_RECORD_PATH ")", 0 },
	{ "history", 'n', "N", 0, "Show the last N updates of the history (default all, 0: none)", 0 },
	{ "khz", 'k', "KHZ", 0, "The TSC's rate for updates whose kernels both failed to "
	  "calibrate it (their times are otherwise in cycles)", 0 },
	{ "json", 'j', NULL, 0, "Print JSON instead of text", 0 },
	{ "prom", 'P', "FILE", 0, "Write Prometheus metrics to FILE (atomically; - for stdout) "
	  "instead of the text", 0 },
	{ "systemd", 'S', "STAMPS", 0, "The blackout a service of a systemd host saw: its "
	  "stamp file (stop_tsc, stop_mono, back_tsc, back_mono), systemd's shutdown and "
	  "start-up, LUO's phases from the record (Documentation/systemd-guest.rst)", 0 },
	{ "unit", 'u', "UNIT", 0, "With --systemd: the service's unit, for systemd's start of it",
	  0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;
	long n;

	switch (key) {
	case 'f':
		env.file = arg;
		break;
	case 'n':
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno || *end || end == arg || n < 0 || n > INT_MAX)
			argp_error(state, "invalid history length: %s", arg);
		env.history = n;
		break;
	case 'k':
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno || *end || end == arg || n <= 0 || n > UINT32_MAX)
			argp_error(state, "invalid rate in kHz: %s", arg);
		env.khz = n;
		break;
	case 'j':
		env.json = true;
		break;
	case 'P':
		env.prom = arg;
		break;
	case 'S':
		env.systemd = arg;
		break;
	case 'u':
		env.unit = arg;
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument: %s", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* libbpf's own messages (probing the kernel's BTF) only with -v. */
/* What each phase is, in the waterfall. */
static const char *const phase_what[LUO_NR_PHASES] = {
	"every file frozen",
	"handover written",
	"devices shut down, to the jump",
	"jump + boot to LUO ready",
	"userspace to first retrieve",
	"sessions and files retrieved",
	"up to the last FINISH",
};

/* What a phase of the latest update is. */
enum phase_state {
	PH_DONE,	/* ended at its mark */
	PH_ABORTED,	/* the update was aborted during it */
	PH_RUNNING,	/* the update is in it now */
	PH_NONE,	/* not reached */
};

static const char *const phase_state_names[] = {
	[PH_DONE] = "done",
	[PH_ABORTED] = "aborted",
	[PH_RUNNING] = "running",
	[PH_NONE] = "not reached",
};

/* Freeze costs of one handler in the latest update. */
struct handler_cost {
	char name[LUO_RECORD_HANDLER_LEN];
	unsigned int files, failed;
	__u64 cost, max;
};

/* The latest update, cut into what the reports show. */
struct latest {
	const struct luo_record_update *u;
	enum luo_rec_state state;
	bool rate;			/* ns are known */
	int nr_phases;			/* complete leading phases */
	enum phase_state ph[LUO_NR_PHASES];
	__u64 start_cyc[LUO_NR_PHASES], cyc[LUO_NR_PHASES];
	__u64 span_cyc;			/* FREEZE_BEGIN to the last known instant */
	const struct luo_record_entry *abort;	/* its LUO_REC_ABORT event */
	const struct luo_record_entry *refused;	/* the file freeze that failed */
	struct handler_cost handlers[MAX_HANDLERS];
	unsigned int nr_handlers, nr_frozen;
	__u64 freeze_cost;
	bool more_handlers;		/* past MAX_HANDLERS: left out */
};

/* The history shown: updates [first, nr) of the record. */
struct history {
	__u32 first, nr;
	unsigned int nr_done;
	/* [0]: total, [1 + i]: phase i; NR_PCTS values each (ns). */
	__u64 pct[1 + LUO_NR_PHASES][NR_PCTS];
	__u64 sum[1 + LUO_NR_PHASES];
};

static const unsigned int pct_levels[NR_PCTS - 1] = { 50, 90, 99 };
static const char *const pct_names[NR_PCTS] = { "p50", "p90", "p99", "max" };
static const char *const pct_quantiles[NR_PCTS - 1] = { "0.5", "0.9", "0.99" };

/* The updates whose rate is the one given with -k: neither kernel knew it. */
static const struct luo_record_update *given_base;
static bool given[LUO_RECORD_MAX_UPDATES];

static bool rate_given(const struct luo_record_update *u)
{
	return given_base && u >= given_base && u - given_base < LUO_RECORD_MAX_UPDATES &&
	       given[u - given_base];
}

static __u64 ns_of(const struct luo_record_update *u, __u64 cycles)
{
	return luo_rec_ns(u, cycles);
}

/* "-EIO" for -5, into @buf. */
static const char *errname(char *buf, size_t len, int result)
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

static void analyze_latest(const struct luo_rec *rec, struct latest *l)
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

static void analyze_history(const struct luo_rec *rec, struct history *h)
{
	__u64 vals[1 + LUO_NR_PHASES][LUO_RECORD_MAX_UPDATES];
	unsigned int n = 0, k, j;
	__u32 i;

	memset(h, 0, sizeof(*h));
	h->nr = rec->hdr.nr_updates;
	h->first = h->nr > env.history ? h->nr - env.history : 0;
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
			h->pct[k][j] = nearest_rank(vals[k], n, pct_levels[j]);
		h->pct[k][NR_PCTS - 1] = vals[k][n - 1];
		for (j = 0; j < n; j++)
			h->sum[k] += vals[k][j];
	}
}

/* ---- text ---------------------------------------------------------------- */

static const char *fmt_ns(char *buf, size_t len, __u64 ns)
{
	return luo_fmt_ns(buf, len, ns);
}

/* A duration of @u, or its cycles when the rate is unknown. */
static const char *fmt_dur(char *buf, size_t len, const struct luo_record_update *u,
			   __u64 cycles)
{
	if (luo_rec_khz(u))
		return fmt_ns(buf, len, ns_of(u, cycles));
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
	if (known && span) {
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

static void print_latest_text(const struct luo_rec *rec, const struct latest *l)
{
	const struct luo_record_update *u = l->u;
	char b1[32], b2[32], b3[32];
	__u64 span = l->span_cyc;
	unsigned int i;
	int p;

	printf("Live update #%llu: %s", (unsigned long long)u->number,
	       luo_rec_state_name(l->state));
	if (l->state == LUO_REC_STATE_ABORTED)
		printf(" with %s (%s), the kexec was refused; it was to hand over %u sessions, "
		       "%u files\n", errname(b1, sizeof(b1), u->result), strerror(-u->result),
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
	else if (rate_given(u))
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

		printf("%-10s %-30s ", luo_rec_phase_name(p), phase_what[p]);
		if (known) {
			printf("%10s %10s %5.1f%%", fmt_dur(b1, sizeof(b1), u, l->start_cyc[p]),
			       fmt_dur(b2, sizeof(b2), u, l->cyc[p]),
			       span ? 100.0 * l->cyc[p] / span : 0.0);
		} else {
			printf("%10s %10s %6s", "-", "-", "-");
		}
		print_bar(l->start_cyc[p], l->cyc[p], span, known);
		if (l->ph[p] == PH_ABORTED)
			printf(" aborted (%s)", errname(b3, sizeof(b3), u->result));
		else if (l->ph[p] == PH_RUNNING)
			printf(" running");
		else if (l->ph[p] == PH_NONE && l->state != LUO_REC_STATE_DONE)
			printf(" not reached");
		putchar('\n');

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
			       errname(b1, sizeof(b1), l->refused->result));
		/* Only costs timed on the TSC are fine enough to subtract. */
		if (l->ph[0] == PH_DONE && u->khz) {
			__u64 phase = ns_of(u, l->cyc[0]);

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
	enum luo_rec_state s = luo_rec_state(rec, i);

	if (s == LUO_REC_STATE_ABORTED)
		return errname(buf, len, rec->updates[i].result);
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
		printf("%6s %-11s %5s %6s", "", pct_names[j], "", "");
		for (p = 0; p < 1 + LUO_NR_PHASES; p++)
			print_ns_cell(h->pct[p][j], true);
		putchar('\n');
	}
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_ns(FILE *f, const struct luo_record_update *u, __u64 cycles, bool known)
{
	if (known && luo_rec_khz(u))
		fprintf(f, "%llu", (unsigned long long)ns_of(u, cycles));
	else
		fprintf(f, "null");
}

static void json_error(FILE *f, int result)
{
	char buf[32];

	if (result)
		luo_json_str(f, errname(buf, sizeof(buf), result));
	else
		fprintf(f, "null");
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
		rate_given(u) ? 0 : u->next_khz, l->rate ? "true" : "false",
		!l->rate ? "null" : u->khz ? "\"old kernel\"" :
		rate_given(u) ? "\"option\"" : "\"new kernel\"");
	json_ns(f, u, l->span_cyc, l->state == LUO_REC_STATE_DONE);
	fprintf(f, ",\"known_ns\":");
	json_ns(f, u, l->span_cyc, true);
	fprintf(f, ",\"known_cycles\":%llu,\"phases\":[", (unsigned long long)l->span_cyc);
	for (p = 0; p < LUO_NR_PHASES; p++) {
		bool known = l->ph[p] == PH_DONE || l->ph[p] == PH_ABORTED;

		fprintf(f, "%s{\"phase\":\"%s\",\"state\":\"%s\",\"start_ns\":", p ? "," : "",
			luo_rec_phase_name(p), phase_state_names[l->ph[p]]);
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
	fprintf(f, "],\"freeze\":{\"files\":%u,\"cost_ns\":%llu,\"luo_ns\":", l->nr_frozen,
		(unsigned long long)l->freeze_cost);
	if (l->ph[0] == PH_DONE && u->khz && ns_of(u, l->cyc[0]) >= l->freeze_cost)
		fprintf(f, "%llu", (unsigned long long)(ns_of(u, l->cyc[0]) - l->freeze_cost));
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

static void print_json(FILE *f, const struct luo_rec *rec, const struct latest *l,
		       const struct history *h)
{
	unsigned int j;
	__u32 i;
	int p;

	fprintf(f, "{\"record\":{\"path\":");
	luo_json_str(f, env.file ? env.file : LUO_RECORD_PATH);
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
			fprintf(f, "%s\"%s\":%llu", j ? "," : "{", pct_names[j],
				(unsigned long long)h->pct[p][j]);
		fprintf(f, "}");
	}
	fprintf(f, "}}\n");
}

/* ---- Prometheus text exposition ------------------------------------------- */

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

static void print_prom(FILE *f, const struct luo_rec *rec, const struct latest *l,
		       const struct history *h)
{
	static const enum luo_rec_state states[] = {
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
				prom_secs(f, ns_of(u, l->cyc[p]));
				fputc('\n', f);
			}
			prom_family(f, "luo_blackout_total_seconds", "gauge",
				    "Blackout window of the latest update, first freeze to last "
				    "FINISH; absent until it is done.");
			if (l->state == LUO_REC_STATE_DONE) {
				fprintf(f, "luo_blackout_total_seconds ");
				prom_secs(f, ns_of(u, l->span_cyc));
				fputc('\n', f);
			}
		}
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
				name, pct_quantiles[j]);
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

static int write_prom(const char *path, const struct luo_rec *rec, const struct latest *l,
		      const struct history *h)
{
	struct prom_args a = { rec, l, h };

	return luo_write_atomic(TOOL, path, fill_prom, &a);
}

/* ---- main ---------------------------------------------------------------- */

/* Why the record could not be read, in one sentence; the exit code. */
static int read_failed(const char *path, int err)
{
	struct statfs sfs;

	if (err == -ENOENT && !env.file) {
		if (statfs(DEBUGFS, &sfs) || sfs.f_type != DEBUGFS_MAGIC) {
			fprintf(stderr, "%s: debugfs, which holds the live-update record, is not "
				"mounted on %s (mount -t debugfs none %s)\n", TOOL, DEBUGFS,
				DEBUGFS);
			return 1;
		}
		fprintf(stderr, "%s: this kernel keeps no live-update record (no %s): LUO is "
			"off (boot with liveupdate=1 and kho=on) or could not set it up\n", TOOL,
			path);
		return LUO_EXIT_NO_EVENTS;
	}
	if (err == -EPROTO) {
		fprintf(stderr, "%s: %s is not a live-update record this tool can read (bad "
			"magic, version or sizes)\n", TOOL, path);
		return 1;
	}
	fprintf(stderr, "%s: cannot read %s: %s%s\n", TOOL, path, strerror(-err),
		err == -EACCES || err == -EPERM ? " (debugfs wants root)" : "");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = argp_program_doc,
	};
	const char *path;
	struct latest latest, *l = NULL;
	struct history hist;
	struct luo_rec rec;
	__u32 i;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 1;
	luo_libbpf_print_setup(env.verbose);
	path = env.file ? env.file : LUO_RECORD_PATH;
	if (env.systemd) {
		const struct luoblackout_systemd_args a = {
			.stamps = env.systemd, .unit = env.unit, .record = env.file,
			.prom = env.prom, .json = env.json,
		};

		/* Any LUO: without a record (mainline's) the kernel is one phase. */
		return luoblackout_systemd(&a);
	}
	if (env.unit) {
		fprintf(stderr, "%s: --unit goes with --systemd\n", TOOL);
		return 1;
	}

	/* The running kernel's record: it must be this project's LUO. */
	if (!env.file)
		luo_require_events(TOOL);
	err = luo_rec_read(env.file, &rec);
	if (err)
		return read_failed(path, err);

	/* The rate given for the updates no kernel knew the rate of. */
	given_base = rec.updates;
	for (i = 0; env.khz && i < rec.hdr.nr_updates && i < LUO_RECORD_MAX_UPDATES; i++) {
		if (!luo_rec_khz(&rec.updates[i])) {
			rec.updates[i].next_khz = env.khz;
			given[i] = true;
		}
	}
	if (rec.hdr.nr_updates) {
		analyze_latest(&rec, &latest);
		l = &latest;
	}
	analyze_history(&rec, &hist);

	err = 0;
	if (env.prom)
		err = write_prom(env.prom, &rec, l, &hist) ? 1 : 0;
	if (env.json) {
		print_json(stdout, &rec, l, &hist);
	} else if (!env.prom) {
		if (l)
			print_latest_text(&rec, l);
		else
			printf("No live update recorded yet: the history of %s is empty\n", path);
		print_history_text(&rec, &hist);
	}
	luo_rec_free(&rec);
	if (fflush(stdout))
		err = 1;
	return err;
}
