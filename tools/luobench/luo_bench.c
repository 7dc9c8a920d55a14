// SPDX-License-Identifier: GPL-2.0
/*
 * luo_bench - the guest side of the live-update benchmarks (make bench).
 *
 * Each workload has two halves, one on each side of a kexec: stage 1
 * preserves, times what it does and leaves a child holding the sessions so
 * that the kexec carries them; stage 2, in the new kernel, retrieves and
 * finishes them, prints "@@LUOVM resumed" (the end of the blackout as the
 * host sees it) and checks what it got.  Every result is one line
 *
 *	luobench: workload=W stage=N key=value ...
 *
 * on stdout, for tools/luobench/luobench.py; times are in ns.  A request
 * LUO refuses (a limit on sessions or files, say) is a result, not a
 * failure: the line then carries error=ERRNO error_op=OP at=COUNT and the
 * exit code is 0.  Anything else that goes wrong is reported on stderr and
 * exits 1.
 *
 * The usage text (luo_bench --help) describes the subcommands.
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
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/liveupdate.h>

#include "luo_dev.h"

#define PROG		"luo_bench"
#define TRACEFS		"/sys/kernel/tracing"
#define SIZE_TOKEN	1ULL
#define PATTERN_MAGIC	0x6c756f62656e6368ULL	/* "luobench" */
#define CHUNK		(1 << 20)	/* bytes per pwrite()/pread() */
#define CALIB_FUNC	"__x64_sys_getppid"
#define CALIB_ROUNDS	5

static const char usage_text[] =
"usage: " PROG " size --stage 1 --mib S [--reps R] [--session NAME]\n"
"       " PROG " size --stage 2 --mib S [--session NAME]\n"
"       " PROG " scale --stage 1 --sessions N --files M [--reps R] [--session PREFIX]\n"
"       " PROG " scale --stage 2 --sessions N --files M [--session PREFIX]\n"
"       " PROG " probe\n"
"\n"
"The guest side of the live-update benchmarks of make bench: one half of a\n"
"workload on each side of a kexec.  Results are \"luobench: key=value ...\"\n"
"lines on stdout, times in ns.\n"
"\n"
"  size      One memfd of S MiB, every page written with a known pattern.\n"
"            Stage 1 times LIVEUPDATE_SESSION_PRESERVE_FD R times (preserve,\n"
"            then close the session to unpreserve), preserves the memfd once\n"
"            more in session NAME (default bench-size) as token 1 and leaves\n"
"            a child holding it for the kexec.  Stage 2 times the retrieve of\n"
"            the session and of the fd, finishes the session, prints\n"
"            \"@@LUOVM resumed\", then checks every page.\n"
"  scale     N sessions of M one-page memfds each (PREFIX-0 .. PREFIX-N-1,\n"
"            default prefix bench-scale, tokens 1..M).  Stage 1 times the\n"
"            session creates and the preserves, R times (closing everything\n"
"            in between), and keeps the last round for the kexec.  Stage 2\n"
"            retrieves every session and file, finishes the sessions, prints\n"
"            \"@@LUOVM resumed\" and checks every file.  A create or preserve\n"
"            LUO refuses is reported as error=ERRNO error_op=OP at=COUNT\n"
"            (exit 0); so is a stage 2 that finds no session at all.\n"
"  probe     Create and enable the kprobe events luobench/reboot_in and\n"
"            luobench/reboot_out on liveupdate_reboot() (boot with tp_printk\n"
"            to see them on the console with their timestamps), after firing\n"
"            the same pair, calib_in and calib_out, around getppid() 5 times:\n"
"            what printing one event costs inside the window.\n"
"\n"
"Options:\n"
"  -s, --stage N        1 (before the kexec) or 2 (after it)\n"
"  -m, --mib S          size of the memfd in MiB (size)\n"
"  -r, --reps R         timed repetitions in stage 1 (default 5 for size,\n"
"                       3 for scale)\n"
"  -S, --sessions N     number of sessions (scale)\n"
"  -f, --files M        memfds per session (scale)\n"
"  -n, --session NAME   session name, or name prefix for scale\n"
"  -h, --help           this text\n"
"\n"
"Examples:\n"
"  " PROG " size --stage 1 --mib 256 --reps 5\n"
"  " PROG " size --stage 2 --mib 256\n"
"  " PROG " scale --stage 1 --sessions 100 --files 10\n"
"  " PROG " scale --stage 2 --sessions 100 --files 10\n"
"  " PROG " probe\n"
"\n"
"Exit: 0 on success and on a refusal by LUO, 1 on errors, 2 on bad usage.\n";

