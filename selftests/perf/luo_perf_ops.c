// SPDX-License-Identifier: GPL-2.0
/*
 * luo_perf ops: a session's create, the preserve of a one-page memfd and
 * the close, each timed after a speed probe, in blocks with the toolkit
 * attached or not (luo_perf.c's comment); and what the blocks and the
 * probes of ops and retrieve share.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "luo_perf.h"

/* Tools attached in block @b: off, on, on, off, off, on, on, off, ... */
int block_tools(int b)
{
	return b % 4 == 1 || b % 4 == 2;
}

void tools_set(struct toggle *tg, int on)
{
	const char *cmd = on ? tg->on : tg->off;
	int rc;

	if (on == tg->state)
		return;
	fflush(stdout);
	rc = system(cmd);
	if (rc) {
		fprintf(stderr, "luo_perf: '%s' failed (status %d)\n", cmd, rc);
		exit(1);
	}
	tg->state = on;
}

/*
 * The speed probe: the time of a fixed loop that stays in userspace and
 * touches 64 KiB, which no tool traces.  Under TCG the guest's CPUs move
 * between speeds for seconds at a time (a probe of 115 us then takes
 * 200 us); perf_check.py reads each operation against the probes taken
 * with it, so that such a phase is not mistaken for the tools' cost.
 */
unsigned long long speed_probe(void)
{
	static unsigned long long buf[8192];
	unsigned long long t0 = now_ns(), x = 1;
	int i;

	for (i = 0; i < 40000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[(x >> 33) % 8192] += x;
	}
	/* The loop's result and buffer are used: it cannot be left out. */
	__asm__ __volatile__("" : : "r"(x), "r"(buf) : "memory");
	return now_ns() - t0;
}

void json_blocks(FILE *f, int blocks)
{
	int b;

	fprintf(f, "\"blocks\": %d, \"tools\": [", blocks);
	for (b = 0; b < blocks; b++)
		fprintf(f, "%s%d", b ? ", " : "", block_tools(b));
	fprintf(f, "], ");
}

enum { OPS_CREATE, OPS_PRESERVE, OPS_CLOSE, NR_OPS_TIMED };

/* The JSON keys of each operation's samples and of its probes. */
static const char *const ops_key[NR_OPS_TIMED] = { "create", "preserve", "close" };
static const char *const ops_probe_key[NR_OPS_TIMED] = {
	"probe_create", "probe", "probe_close"
};

int cmd_ops(int reps, int blocks, struct toggle *tg, const char *out)
{
	unsigned long long *t[NR_OPS_TIMED], *probe[NR_OPS_TIMED], t0;
	int luo = luo_open(), n = reps * blocks, mfd, i, op, sfd, err;
	FILE *f = open_out(out);

	for (op = 0; op < NR_OPS_TIMED; op++) {
		t[op] = calloc(n, sizeof(**t));
		probe[op] = calloc(n, sizeof(**probe));
		if (!t[op] || !probe[op])
			die("calloc", ENOMEM);
	}
	if (luo < 0)
		die(LUO_DEVICE, luo);
	mfd = sized_memfd(0, 1);
	for (i = 0; i < n; i++) {
		char name[32];

		if (i % reps == 0)
			tools_set(tg, block_tools(i / reps));
		snprintf(name, sizeof(name), "perf-ops-%d", i);
		probe[OPS_CREATE][i] = speed_probe();
		t0 = now_ns();
		sfd = luo_create_session(luo, name);
		t[OPS_CREATE][i] = now_ns() - t0;
		if (sfd < 0)
			die("create session", sfd);
		probe[OPS_PRESERVE][i] = speed_probe();
		t0 = now_ns();
		err = luo_preserve_fd(sfd, mfd, i + 1);
		t[OPS_PRESERVE][i] = now_ns() - t0;
		if (err)
			die("preserve", err);
		probe[OPS_CLOSE][i] = speed_probe();
		t0 = now_ns();
		close(sfd);
		t[OPS_CLOSE][i] = now_ns() - t0;
	}
	tools_set(tg, 0);
	printf("luo_perf: create, preserve (one page), close: medians %llu, %llu, %llu ns of %d\n",
	       median(t[OPS_CREATE], n), median(t[OPS_PRESERVE], n),
	       median(t[OPS_CLOSE], n), n);
	fprintf(f, "{\"test\": \"ops\", ");
	json_blocks(f, blocks);
	for (op = 0; op < NR_OPS_TIMED; op++) {
		json_samples(f, ops_key[op], t[op], n);
		fprintf(f, ", ");
		json_samples(f, ops_probe_key[op], probe[op], n);
		fprintf(f, "%s", op < NR_OPS_TIMED - 1 ? ", " : "");
	}
	fprintf(f, "}\n");
	return fclose(f) ? 1 : 0;
}
