// SPDX-License-Identifier: GPL-2.0
/*
 * luo_perf lookup --files N [--reps R] --out FILE: what a preserve costs
 * in a session that holds many files, against one that holds few.
 *
 * Session "perf-lookup-big" gets N empty memfds, "perf-lookup-small"
 * SMALL_FILES; then R more files are preserved into each, the two sessions
 * taking turns (big, small, small, big, ...: ABBA, so that a drift in the
 * CPU's speed weighs on both alike), each PRESERVE_FD timed.  A preserve
 * looks its token up in the session (is it in use?): when that lookup walks
 * the session's files, the big session's preserves cost more by the
 * length of the walk; perf_check.py's "lookup" wants them within 1.5x of
 * the small one's.  The timed preserves' tokens carry PERF_TOKEN_LOOKUP
 * (luo_plant.h), for the planted regression that costs in proportion to
 * the file's index.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <unistd.h>

#include "luo_perf.h"
#include "luo_plant.h"

#define SMALL_FILES	10

/*
 * Preserve a new, empty memfd as file @idx of @sfd: the ns the ioctl took.
 * Empty, because the lookup does not depend on the content and a guest of
 * 3 GiB holds 100,000 of them (a page of content costs memfd's handler
 * two more pages a file, which KHO's scratch area cannot give).  Only the
 * timed preserves carry PERF_TOKEN_LOOKUP, for the planted regression: the
 * filling of the big session does not pay for it.
 */
static unsigned long long preserve_one(int sfd, unsigned long idx, bool timed)
{
	unsigned long long t0, t;
	int fd = memfd_create("luo_perf", MFD_CLOEXEC), err;

	if (fd < 0)
		die("memfd", errno);
	t0 = now_ns();
	err = luo_preserve_fd(sfd, fd, (timed ? PERF_TOKEN_LOOKUP : 0) | idx);
	t = now_ns() - t0;
	if (err)
		die("preserve", err);
	/* The session holds the file now. */
	close(fd);
	return t;
}

int cmd_lookup(int files, int reps, const char *out)
{
	unsigned long long *big = calloc(reps, sizeof(*big));
	unsigned long long *small = calloc(reps, sizeof(*small));
	int luo = luo_open(), bfd, sfd, i, r;
	FILE *f = open_out(out);

	if (!big || !small)
		die("calloc", ENOMEM);
	if (files < SMALL_FILES) {
		fprintf(stderr, "luo_perf: --files %d: fewer than the small session's %d\n",
			files, SMALL_FILES);
		exit(2);
	}
	if (luo < 0)
		die(LUO_DEVICE, luo);
	bfd = luo_create_session(luo, "perf-lookup-big");
	sfd = luo_create_session(luo, "perf-lookup-small");
	if (bfd < 0 || sfd < 0)
		die("create session", bfd < 0 ? bfd : sfd);
	for (i = 1; i <= files; i++)
		preserve_one(bfd, i, false);
	for (i = 1; i <= SMALL_FILES; i++)
		preserve_one(sfd, i, false);
	for (r = 0; r < reps; r++) {
		if (r % 4 == 1 || r % 4 == 2) {
			small[r] = preserve_one(sfd, SMALL_FILES + 1 + r, true);
			big[r] = preserve_one(bfd, files + 1 + r, true);
		} else {
			big[r] = preserve_one(bfd, files + 1 + r, true);
			small[r] = preserve_one(sfd, SMALL_FILES + 1 + r, true);
		}
	}
	printf("luo_perf: preserve into a session of %d files: median %llu ns; of %d files: %llu ns (%d each)\n",
	       files, median(big, reps), SMALL_FILES, median(small, reps), reps);
	fprintf(f, "{\"test\": \"lookup\", \"files\": %d, \"small_files\": %d, ", files,
		SMALL_FILES);
	json_samples(f, "big", big, reps);
	fprintf(f, ", ");
	json_samples(f, "small", small, reps);
	fprintf(f, "}\n");
	/* Closing the sessions unpreserves their files. */
	close(bfd);
	close(sfd);
	close(luo);
	free(big);
	free(small);
	return fclose(f) ? 1 : 0;
}
