// SPDX-License-Identifier: GPL-2.0
/*
 * luosnoop's output (luosnoop_print.h): each event as a line of text or a
 * JSON object, its time on the wall clock, and the summaries of
 * "luosnoop interval [count]".
 */
#include <limits.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "luo_tools.h"
#include "luosnoop_print.h"

/* CLOCK_REALTIME - CLOCK_MONOTONIC (bpf_ktime_get_ns()), in ns. */
static __s64 wall_offset;

struct luosnoop_out luosnoop_out;

/*
 * A command run by "luosnoop -- COMMAND" may share luosnoop's stdout, and
 * so may anything else writing to the same file or pipe.  For no line of
 * ours to be cut by theirs, each write(2) of ours holds whole lines only,
 * and at most PIPE_BUF bytes, which a pipe writes in one piece: each line
 * is built in @line, then added to stdout's buffer of PIPE_BUF bytes, which
 * is flushed first when the line would not fit.
 */
static char out_buf[PIPE_BUF];
static FILE *line;
static char *line_buf;
static size_t line_len;

int luosnoop_print_init(void)
{
	line = open_memstream(&line_buf, &line_len);
	if (!line)
		return -1;
	return setvbuf(stdout, out_buf, _IOFBF, sizeof(out_buf)) ? -1 : 0;
}

void luosnoop_print_fini(void)
{
	fflush(stdout);
	if (line)
		fclose(line);
	free(line_buf);
	line = NULL;
	line_buf = NULL;
}

/* The line built in @line, added whole to stdout's buffer. */
static void line_end(void)
{
	fflush(line);
	if (__fpending(stdout) + line_len > sizeof(out_buf))
		fflush(stdout);
	fwrite(line_buf, 1, line_len, stdout);
	rewind(line);
}

__u64 luosnoop_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * CLOCK_REALTIME - CLOCK_MONOTONIC, from the pair of reads least apart: on a
 * clock that ticks in jiffies, one tick between the two reads would shift
 * every time printed by a tick.
 */
static __s64 wall_minus_mono(void)
{
	__u64 m0, r, m1, best_gap = ~0ULL;
	__s64 best = 0;
	int i;

	for (i = 0; i < 16 && best_gap; i++) {
		m0 = luosnoop_ns(CLOCK_MONOTONIC);
		r = luosnoop_ns(CLOCK_REALTIME);
		m1 = luosnoop_ns(CLOCK_MONOTONIC);
		if (m1 - m0 < best_gap) {
			best_gap = m1 - m0;
			best = (__s64)(r - m0 - (m1 - m0) / 2);
		}
	}
	return best;
}

/* The wall-clock time of @ts_ns as "HH:MM:SS.uuuuuu". */
static const char *fmt_time(char *buf, size_t len, __u64 ts_ns)
{
	__u64 wall = ts_ns + wall_offset;
	time_t sec = wall / 1000000000ULL;
	struct tm tm;
	size_t n;

	n = strftime(buf, len, "%H:%M:%S", localtime_r(&sec, &tm));
	snprintf(buf + n, len - n, ".%06llu",
		 (unsigned long long)(wall % 1000000000ULL / 1000));
	return buf;
}

enum kind { K_SESSION, K_FILE, K_FLB, K_REBOOT_BEGIN, K_REBOOT_END, K_SERIALIZE,
	    K_INCOMING };

static enum kind kind_of(__u32 op)
{
	if (op <= LUO_OP_SESSION_FINISH)
		return K_SESSION;
	if (op <= LUO_OP_FILE_FINISH)
		return K_FILE;
	if (op <= LUO_OP_FLB_FINISH)
		return K_FLB;
	switch (op) {
	case LUO_OP_REBOOT_BEGIN:
		return K_REBOOT_BEGIN;
	case LUO_OP_REBOOT_END:
		return K_REBOOT_END;
	case LUO_OP_SERIALIZE:
		return K_SERIALIZE;
	default:
		return K_INCOMING;
	}
}

static bool has_duration(enum kind k)
{
	return k == K_FILE || k == K_FLB || k == K_REBOOT_END || k == K_SERIALIZE;
}

