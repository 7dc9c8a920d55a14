// SPDX-License-Identifier: GPL-2.0
/*
 * luo_perf reboot --kernel K [--files N] [--reps R] --out FILE: what the
 * reboot path costs per file frozen, against the number of files and
 * against their size, without a kexec.
 *
 * luo_plant's "abort" makes every reboot fail once its files are frozen
 * (luo_hook_serialize returns -ECANCELED): reboot(LINUX_REBOOT_CMD_KEXEC)
 * then runs liveupdate_reboot() (freeze every file, the handover, the
 * unfreeze of the abort) and returns, and each such reboot is timed.
 *
 * Files: in each of R rounds the same N files are frozen three ways, each
 * a batch of its own: 256 reboots of a session of N/16 one-page memfds, 64
 * of N/4, 16 of N (the order rotating per round).  The batches freeze the
 * same number of files and last about as long (tens of ms under TCG), so
 * that a slow phase of the machine weighs on each alike; perf_check.py's
 * "reboot-linear" reads each size's fastest reboot (see there): the
 * fastest of R x 16 reboots of N files.  With R x 4 it was not yet the
 * cost itself: it ranged over 1.8x from one run to the next, where the
 * smaller sizes' fastest, of R x 16 and more, moved by 10 %, and an
 * unchanged tree failed the test.
 *
 * Sizes: then SIZED memfds of one page against SIZED memfds of SIZED_MIB
 * MiB, SIZED_REBOOTS reboots each per round (taking turns): "reboot-size"
 * wants the large ones' fastest reboot to cost at most 1.5x the small
 * ones': a freeze that pays for the data pays it in the blackout.  Their tokens carry the size
 * (luo_plant.h), for the planted regression.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/reboot.h>

#include "luo_perf.h"
#include "luo_plant.h"

#define SIZED		32
#define SIZED_MIB	16
#define SIZED_REBOOTS	128
/* Each batch of the files' test: REPEAT times 16, 4 and 1 reboots */
#define REPEAT		16

/* One reboot that LUO refuses: its ns; dies unless it failed with ECANCELED. */
static unsigned long long reboot_aborted(void)
{
	unsigned long long t0 = now_ns(), t;
	long ret;

	ret = syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		      LINUX_REBOOT_CMD_KEXEC, NULL);
	t = now_ns() - t0;
	if (!ret || errno != ECANCELED)
		die("reboot (is luo_plant's abort attached?)", ret ? errno : EPROTO);
	return t;
}

/*
 * Preserve @fd[0..@n) in a new session, reboot @times: the ns in all, and
 * the fastest reboot's in *@fastest.
 */
static unsigned long long batch(int luo, const char *name, const int *fd,
				const unsigned long long *token, int n, int times,
				unsigned long long *fastest)
{
	unsigned long long t = 0, one;
	int sfd, i, err;

	sfd = luo_create_session(luo, name);
	if (sfd < 0)
		die("create session", sfd);
	for (i = 0; i < n; i++) {
		err = luo_preserve_fd(sfd, fd[i], token[i]);
		if (err)
			die("preserve", err);
	}
	*fastest = ~0ULL;
	for (i = 0; i < times; i++) {
		one = reboot_aborted();
		t += one;
		if (one < *fastest)
			*fastest = one;
	}
	close(sfd);
	return t;
}

/*
 * "@name": {"KEY": [...], ...}: group g's samples under files / split[g]
 * (the files of one reboot), or under g's size in MiB when @split is NULL.
 */
static void json_groups(FILE *f, const char *name, unsigned long long **v, int n,
			int files, const int *split, int reps)
{
	char key[16];
	int g;

	fprintf(f, "\"%s\": {", name);
	for (g = 0; g < n; g++) {
		snprintf(key, sizeof(key), "%d", split ? files / split[g] : g ? SIZED_MIB : 0);
		fprintf(f, "%s", g ? ", " : "");
		json_samples(f, key, v[g], reps);
	}
	fprintf(f, "}");
}

