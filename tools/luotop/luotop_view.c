// SPDX-License-Identifier: GPL-2.0
/*
 * luotop's view: the dashboard drawn from S, in curses or, with -b, as
 * plain text.
 */
#include <curses.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "luo_tools.h"
#include "luotop_model.h"

/*
 * Output: the same lines in both modes.  Batch prints them whole; curses
 * puts each on the next row, cut at the width, while rows remain.
 */
static struct out {
	int row, rows, cols;
} O;

static void line(int attr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (env.batch) {
		puts(buf);
		return;
	}
	if (O.row >= O.rows)
		return;
	n = strlen(buf);
	if (attr)
		attron(attr);
	mvaddnstr(O.row, 0, buf, O.cols);
	/* A header bar spans the width. */
	if (attr & A_REVERSE)
		for (; n < O.cols; n++)
			addch(' ');
	else
		clrtoeol();
	if (attr)
		attroff(attr);
	O.row++;
}

/* The time since luotop started, as H:MM:SS. */
static const char *fmt_elapsed(char *buf, size_t len)
{
	long t = (long)(now_s() - S.start);

	snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	return buf;
}

static const char *fmt_ns(char *buf, size_t len, __u64 ns, bool have)
{
	if (!have) {
		snprintf(buf, len, "-");
		return buf;
	}
	return luo_fmt_ns(buf, len, ns);
}

static void show_title(bool paused)
{
	unsigned long long nr;
	char clock[16], lu[48];

	if (liveupdate_number(&nr))
		snprintf(lu, sizeof(lu), "liveupdate #%llu", nr);
	else
		snprintf(lu, sizeof(lu), "liveupdate #?");
	luo_fmt_now(clock, sizeof(clock));
	/* What changes with the keys first, so that it stays in view. */
	line(A_REVERSE, "luotop - %s  sort: %s%s  %s  %s  mode: %s", clock,
	     sort_names[env.sort], paused ? "  PAUSED" : "", lu, S.release,
	     luo_mode_name(env.mode));
	if (env.mode == LUO_MODE_FENTRY)
		line(0, "Mode fentry: %s", luo_mode_limits(env.mode));
}

static void show_boot(void)
{
	const struct boot_info *b = &S.boot;

	if (b->found)
		line(0, "At boot: update #%llu handed %lu sessions, %lu files, %lu FLBs (%lu dropped)",
		     b->number, b->sessions, b->files, b->flbs, b->dropped);
	else
		line(0, "At boot: no live update in the kernel log (cold boot, or log rotated)");
}

/* The sessions held when luotop started and seen since, on one line. */
static void show_sessions_line(void)
{
	unsigned long out = 0, out_files = 0, in = 0, waiting = 0, fin = 0, closed = 0;
	char names[256] = "", wait[48] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < S.nr_sess; i++) {
		const struct sess *s = &S.sess[i];

		if (s->key.dir == LUOTOP_OUT) {
			out++;
			out_files += s->val.files;
		} else {
			in++;
			waiting += !!(s->val.flags & LUOTOP_S_WAITING);
			fin += !!(s->val.flags & LUOTOP_S_FINISHED);
			closed += !!(s->val.flags & LUOTOP_S_RELEASED);
		}
		if (len < sizeof(names) - 1)
			len += snprintf(names + len, sizeof(names) - len, " %s%s",
					s->key.dir == LUOTOP_OUT ? ">" : "<", s->key.name);
	}
	if (waiting)
		snprintf(wait, sizeof(wait), "%lu waiting, ", waiting);
	line(0, "Sessions: out %lu (%lu files)  in %lu (%s%lu finished, %lu closed) |%s",
	     out, out_files, in, wait, fin, closed, names[0] ? names : " none");
}