static struct {
	int stage;
	unsigned long mib;
	int reps;
	long sessions;
	long files;
	const char *name;
} opt;

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(" PROG " --help for usage)\n");
	exit(2);
}

static void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static const char *errname(int err)
{
	static char buf[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static unsigned long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long long now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Median of @n values (sorted in place); the lower one of an even count's two. */
static unsigned long long median(unsigned long long *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_ull);
	return v[(n - 1) / 2];
}

static unsigned long long min_of(const unsigned long long *v, size_t n)
{
	unsigned long long m = n ? v[0] : 0;
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static void print_list(const char *key, const unsigned long long *v, size_t n)
{
	size_t i;

	printf(" %s=", key);
	for (i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", v[i]);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		die("calloc %zu x %zu", n, size);
	return p;
}

static int open_luo(void)
{
	int fd = luo_open();

	if (fd < 0) {
		errno = -fd;
		die("open " LUO_DEVICE);
	}
	return fd;
}

/*
 * The end of the blackout as the host sees it: the line must leave the
 * guest now, not when the buffer fills, so drain the serial line.
 */
static void mark_resumed(void)
{
	fflush(stdout);
	printf("@@LUOVM resumed\n");
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		tcdrain(STDOUT_FILENO);
}

/* Enough descriptors for @need open at once (root may raise the hard limit). */
static void raise_nofile(unsigned long need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit(RLIMIT_NOFILE)");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		rl.rlim_max = need;
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE, %lu) (see /proc/sys/fs/nr_open)", need);
}

/*
 * Leave a child, in a session of its own and with its stdio on /dev/null,
 * holding every descriptor open until the kexec: its pid.
 */
static pid_t hold_fds(void)
{
	int ready[2], null;
	pid_t pid;
	char c = 0;

	if (pipe2(ready, O_CLOEXEC))
		die("pipe2");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(ready[0]);
		setsid();
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			close(null);
		}
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		fail("the child holding the sessions did not start");
	close(ready[0]);
	return pid;
}

/* ---- size: one big memfd ---------------------------------------------- */

static uint64_t page_word(size_t page)
{
	return PATTERN_MAGIC ^ (page * 0x9e3779b97f4a7c15ULL);
}

static unsigned char page_byte(size_t page)
{
	return (unsigned char)(page * 131 + 7);
}

/* Page @page of the pattern: its byte everywhere, its word at the start. */
static void fill_page(unsigned char *p, size_t psz, size_t page)
{
	uint64_t w = page_word(page);

	memset(p, page_byte(page), psz);
	memcpy(p, &w, sizeof(w));
}

static bool page_ok(const unsigned char *p, size_t psz, size_t page)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w == page_word(page) && p[sizeof(w)] == page_byte(page) &&
	       p[psz / 2] == page_byte(page) && p[psz - 1] == page_byte(page);
}

