// SPDX-License-Identifier: GPL-2.0
/*
 * luotop - a top-like dashboard of the Live Update Orchestrator.
 *
 * Refreshed every second, it shows:
 *  - LUO's state: the liveupdate-number of the running kernel, what it
 *    received at boot (the kernel log), the sessions created or retrieved
 *    and the files per handler since luotop started (from the events: LUO
 *    has no other interface that lists sessions);
 *  - per operation x handler, the rate, the total, the errors and the p50
 *    and p99 of the handler callback's duration, from bpf/luotop.bpf.c
 *    (a per-CPU hash of counts and log2 histograms);
 *  - the waterfall of the last live update's phases, from the live-update
 *    record in debugfs (tools/lib/luo_record.h).
 *
 * Interactive with ncurses (q quit, h help, s sort, p pause; any size,
 * redrawn on resize), or plain text with -b for scripts, like top's batch
 * mode.  The terminal is restored on q, on SIGINT/SIGTERM/SIGHUP and on
 * any exit.
 */
#include <argp.h>
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "luo_tools.h"
#include "luo_record.h"
#include "luotop.h"
#include "luotop.skel.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

_Static_assert(LUOTOP_SLOTS == LUO_HIST_SLOTS, "luotop.h and luo_tools.h disagree on the histogram");

enum sort_by { SORT_RATE, SORT_P99, SORT_NAME, NR_SORTS };
static const char *const sort_names[NR_SORTS] = { "rate", "p99", "name" };

static struct env {
	bool batch;
	long iterations;	/* 0: until q or a signal */
	double delay;		/* seconds between refreshes */
	enum sort_by sort;
	const char *record;
	bool verbose;
} env = {
	.delay = 1.0,
	.sort = SORT_RATE,
	.record = LUO_RECORD_PATH,
};

const char *argp_program_version = "luotop 1.0";
const char *argp_program_bug_address = "the LUO project's issue tracker";
static const char argp_program_doc[] =
"A top-like dashboard of LUO (Live Update Orchestrator): its sessions and\n"
"files per handler, the rate and latency (p50/p99 of the handler callback)\n"
"of every operation x handler, and the phases of the last live update.\n"
"\n"
"USAGE: luotop [-b] [-n ITERATIONS] [-d SECONDS] [-s rate|p99|name]\n"
"              [-r RECORD] [-v]\n"
"\n"
"Keys: q quit, h help, s cycle the sort (rate, p99, name), p pause.\n"
"Sessions, files and rates count what happened since luotop started.\n"
"\n"
"EXAMPLES:\n"
"    luotop                 # the dashboard, refreshed every second\n"
"    luotop -d 0.5 -s p99   # twice a second, slowest operations first\n"
"    luotop -b -n 5         # five plain-text reports a second apart, then exit\n"
"    luotop -b -n 1 -d 0    # one report at once, e.g. the last update's phases\n"
"    luotop -b -d 10 > luo.log &  # a report every 10 s until SIGTERM\n";

