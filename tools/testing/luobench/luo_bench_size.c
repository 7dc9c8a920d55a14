// SPDX-License-Identifier: GPL-2.0
/*
 * luo_bench size: one memfd of S MiB, every page written with a known
 * pattern; stage 1 times its preserve (and unpreserve) and carries it over
 * the kexec, stage 2 times its retrieve and checks every page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "luo_bench.h"

#define SIZE_TOKEN	1ULL
#define CHUNK		(1 << 20)	/* bytes per pwrite()/pread() */

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

int size_stage1(void)
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
	holder = luo_hold_fds();
	if (holder < 0) {
		errno = -holder;
		die("the child holding the sessions did not start");
	}

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

int size_stage2(void)
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