int cmd_reboot(const char *kernel, int files, int reps, const char *out)
{
	static const int split[] = { 16, 4, 1 };
	unsigned long long *t[3], *ts[2], *fast[3], *fasts[2], *token;
	struct rlimit lim = { files + 2 * SIZED + 64, files + 2 * SIZED + 64 };
	int luo, *fd, *sfd[2], g, r, i, err;
	FILE *f = open_out(out);

	if (!kernel || files < 16 || files % 16) {
		fprintf(stderr, "luo_perf: reboot needs --kernel and --files, a multiple of 16\n");
		exit(2);
	}
	if (setrlimit(RLIMIT_NOFILE, &lim))
		die("setrlimit", errno);
	err = luo_kexec_load(kernel);
	if (err)
		die("kexec_file_load", err);
	luo = luo_open();
	if (luo < 0)
		die(LUO_DEVICE, luo);
	fd = calloc(files, sizeof(*fd));
	token = calloc(files, sizeof(*token));
	for (g = 0; g < 2; g++) {
		sfd[g] = calloc(SIZED, sizeof(*sfd[g]));
		ts[g] = calloc(reps, sizeof(*ts[g]));
		fasts[g] = calloc(reps, sizeof(*fasts[g]));
		if (!sfd[g] || !ts[g] || !fasts[g])
			die("calloc", ENOMEM);
	}
	for (g = 0; g < 3; g++) {
		t[g] = calloc(reps, sizeof(*t[g]));
		fast[g] = calloc(reps, sizeof(*fast[g]));
		if (!t[g] || !fast[g])
			die("calloc", ENOMEM);
	}
	if (!fd || !token)
		die("calloc", ENOMEM);
	for (i = 0; i < files; i++) {
		fd[i] = sized_memfd(0, i);
		token[i] = i + 1;
	}
	for (i = 0; i < SIZED; i++) {
		sfd[0][i] = sized_memfd(0, PERF_TOKEN(0, i));
		sfd[1][i] = sized_memfd(SIZED_MIB, PERF_TOKEN(SIZED_MIB, i));
	}

	for (r = 0; r < reps; r++) {
		for (i = 0; i < 3; i++) {
			g = (i + r) % 3;
			t[g][r] = batch(luo, "perf-reboot", fd, token, files / split[g],
					REPEAT * split[g], &fast[g][r]);
		}
		for (i = 0; i < 2; i++) {
			unsigned long long tok[SIZED];
			int k;

			g = (i + r) % 2;
			for (k = 0; k < SIZED; k++)
				tok[k] = PERF_TOKEN(g ? SIZED_MIB : 0, k);
			ts[g][r] = batch(luo, "perf-reboot-sized", sfd[g], tok, SIZED,
					 SIZED_REBOOTS, &fasts[g][r]);
		}
	}
	printf("luo_perf: reboots freezing %d files as %d x %d, %d x %d, %d x %d: medians %llu, %llu, %llu ns; %d reboots of %d files of 1 page: %llu ns, of %d MiB: %llu ns (%d rounds)\n",
	       REPEAT * files, 16 * REPEAT, files / 16, 4 * REPEAT, files / 4, REPEAT, files,
	       median(t[0], reps), median(t[1], reps),
	       median(t[2], reps), SIZED_REBOOTS, SIZED, median(ts[0], reps), SIZED_MIB,
	       median(ts[1], reps), reps);
	fprintf(f, "{\"test\": \"reboot\", \"reps\": %d, \"files\": %d, ", reps,
		REPEAT * files);
	json_groups(f, "linear", t, 3, files, split, reps);
	fprintf(f, ", ");
	json_groups(f, "linear_fastest", fast, 3, files, split, reps);
	fprintf(f, ", \"sized_files\": %d, \"sized_reboots\": %d, \"sized_mib\": %d, ",
		SIZED, SIZED_REBOOTS, SIZED_MIB);
	json_groups(f, "sized", ts, 2, 0, NULL, reps);
	fprintf(f, ", ");
	json_groups(f, "sized_fastest", fasts, 2, 0, NULL, reps);
	fprintf(f, "}\n");
	return fclose(f) ? 1 : 0;
}
