// SPDX-License-Identifier: GPL-2.0
/*
 * luo_perf - the guest side of the perf-regression tests: time LUO's
 * operations and leave the samples, as JSON, for perf_check.py.
 *
 *   luo_perf preserve --sizes 16,64,256 [--reps N] --out FILE
 *	N rounds, in each of which the same bytes (the largest size) are
 *	preserved at every size: 16 memfds of 16 MiB, 4 of 64, 1 of 256,
 *	each batch into a session of its own (closed after: unpreserved),
 *	timed as one.  The memfds are filled first, so that preserving them
 *	pins every page.
 *   luo_perf ops [--reps N] [--blocks B --tools-on CMD --tools-off CMD] --out FILE
 *	Time a session's create, the preserve of a one-page memfd into it
 *	and its close N times in each of B blocks, with the toolkit
 *	attached in blocks 1, 2, 5, 6, 9, 10, ... (off, on, on, off: ABBA,
 *	so that neighbours pair up and a drift in time weighs on both sides
 *	alike).  CMD attaches / detaches the tools.  Right before each
 *	operation, a speed probe (a fixed loop in userspace that no tool
 *	traces) is timed too: the CPU's speed at that moment.
 *   luo_perf hold --sized MIB:N,MIB:N --small N
 *	Preserve, for the kexec, session "perf-sized" holding N memfds of
 *	each size (interleaved, tokens carrying the size: luo_plant.h) and
 *	session "perf-small" holding N one-page memfds (tokens 1..N); a
 *	child keeps them open until the kexec.
 *   luo_perf retrieve --sized MIB:N,MIB:N [--blocks B --tools-on CMD
 *		--tools-off CMD] --out FILE
 *	In the next kernel: retrieve "perf-small" (timing each
 *	LIVEUPDATE_SESSION_RETRIEVE_FD, in B blocks with the toolkit
 *	attached as for ops, each after a speed probe) and "perf-sized"
 *	(the --sized of
 *	hold), finish both, print "@@LUOVM resumed", the end of the blackout
 *	the host sees, then check the first word of every page.
 *   luo_perf lookup --files N [--reps R] --out FILE
 *	The cost of finding a token in a large session (luo_perf_lookup.c).
 *   luo_perf reboot --kernel BZIMAGE --files N [--reps R] --out FILE
 *	The reboot path's cost per file against the number of files and
 *	their size, reboots refused by luo_plant's "abort"
 *	(luo_perf_reboot.c).
 *
 * Example: luo_perf preserve --sizes 16,64,256 --reps 7 --out /tmp/p.json
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "luo_perf.h"
#include "luo_plant.h"

#define MIB		(1024UL * 1024)
#define MAX_SIZES	8
#define SIZED_SESSION	"perf-sized"
#define SMALL_SESSION	"perf-small"

unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void die(const char *what, int err)
{
	fprintf(stderr, "luo_perf: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

unsigned long long median(const unsigned long long *v, int n)
{
	unsigned long long *s = malloc(n * sizeof(*s)), m;

	if (!s)
		die("malloc", ENOMEM);
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_ull);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

void json_samples(FILE *f, const char *key, const unsigned long long *v, int n)
{
	int i;

	fprintf(f, "\"%s\": [", key);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%llu", i ? ", " : "", v[i]);
	fprintf(f, "]");
}

FILE *open_out(const char *path)
{
	FILE *f;

	if (!path) {
		fprintf(stderr, "luo_perf: --out FILE is required\n");
		exit(2);
	}
	f = fopen(path, "w");
	if (!f)
		die(path, errno);
	return f;
}

/* The first word of page @page of the memfd with token @token. */
static uint64_t page_word(uint64_t token, size_t page)
{
	return (token * 0x9e3779b97f4a7c15ULL) ^ page;
}

int sized_memfd(unsigned long mib, unsigned long long token)
{
	size_t len = mib ? mib * MIB : 4096, off;
	uint64_t *p;
	int fd = memfd_create("luo_perf", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, len))
		die("memfd", errno);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap", errno);
	for (off = 0; off < len; off += 4096)
		p[off / sizeof(*p)] = page_word(token, off / 4096);
	munmap(p, len);
	return fd;
}

