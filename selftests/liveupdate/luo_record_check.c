// SPDX-License-Identifier: GPL-2.0
/*
 * luo_record_check - check the live-update record of the running kernel.
 *
 * What it proves: the record LUO keeps of each live update (debugfs
 * liveupdate/record.bin, the layout of <linux/liveupdate_record.h>)
 * crossed every kexec and says what really happened: the history holds
 * the updates that brought this kernel here, numbered in order, with the
 * sessions and files each handed over; every phase of a finished update
 * was stamped in order on one clock, so that the phases add up to the
 * update's total, from the first freeze in the old kernel to the last
 * FINISH in the new one; the events of the latest update agree with its
 * phases (one freeze per file, within the freeze phase and costing no
 * more than it; the retrieves within the retrieve phase; each mark
 * stamped with its event), name the files that were preserved, and the
 * update's number is the liveupdate-number this kernel received.
 *
 *   luo_record_check [--updates N] [--sessions S] [--files F]
 *		      [--file SESSION:HANDLER:TOKEN[,TOKEN...]]...
 *		      [--path FILE]
 *
 *   --updates N   the history holds exactly N updates, numbered 1..N
 *   --sessions S  every update of the history handed over S sessions...
 *   --files F     ...and F files
 *   --file ...    the latest update froze exactly these files (repeat
 *		   the option for each session and handler), each with
 *		   result 0, and each was retrieved with result 0
 *   --path FILE   the record to read (default: the debugfs file)
 *
 * The latest update must be complete (every incoming session finished).
 * It prints the waterfall of each update and the events of the latest, in
 * ns and ms, and one TAP line per check; the exit code is 0 only when all
 * pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>
#include <linux/liveupdate_record.h>

#include "kselftest.h"

#define DEFAULT_PATH	"/sys/kernel/debug/liveupdate/record.bin"
#define MAX_FILES	64

#define BIT(n)		(1U << (n))
#define NSEC_PER_MSEC	1000000U
#define ALL_MARKS	(BIT(LUO_RECORD_NR_MARKS) - 1)

/*
 * Names from the uapi's lists (the parser of the binary record below is
 * this checker's own; the names are not).
 */
#define PHASE_FN(x, phase)	[LUO_MARK_##x] = phase,
#define MARK_FN(x, ...)		[LUO_MARK_##x] = #x,
#define EVENT_FN(x, name)	[LUO_REC_##x] = name,

/*
 * The values are ABI (the binary record crosses kexecs between kernels):
 * the lists of the uapi header derive them from their order, so pin them.
 */
_Static_assert(LUO_MARK_FREEZE_BEGIN == 0 && LUO_MARK_FREEZE_END == 1 &&
	       LUO_MARK_SERIALIZED == 2 && LUO_MARK_JUMP == 3 && LUO_MARK_READY == 4 &&
	       LUO_MARK_FIRST_RETRIEVE == 5 && LUO_MARK_LAST_RETRIEVE == 6 &&
	       LUO_MARK_DONE == 7 && LUO_RECORD_NR_MARKS == 8, "record marks moved");
_Static_assert(LUO_REC_FREEZE_BEGIN == 1 && LUO_REC_FILE_FREEZE == 2 &&
	       LUO_REC_FREEZE_END == 3 && LUO_REC_SERIALIZED == 4 && LUO_REC_ABORT == 5 &&
	       LUO_REC_JUMP == 6 && LUO_REC_READY == 7 && LUO_REC_SESSION_RETRIEVE == 8 &&
	       LUO_REC_FILE_RETRIEVE == 9 && LUO_REC_SESSION_FINISH == 10 &&
	       LUO_REC_DONE == 11, "record events moved");

static const char * const phase_names[LUO_RECORD_NR_MARKS] = {
	__LUO_RECORD_MARK_MAPPER(PHASE_FN)
};

