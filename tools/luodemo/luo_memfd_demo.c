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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/liveupdate.h>

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

static int open_luo(void)
{
	int fd = open("/dev/liveupdate", O_RDWR);

	if (fd < 0)
		die("open /dev/liveupdate");
	return fd;
}

static int stage1(void)
{
	struct liveupdate_ioctl_create_session cs = { .size = sizeof(cs) };
	struct liveupdate_session_preserve_fd pf = { .size = sizeof(pf) };
	size_t bytes = size_mib << 20;
	int luo = open_luo(), mfd;
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

	snprintf((char *)cs.name, sizeof(cs.name), "%s", session);
	if (ioctl(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, &cs))
		die("LIVEUPDATE_IOCTL_CREATE_SESSION");
	pf.fd = mfd;
	pf.token = DEMO_TOKEN;
	t = now();
	if (ioctl(cs.fd, LIVEUPDATE_SESSION_PRESERVE_FD, &pf))
		die("LIVEUPDATE_SESSION_PRESERVE_FD");
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
	struct liveupdate_ioctl_retrieve_session rs = { .size = sizeof(rs) };
	struct liveupdate_session_retrieve_fd rf = { .size = sizeof(rf) };
	struct liveupdate_session_finish fin = { .size = sizeof(fin) };
	size_t bytes = size_mib << 20, i;
	int luo = open_luo();
	uint64_t *want, *got;
	struct stat st;
	double t;

	snprintf((char *)rs.name, sizeof(rs.name), "%s", session);
	t = now();
	if (ioctl(luo, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &rs))
		die("LIVEUPDATE_IOCTL_RETRIEVE_SESSION");
	rf.token = DEMO_TOKEN;
	if (ioctl(rs.fd, LIVEUPDATE_SESSION_RETRIEVE_FD, &rf))
		die("LIVEUPDATE_SESSION_RETRIEVE_FD");
	t = now() - t;
	if (fstat(rf.fd, &st))
		die("fstat");
	if ((size_t)st.st_size != bytes) {
		printf("luo-demo: FAIL: retrieved memfd has %lld bytes, expected %zu\n",
		       (long long)st.st_size, bytes);
		return 1;
	}
	got = mmap(NULL, bytes, PROT_READ, MAP_SHARED, rf.fd, 0);
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
	if (ioctl(rs.fd, LIVEUPDATE_SESSION_FINISH, &fin))
		die("LIVEUPDATE_SESSION_FINISH");
	printf("luo-demo: stage 2: PASS: session finished\n");
	return 0;
}

static int absent(void)
{
	struct liveupdate_ioctl_retrieve_session rs = { .size = sizeof(rs) };
	int luo = open_luo();

	snprintf((char *)rs.name, sizeof(rs.name), "%s", session);
	if (!ioctl(luo, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &rs)) {
		printf("luo-demo: FAIL: session '%s' was handed over\n", session);
		return 1;
	}
	if (errno != ENOENT)
		die("LIVEUPDATE_IOCTL_RETRIEVE_SESSION");
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
