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
 *
 * This file holds main, the command line and the checks of the record's
 * header and history; luo_record_read.c reads the record and the kernel
 * log, luo_record_phases.c checks the phases of each update and
 * luo_record_events.c the events of the latest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/liveupdate_record.h>

#include "luo_record_check.h"

#define DEFAULT_PATH	"/sys/kernel/debug/liveupdate/record.bin"

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

/* The files of --file, which luo_record_events.c looks for. */
struct want_file want[MAX_FILES];
unsigned int nr_want;
static long want_updates = -1, want_sessions = -1, want_files = -1;

static unsigned int nr_tests, nr_failed;

__printf(2, 3) bool check(bool pass, const char *fmt, ...)
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