static const struct argp_option opts[] = {
	{ "batch", 'b', NULL, 0, "Batch mode: plain text on stdout, no curses", 0 },
	{ "iterations", 'n', "N", 0, "Stop after N refreshes (default: never)", 0 },
	{ "delay", 'd', "SECONDS", 0, "Seconds between refreshes (default 1)", 0 },
	{ "sort", 's', "KEY", 0, "Sort operations by rate (default), p99 or name", 0 },
	{ "record", 'r', "PATH", 0, "The live-update record (default " LUO_RECORD_PATH ")", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;
	int i;

	switch (key) {
	case 'b':
		env.batch = true;
		break;
	case 'n':
		errno = 0;
		env.iterations = strtol(arg, &end, 10);
		if (errno || *end || env.iterations < 1)
			argp_error(state, "invalid number of iterations: %s", arg);
		break;
	case 'd':
		errno = 0;
		env.delay = strtod(arg, &end);
		if (errno || *end || end == arg || !(env.delay >= 0 && env.delay <= 3600))
			argp_error(state, "invalid delay (0 to 3600 s): %s", arg);
		break;
	case 's':
		for (i = 0; i < NR_SORTS; i++)
			if (!strcmp(arg, sort_names[i]))
				break;
		if (i == NR_SORTS)
			argp_error(state, "invalid sort key (rate, p99, name): %s", arg);
		env.sort = i;
		break;
	case 'r':
		env.record = arg;
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		argp_usage(state);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/*
 * Signals.  The handler only raises the flag, which the loops check at
 * least every 100 ms; the main path then ends curses.  Should the loop be
 * stuck, a second signal restores the terminal from the handler itself.
 */
static volatile sig_atomic_t exiting;
static volatile sig_atomic_t curses_on;

static void sig_handler(int sig)
{
	if (exiting && curses_on) {
		endwin();
		_exit(128 + sig);
	}
	exiting = sig;
}

static void restore_terminal(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One operation x handler, summed over the CPUs. */
struct row {
	struct luotop_key key;
	struct luotop_stat st;
	__u64 prev_count;
	double rate;		/* per second over the last refresh */
	__u64 p50, p99;		/* ns; 0 without timed samples */
};

/* Files per handler, derived from the rows. */
struct handler {
	char name[LUO_COMPAT_LEN];
	__u64 preserved;	/* file_preserve - file_unpreserve */
	__u64 retrieved;
	__u64 finished;
	__u64 errors;		/* of all its operations */
};

struct sess {
	struct luotop_skey key;
	struct luotop_session val;
};

/* What the kernel log said at boot: "luo: live update #N: ...". */
struct boot_info {
	bool found;
	unsigned long long number;
	unsigned long sessions, files, dropped, flbs;
};

static struct state {
	struct row *rows;
	int nr_rows, cap_rows;
	struct handler *handlers;
	int nr_handlers;
	struct sess *sess;
	int nr_sess;
	struct luo_rec rec;
	int rec_err;		/* luo_rec_read()'s */
	struct boot_info boot;
	char release[65];
	double start, last;	/* now_s() at attach and at the last refresh */
	char since[16];		/* wall clock at attach */
	long iteration;
	int ncpus;
	void *percpu;		/* lookup buffer */
} S;

static void read_boot_info(void)
{
	char buf[8192], *msg;
	struct boot_info b;
	ssize_t n;
	int fd;

	/* /dev/kmsg starts at the oldest record the buffer holds. */
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;	/* overwritten while we read; go on */
		if (n <= 0)
			break;
		buf[n] = '\0';
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		memset(&b, 0, sizeof(b));
		if (sscanf(msg + 1, "luo: live update #%llu: %lu sessions with %lu files received, %lu dropped, %lu FLBs",
			   &b.number, &b.sessions, &b.files, &b.dropped, &b.flbs) == 5) {
			b.found = true;
			S.boot = b;
		}
	}
	close(fd);
}

/*
 * The liveupdate-number of this kernel: the kernel log's, else that of
 * the latest update of the record that a new kernel took over (0: none).
 * False when neither says.
 */
static bool liveupdate_number(unsigned long long *nr)
{
	int i;

	*nr = 0;
	if (S.boot.found) {
		*nr = S.boot.number;
		return true;
	}
	if (S.rec_err)
		return false;
	for (i = (int)S.rec.hdr.nr_updates - 1; i >= 0; i--) {
		if (luo_rec_reached(&S.rec.updates[i], LUO_MARK_READY)) {
			*nr = S.rec.updates[i].number;
			break;
		}
	}
	return true;
}

static struct row *find_row(const struct luotop_key *k)
{
	struct row *r;
	int i;

	for (i = 0; i < S.nr_rows; i++)
		if (!memcmp(&S.rows[i].key, k, sizeof(*k)))
			return &S.rows[i];
	if (S.nr_rows == S.cap_rows) {
		int cap = S.cap_rows ? S.cap_rows * 2 : 32;

		r = realloc(S.rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		S.rows = r;
		S.cap_rows = cap;
	}
	r = &S.rows[S.nr_rows++];
	memset(r, 0, sizeof(*r));
	r->key = *k;
	return r;
}

static void sum_handlers(void)
{
	struct handler *h;
	int i, j;

	free(S.handlers);
	S.handlers = calloc(S.nr_rows + 1, sizeof(*S.handlers));
	S.nr_handlers = 0;
	if (!S.handlers)
		return;
	for (i = 0; i < S.nr_rows; i++) {
		const struct row *r = &S.rows[i];

		if (!r->key.handler[0])
			continue;
		for (j = 0; j < S.nr_handlers; j++)
			if (!strcmp(S.handlers[j].name, r->key.handler))
				break;
		h = &S.handlers[j];
		if (j == S.nr_handlers) {
			memcpy(h->name, r->key.handler, sizeof(h->name));
			S.nr_handlers++;
		}
		h->errors += r->st.errors;
		switch (r->key.op) {
		case LUO_OP_FILE_PRESERVE:
			h->preserved += r->st.ok;
			break;
		case LUO_OP_FILE_UNPRESERVE:
			h->preserved -= r->st.ok;
			break;
		case LUO_OP_FILE_RETRIEVE:
			h->retrieved += r->st.ok;
			break;
		case LUO_OP_FILE_FINISH:
			h->finished += r->st.ok;
			break;
		}
	}
	/* Unpreserves of files preserved before luotop started. */
	for (j = 0; j < S.nr_handlers; j++)
		if ((__s64)S.handlers[j].preserved < 0)
			S.handlers[j].preserved = 0;
}

static int cmp_handler(const void *a, const void *b)
{
	return strcmp(((const struct handler *)a)->name,
		      ((const struct handler *)b)->name);
}

static int cmp_sess(const void *a, const void *b)
{
	const struct sess *x = a, *y = b;

	if (x->key.dir != y->key.dir)
		return x->key.dir < y->key.dir ? -1 : 1;
	return strcmp(x->key.name, y->key.name);
}

static int read_sessions(int fd)
{
	struct luotop_skey key, next, *prev = NULL;
	struct sess *s;
	int n = 0, cap = 0;

	free(S.sess);
	S.sess = NULL;
	S.nr_sess = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			s = realloc(S.sess, cap * sizeof(*s));
			if (!s)
				return -ENOMEM;
			S.sess = s;
		}
		s = &S.sess[n];
		s->key = next;
		key = next;
		prev = &key;
		/* Deleted since get_next_key: skip it. */
		if (bpf_map_lookup_elem(fd, &key, &s->val))
			continue;
		n++;
	}
	S.nr_sess = n;
	if (n)
		qsort(S.sess, n, sizeof(*S.sess), cmp_sess);
	return 0;
}

static int collect(struct luotop *skel)
{
	int fd = bpf_map__fd(skel->maps.stats);
	size_t vsz = sizeof(struct luotop_stat);
	struct luotop_key key, next, *prev = NULL;
	double t = now_s(), dt = t - S.last;
	struct luo_hist h;
	struct row *r;
	int i, c, j;

	if (dt <= 0)
		dt = 1e-9;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, S.percpu))
			continue;
		r = find_row(&key);
		if (!r)
			return -ENOMEM;
		memset(&r->st, 0, sizeof(r->st));
		for (c = 0; c < S.ncpus; c++) {
			const struct luotop_stat *v = S.percpu + c * vsz;

			r->st.count += v->count;
			r->st.ok += v->ok;
			r->st.errors += v->errors;
			r->st.timed += v->timed;
			r->st.sum_ns += v->sum_ns;
			for (j = 0; j < LUOTOP_SLOTS; j++)
				r->st.slots[j] += v->slots[j];
		}
	}
	for (i = 0; i < S.nr_rows; i++) {
		r = &S.rows[i];
		r->rate = (r->st.count - r->prev_count) / dt;
		r->prev_count = r->st.count;
		memcpy(h.slots, r->st.slots, sizeof(h.slots));
		r->p50 = luo_hist_percentile(&h, 50);
		r->p99 = luo_hist_percentile(&h, 99);
	}
	S.last = t;
	sum_handlers();
	qsort(S.handlers, S.nr_handlers, sizeof(*S.handlers), cmp_handler);
	read_sessions(bpf_map__fd(skel->maps.sessions));

	luo_rec_free(&S.rec);
	S.rec_err = luo_rec_read(env.record, &S.rec);
	S.iteration++;
	return 0;
}

