// SPDX-License-Identifier: GPL-2.0
/*
 * luo_workload - a known set of sessions and files carried by one live
 * update, for the tests that watch what LUO reports about it (its
 * tracepoints, bpftrace, the live-update record).  It proves that every
 * file of the set comes back intact: each byte of each memfd, and the value
 * of a luo_test file together with its FLB.
 *
 *   luo_workload --stage 1
 *	Create the sessions "wl-a" and "wl-b", each with three memfds of
 *	1 MiB of pseudo-random contents (tokens 1, 2, 3; the stream is seeded
 *	by the session and the token), and in "wl-a" one /dev/luo_test file
 *	(token 100).  The luo_test file is preserved holding LUO_TEST_FIRST and
 *	then set to LUO_TEST_VALUE, which its handler must pick up when it
 *	freezes the file at the reboot.  A child in a session of its own keeps
 *	the session file descriptors, so that the next kexec carries them;
 *	the program exits 0 once all 7 files are preserved.
 *   luo_workload --stage 2
 *	In the next kernel: retrieve both sessions and every file, compare
 *	every byte of each memfd and the luo_test value, then FINISH both
 *	sessions.
 *   luo_workload --describe
 *	Print the workload as JSON, from the table the stages run: each
 *	session's files (handler, token) in the order they are preserved,
 *	the FLB and its handler, the program's name.  The checkers take
 *	what to expect from it (selftests/lib/workload.py).
 *
 * With --memfd-only, no luo_test file (nor its FLB): for a kernel without
 * the luo_test handler, such as the mainline flavor.
 *
 * Every step prints one line; the exit code is 0 only when all succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/liveupdate.h>

#include "luo_util.h"
#include "kselftest.h"

#define LUO_TEST_DEVICE	"/dev/luo_test"
#define LUO_TEST_TOKEN	100
/* What the luo_test file holds when preserved, and from then on. */
#define LUO_TEST_FIRST	0x0123456789abcdefULL
#define LUO_TEST_VALUE	0x6c756f2d776b6c64ULL	/* "luo-wkld" */

#define MEMFD_SIZE	(1UL << 20)
#define NR_TOKENS	3
/* The compatible strings of the files' handlers and of luo_test's FLB. */
#define MEMFD_HANDLER		"memfd-v2"
#define LUO_TEST_HANDLER	"luo-test-v1"
#define LUO_TEST_FLB		"luo-test-flb-v1"

/*
 * The workload, in the order of its operations: each session holds memfds
 * of tokens 1 to @nr_memfds, then (@luo_test) the luo_test file.
 */
static const struct wl_session {
	const char *name;
	unsigned int nr_memfds;
	bool luo_test;
} sessions[] = {
	{ "wl-a", NR_TOKENS, true },
	{ "wl-b", NR_TOKENS, false },
};
#define NR_SESSIONS	ARRAY_SIZE(sessions)

/* --memfd-only: no luo_test file (a kernel without it: mainline's). */
static bool memfd_only;

static bool has_luo_test(unsigned int s)
{
	return sessions[s].luo_test && !memfd_only;
}

static int failures;

static __printf(1, 2) void fail(const char *fmt, ...)
{
	va_list ap;

	printf("luo_workload: FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failures++;
}

/* The contents of memfd @token of session @name: an xorshift64* stream. */
static void content(uint64_t *p, const char *name, uint64_t token)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL * (token + 1);
	size_t i;

	for (i = 0; name[i]; i++)
		s = (s ^ (unsigned char)name[i]) * 0x100000001b3ULL;
	for (i = 0; i < MEMFD_SIZE / sizeof(*p); i++) {
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		p[i] = s * 0x2545f4914f6cdd1dULL;
	}
}

/* A new memfd holding the contents of @token of @name, or -errno. */
static int make_memfd(const char *name, uint64_t token)
{
	uint64_t *buf = malloc(MEMFD_SIZE);
	int fd;

	if (!buf)
		return -ENOMEM;
	content(buf, name, token);
	fd = memfd_with(buf, MEMFD_SIZE);
	free(buf);
	return fd;
}

