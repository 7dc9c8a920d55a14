// SPDX-License-Identifier: GPL-2.0
/*
 * luo_svc - a service of the systemd guest that keeps its state across live
 * updates, the two ways systemd offers, and the check of what it found.
 *
 *   luo_svc serve --name NAME --mode fdstore [--mib N] [--seed S]
 *	Type=notify.  Keeps its state in a memfd pushed into its file
 *	descriptor store (FDSTORE=1, FDNAME=state); with
 *	FileDescriptorStorePreserve=yes systemd preserves it across
 *	`systemctl kexec` in its own LUO session and hands it back.
 *   luo_svc serve --name NAME --mode session [--session FDNAME] ...
 *	With LUOSession=FDNAME: preserves the memfd itself, token 1, in the
 *	LUO session systemd hands it; after the update retrieves it from
 *	that session, finishes the session and preserves it again.
 *   luo_svc check --name NAME (--generation G | --fresh)
 *	TAP: the service has its state back, intact, in its Gth update
 *	(--fresh: it started afresh, with a new state: the first boot, or
 *	an update that lost its state).  --preserved yes|ERRNO: what the
 *	session service's preserve for the next update gave.
 *
 * The state (struct luo_svc_state) is a head and a payload of known bytes.
 * The service stamps, in the state itself, the moment it is told to stop
 * and the moment it has its state back, on the TSC (one clock across the
 * kexec) and CLOCK_MONOTONIC; a restored service verifies the payload byte
 * for byte and publishes what it found in /run/luo-svc/NAME (key=value
 * lines: its memfd's inode, the stamps of its last update among them:
 * luoblackout --systemd reads them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include <linux/liveupdate.h>

#include "luo_svc.h"
#include "luo_util.h"

#define TOKEN		1
#define FIRST_FD	3	/* SD_LISTEN_FDS_START */

static struct {
	const char *name;
	const char *mode;
	const char *session;
	unsigned long mib;
	uint64_t seed;
	long generation;
	const char *preserved;
	bool fresh;
} opt = { .mode = "fdstore", .session = "luo", .mib = 1, .seed = 1, .generation = -1 };

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "luo_svc: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void stamp(struct luo_svc_stamp *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->tsc = __rdtsc();
	s->mono = ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The fd systemd passed under @fdname (LISTEN_FDS, LISTEN_FDNAMES), or -1. */
static int listen_fd(const char *fdname)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	char *copy, *tok, *save;
	int i = 0, fd = -1;

	if (!pid || !n || !names || atol(pid) != getpid())
		return -1;
	copy = strdup(names);
	for (tok = strtok_r(copy, ":", &save); tok && i < atoi(n);
	     tok = strtok_r(NULL, ":", &save), i++)
		if (!strcmp(tok, fdname)) {
			fd = FIRST_FD + i;
			break;
		}
	free(copy);
	return fd;
}

/* sd_pid_notify_with_fds(): @msg, and @fd (if >= 0), to $NOTIFY_SOCKET. */
static void notify(const char *msg, int fd)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { (void *)msg, strlen(msg) };
	struct msghdr mh = { .msg_name = &sa, .msg_iov = &iov, .msg_iovlen = 1 };
	socklen_t len;
	int s;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		die("no usable $NOTIFY_SOCKET (Type=notify?)");
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = 0;
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	mh.msg_namelen = len;
	if (fd >= 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || sendmsg(s, &mh, 0) < 0)
		die("notify '%s': %s", msg, strerror(errno));
	close(s);
}

/* A new state: the head and @opt.mib MiB of known bytes, in a memfd. */
static int create_state(void)
{
	uint64_t size = opt.mib << 20, total = sizeof(struct luo_svc_state) + size, i;
	struct luo_svc_state *st;
	uint8_t *p;
	int fd = memfd_create(opt.name, MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, total))
		die("memfd of %llu bytes: %s", (unsigned long long)total, strerror(errno));
	st = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (st == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memcpy(st->magic, LUO_SVC_MAGIC, sizeof(st->magic));
	st->seed = opt.seed;
	st->size = size;
	p = (uint8_t *)(st + 1);
	for (i = 0; i < size; i++)
		p[i] = luo_svc_byte(opt.seed, i);
	munmap(st, total);
	return fd;
}

/*
 * Map the state of @fd; check its bytes into @verdict.  Returns the map,
 * or NULL (with @verdict saying why) when the head is not one of ours.
 */
static struct luo_svc_state *open_state(int fd, char *verdict, size_t len)
{
	struct luo_svc_state *st;
	struct stat sb;
	uint64_t i;
	uint8_t *p;