static int cmp_name(const struct row *x, const struct row *y)
{
	int d = strcmp(luo_op_name(x->key.op) ?: "", luo_op_name(y->key.op) ?: "");

	return d ? d : strcmp(x->key.handler, y->key.handler);
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	switch (env.sort) {
	case SORT_RATE:
		if (x->rate != y->rate)
			return x->rate > y->rate ? -1 : 1;
		if (x->st.count != y->st.count)
			return x->st.count > y->st.count ? -1 : 1;
		break;
	case SORT_P99:
		if (x->p99 != y->p99)
			return x->p99 > y->p99 ? -1 : 1;
		break;
	default:
		break;
	}
	return cmp_name(x, y);
}

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
	line(A_REVERSE, "luotop - %s  sort: %s%s  %s  %s", clock,
	     sort_names[env.sort], paused ? "  PAUSED" : "", lu, S.release);
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

/* The sessions seen since luotop started, on one line. */
static void show_sessions_line(void)
{
	unsigned long out = 0, out_files = 0, in = 0, fin = 0, closed = 0;
	char names[256] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < S.nr_sess; i++) {
		const struct sess *s = &S.sess[i];

		if (s->key.dir == LUOTOP_OUT) {
			out++;
			out_files += s->val.files;
		} else {
			in++;
			fin += !!(s->val.flags & LUOTOP_S_FINISHED);
			closed += !!(s->val.flags & LUOTOP_S_RELEASED);
		}
		if (len < sizeof(names) - 1)
			len += snprintf(names + len, sizeof(names) - len, " %s%s",
					s->key.dir == LUOTOP_OUT ? ">" : "<", s->key.name);
	}
	line(0, "Sessions: out %lu (%lu files)  in %lu (%lu finished, %lu closed) |%s",
	     out, out_files, in, fin, closed, names[0] ? names : " none");
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
		snprintf(st, sizeof(st), "%s%s",
			 v->flags & LUOTOP_S_FINISHED ? "finished" : "retrieved",
			 v->flags & LUOTOP_S_RELEASED ? ",closed" : "");
		line(0, "%-20s %-4s %9llu %9llu %9llu  %s", s->key.name, "in",
		     (unsigned long long)v->files, (unsigned long long)v->retrieved,
		     (unsigned long long)v->finished, st);
	}
	if (!S.nr_sess)
		line(0, "(no session created or retrieved since luotop started)");
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