/* 0 if @fd holds what sized_memfd(@mib, @token) wrote, else -EILSEQ. */
static int check_memfd(int fd, unsigned long mib, uint64_t token)
{
	size_t len = mib ? mib * MIB : 4096, off;
	uint64_t *p;
	int ret = 0;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	for (off = 0; off < len && !ret; off += 4096)
		if (p[off / sizeof(*p)] != page_word(token, off / 4096))
			ret = -EILSEQ;
	munmap(p, len);
	return ret;
}

static int parse_sizes(const char *arg, unsigned long *mib, int *count)
{
	char *copy = strdup(arg), *tok, *save;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok && n < MAX_SIZES;
	     tok = strtok_r(NULL, ",", &save), n++) {
		char *colon = strchr(tok, ':');

		mib[n] = strtoul(tok, NULL, 10);
		if (count)
			count[n] = colon ? atoi(colon + 1) : 1;
		if (!mib[n] || (count && count[n] <= 0)) {
			fprintf(stderr, "luo_perf: bad size list '%s'\n", arg);
			exit(2);
		}
	}
	free(copy);
	return n;
}

/*
 * Every round preserves the same bytes at each size: @total MiB as
 * @total / mib memfds of mib MiB, into one session, timed as one batch (the
 * sizes take turns, the order rotating per round).  Batches of equal bytes
 * last about as long, so a slow phase of the machine (TCG has them, of
 * tens to hundreds of ms) weighs on every size alike; a preserve that
 * grows faster than its data makes the batch of the largest memfd the
 * slowest.
 */
static int cmd_preserve(const char *sizes, int reps, const char *out)
{
	unsigned long mib[MAX_SIZES], total = 0, per[MAX_SIZES];
	unsigned long long *t[MAX_SIZES];
	int *fd[MAX_SIZES], n, i, r, luo;
	FILE *f = open_out(out);

	n = parse_sizes(sizes, mib, NULL);
	for (i = 0; i < n; i++)
		total = mib[i] > total ? mib[i] : total;
	luo = luo_open();
	if (luo < 0)
		die(LUO_DEVICE, luo);
	for (i = 0; i < n; i++) {
		unsigned long k;

		if (total % mib[i]) {
			fprintf(stderr, "luo_perf: %lu MiB does not divide %lu MiB\n",
				mib[i], total);
			exit(2);
		}
		per[i] = total / mib[i];
		fd[i] = calloc(per[i], sizeof(**fd));
		t[i] = calloc(reps, sizeof(**t));
		if (!fd[i] || !t[i])
			die("calloc", ENOMEM);
		for (k = 0; k < per[i]; k++)
			fd[i][k] = sized_memfd(mib[i], PERF_TOKEN(mib[i], k));
	}
	for (r = 0; r < reps; r++) {
		for (i = 0; i < n; i++) {
			int k = (i + r) % n;	/* rotate the order */
			unsigned long long t0;
			unsigned long j;
			char name[32];
			int sfd, err = 0;

			snprintf(name, sizeof(name), "perf-p-%lu-%d", mib[k], r);
			sfd = luo_create_session(luo, name);
			if (sfd < 0)
				die("create session", sfd);
			t0 = now_ns();
			for (j = 0; j < per[k] && !err; j++)
				err = luo_preserve_fd(sfd, fd[k][j], PERF_TOKEN(mib[k], j));
			t[k][r] = now_ns() - t0;
			if (err)
				die("preserve", err);
			close(sfd);
		}
	}
	fprintf(f, "{\"test\": \"preserve\", \"reps\": %d, \"total_mib\": %lu, \"sizes\": {",
		reps, total);
	for (i = 0; i < n; i++) {
		char key[16];

		printf("luo_perf: preserve of %lu MiB as %lu memfds of %lu MiB: median %llu ns of %d\n",
		       total, per[i], mib[i], median(t[i], reps), reps);
		snprintf(key, sizeof(key), "%lu", mib[i]);
		fprintf(f, "%s", i ? ", " : "");
		json_samples(f, key, t[i], reps);
	}
	fprintf(f, "}}\n");
	return fclose(f) ? 1 : 0;
}