/* Whether the kernel told @e's field @bit (LUO_UNKNOWN_*: fentry mode). */
static bool known(const struct luo_event *e, __u32 bit)
{
	return !(e->unknown & bit);
}

/* -T: @e's time since luosnoop began tracing (stamped before the attach). */
static long long elapsed_ns(const struct luo_event *e)
{
	return (long long)(e->ts_ns - luosnoop_out.start_ns);
}

/* ,"@key":@v, or null when not known. */
static void json_u64(FILE *f, const char *key, __u64 v, bool ok)
{
	if (ok)
		fprintf(f, ",\"%s\":%llu", key, (unsigned long long)v);
	else
		fprintf(f, ",\"%s\":null", key);
}

/* " @key=@v" (or @key=? when not known) appended to @buf. */
static void text_u64(char *buf, size_t len, const char *key, __u64 v, bool ok)
{
	size_t n = strlen(buf);

	if (ok)
		snprintf(buf + n, len - n, "%s%s=%llu", n ? " " : "", key, (unsigned long long)v);
	else
		snprintf(buf + n, len - n, "%s%s=?", n ? " " : "", key);
}

static void print_json(const struct luo_event *e, const char *time, const char *op)
{
	enum kind k = kind_of(e->op);
	bool files = known(e, LUO_UNKNOWN_FILES);
	FILE *f = line;

	fprintf(f, "{\"time\":\"%s\",\"ts_ns\":%llu,", time, (unsigned long long)e->ts_ns);
	if (luosnoop_out.elapsed)
		fprintf(f, "\"elapsed_ns\":%lld,", elapsed_ns(e));
	fprintf(f, "\"pid\":%u,\"comm\":", e->pid);
	luo_json_str(f, e->comm);
	fprintf(f, ",\"op\":\"%s\",\"session\":", op);
	if (k == K_SESSION || k == K_FILE)
		luo_json_str(f, e->session);
	else
		fputs("null", f);
	fputs(",\"handler\":", f);
	if ((k == K_FILE || k == K_FLB) && known(e, LUO_UNKNOWN_HANDLER))
		luo_json_str(f, e->handler);
	else
		fputs("null", f);
	json_u64(f, "token", e->token, k == K_FILE);
	fprintf(f, ",\"result\":%d", e->result);
	json_u64(f, "duration_ns", e->duration_ns,
		 has_duration(k) && known(e, LUO_UNKNOWN_DURATION));
	switch (k) {
	case K_SESSION:
		json_u64(f, "files", e->files, files);
		break;
	case K_FLB:
		fputs(",\"flb\":", f);
		luo_json_str(f, e->session);
		fprintf(f, ",\"count\":%llu", (unsigned long long)e->token);
		break;
	case K_INCOMING:
		json_u64(f, "number", e->token, known(e, LUO_UNKNOWN_NUMBER));
		/* fallthrough */
	case K_REBOOT_BEGIN:
	case K_REBOOT_END:
		json_u64(f, "sessions", e->sessions, known(e, LUO_UNKNOWN_SESSIONS));
		json_u64(f, "files", e->files, files);
		break;
	case K_SERIALIZE:
		json_u64(f, "sessions", e->sessions, known(e, LUO_UNKNOWN_SESSIONS));
		json_u64(f, "files", e->files, files);
		json_u64(f, "bytes", e->bytes, known(e, LUO_UNKNOWN_BYTES));
		break;
	case K_FILE:
		break;
	}
	fprintf(f, ",\"mode\":\"%s\"}\n", luo_mode_name(luosnoop_out.mode));
	line_end();
}

void luosnoop_print_header(void)
{
	if (luosnoop_out.elapsed)
		fprintf(line, "%-12s ", "TIME(s)");
	fprintf(line, "%-15s %-7s %-16s %-16s %-12s %-14s %-6s %6s %10s %s\n", "TIME", "PID",
		"COMM", "OP", "SESSION", "HANDLER", "TOKEN", "RESULT", "LATENCY", "DETAIL");
	line_end();
}