/* Whether @fd holds the contents of @token of @name: 0 or -errno/-EILSEQ. */
static int check_memfd(int fd, const char *name, uint64_t token)
{
	uint64_t *want = malloc(MEMFD_SIZE), *got;
	struct stat st;
	size_t i;
	int ret = 0;

	if (!want)
		return -ENOMEM;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if ((size_t)st.st_size != MEMFD_SIZE) {
		fail("%s token %" PRIu64 ": %lld bytes, expected %lu", name, token,
		     (long long)st.st_size, MEMFD_SIZE);
		ret = -EILSEQ;
		goto out;
	}
	got = mmap(NULL, MEMFD_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (got == MAP_FAILED) {
		ret = -errno;
		goto out;
	}
	content(want, name, token);
	for (i = 0; i < MEMFD_SIZE / sizeof(*want); i++) {
		if (got[i] != want[i]) {
			fail("%s token %" PRIu64 ": bytes at offset %zu differ: %#" PRIx64
			     ", expected %#" PRIx64, name, token, i * sizeof(*want),
			     got[i], want[i]);
			ret = -EILSEQ;
			break;
		}
	}
	munmap(got, MEMFD_SIZE);
out:
	free(want);
	return ret;
}

static int set_value(int fd, uint64_t value)
{
	/* The device takes exactly 8 bytes per write, whatever the offset. */
	ssize_t n = write(fd, &value, sizeof(value));

	if (n < 0)
		return -errno;
	return n == sizeof(value) ? 0 : -EIO;
}

static int get_value(int fd, uint64_t *value)
{
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	n = read(fd, value, sizeof(*value));
	if (n < 0)
		return -errno;
	return n == sizeof(*value) ? 0 : -EIO;
}

static int stage1(void)
{
	unsigned int s, nr_files = 0;
	int luo, sfd, fd, ret;
	const char *name;
	uint64_t t;
	pid_t pid;

	luo = luo_open();
	if (luo < 0) {
		fail("open %s: %s", LUO_DEVICE, strerror(-luo));
		return 1;
	}
	for (s = 0; s < NR_SESSIONS; s++) {
		name = sessions[s].name;
		sfd = luo_create_session(luo, name);
		if (sfd < 0) {
			fail("create session %s: %s", name, errname(-sfd));
			return 1;
		}
		for (t = 1; t <= sessions[s].nr_memfds; t++) {
			fd = make_memfd(name, t);
			if (fd < 0) {
				fail("memfd for %s token %" PRIu64 ": %s", name, t,
				     strerror(-fd));
				return 1;
			}
			ret = luo_preserve_fd(sfd, fd, t);
			close(fd);
			if (ret) {
				fail("preserve %s token %" PRIu64 ": %s", name, t,
				     errname(-ret));
				return 1;
			}
			printf("luo_workload: stage 1: preserved %s token %" PRIu64
			       " (memfd, %lu bytes)\n", name, t, MEMFD_SIZE);
			nr_files++;
		}
		if (!has_luo_test(s))
			continue;
		fd = open(LUO_TEST_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			fail("open %s: %s (CONFIG_LIVEUPDATE_TEST_HANDLER?)",
			     LUO_TEST_DEVICE, strerror(errno));
			return 1;
		}
		ret = set_value(fd, LUO_TEST_FIRST);
		if (!ret)
			ret = luo_preserve_fd(sfd, fd, LUO_TEST_TOKEN);
		/* Preserved: the handler must pick this up at the freeze. */
		if (!ret)
			ret = set_value(fd, LUO_TEST_VALUE);
		close(fd);
		if (ret) {
			fail("preserve %s token %d (luo_test): %s", name,
			     LUO_TEST_TOKEN, errname(-ret));
			return 1;
		}
		printf("luo_workload: stage 1: preserved %s token %d (luo_test, value %#llx)\n",
		       name, LUO_TEST_TOKEN, LUO_TEST_VALUE);
		nr_files++;
	}
	close(luo);

	pid = luo_hold_fds();
	if (pid < 0) {
		fail("fork a child to hold the sessions: %s", strerror(-pid));
		return 1;
	}
	printf("luo_workload: stage 1: PASS: %zu sessions, %u files, held by pid %d\n",
	       NR_SESSIONS, nr_files, pid);
	return 0;
}

static int stage2(void)
{
	unsigned int s, nr_files = 0;
	int luo, sfd[NR_SESSIONS], fd, ret;
	const char *name;
	uint64_t t, value;

	luo = luo_open();
	if (luo < 0) {
		fail("open %s: %s", LUO_DEVICE, strerror(-luo));
		return 1;
	}
	for (s = 0; s < NR_SESSIONS; s++) {
		name = sessions[s].name;
		sfd[s] = luo_retrieve_session(luo, name);
		if (sfd[s] < 0) {
			fail("retrieve session %s: %s", name, errname(-sfd[s]));
			continue;
		}
		printf("luo_workload: stage 2: retrieved session %s\n", name);
		for (t = 1; t <= sessions[s].nr_memfds; t++) {
			fd = luo_retrieve_fd(sfd[s], t);
			if (fd < 0) {
				fail("retrieve %s token %" PRIu64 ": %s", name, t,
				     errname(-fd));
				continue;
			}
			ret = check_memfd(fd, name, t);
			close(fd);
			if (ret == -EILSEQ)
				continue;
			if (ret) {
				fail("read %s token %" PRIu64 ": %s", name, t,
				     strerror(-ret));
				continue;
			}
			printf("luo_workload: stage 2: %s token %" PRIu64
			       ": all %lu bytes as preserved\n", name, t, MEMFD_SIZE);
			nr_files++;
		}
		if (!has_luo_test(s))
			continue;
		fd = luo_retrieve_fd(sfd[s], LUO_TEST_TOKEN);
		if (fd < 0) {
			fail("retrieve %s token %d (luo_test): %s", name,
			     LUO_TEST_TOKEN, errname(-fd));
			continue;
		}
		ret = get_value(fd, &value);
		close(fd);
		if (ret)
			fail("read %s token %d (luo_test): %s", name,
			     LUO_TEST_TOKEN, strerror(-ret));
		else if (value == LUO_TEST_FIRST)
			fail("%s token %d (luo_test): holds %#" PRIx64 ", the value at "
			     "preserve time, not %#llx written later: the freeze did "
			     "not pick it up", name, LUO_TEST_TOKEN, value,
			     LUO_TEST_VALUE);
		else if (value != LUO_TEST_VALUE)
			fail("%s token %d (luo_test): holds %#" PRIx64 ", expected %#llx",
			     name, LUO_TEST_TOKEN, value, LUO_TEST_VALUE);
		else
			printf("luo_workload: stage 2: %s token %d: luo_test value %#"
			       PRIx64 " as written\n", name, LUO_TEST_TOKEN, value);
		nr_files++;
	}
	for (s = 0; s < NR_SESSIONS; s++) {
		if (sfd[s] < 0)
			continue;
		ret = luo_finish(sfd[s]);
		if (ret)
			fail("finish session %s: %s", sessions[s].name, errname(-ret));
		else
			printf("luo_workload: stage 2: finished session %s\n", sessions[s].name);
		close(sfd[s]);
	}
	close(luo);
	if (failures) {
		printf("luo_workload: stage 2: %d failure(s)\n", failures);
		return 1;
	}
	printf("luo_workload: stage 2: PASS: %zu sessions, %u files verified and finished\n",
	       NR_SESSIONS, nr_files);
	return 0;
}

/* The table above as JSON: what the checkers expect the stages to do. */
static int describe(void)
{
	unsigned int s, t;

	printf("{\"comm\": \"luo_workload\", \"memfd_bytes\": %lu,\n", MEMFD_SIZE);
	printf(" \"handlers\": {\"memfd\": \"%s\", \"luo_test\": \"%s\"},\n",
	       MEMFD_HANDLER, LUO_TEST_HANDLER);
	if (memfd_only)
		printf(" \"flbs\": {},\n");
	else
		printf(" \"flbs\": {\"%s\": \"%s\"},\n", LUO_TEST_FLB, LUO_TEST_HANDLER);
	printf(" \"sessions\": {");
	for (s = 0; s < NR_SESSIONS; s++) {
		printf("%s\n  \"%s\": [", s ? "," : "", sessions[s].name);
		for (t = 1; t <= sessions[s].nr_memfds; t++)
			printf("%s[\"%s\", %u]", t > 1 ? ", " : "", MEMFD_HANDLER, t);
		if (has_luo_test(s))
			printf("%s[\"%s\", %d]", sessions[s].nr_memfds ? ", " : "",
			       LUO_TEST_HANDLER, LUO_TEST_TOKEN);
		printf("]");
	}
	printf("\n }}\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "describe", no_argument, NULL, 'd' },
		{ "memfd-only", no_argument, NULL, 'm' },
		{}
	};
	int stage = 0, c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			stage = -1;
		else if (c == 'm')
			memfd_only = true;
		else if (c == 's')
			stage = atoi(optarg);
		else
			goto usage;
	}
	if (optind != argc || (stage != 1 && stage != 2 && stage != -1))
		goto usage;
	if (stage == -1)
		return describe();
	return stage == 1 ? stage1() : stage2();
usage:
	fprintf(stderr, "usage: %s [--memfd-only] --stage 1|2 | --describe\n", argv[0]);
	return 2;
}