static int cmd_hold(const char *sized, int small)
{
	unsigned long mib[MAX_SIZES];
	int count[MAX_SIZES], n, i, k, most = 0, luo, sfd, fd, err;

	n = parse_sizes(sized, mib, count);
	luo = luo_open();
	if (luo < 0)
		die(LUO_DEVICE, luo);
	sfd = luo_create_session(luo, SIZED_SESSION);
	if (sfd < 0)
		die("create " SIZED_SESSION, sfd);
	for (i = 0; i < n; i++)
		most = count[i] > most ? count[i] : most;
	/* Interleaved: the freeze walks the files in this order. */
	for (k = 0; k < most; k++) {
		for (i = 0; i < n; i++) {
			if (k >= count[i])
				continue;
			fd = sized_memfd(mib[i], PERF_TOKEN(mib[i], k));
			err = luo_preserve_fd(sfd, fd, PERF_TOKEN(mib[i], k));
			if (err)
				die("preserve a sized memfd", err);
			close(fd);
		}
	}
	sfd = luo_create_session(luo, SMALL_SESSION);
	if (sfd < 0)
		die("create " SMALL_SESSION, sfd);
	for (k = 1; k <= small; k++) {
		fd = sized_memfd(0, k);
		err = luo_preserve_fd(sfd, fd, k);
		if (err)
			die("preserve a small memfd", err);
		close(fd);
	}
	printf("luo_perf: holding %s and %s (%d small files) for the kexec\n",
	       SIZED_SESSION, SMALL_SESSION, small);
	err = luo_hold_fds();
	if (err < 0)
		die("hold the sessions", err);
	return 0;
}

static void resumed(void)
{
	printf("@@LUOVM resumed\n");
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
}