static const char * const mark_names[LUO_RECORD_NR_MARKS] = {
	__LUO_RECORD_MARK_MAPPER(MARK_FN)
};

static const char * const event_names[LUO_RECORD_NR_EVENTS] = {
	__LUO_RECORD_EVENT_MAPPER(EVENT_FN)
};

#define NR_EVENT_NAMES	ARRAY_SIZE(event_names)

/* A file the latest update must have frozen and retrieved. */
struct want_file {
	char session[LUO_RECORD_NAME_LEN];
	char handler[LUO_RECORD_HANDLER_LEN];
	uint64_t token;
	unsigned int frozen, retrieved;
};

static struct want_file want[MAX_FILES];
static unsigned int nr_want;
static long want_updates = -1, want_sessions = -1, want_files = -1;

static unsigned int nr_tests, nr_failed;

static __printf(2, 3) bool check(bool pass, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!pass)
		nr_failed++;
	printf("%s %u ", pass ? "ok" : "not ok", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return pass;
}

/*
 * The rate of @u's clock: the old kernel's, or the new kernel's when the
 * old one could not calibrate its TSC; 0 when neither could.
 */
static uint32_t rate(const struct luo_record_update *u)
{
	return u->khz ? u->khz : u->next_khz;
}

/* @cycles of @u's clock in ns, or still in cycles when its rate is unknown. */
static uint64_t ns(const struct luo_record_update *u, uint64_t cycles)
{
	uint32_t khz = rate(u);

	return khz ? (uint64_t)((unsigned __int128)cycles * NSEC_PER_MSEC / khz) : cycles;
}

static const char *event_name(uint32_t type)
{
	return type < NR_EVENT_NAMES && event_names[type] ? event_names[type] : "?";
}

static bool reached(const struct luo_record_update *u, int mark)
{
	return u->marks & BIT(mark);
}

/* The whole file: the buffer (to free) and its size in *@size, or NULL. */
static void *read_all(const char *path, size_t *size)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap), *p;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			p = realloc(buf, cap *= 2);
			if (!p)
				break;
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0) {
				close(fd);
				*size = len;
				return buf;
			}
			break;
		}
		len += n;
	}
	close(fd);
	free(buf);
	return NULL;
}

/* The kernel log, NUL-terminated (to free), or NULL. */
static char *read_klog(void)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *log;

	if (size <= 0)
		return NULL;
	log = malloc(size + 1);
	if (!log)
		return NULL;
	size = klogctl(3, log, size);		/* SYSLOG_ACTION_READ_ALL */
	if (size < 0) {
		free(log);
		return NULL;
	}
	log[size] = '\0';
	return log;
}

/* Print the lines of the kernel log holding @key, as TAP diagnostics. */
static void print_klog(const char *key)
{
	char *log = read_klog(), *p, *eol;

	for (p = log ? strstr(log, key) : NULL; p; p = strstr(eol, key)) {
		while (p > log && p[-1] != '\n')
			p--;
		eol = strchrnul(p, '\n');
		printf("# kernel: %.*s\n", (int)(eol - p), p);
	}
	free(log);
}

/*
 * The liveupdate-number this kernel received and the sessions and files,
 * from LUO's boot message "luo: live update #N: S sessions with F files
 * received, ...".  Return false when the kernel log does not say.
 */
static bool received_update(uint64_t *number, unsigned long *sessions, unsigned long *files)
{
	const char *key = "luo: live update #";
	char *log = read_klog(), *p;
	bool found = false;

	for (p = log ? strstr(log, key) : NULL; p; p = strstr(p + 1, key)) {
		unsigned long long n;

		if (sscanf(p + strlen(key), "%llu: %lu sessions with %lu files", &n,
			   sessions, files) == 3) {
			*number = n;
			found = true;
		}
	}
	free(log);
	return found;
}

/* Print the phases of @u and check they are stamped in order and add up. */
static void check_update(const struct luo_record_update *u, bool latest)
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