/* Batch: one line per session. */
static void show_sessions_table(void)
{
	int i;

	line(0, "%-20s %-4s %9s %9s %9s  %s", "SESSION", "DIR", "FILES",
	     "RETRIEVED", "FINISHED", "STATE");
	for (i = 0; i < S.nr_sess; i++) {
		const struct sess *s = &S.sess[i];
		const struct luotop_session *v = &s->val;
		char st[32];

		if (s->key.dir == LUOTOP_OUT) {
			line(0, "%-20s %-4s %9llu %9s %9s  %s", s->key.name, "out",
			     (unsigned long long)v->files, "-", "-", "open");
			continue;
		}
		if (v->flags & LUOTOP_S_WAITING)
			snprintf(st, sizeof(st), "not retrieved");
		else
			snprintf(st, sizeof(st), "%s%s",
				 v->flags & LUOTOP_S_FINISHED ? "finished" : "retrieved",
				 v->flags & LUOTOP_S_RELEASED ? ",closed" : "");
		line(0, "%-20s %-4s %9llu %9llu %9llu  %s", s->key.name, "in",
		     (unsigned long long)v->files, (unsigned long long)v->retrieved,
		     (unsigned long long)v->finished, st);
	}
	if (!S.nr_sess && S.listing)
		line(0, "(no session: none held when luotop started, none created or retrieved since)");
	else if (!S.nr_sess)
		line(0, "(no session created or retrieved since luotop started)");
	if (S.filtered)
		line(0, "(sessions held before luotop started: not listed with -p or --cgroup, LUO does not say which task made them)");
	else if (!S.listing)
		line(0, "(sessions held before luotop started: not listed, this kernel has no LUO iterator)");
}

/* Batch: the files LUO holds now, from our LUO's iterator. */
static void show_files_table(void)
{
	size_t i;

	if (!S.listing)
		return;
	line(0, "%-20s %20s %-20s %-14s %10s", "SESSION", "TOKEN", "HANDLER", "STATE", "BYTES");
	for (i = 0; i < S.files.nr; i++) {
		const struct luo_iter_rec *f = &S.files.recs[i];
		char bytes[24] = "-";

		if (f->flags & LUO_ITER_F_SIZED)
			snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)f->bytes);
		line(0, "%-20s %20llu %-20s %-14s %10s", f->session, (unsigned long long)f->token,
		     f->handler, luo_iter_state(f), bytes);
	}
	if (S.listing_err)
		line(0, "(cannot read the files LUO holds: %s)", strerror(-S.listing_err));
	else if (!S.files.nr)
		line(0, "(no file held by LUO now)");
	line(0, "%s", "");
}

static void show_handlers(int max)
{
	int i;

	line(env.batch ? 0 : A_REVERSE, "%-20s %10s %10s %10s %8s", "HANDLER",
	     "PRESERVED", "RETRIEVED", "FINISHED", "ERRORS");
	for (i = 0; i < S.nr_handlers && (max < 0 || i < max); i++) {
		const struct handler *h = &S.handlers[i];

		line(0, "%-20s %10llu %10llu %10llu %8llu", h->name,
		     (unsigned long long)h->preserved,
		     (unsigned long long)h->retrieved,
		     (unsigned long long)h->finished,
		     (unsigned long long)h->errors);
	}
	if (i < S.nr_handlers)
		line(0, "  ... %d more", S.nr_handlers - i);
	else if (!S.nr_handlers)
		line(0, "(no file operation since luotop started)");
}

static void show_ops(int max)
{
	char p50[16], p99[16];
	int i, n = S.nr_rows;

	qsort(S.rows, S.nr_rows, sizeof(*S.rows), cmp_row);
	line(env.batch ? 0 : A_REVERSE, "%-16s %-18s %8s %8s %5s %9s %9s",
	     "OPERATION", "HANDLER", "RATE/s", "TOTAL", "ERR", "P50", "P99");
	/* The last row says how many do not fit. */
	if (max >= 0 && n > max)
		n = max > 0 ? max - 1 : 0;
	for (i = 0; i < n; i++) {
		const struct row *r = &S.rows[i];
		bool timed = r->st.timed > 0;

		line(0, "%-16s %-18s %8.1f %8llu %5llu %9s %9s",
		     luo_op_name(r->key.op) ?: "?",
		     r->key.handler[0] ? r->key.handler : "-", r->rate,
		     (unsigned long long)r->st.count,
		     (unsigned long long)r->st.errors,
		     fmt_ns(p50, sizeof(p50), r->p50, timed),
		     fmt_ns(p99, sizeof(p99), r->p99, timed));
	}
	if (n < S.nr_rows)
		line(0, "  ... %d more (s: sort)", S.nr_rows - n);
	else if (!S.nr_rows)
		line(0, "(no LUO operation since luotop started)");
}