static void print_text(const struct luo_event *e, const char *time, const char *op)
{
	enum kind k = kind_of(e->op);
	char token[24] = "-", lat[32] = "-", detail[128] = "";
	const char *session = "-", *handler = "-";
	bool files = known(e, LUO_UNKNOWN_FILES);

	if (k == K_SESSION || k == K_FILE)
		session = e->session;
	if ((k == K_FILE || k == K_FLB) && !known(e, LUO_UNKNOWN_HANDLER))
		handler = "?";
	else if ((k == K_FILE || k == K_FLB) && e->handler[0])
		handler = e->handler;
	if (k == K_FILE)
		snprintf(token, sizeof(token), "%llu", (unsigned long long)e->token);
	if (has_duration(k) && !known(e, LUO_UNKNOWN_DURATION))
		strcpy(lat, "?");
	else if (has_duration(k))
		luo_fmt_ns(lat, sizeof(lat), e->duration_ns);
	switch (k) {
	case K_SESSION:
		text_u64(detail, sizeof(detail), "files", e->files, files);
		break;
	case K_FLB:
		snprintf(detail, sizeof(detail), "flb=%s count=%llu", e->session,
			 (unsigned long long)e->token);
		break;
	case K_INCOMING:
		text_u64(detail, sizeof(detail), "number", e->token, known(e, LUO_UNKNOWN_NUMBER));
		/* fallthrough */
	case K_REBOOT_BEGIN:
	case K_REBOOT_END:
		text_u64(detail, sizeof(detail), "sessions", e->sessions,
			 known(e, LUO_UNKNOWN_SESSIONS));
		text_u64(detail, sizeof(detail), "files", e->files, files);
		break;
	case K_SERIALIZE:
		text_u64(detail, sizeof(detail), "sessions", e->sessions,
			 known(e, LUO_UNKNOWN_SESSIONS));
		text_u64(detail, sizeof(detail), "files", e->files, files);
		text_u64(detail, sizeof(detail), "bytes", e->bytes, known(e, LUO_UNKNOWN_BYTES));
		break;
	case K_FILE:
		break;
	}
	if (luosnoop_out.elapsed)
		fprintf(line, "%-12.6f ", elapsed_ns(e) / 1e9);
	fprintf(line, "%-15s %-7u %-16s %-16s %-12s %-14s %-6s %6d %10s%s%s\n", time, e->pid,
		e->comm, op, session, handler, token, e->result, lat, detail[0] ? " " : "",
		detail);
	line_end();
}

void luosnoop_print_summary(long n, __u64 shown[LUO_NR_OPS], __u64 lost)
{
	char now[32];
	__u64 total = 0;
	bool first = true;
	int op;

	for (op = 0; op < LUO_NR_OPS; op++)
		total += shown[op];
	luo_fmt_now(now, sizeof(now));
	if (luosnoop_out.json)
		fprintf(line, "{\"interval\": %ld, \"time\": \"%s\", \"seconds\": %ld, \"events\": %llu, \"by_op\": {",
			n, now, luosnoop_out.interval, (unsigned long long)total);
	else
		fprintf(line, "# %s interval %ld (%ld s): %llu events", now, n,
			luosnoop_out.interval, (unsigned long long)total);
	for (op = 0; op < LUO_NR_OPS; op++) {
		if (!shown[op])
			continue;
		if (luosnoop_out.json)
			fprintf(line, "%s\"%s\": %llu", first ? "" : ", ", luo_op_name(op),
				(unsigned long long)shown[op]);
		else
			fprintf(line, "%s%s %llu", first ? ": " : ", ", luo_op_name(op),
				(unsigned long long)shown[op]);
		first = false;
	}
	if (luosnoop_out.json)
		fprintf(line, "}, \"lost\": %llu}\n", (unsigned long long)lost);
	else
		fprintf(line, "; %llu lost\n", (unsigned long long)lost);
	line_end();
	memset(shown, 0, LUO_NR_OPS * sizeof(*shown));
}

void luosnoop_print_start(void)
{
	wall_offset = wall_minus_mono();
}

void luosnoop_print_event(const struct luo_event *e, const char *op)
{
	char time[32];

	fmt_time(time, sizeof(time), e->ts_ns);
	if (luosnoop_out.json)
		print_json(e, time, op);
	else
		print_text(e, time, op);
}