static int size_stage1(void)
{
	size_t bytes = opt.mib << 20, psz = sysconf(_SC_PAGESIZE), pages = bytes / psz, i;
	unsigned long long *pres, *unpres, t0, fill_ns, final_ns;
	int luo, mfd, session, err, r;
	unsigned char *buf;
	pid_t holder;

	pres = xcalloc(opt.reps, sizeof(*pres));
	unpres = xcalloc(opt.reps, sizeof(*unpres));
	mfd = memfd_create("luo-bench-size", MFD_CLOEXEC);
	if (mfd < 0)
		die("memfd_create");
	/*
	 * Written with pwrite() a chunk at a time rather than through a
	 * mapping: under TCG a page fault per page would cost more than the
	 * rest of the benchmark.
	 */
	buf = xcalloc(CHUNK, 1);
	t0 = now_ns();
	for (i = 0; i < pages; i += CHUNK / psz) {
		size_t n = pages - i < CHUNK / psz ? pages - i : CHUNK / psz, j;

		for (j = 0; j < n; j++)
			fill_page(buf + j * psz, psz, i + j);
		if (pwrite(mfd, buf, n * psz, i * psz) != (ssize_t)(n * psz))
			die("writing the memfd at page %zu", i);
	}
	fill_ns = now_ns() - t0;
	free(buf);

	luo = open_luo();
	for (r = 0; r < opt.reps; r++) {
		session = luo_create_session(luo, opt.name);
		if (session < 0) {
			errno = -session;
			die("LIVEUPDATE_IOCTL_CREATE_SESSION '%s'", opt.name);
		}
		t0 = now_ns();
		err = luo_preserve_fd(session, mfd, SIZE_TOKEN);
		pres[r] = now_ns() - t0;
		if (err) {
			/* LUO does not take a memfd of this size: a result. */
			printf("luobench: workload=size stage=1 mib=%lu pages=%zu error=%s error_op=preserve at=%d\n",
			       opt.mib, pages, errname(-err), r);
			return 0;
		}
		t0 = now_ns();
		close(session);
		unpres[r] = now_ns() - t0;
	}

	session = luo_create_session(luo, opt.name);
	if (session < 0) {
		errno = -session;
		die("LIVEUPDATE_IOCTL_CREATE_SESSION '%s'", opt.name);
	}
	t0 = now_ns();
	err = luo_preserve_fd(session, mfd, SIZE_TOKEN);
	final_ns = now_ns() - t0;
	if (err) {
		errno = -err;
		die("LIVEUPDATE_SESSION_PRESERVE_FD (the last one, for the kexec)");
	}
	close(luo);	/* one opener at a time: free it for the next program */
	holder = hold_fds();

	printf("luobench: workload=size stage=1 mib=%lu pages=%zu reps=%d fill_ns=%llu",
	       opt.mib, pages, opt.reps, fill_ns);
	print_list("preserve_samples_ns", pres, opt.reps);
	print_list("unpreserve_samples_ns", unpres, opt.reps);
	printf(" preserve_min_ns=%llu", min_of(pres, opt.reps));
	printf(" preserve_median_ns=%llu", median(pres, opt.reps));
	printf(" unpreserve_median_ns=%llu", median(unpres, opt.reps));
	printf(" final_preserve_ns=%llu session=%s token=%llu holder=%d\n",
	       final_ns, opt.name, SIZE_TOKEN, holder);
	return 0;
}