static int cmd_retrieve(const char *sized_spec, int blocks, struct toggle *tg,
			const char *out)
{
	unsigned long mib[MAX_SIZES];
	unsigned long long t[256], probe[256], t0;
	int count[MAX_SIZES], fds[256 + MAX_SIZES * 64], tokmib[256 + MAX_SIZES * 64];
	uint64_t toks[256 + MAX_SIZES * 64];
	int luo, small, sized, fd, n = 0, nfd = 0, files = 0, bad = 0, i, k, err;
	FILE *f = open_out(out);

	n = parse_sizes(sized_spec, mib, count);
	luo = luo_open();
	if (luo < 0)
		die(LUO_DEVICE, luo);
	small = luo_retrieve_session(luo, SMALL_SESSION);
	if (small < 0)
		die("retrieve " SMALL_SESSION, small);
	for (k = 1; k <= 256; k++) {
		if (k <= tg->per_block * blocks && (k - 1) % tg->per_block == 0)
			tools_set(tg, block_tools((k - 1) / tg->per_block));
		probe[k - 1] = speed_probe();
		t0 = now_ns();
		fd = luo_retrieve_fd(small, k);
		if (fd == -ENOENT)
			break;
		t[k - 1] = now_ns() - t0;
		if (fd < 0)
			die("retrieve a small memfd", fd);
		toks[nfd] = k;
		tokmib[nfd] = 0;
		fds[nfd++] = fd;
	}
	sized = luo_retrieve_session(luo, SIZED_SESSION);
	if (sized < 0)
		die("retrieve " SIZED_SESSION, sized);
	for (i = 0; i < n; i++) {
		for (k = 0; k < count[i] && k < 64; k++) {
			fd = luo_retrieve_fd(sized, PERF_TOKEN(mib[i], k));
			if (fd < 0)
				die("retrieve a sized memfd", fd);
			toks[nfd] = PERF_TOKEN(mib[i], k);
			tokmib[nfd] = mib[i];
			fds[nfd++] = fd;
			files++;
		}
	}
	err = luo_finish(small);
	if (!err)
		err = luo_finish(sized);
	if (err)
		die("finish", err);
	resumed();
	tools_set(tg, 0);

	/* Only now, outside the blackout: every page as it was written. */
	for (i = 0; i < nfd; i++) {
		if (check_memfd(fds[i], tokmib[i], toks[i]))
			bad++;
		close(fds[i]);
	}
	n = nfd - files;
	printf("luo_perf: retrieved %d small and %d sized memfds (%d changed); retrieve median %llu ns\n",
	       n, files, bad, n ? median(t, n) : 0);
	if (n != tg->per_block * blocks) {
		fprintf(stderr, "luo_perf: %d small memfds, not %d blocks of %d\n", n, blocks,
			tg->per_block);
		bad++;
	}
	fprintf(f, "{\"test\": \"retrieve\", \"sized\": %d, \"changed\": %d, ", files, bad);
	json_blocks(f, blocks);
	json_samples(f, "retrieve", t, n);
	fprintf(f, ", ");
	json_samples(f, "probe", probe, n);
	fprintf(f, "}\n");
	if (bad)
		fprintf(stderr, "luo_perf: %d memfds changed across the live update\n", bad);
	return fclose(f) || !n || bad;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "sized", required_argument, NULL, 'z' },
		{ "small", required_argument, NULL, 'm' },
		{ "reps", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "blocks", required_argument, NULL, 'b' },
		{ "tools-on", required_argument, NULL, 'n' },
		{ "tools-off", required_argument, NULL, 'f' },
		{ "files", required_argument, NULL, 'F' },
		{ "kernel", required_argument, NULL, 'k' },
		{}
	};
	const char *sizes = "16,64,256", *sized = "2:5,64:5", *out = NULL, *cmd;
	const char *kernel = NULL;
	struct toggle tg = { .on = NULL, .off = NULL };
	int reps = 0, small = 24, blocks = 1, files = 100000, opt;

	if (argc < 2)
		goto usage;
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sizes = optarg;
			break;
		case 'z':
			sized = optarg;
			break;
		case 'm':
			small = atoi(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		case 'b':
			blocks = atoi(optarg);
			break;
		case 'n':
			tg.on = optarg;
			break;
		case 'f':
			tg.off = optarg;
			break;
		case 'F':
			files = atoi(optarg);
			break;
		case 'k':
			kernel = optarg;
			break;
		default:
			goto usage;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Blocks alternate the toolkit: both commands, or one block without. */
	if (blocks < 1 || (blocks > 1 && (!tg.on || !tg.off)) ||
	    (blocks == 1 && (tg.on || tg.off))) {
		fprintf(stderr, "luo_perf: --blocks N > 1 needs --tools-on and --tools-off\n");
		return 2;
	}
	if (!strcmp(cmd, "preserve"))
		return cmd_preserve(sizes, reps > 0 ? reps : 7, out);
	if (!strcmp(cmd, "ops"))
		return cmd_ops(reps > 0 ? reps : 1000, blocks, &tg, out);
	if (!strcmp(cmd, "lookup"))
		return cmd_lookup(files, reps > 0 ? reps : 20, out);
	if (!strcmp(cmd, "reboot"))
		return cmd_reboot(kernel, files, reps > 0 ? reps : 7, out);
	if (!strcmp(cmd, "hold"))
		return cmd_hold(sized, small > 0 && small <= 256 ? small : 24);
	if (!strcmp(cmd, "retrieve")) {
		/* --small: the files of perf-small, split into the blocks. */
		if (small % blocks) {
			fprintf(stderr, "luo_perf: --small %d is not a multiple of --blocks %d\n",
				small, blocks);
			return 2;
		}
		tg.per_block = small / blocks;
		return cmd_retrieve(sized, blocks, &tg, out);
	}
usage:
	fprintf(stderr,
		"usage: luo_perf preserve --sizes MIB,... [--reps N] --out FILE\n"
		"       luo_perf ops [--reps N] [--blocks B --tools-on CMD --tools-off CMD]\n"
		"                --out FILE\n"
		"       luo_perf hold [--sized MIB:N,...] [--small N]\n"
		"       luo_perf retrieve [--sized MIB:N,...] [--small N] [--blocks B\n"
		"                --tools-on CMD --tools-off CMD] --out FILE\n"
		"       luo_perf lookup [--files N] [--reps R] --out FILE\n"
		"       luo_perf reboot --kernel BZIMAGE --files N [--reps R] --out FILE\n"
		"example: luo_perf preserve --sizes 16,64,256 --reps 7 --out p.json\n");
	return 2;
}