	if (fstat(fd, &sb) || (size_t)sb.st_size < sizeof(*st)) {
		snprintf(verdict, len, "no head (%lld bytes)", (long long)sb.st_size);
		return NULL;
	}
	st = mmap(NULL, sb.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (st == MAP_FAILED) {
		snprintf(verdict, len, "mmap: %s", strerror(errno));
		return NULL;
	}
	if (memcmp(st->magic, LUO_SVC_MAGIC, sizeof(st->magic)) ||
	    st->size != (uint64_t)sb.st_size - sizeof(*st) ||
	    st->generation >= LUO_SVC_MAX_GEN - 1) {
		snprintf(verdict, len, "bad head");
		return NULL;
	}
	p = (uint8_t *)(st + 1);
	for (i = 0; i < st->size; i++)
		if (p[i] != luo_svc_byte(st->seed, i)) {
			snprintf(verdict, len, "byte %llu differs", (unsigned long long)i);
			return st;
		}
	snprintf(verdict, len, "ok");
	return st;
}

static void publish(int fd, const struct luo_svc_state *st, bool restored, const char *verdict,
		    const char *preserved)
{
	struct stat sb;
	unsigned long long ino = fstat(fd, &sb) ? 0 : sb.st_ino;
	char path[256], tmp[300];
	uint64_t g = st ? st->generation : 0;
	FILE *f;

	mkdir(LUO_SVC_RUN_DIR, 0755);
	snprintf(path, sizeof(path), "%s/%s", LUO_SVC_RUN_DIR, opt.name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("%s: %s", tmp, strerror(errno));
	fprintf(f, "name=%s\nmode=%s\npid=%d\nrestored=%d\nverified=%s\n", opt.name, opt.mode,
		getpid(), restored, verdict);
	if (!strcmp(opt.mode, "session"))
		fprintf(f, "preserved=%s\n", preserved);
	if (st) {
		fprintf(f, "generation=%llu\nbytes=%llu\nino=%llu\n", (unsigned long long)g,
			(unsigned long long)st->size, (unsigned long long)ino);
		if (restored && g > 0)
			fprintf(f, "stop_tsc=%llu\nstop_mono=%llu\nback_tsc=%llu\nback_mono=%llu\n",
				(unsigned long long)st->stop[g - 1].tsc,
				(unsigned long long)st->stop[g - 1].mono,
				(unsigned long long)st->back[g].tsc,
				(unsigned long long)st->back[g].mono);
	}
	if (fclose(f) || rename(tmp, path))
		die("%s: %s", path, strerror(errno));
}

static int serve(void)
{
	bool session = !strcmp(opt.mode, "session"), restored = false;
	struct luo_svc_state *st;
	struct luo_svc_stamp back;
	char verdict[128] = "new", preserved[32] = "yes";
	int fd = -1, sfd = -1, sig;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);

	if (session) {
		int err;

		sfd = listen_fd(opt.session);
		if (sfd < 0)
			die("no LUO session '%s' from systemd (LUOSession=%s?)", opt.session,
			    opt.session);
		/*
		 * A session systemd created for this boot is outgoing: nothing
		 * to retrieve from it (EINVAL).  One it retrieved after the
		 * update gives the memfd back, or ENOENT when it came without
		 * it; either way it is finished, to take the state again.
		 */
		fd = luo_retrieve_fd(sfd, TOKEN);
		err = fd < 0 ? -fd : 0;
		if (!err) {
			stamp(&back);
			restored = true;
		} else if (err != EINVAL && err != ENOENT) {
			die("RETRIEVE_FD token %d: %s", TOKEN, strerror(err));
		}
		if (err != EINVAL) {
			err = luo_finish(sfd);
			if (err)
				die("SESSION_FINISH: %s", strerror(-err));
		}
	} else {
		fd = listen_fd("state");
		if (fd >= 0) {
			stamp(&back);
			restored = true;
		}
	}

	if (!restored)
		fd = create_state();
	st = open_state(fd, verdict, sizeof(verdict));
	if (!restored && !st)
		die("new state: %s", verdict);
	if (restored && st && strcmp(verdict, "bad head")) {
		st->generation++;
		st->back[st->generation] = back;
	}
	/*
	 * Into the session again, for the next update.  Mainline's LUO keeps
	 * a retrieved session incoming after it is finished (EINVAL): there
	 * the state lives through one update, not two.
	 */
	if (session) {
		int err = luo_preserve_fd(sfd, fd, TOKEN);

		if (err)
			snprintf(preserved, sizeof(preserved), "%s", strerrorname_np(-err));
	}
	if (!session && !restored)
		notify("FDSTORE=1\nFDNAME=state", fd);
	publish(fd, st, restored, verdict, preserved);
	notify("READY=1", -1);

	sigwait(&set, &sig);
	if (st)
		stamp(&st->stop[st->generation]);
	return 0;
}

static int tap_n, tap_bad;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	tap_bad += !ok;
	printf("%sok %d ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* TAP: what the service published matches what the update should give. */
static int check(void)
{
	char path[256], line[256], verdict[256] = "", mode[32] = "", preserved[32] = "";
	unsigned long long gen = 0, bytes = 0, stop = 0, back = 0;
	int restored = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", LUO_SVC_RUN_DIR, opt.name);
	printf("TAP version 13\n1..%d\n", opt.preserved ? 4 : 3);
	f = fopen(path, "r");
	if (!f) {
		printf("not ok 1 %s: published nothing (%s: %s)\n", opt.name, path,
		       strerror(errno));
		printf("not ok 2 %s: state # no report\nnot ok 3 %s: stamps # no report\n",
		       opt.name, opt.name);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		sscanf(line, "restored=%d", &restored);
		sscanf(line, "generation=%llu", &gen);
		sscanf(line, "bytes=%llu", &bytes);
		sscanf(line, "stop_tsc=%llu", &stop);
		sscanf(line, "back_tsc=%llu", &back);
		sscanf(line, "mode=%31s", mode);
		sscanf(line, "preserved=%31s", preserved);
		if (!strncmp(line, "verified=", 9))
			snprintf(verdict, sizeof(verdict), "%s", line + 9);
		printf("# %s\n", line);
	}
	fclose(f);

	if (opt.fresh) {
		if (opt.preserved)
			tap(!strcmp(preserved, opt.preserved), "%s: preserved: %s (expected %s)",
			    opt.name, preserved, opt.preserved);
		tap(restored == 0, "%s (%s): started afresh, no state handed back", opt.name, mode);
		tap(!strcmp(verdict, "ok") && bytes == opt.mib << 20,
		    "%s: a new state of %llu bytes (%s)", opt.name, bytes, verdict);
		tap(gen == 0, "%s: generation 0 (%llu)", opt.name, gen);
		return tap_bad ? 1 : 0;
	}
	tap(restored == 1 && gen == (unsigned long long)opt.generation,
	    "%s (%s): state back from systemd, update %llu of %ld", opt.name, mode, gen,
	    opt.generation);
	tap(!strcmp(verdict, "ok") && bytes == opt.mib << 20,
	    "%s: %llu bytes intact, byte for byte (%s)", opt.name, bytes, verdict);
	tap(stop && back > stop, "%s: stopped at TSC %llu, back at %llu", opt.name, stop, back);
	if (opt.preserved)
		tap(!strcmp(preserved, opt.preserved),
		    "%s: preserved again for the next update: %s (expected %s)", opt.name,
		    preserved, opt.preserved);
	return tap_bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, 'm' },
		{ "session", required_argument, NULL, 's' },
		{ "mib", required_argument, NULL, 'M' },
		{ "seed", required_argument, NULL, 'S' },
		{ "generation", required_argument, NULL, 'g' },
		{ "fresh", no_argument, NULL, 'f' },
		{ "preserved", required_argument, NULL, 'p' },
		{}
	};
	int c;

	if (argc < 2)
		goto usage;
	while ((c = getopt_long(argc - 1, argv + 1, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt.name = optarg;
			break;
		case 'm':
			opt.mode = optarg;
			break;
		case 's':
			opt.session = optarg;
			break;
		case 'M':
			opt.mib = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			opt.seed = strtoull(optarg, NULL, 0);
			break;
		case 'g':
			opt.generation = strtol(optarg, NULL, 0);
			break;
		case 'f':
			opt.fresh = true;
			break;
		case 'p':
			opt.preserved = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (!opt.name || strchr(opt.name, '/') || !opt.mib || opt.mib > 1024)
		goto usage;
	if (!strcmp(argv[1], "serve") &&
	    (!strcmp(opt.mode, "fdstore") || !strcmp(opt.mode, "session")))
		return serve();
	if (!strcmp(argv[1], "check") && (opt.generation > 0 || opt.fresh))
		return check();
usage:
	fprintf(stderr, "usage: luo_svc serve --name NAME --mode fdstore|session "
		"[--session FDNAME] [--mib N] [--seed S]\n"
		"       luo_svc check --name NAME (--generation G | --fresh) [--mib N]\n"
		"                     [--preserved yes|ERRNO]\n");
	return 2;
}