static int size_stage2(void)
{
	size_t bytes = opt.mib << 20, psz = sysconf(_SC_PAGESIZE), pages = bytes / psz, i;
	unsigned long long t0, t_open, t_sess, t_fd, t_fin, boot_first, boot_resumed;
	int luo, session, fd, err;
	unsigned char *buf;
	struct stat st;

	/* Mainline's LUO reads the handed-over sessions at the first open. */
	t0 = now_ns();
	luo = open_luo();
	t_open = now_ns() - t0;
	t0 = now_ns();
	session = luo_retrieve_session(luo, opt.name);
	t_sess = now_ns() - t0;
	if (session == -ENOENT) {
		/* Nothing was handed over (stage 1 was refused?): the host decides. */
		printf("luobench: workload=size stage=2 mib=%lu error=ENOENT error_op=retrieve_session at=0\n",
		       opt.mib);
		return 0;
	}
	if (session < 0) {
		errno = -session;
		die("LIVEUPDATE_IOCTL_RETRIEVE_SESSION '%s'", opt.name);
	}
	t0 = now_ns();
	fd = luo_retrieve_fd(session, SIZE_TOKEN);
	t_fd = now_ns() - t0;
	boot_first = clock_ns(CLOCK_BOOTTIME);
	if (fd < 0) {
		errno = -fd;
		die("LIVEUPDATE_SESSION_RETRIEVE_FD token %llu", SIZE_TOKEN);
	}
	t0 = now_ns();
	err = luo_finish(session);
	t_fin = now_ns() - t0;
	if (err) {
		errno = -err;
		die("LIVEUPDATE_SESSION_FINISH");
	}
	mark_resumed();
	boot_resumed = clock_ns(CLOCK_BOOTTIME);

	if (fstat(fd, &st))
		die("fstat");
	if ((size_t)st.st_size != bytes)
		fail("the retrieved memfd has %lld bytes, expected %zu",
		     (long long)st.st_size, bytes);
	buf = xcalloc(CHUNK, 1);
	for (i = 0; i < pages; i += CHUNK / psz) {
		size_t n = pages - i < CHUNK / psz ? pages - i : CHUNK / psz, j;

		if (pread(fd, buf, n * psz, i * psz) != (ssize_t)(n * psz))
			die("reading the retrieved memfd at page %zu", i);
		for (j = 0; j < n; j++)
			if (!page_ok(buf + j * psz, psz, i + j))
				fail("page %zu of the retrieved memfd differs from what was preserved",
				     i + j);
	}
	free(buf);
	close(fd);
	close(session);
	close(luo);

	printf("luobench: workload=size stage=2 mib=%lu pages=%zu open_ns=%llu retrieve_session_ns=%llu retrieve_fd_ns=%llu finish_ns=%llu boot_to_first_retrieve_ns=%llu boot_to_resumed_ns=%llu verified_pages=%zu\n",
	       opt.mib, pages, t_open, t_sess, t_fd, t_fin, boot_first, boot_resumed, pages);
	return 0;
}

/* ---- scale: many sessions of many small memfds --------------------------- */

static void session_name(char *buf, size_t len, long s)
{
	snprintf(buf, len, "%s-%ld", opt.name, s);
}

/* What the one page of file @f of session @s holds. */
static uint64_t file_word(long s, long f)
{
	return PATTERN_MAGIC ^ ((uint64_t)s << 32 | (uint64_t)f);
}