/* Lines show_waterfall() prints. */
static int waterfall_lines(void)
{
	if (S.rec_err || !S.rec.hdr.nr_updates)
		return 1;
	return 1 + LUO_NR_PHASES;
}

/*
 * The phases of the latest update of the record, each a bar placed on the
 * update's time line, with its duration and its share of the total.  The
 * shares come from the clock's cycles, so they are right even when
 * neither kernel knew the clock's rate (durations are then "?").
 */
static void show_waterfall(int width)
{
	const struct luo_record_update *u;
	__u64 ns[LUO_NR_PHASES], cyc[LUO_NR_PHASES], total = 0, at = 0;
	char t[16], d[16], res[48] = "";
	bool rate;
	int i, done, bar = width - 32;

	if (S.rec_err) {
		line(0, "Last update: no record (%s: %s)", env.record,
		     S.rec_err == -EPROTO ? "not a record luotop can read" :
		     strerror(-S.rec_err));
		return;
	}
	if (!S.rec.hdr.nr_updates) {
		line(0, "Last update: none in the record (no live update led to this kernel)");
		return;
	}
	i = S.rec.hdr.nr_updates - 1;
	u = &S.rec.updates[i];
	rate = luo_rec_khz(u) != 0;
	done = luo_rec_phases(u, ns);
	luo_rec_phase_cycles(u, cyc);
	for (i = 0; i < LUO_NR_PHASES; i++)
		total += cyc[i];
	if (u->result)
		snprintf(res, sizeof(res), " (%s)", strerror(-u->result));
	if (luo_rec_total_ns(u))
		luo_fmt_ns(t, sizeof(t), luo_rec_total_ns(u));
	else
		snprintf(t, sizeof(t), "%s", rate ? "-" : "?");
	line(env.batch ? 0 : A_BOLD, "Last update #%llu (record): %s%s, total %s, %u sessions, %u files, %llu bytes",
	     (unsigned long long)u->number,
	     luo_rec_state_name(luo_rec_state(&S.rec, S.rec.hdr.nr_updates - 1)),
	     res, t, u->nr_sessions, u->nr_files, (unsigned long long)u->bytes);
	if (bar < 10)
		bar = 10;
	if (bar > 200)
		bar = 200;
	for (i = 0; i < LUO_NR_PHASES; i++) {
		char b[204];
		int from = 0, to = 0, k;

		if (total) {
			from = at * bar / total;
			to = (at + cyc[i]) * bar / total;
			if (cyc[i] && to == from)
				to = from + 1;
			if (to > bar) {
				from -= to - bar;
				to = bar;
			}
		}
		for (k = 0; k < bar; k++)
			b[k] = k >= from && k < to ? '#' : ' ';
		b[bar] = '\0';
		at += cyc[i];
		if (i >= done)
			snprintf(d, sizeof(d), "-");
		else if (!rate)
			snprintf(d, sizeof(d), "?");
		else
			luo_fmt_ns(d, sizeof(d), ns[i]);
		if (i < done && total)
			line(0, "  %-9s %10s %5.1f%% |%s|", luo_rec_phase_name(i), d,
			     cyc[i] * 100.0 / total, b);
		else
			line(0, "  %-9s %10s %6s |%s|", luo_rec_phase_name(i), d, "-", b);
	}
}

/* luotop's own programs: "N runs, X a run", or why it cannot say. */
static const char *fmt_self(char *buf, size_t len)
{
	char per[32];

	if (S.stats_fd < 0)
		snprintf(buf, len, "unknown (bpf_stats: %s)", strerror(-S.stats_fd));
	else
		snprintf(buf, len, "%llu runs, %s a run", (unsigned long long)S.self_runs,
			 luo_fmt_ns(per, sizeof(per), S.self_runs ? S.self_ns / S.self_runs : 0));
	return buf;
}