static void show_batch(void)
{
	char since[32];

	show_title(false);
	line(0, "Iteration %ld, every %.2f s, counting since %s (%s ago)", S.iteration,
	     env.delay, S.since, fmt_elapsed(since, sizeof(since)));
	show_boot();
	line(0, "%s", "");
	show_sessions_table();
	line(0, "%s", "");
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

static void show_screen(bool paused, bool help, double delay)
{
	int avail, nh, wf, ops_min, ops;
	char since[32];

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
	line(A_REVERSE, "q quit  h help  s sort  p pause | every %.1f s, counting since %s",
	     delay, fmt_elapsed(since, sizeof(since)));
	if (help)
		show_help();
	refresh();
}

static int run_batch(struct luotop *skel)
{
	struct timespec ts;
	long i;

	for (i = 1; !exiting && (!env.iterations || i <= env.iterations); i++) {
		if (i > 1) {
			ts.tv_sec = (time_t)env.delay;
			ts.tv_nsec = (long)((env.delay - ts.tv_sec) * 1e9);
			/* A signal ends the sleep and the loop. */
			while (nanosleep(&ts, &ts) && errno == EINTR && !exiting)
				;
			if (exiting)
				break;
		}
		if (collect(skel))
			return 1;
		show_batch();
	}
	return 0;
}

static int run_curses(struct luotop *skel)
{
	double delay = env.delay < 0.1 ? 0.1 : env.delay, next;
	bool paused = false, help = false, dirty = true;
	long refreshes = 0;
	int ch;

	if (!initscr()) {
		fprintf(stderr, "luotop: cannot initialize the terminal\n");
		return 1;
	}
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(100);

	collect(skel);
	refreshes++;
	next = now_s() + delay;
	while (!exiting) {
		if (!paused && now_s() >= next) {
			if (env.iterations && refreshes >= env.iterations)
				break;
			collect(skel);
			refreshes++;
			next += delay;
			if (next < now_s())
				next = now_s() + delay;
			dirty = true;
		}
		if (dirty) {
			show_screen(paused, help, delay);
			dirty = false;
		}
		ch = getch();
		if (ch == ERR)
			continue;
		dirty = true;
		if (ch == KEY_RESIZE) {
			clear();
			continue;
		}
		if (help && ch != 'q' && ch != 'Q') {
			help = false;
			continue;
		}
		switch (ch) {
		case 'q':
		case 'Q':
			exiting = -1;
			break;
		case 'h':
		case 'H':
		case '?':
			help = true;
			break;
		case 's':
		case 'S':
			env.sort = (env.sort + 1) % NR_SORTS;
			break;
		case 'p':
		case 'P':
		case ' ':
			paused = !paused;
			if (!paused)
				next = now_s();
			break;
		case 12:	/* ^L */
			clear();
			break;
		}
	}
	restore_terminal();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = argp_program_doc,
	};
	struct luotop *skel;
	struct sigaction sa = { .sa_handler = sig_handler };
	struct utsname uts;
	time_t t;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return err;
	setlocale(LC_ALL, "");
	luo_require_events("luotop");
	luo_libbpf_print_setup(env.verbose);

	S.ncpus = libbpf_num_possible_cpus();
	if (S.ncpus <= 0) {
		fprintf(stderr, "luotop: cannot count the CPUs: %s\n", strerror(-S.ncpus));
		return 1;
	}
	S.percpu = calloc(S.ncpus, sizeof(struct luotop_stat));
	if (!S.percpu)
		return 1;

	skel = luotop__open_and_load();
	if (!skel) {
		fprintf(stderr, "luotop: cannot load the BPF programs: %s\n", strerror(errno));
		return 1;
	}
	err = luotop__attach(skel);
	if (err) {
		fprintf(stderr, "luotop: cannot attach the BPF programs: %s\n", strerror(-err));
		goto out;
	}

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(restore_terminal);

	if (!uname(&uts))
		snprintf(S.release, sizeof(S.release), "%s", uts.release);
	read_boot_info();
	S.start = S.last = now_s();
	t = time(NULL);
	strftime(S.since, sizeof(S.since), "%H:%M:%S", localtime(&t));

	err = env.batch ? run_batch(skel) : run_curses(skel);
out:
	luotop__destroy(skel);
	luo_rec_free(&S.rec);
	return err ? 1 : 0;
}
