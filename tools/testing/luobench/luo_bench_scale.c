// SPDX-License-Identifier: GPL-2.0
/*
 * luo_bench scale: N sessions of M one-page memfds each; stage 1 times the
 * creates and the preserves and carries the last round over the kexec,
 * stage 2 times the retrieves and the finishes and checks every file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <linux/liveupdate.h>

#include "luo_bench.h"

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

/* --budget: the creates and preserves since @t_begin have taken too long. */
static bool over_budget(unsigned long long t_begin)
{
	return opt.budget_s && now_ns() - t_begin > opt.budget_s * 1000000000ULL;
}

int scale_stage1(void)
{
	long ns = opt.sessions, nf = opt.files, total = ns * nf, s, f, i;
	unsigned long long *op, *create_tot, *create_med, *pres_tot, *pres_med;
	unsigned long long *close_tot, t0, t1, setup_ns, t_begin;
	long long mem0 = 0, state_bytes = 0;
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
	t_begin = now_ns();
	for (r = 0; r < opt.reps && !error_op; r++) {
		if (r == 0)
			mem0 = mem_free_bytes();
		t0 = now_ns();
		for (s = 0; s < ns; s++) {
			session_name(name, sizeof(name), s);
			t1 = now_ns();
			sfds[s] = luo_create_session(luo, name);
			op[s] = now_ns() - t1;
			if (sfds[s] < 0 || over_budget(t_begin)) {
				err = sfds[s] < 0 ? -sfds[s] : ETIMEDOUT;
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
				if (err || over_budget(t_begin)) {
					err = err ? -err : ETIMEDOUT;
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
		/* The memory the first round's sessions and preserves took. */
		if (r == 0)
			state_bytes = mem0 - mem_free_bytes();

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
	holder = luo_hold_fds();
	if (holder < 0) {
		errno = -holder;
		die("the child holding the sessions did not start");
	}

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
	printf(" state_bytes=%lld state_bytes_per_file=%lld", state_bytes, state_bytes / total);
	printf(" holder=%d\n", holder);
	return 0;
}

int scale_stage2(void)
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