static void close_all(int *fds, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

static int scale_stage1(void)
{
	long ns = opt.sessions, nf = opt.files, total = ns * nf, s, f, i;
	unsigned long long *op, *create_tot, *create_med, *pres_tot, *pres_med;
	unsigned long long *close_tot, t0, t1, setup_ns;
	int luo, *mfds, *sfds, err = 0, r, nclose = 0;
	const char *error_op = NULL;
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	long at = 0;
	pid_t holder;

	raise_nofile(total + ns + 64);
	mfds = xcalloc(total, sizeof(*mfds));
	sfds = xcalloc(ns, sizeof(*sfds));
	op = xcalloc(total > ns ? total : ns, sizeof(*op));
	create_tot = xcalloc(opt.reps, sizeof(*create_tot));
	create_med = xcalloc(opt.reps, sizeof(*create_med));
	pres_tot = xcalloc(opt.reps, sizeof(*pres_tot));
	pres_med = xcalloc(opt.reps, sizeof(*pres_med));
	close_tot = xcalloc(opt.reps, sizeof(*close_tot));
	for (s = 0; s < ns; s++)
		sfds[s] = -1;

	/* The files, once: each round preserves the same memfds again. */
	t0 = now_ns();
	for (s = 0; s < ns; s++) {
		for (f = 0; f < nf; f++) {
			uint64_t w = file_word(s, f);

			i = s * nf + f;
			mfds[i] = memfd_create("luo-bench-scale", MFD_CLOEXEC);
			if (mfds[i] < 0)
				die("memfd_create (file %ld of %ld)", i + 1, total);
			if (ftruncate(mfds[i], 4096) || pwrite(mfds[i], &w, sizeof(w), 0) != sizeof(w))
				die("writing memfd %ld", i + 1);
		}
	}
	setup_ns = now_ns() - t0;

	luo = open_luo();
	for (r = 0; r < opt.reps && !error_op; r++) {
		t0 = now_ns();
		for (s = 0; s < ns; s++) {
			session_name(name, sizeof(name), s);
			t1 = now_ns();
			sfds[s] = luo_create_session(luo, name);
			op[s] = now_ns() - t1;
			if (sfds[s] < 0) {
				err = -sfds[s];
				error_op = "create";
				at = s;
				break;
			}
		}
		if (error_op)
			break;
		create_tot[r] = now_ns() - t0;
		create_med[r] = median(op, ns);

		t0 = now_ns();
		for (s = 0; s < ns && !error_op; s++) {
			for (f = 0; f < nf; f++) {
				i = s * nf + f;
				t1 = now_ns();
				err = luo_preserve_fd(sfds[s], mfds[i], f + 1);
				op[i] = now_ns() - t1;
				if (err) {
					err = -err;
					error_op = "preserve";
					at = i;
					break;
				}
			}
		}
		if (error_op)
			break;
		pres_tot[r] = now_ns() - t0;
		pres_med[r] = median(op, total);

		if (r < opt.reps - 1) {
			/* Closing a session unpreserves its files. */
			t0 = now_ns();
			close_all(sfds, ns);
			close_tot[nclose++] = now_ns() - t0;
		}
	}

	if (error_op) {
		/* A limit of this LUO: report it, carry nothing over. */
		close_all(sfds, ns);
		close_all(mfds, total);
		printf("luobench: workload=scale stage=1 sessions=%ld files=%ld error=%s error_op=%s at=%ld rep=%d\n",
		       ns, nf, errname(err), error_op, at, r);
		return 0;
	}
	close(luo);	/* one opener at a time: free it for the next program */
	holder = hold_fds();

	printf("luobench: workload=scale stage=1 sessions=%ld files=%ld total_files=%ld reps=%d setup_ns=%llu",
	       ns, nf, total, opt.reps, setup_ns);
	print_list("create_total_samples_ns", create_tot, opt.reps);
	print_list("preserve_total_samples_ns", pres_tot, opt.reps);
	print_list("close_total_samples_ns", close_tot, nclose);
	printf(" create_total_ns=%llu", median(create_tot, opt.reps));
	printf(" create_op_median_ns=%llu", median(create_med, opt.reps));
	printf(" preserve_total_ns=%llu", median(pres_tot, opt.reps));
	printf(" preserve_op_median_ns=%llu", median(pres_med, opt.reps));
	if (nclose)
		printf(" close_total_ns=%llu", median(close_tot, nclose));
	printf(" holder=%d\n", holder);
	return 0;
}

static int scale_stage2(void)
{
	long ns = opt.sessions, nf = opt.files, total = ns * nf, s, f, i;
	unsigned long long *sess_op, *fd_op, *fin_op, t0, t_wall, t_open;
	unsigned long long boot_first = 0, boot_resumed, sum_sess = 0, sum_fd = 0, sum_fin = 0;
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int luo, *sfds, *fds, err;

	raise_nofile(total + ns + 64);
	sfds = xcalloc(ns, sizeof(*sfds));
	fds = xcalloc(total, sizeof(*fds));
	sess_op = xcalloc(ns, sizeof(*sess_op));
	fin_op = xcalloc(ns, sizeof(*fin_op));
	fd_op = xcalloc(total, sizeof(*fd_op));

	/* Mainline's LUO reads the handed-over sessions at the first open. */
	t_wall = now_ns();
	luo = open_luo();
	t_open = now_ns() - t_wall;
	for (s = 0; s < ns; s++) {
		session_name(name, sizeof(name), s);
		t0 = now_ns();
		sfds[s] = luo_retrieve_session(luo, name);
		sess_op[s] = now_ns() - t0;
		if (sfds[s] == -ENOENT && s == 0) {
			/* Nothing was handed over (stage 1 was refused?): the host decides. */
			printf("luobench: workload=scale stage=2 sessions=%ld files=%ld error=ENOENT error_op=retrieve_session at=0\n",
			       ns, nf);
			return 0;
		}
		if (sfds[s] < 0) {
			errno = -sfds[s];
			die("LIVEUPDATE_IOCTL_RETRIEVE_SESSION '%s' (%ld of %ld)", name, s + 1, ns);
		}
		sum_sess += sess_op[s];
		for (f = 0; f < nf; f++) {
			i = s * nf + f;
			t0 = now_ns();
			fds[i] = luo_retrieve_fd(sfds[s], f + 1);
			fd_op[i] = now_ns() - t0;
			if (!boot_first)
				boot_first = clock_ns(CLOCK_BOOTTIME);
			if (fds[i] < 0) {
				errno = -fds[i];
				die("LIVEUPDATE_SESSION_RETRIEVE_FD '%s' token %ld", name, f + 1);
			}
			sum_fd += fd_op[i];
		}
	}
	for (s = 0; s < ns; s++) {
		t0 = now_ns();
		err = luo_finish(sfds[s]);
		fin_op[s] = now_ns() - t0;
		if (err) {
			errno = -err;
			die("LIVEUPDATE_SESSION_FINISH (session %ld of %ld)", s + 1, ns);
		}
		sum_fin += fin_op[s];
	}
	t_wall = now_ns() - t_wall;
	mark_resumed();
	boot_resumed = clock_ns(CLOCK_BOOTTIME);

	for (i = 0; i < total; i++) {
		uint64_t w = 0;
		struct stat st;

		s = i / nf;
		f = i % nf;
		if (fstat(fds[i], &st) || st.st_size != 4096 ||
		    pread(fds[i], &w, sizeof(w), 0) != sizeof(w) || w != file_word(s, f))
			fail("file %ld of session %ld is not what was preserved", f + 1, s);
	}
	close_all(fds, total);
	close_all(sfds, ns);
	close(luo);

	printf("luobench: workload=scale stage=2 sessions=%ld files=%ld total_files=%ld",
	       ns, nf, total);
	printf(" open_ns=%llu retrieve_session_total_ns=%llu retrieve_fd_total_ns=%llu finish_total_ns=%llu",
	       t_open, sum_sess, sum_fd, sum_fin);
	printf(" retrieve_total_ns=%llu", sum_sess + sum_fd);
	printf(" retrieve_session_op_median_ns=%llu", median(sess_op, ns));
	printf(" retrieve_fd_op_median_ns=%llu", median(fd_op, total));
	printf(" finish_op_median_ns=%llu", median(fin_op, ns));
	printf(" wall_ns=%llu boot_to_first_retrieve_ns=%llu boot_to_resumed_ns=%llu verified_files=%ld\n",
	       t_wall, boot_first, boot_resumed, total);
	return 0;
}

/* ---- probe: the time liveupdate_reboot() takes, on the console ---------- */

static void tracefs_write(const char *file, const char *text, bool exist_ok)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		die("open %s (is tracefs mounted, CONFIG_KPROBE_EVENTS=y?)", path);
	if (write(fd, text, strlen(text)) < 0 && !(exist_ok && (errno == EEXIST || errno == EBUSY)))
		die("write '%.*s' to %s", (int)strcspn(text, "\n"), text, path);
	close(fd);
}

