// SPDX-License-Identifier: GPL-2.0
/*
 * luo_memfd_demo - preserve a memfd of known contents across a live update.
 *
 *   luo_memfd_demo --stage 1 [--size MiB] [--seed N] [--session NAME]
 *	Create a session, fill a memfd of SIZE MiB with a pseudo-random stream
 *	from SEED, preserve it, and leave a child holding the session open so
 *	that it is carried over by the next kexec.
 *   luo_memfd_demo --stage 2 [--size MiB] [--seed N] [--session NAME]
 *	Retrieve the session and the memfd, compare every byte against the
 *	stream regenerated from SEED, and finish the session.
 *
 *   luo_memfd_demo --absent [--session NAME]
 *	Check that no session NAME was handed over: retrieving it must fail
 *	with ENOENT (e.g. after a kexec from a kernel with another LUO ABI).
 *
 * Each stage prints "luo-demo:" report lines; the exit code is 0 only when
 * the stage did everything it says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/liveupdate.h>

#include "luo_dev.h"

#define DEMO_TOKEN 0x10ad5eedULL

static const char *session = "luo-demo";
static uint64_t seed = 0x5eed;
static size_t size_mib = 64;

static void die(const char *what)
{
	fprintf(stdout, "luo-demo: FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: a cheap, reproducible stream for SIZE bytes. */
static void fill(uint64_t *p, size_t words, uint64_t s)
{
	size_t i;

	for (i = 0; i < words; i++) {
		s ^= s >> 12;
		s ^= s << 25;
		s ^= s >> 27;
		p[i] = s * 0x2545F4914F6CDD1DULL;
	}
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* A luo_dev.h result: dies with @what when it is -errno. */
static int ok_or_die(int ret, const char *what)
{
	if (ret < 0) {
		errno = -ret;
		die(what);
	}
	return ret;
}

static int open_luo(void)
{
	return ok_or_die(luo_open(), "open " LUO_DEVICE);
}

static int stage1(void)
{
	size_t bytes = size_mib << 20;
	int luo = open_luo(), mfd, sfd;
	uint64_t *p;
	double t;
	pid_t pid;

	mfd = memfd_create("luo-demo", 0);
	if (mfd < 0 || ftruncate(mfd, bytes))
		die("memfd_create/ftruncate");
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	fill(p, bytes / 8, seed);
	printf("luo-demo: stage 1: memfd of %zu MiB, seed %#" PRIx64 ", fnv1a %#" PRIx64 "\n",
	       size_mib, seed, fnv1a((void *)p, bytes));
	munmap(p, bytes);

	sfd = ok_or_die(luo_create_session(luo, session), "LIVEUPDATE_IOCTL_CREATE_SESSION");
	t = now();
	ok_or_die(luo_preserve_fd(sfd, mfd, DEMO_TOKEN), "LIVEUPDATE_SESSION_PRESERVE_FD");
	printf("luo-demo: stage 1: preserved in session '%s' as token %#llx in %.3f ms\n",
	       session, (unsigned long long)DEMO_TOKEN, (now() - t) * 1e3);
	close(mfd);
	close(luo);

	/* The session is carried over only while its fd is open: hold it. */
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		setsid();
		for (;;)
			pause();
	}
	printf("luo-demo: stage 1: PASS: session held by pid %d, ready for kexec\n", pid);
	return 0;
}

static int stage2(void)
{
	size_t bytes = size_mib << 20, i;
	int luo = open_luo(), sfd, fd;
	uint64_t *want, *got;
	struct stat st;
	double t;

	t = now();
	sfd = ok_or_die(luo_retrieve_session(luo, session), "LIVEUPDATE_IOCTL_RETRIEVE_SESSION");
	fd = ok_or_die(luo_retrieve_fd(sfd, DEMO_TOKEN), "LIVEUPDATE_SESSION_RETRIEVE_FD");
	t = now() - t;
	if (fstat(fd, &st))
		die("fstat");
	if ((size_t)st.st_size != bytes) {
		printf("luo-demo: FAIL: retrieved memfd has %lld bytes, expected %zu\n",
		       (long long)st.st_size, bytes);
		return 1;
	}
	got = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	want = malloc(bytes);
	if (got == MAP_FAILED || !want)
		die("mmap/malloc");
	fill(want, bytes / 8, seed);
	for (i = 0; i < bytes / 8; i++) {
		if (got[i] != want[i]) {
			printf("luo-demo: FAIL: byte %zu differs: %#" PRIx64 " != %#" PRIx64 "\n",
			       i * 8, got[i], want[i]);
			return 1;
		}
	}
	printf("luo-demo: stage 2: retrieved session '%s' and token %#llx in %.3f ms\n",
	       session, (unsigned long long)DEMO_TOKEN, t * 1e3);
	printf("luo-demo: stage 2: all %zu MiB identical, fnv1a %#" PRIx64 "\n",
	       size_mib, fnv1a((void *)got, bytes));
	ok_or_die(luo_finish(sfd), "LIVEUPDATE_SESSION_FINISH");
	printf("luo-demo: stage 2: PASS: session finished\n");
	return 0;
}

static int absent(void)
{
	int luo = open_luo(), ret;

	ret = luo_retrieve_session(luo, session);
	if (ret >= 0) {
		printf("luo-demo: FAIL: session '%s' was handed over\n", session);
		return 1;
	}
	if (ret != -ENOENT)
		ok_or_die(ret, "LIVEUPDATE_IOCTL_RETRIEVE_SESSION");
	printf("luo-demo: PASS: no session '%s' (ENOENT)\n", session);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'm' },
		{ "seed", required_argument, NULL, 'r' },
		{ "session", required_argument, NULL, 'n' },
		{ "absent", no_argument, NULL, 'a' },
		{}
	};
	int stage = 0, c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			stage = atoi(optarg);
			break;
		case 'm':
			size_mib = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			session = optarg;
			break;
		case 'a':
			stage = 3;
			break;
		default:
			return 2;
		}
	}
	if (stage < 1 || stage > 3 || !size_mib || !seed) {
		fprintf(stderr, "usage: %s --stage 1|2 [--size MiB] [--seed N] [--session NAME]\n"
			"       %s --absent [--session NAME]\n", argv[0], argv[0]);
		return 2;
	}
	if (stage == 3)
		return absent();
	return stage == 1 ? stage1() : stage2();
}