void show_batch(void)
{
	char since[32], self[96];

	show_title(false);
	line(0, "Iteration %ld, every %.2f s, counting since %s (%s ago)", S.iteration,
	     env.delay, S.since, fmt_elapsed(since, sizeof(since)));
	line(0, "luotop's own BPF programs: %s", fmt_self(self, sizeof(self)));
	show_boot();
	line(0, "%s", "");
	show_sessions_table();
	line(0, "%s", "");
	show_files_table();
	show_handlers(-1);
	line(0, "%s", "");
	show_ops(-1);
	line(0, "%s", "");
	show_waterfall(80);
	line(0, "%s", "");
	fflush(stdout);
}

static const char *const help_text[] = {
	"luotop - keys",
	"",
	"  q        quit",
	"  h        this help (any key closes it)",
	"  s        sort operations: rate, p99, name",
	"  p        pause / resume the refresh",
	"",
	"RATE/s   events per second over the last refresh",
	"TOTAL    events since luotop started (ERR: failed)",
	"P50/P99  handler callback time, upper bound of its",
	"         log2 bucket, since luotop started",
	"Sessions: >NAME outgoing (created), <NAME incoming",
	"         (retrieved); sessions and HANDLER files count",
	"         the events since luotop started",
	"Last update: the phases in the live-update record,",
	"         duration ? when the clock's rate is unknown",
};

static void show_help(void)
{
	int n = ARRAY_SIZE(help_text), w = 0, i, y0, x0, h;

	for (i = 0; i < n; i++)
		if ((int)strlen(help_text[i]) > w)
			w = strlen(help_text[i]);
	w += 4;
	h = n + 2;
	if (w > COLS)
		w = COLS;
	if (h > LINES)
		h = LINES;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	for (i = 0; i < h; i++) {
		bool edge = i == 0 || i == h - 1;
		int k;

		move(y0 + i, x0);
		for (k = 0; k < w; k++) {
			if (edge)
				addch(k == 0 || k == w - 1 ? '+' : '-');
			else if (k == 0 || k == w - 1)
				addch('|');
			else
				addch(' ');
		}
		if (!edge && i - 1 < n)
			mvaddnstr(y0 + i, x0 + 2, help_text[i - 1], w - 4);
	}
}

void show_screen(bool paused, bool help, double delay)
{
	int avail, nh, wf, ops_min, ops;
	char since[32], self[96];

	erase();
	O.row = 0;
	O.rows = LINES;
	O.cols = COLS;
	if (LINES < 4 || COLS < 20) {
		line(0, "luotop: terminal too small");
		refresh();
		return;
	}
	/* Title, boot, sessions and the footer are always there. */
	avail = LINES - 4;
	nh = 1 + (S.nr_handlers ? (S.nr_handlers < 4 ? S.nr_handlers : 4) : 1);
	wf = waterfall_lines();
	ops_min = 1 + (S.nr_rows < 3 ? (S.nr_rows ? S.nr_rows : 1) : 3);
	if (avail < nh + wf + ops_min)
		wf = 0;
	if (avail < nh + wf + ops_min)
		nh = 0;
	ops = avail - nh - wf - 1;

	O.rows = LINES - 1;
	show_title(paused);
	show_boot();
	show_sessions_line();
	if (nh)
		show_handlers(nh - 1 - (S.nr_handlers > nh - 1));
	show_ops(ops > 0 ? ops : 0);
	/* The waterfall at the bottom, above the footer. */
	if (wf) {
		O.row = LINES - 1 - wf;
		show_waterfall(COLS);
	}
	O.row = LINES - 1;
	O.rows = LINES;
	line(A_REVERSE, "q quit  h help  s sort  p pause | every %.1f s, counting since %s | own: %s",
	     delay, fmt_elapsed(since, sizeof(since)), fmt_self(self, sizeof(self)));
	if (help)
		show_help();
	refresh();
}