/*
 * With tp_printk, an event is printed on the console by the printk() of
 * the probe itself, synchronously on a legacy (8250) console: the time
 * between reboot_in and reboot_out then includes the probes and printing
 * reboot_in's line.  A pair of the same probes around a syscall that does
 * nothing (getppid(), filtered on this process) measures that cost, so that
 * the host can subtract it: the first pair is as cold as the reboot's one.
 *
 * No kprobe event is ever disabled here: on this 7.2 kernel, enabling a
 * kretprobe event, disabling it and then enabling another one makes the
 * latter jump to address 0 when it fires.  The calibration probes are
 * instead left enabled with a filter no process matches.
 */
static int cmd_probe(void)
{
	char filter[64];
	int i;

	tracefs_write("kprobe_events", "p:luobench/reboot_in liveupdate_reboot\n", true);
	tracefs_write("kprobe_events", "r:luobench/reboot_out liveupdate_reboot ret=$retval\n", true);
	tracefs_write("kprobe_events", "p:luobench/calib_in " CALIB_FUNC "\n", true);
	tracefs_write("kprobe_events", "r:luobench/calib_out " CALIB_FUNC "\n", true);
	tracefs_write("events/luobench/reboot_in/enable", "1\n", false);
	tracefs_write("events/luobench/reboot_out/enable", "1\n", false);
	snprintf(filter, sizeof(filter), "common_pid == %d\n", getpid());
	tracefs_write("events/luobench/calib_in/filter", filter, false);
	tracefs_write("events/luobench/calib_out/filter", filter, false);
	tracefs_write("events/luobench/calib_in/enable", "1\n", false);
	tracefs_write("events/luobench/calib_out/enable", "1\n", false);
	for (i = 0; i < CALIB_ROUNDS; i++)
		syscall(SYS_getppid);
	/* pid 0, the idle task, makes no syscall. */
	tracefs_write("events/luobench/calib_in/filter", "common_pid == 0\n", false);
	tracefs_write("events/luobench/calib_out/filter", "common_pid == 0\n", false);
	printf("luobench: workload=probe events=luobench/reboot_in,luobench/reboot_out enabled=1 calib=%s calib_rounds=%d\n",
	       CALIB_FUNC, CALIB_ROUNDS);
	return 0;
}