static bool same_file(const struct luo_record_entry *a, const struct luo_record_entry *b)
{
	return a->token == b->token && !strcmp(a->session, b->session) &&
	       !strcmp(a->handler, b->handler);
}

/* Check the events of the latest update @u against its marks. */
static void check_entries(const struct luo_record_update *u,
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

static int check_record(const char *path)
{
	const struct luo_record_header *h;
	struct luo_record_update *updates;
	struct luo_record_entry *entries;
	unsigned long sessions = 0, files = 0;
	uint64_t number = 0;
	size_t size = 0, want_size;
	uint32_t i;
	bool ok;
	char *buf;

	buf = read_all(path, &size);
	if (!check(buf, "read %s: %s", path, buf ? "ok" : strerror(errno)))
		return 1;
	h = (void *)buf;
	ok = size >= sizeof(*h);
	if (ok)
		printf("# record: version %u, clock %s, %u of %u updates, %u events (%u dropped)\n",
		       h->version, h->clock == LUO_RECORD_CLOCK_TSC ? "tsc" :
		       h->clock == LUO_RECORD_CLOCK_MONO ? "monotonic" : "?",
		       h->nr_updates, h->max_updates, h->nr_entries, h->dropped);
	ok = ok && h->magic == LUO_RECORD_MAGIC && h->version == LUO_RECORD_VERSION &&
	     h->header_size == sizeof(*h) && h->update_size == sizeof(*updates) &&
	     h->entry_size == sizeof(*entries) && h->reserved == 0 &&
	     (h->clock == LUO_RECORD_CLOCK_TSC || h->clock == LUO_RECORD_CLOCK_MONO) &&
	     h->max_updates == LUO_RECORD_MAX_UPDATES && h->nr_updates <= h->max_updates &&
	     h->nr_entries <= h->max_entries;
	want_size = size >= sizeof(*h) ?
		    (size_t)h->header_size + (size_t)h->max_updates * h->update_size +
		    (size_t)h->nr_entries * h->entry_size : sizeof(*h);
	if (!check(ok && size == want_size,
		   "header: magic, version %u, sizes %u/%u/%u, clock, counts; %zu bytes for "
		   "%zu expected", LUO_RECORD_VERSION, (unsigned int)sizeof(*h),
		   (unsigned int)sizeof(*updates), (unsigned int)sizeof(*entries), size,
		   want_size)) {
		free(buf);
		return 1;
	}
	/* Why a record may be missing: LUO says so at boot. */
	print_klog("live update record:");
	if (h->clock != LUO_RECORD_CLOCK_TSC)
		printf("# the clock is CLOCK_MONOTONIC: this kernel has no usable TSC (its "
		       "calibration failed? see 'tsc:' in dmesg), and no record crosses a "
		       "kexec without one\n");
	/* Step by the header's sizes: later versions append fields. */
	updates = calloc(h->nr_updates + 1, sizeof(*updates));
	entries = calloc(h->nr_entries + 1, sizeof(*entries));
	if (!updates || !entries) {
		check(false, "memory");
		return 1;
	}
	for (i = 0; i < h->nr_updates; i++)
		memcpy(&updates[i], buf + h->header_size + i * h->update_size, sizeof(*updates));
	for (i = 0; i < h->nr_entries; i++) {
		memcpy(&entries[i], buf + h->header_size + h->max_updates * h->update_size +
		       i * h->entry_size, sizeof(*entries));
		entries[i].session[sizeof(entries[i].session) - 1] = '\0';
		entries[i].handler[sizeof(entries[i].handler) - 1] = '\0';
	}

	if (want_updates >= 0) {
		ok = h->nr_updates == want_updates;
		for (i = 0; ok && i < h->nr_updates; i++)
			ok = updates[i].number == i + 1;
		check(ok, "the history holds %u updates, numbered 1..%ld in order",
		      h->nr_updates, want_updates);
	} else {
		ok = h->nr_updates > 0;
		for (i = 1; ok && i < h->nr_updates; i++)
			ok = updates[i].number >= updates[i - 1].number;
		check(ok, "the history holds %u updates, in order", h->nr_updates);
	}
	if (want_sessions >= 0 || want_files >= 0) {
		ok = h->nr_updates > 0;
		for (i = 0; i < h->nr_updates; i++) {
			if ((want_sessions >= 0 && updates[i].nr_sessions != want_sessions) ||
			    (want_files >= 0 && updates[i].nr_files != want_files)) {
				printf("#   update %" PRIu64 ": %u sessions, %u files\n",
				       (uint64_t)updates[i].number, updates[i].nr_sessions,
				       updates[i].nr_files);
				ok = false;
			}
		}
		check(ok, "every update handed over %ld sessions with %ld files", want_sessions,
		      want_files);
	}
	for (i = 0; i < h->nr_updates; i++)
		check_update(&updates[i], i + 1 == h->nr_updates);
	if (h->nr_updates) {
		const struct luo_record_update *u = &updates[h->nr_updates - 1];

		check_entries(u, entries, h->nr_entries, h->dropped);
		if (received_update(&number, &sessions, &files))
			check(number == u->number && sessions == u->nr_sessions &&
			      files == u->nr_files,
			      "this kernel received live update #%" PRIu64 " of %lu sessions, "
			      "%lu files: the latest update of the record (#%" PRIu64 ", %u, %u)",
			      number, sessions, files, (uint64_t)u->number, u->nr_sessions,
			      u->nr_files);
		else
			check(false, "the kernel log says which live update this kernel received");
	}
	free(updates);
	free(entries);
	free(buf);
	return 0;
}

/* SESSION:HANDLER:TOKEN[,TOKEN...] */
static int add_files(char *arg)
{
	char *handler = strchr(arg, ':'), *tokens, *tok, *end;

	if (!handler)
		return -1;
	*handler++ = '\0';
	tokens = strchr(handler, ':');
	if (!tokens)
		return -1;
	*tokens++ = '\0';
	if (!*arg || strlen(arg) >= LUO_RECORD_NAME_LEN || !*handler ||
	    strlen(handler) >= LUO_RECORD_HANDLER_LEN)
		return -1;
	for (tok = strtok(tokens, ","); tok; tok = strtok(NULL, ",")) {
		if (nr_want == MAX_FILES)
			return -1;
		errno = 0;
		want[nr_want].token = strtoull(tok, &end, 0);
		if (errno || *end || end == tok)
			return -1;
		/* Both lengths were checked above. */
		snprintf(want[nr_want].session, sizeof(want[nr_want].session), "%s", arg);
		snprintf(want[nr_want].handler, sizeof(want[nr_want].handler), "%s", handler);
		nr_want++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "updates", required_argument, NULL, 'u' },
		{ "sessions", required_argument, NULL, 's' },
		{ "files", required_argument, NULL, 'f' },
		{ "file", required_argument, NULL, 'F' },
		{ "path", required_argument, NULL, 'p' },
		{}
	};
	const char *path = DEFAULT_PATH;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			want_updates = atol(optarg);
			break;
		case 's':
			want_sessions = atol(optarg);
			break;
		case 'f':
			want_files = atol(optarg);
			break;
		case 'F':
			if (add_files(optarg))
				goto usage;
			break;
		case 'p':
			path = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	printf("TAP version 13\n");
	check_record(path);
	printf("1..%u\n", nr_tests);
	printf("# luo_record_check: %u passed, %u failed\n", nr_tests - nr_failed, nr_failed);
	return nr_failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: %s [--updates N] [--sessions S] [--files F]\n"
		"       [--file SESSION:HANDLER:TOKEN[,TOKEN...]]... [--path FILE]\n", argv[0]);
	return 2;
}