static long parse_number(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0)
		usage_error("not a number: '%s'", arg);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "mib", required_argument, NULL, 'm' },
		{ "reps", required_argument, NULL, 'r' },
		{ "sessions", required_argument, NULL, 'S' },
		{ "files", required_argument, NULL, 'f' },
		{ "session", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *cmd;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage_error("a subcommand is needed: size, scale or probe");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	/* The options follow the subcommand. */
	argv++;
	argc--;
	opt.reps = -1;
	while ((c = getopt_long(argc, argv, "s:m:r:S:f:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			opt.stage = parse_number(optarg);
			break;
		case 'm':
			opt.mib = parse_number(optarg);
			break;
		case 'r':
			opt.reps = parse_number(optarg);
			break;
		case 'S':
			opt.sessions = parse_number(optarg);
			break;
		case 'f':
			opt.files = parse_number(optarg);
			break;
		case 'n':
			opt.name = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage_error("bad option");
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);

	if (!strcmp(cmd, "probe"))
		return cmd_probe();
	if (strcmp(cmd, "size") && strcmp(cmd, "scale"))
		usage_error("unknown subcommand '%s'", cmd);
	if (opt.stage != 1 && opt.stage != 2)
		usage_error("--stage 1 or --stage 2 is needed");
	if (!strcmp(cmd, "size")) {
		if (!opt.mib || opt.mib > (1UL << 20))
			usage_error("--mib S is needed, 1 to 1048576");
		if (opt.reps < 0)
			opt.reps = 5;
		if (opt.stage == 1 && opt.reps < 1)
			usage_error("size needs --reps 1 or more");
		if (!opt.name)
			opt.name = "bench-size";
		if (!*opt.name || strlen(opt.name) >= LIVEUPDATE_SESSION_NAME_LENGTH)
			usage_error("the session name must have 1 to %d characters",
				    LIVEUPDATE_SESSION_NAME_LENGTH - 1);
		return opt.stage == 1 ? size_stage1() : size_stage2();
	}
	if (opt.sessions < 1 || opt.files < 1 || opt.sessions > 1000000 ||
	    opt.files > 1000000 || opt.sessions * opt.files > 10000000)
		usage_error("--sessions N and --files M are needed (N x M at most 10000000)");
	if (opt.reps < 0)
		opt.reps = 3;
	if (opt.stage == 1 && opt.reps < 1)
		usage_error("scale needs --reps 1 or more: the last round is carried over");
	if (!opt.name)
		opt.name = "bench-scale";
	if (!*opt.name || strlen(opt.name) + 12 >= LIVEUPDATE_SESSION_NAME_LENGTH)
		usage_error("the session name prefix must have 1 to %d characters",
			    LIVEUPDATE_SESSION_NAME_LENGTH - 13);
	return opt.stage == 1 ? scale_stage1() : scale_stage2();
}
