// SPDX-License-Identifier: GPL-2.0
/*
 * luo_plant - plant (or not) a regression into LUO for the perf-regression
 * tests: attach one program of luo_plant.bpf.c and pin its link, so that
 * it stays in the kernel after this program exits, until "detach" or the
 * kexec.
 *
 *   luo_plant [--mode none|planted] attach PLANT [NS]
 *   luo_plant [--mode none|planted] detach PLANT
 *
 * PLANT and its default delay (the regression the tests must catch):
 *   preserve 20000 ns x MiB^2 per sized file in luo_hook_file_preserve
 *   freeze   50000 ns x MiB per sized file in luo_hook_file_freeze
 *   reboot   3 s at the start of liveupdate_reboot, before the record (more
 *            than the record-blackout test allows up to a 145 s blackout)
 *   events   300000 ns in each file preserve/freeze/retrieve event
 *   lookup   50 ns x the file's index in luo_hook_file_preserve
 *   freeze-nth  20 ns x n for the reboot's n-th file in luo_hook_file_freeze
 *
 * With --mode none (the normal run of a test) nothing is attached: the
 * same plan runs with and without its regressions.  "abort" is not a
 * regression and is attached in either mode: it fails every reboot once
 * its files are frozen (luo_hook_serialize returns -ECANCELED), for
 * luo_perf reboot to time the reboot path without a kexec.  "detach" prints how
 * often the plant ran and how long it spun.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "luo_plant.h"
#include "luo_plant.skel.h"

#define PIN_DIR "/sys/fs/bpf"

static const struct {
	const char *name;
	unsigned long long ns;
	const char *what;
	bool always;	/* not a regression: attached with --mode none too */
} plants[NR_PLANTS] = {
	[PLANT_PRESERVE] = { "preserve", 20000, "ns x MiB^2 in luo_hook_file_preserve" },
	[PLANT_FREEZE] = { "freeze", 50000, "ns x MiB in luo_hook_file_freeze" },
	[PLANT_REBOOT] = { "reboot", 3000000000ULL, "ns at the start of liveupdate_reboot" },
	[PLANT_EVENTS] = { "events", 300000, "ns in each file preserve/freeze/retrieve event" },
	[PLANT_LOOKUP] = { "lookup", 50, "ns x the file's index in luo_hook_file_preserve" },
	[PLANT_FREEZE_NTH] = { "freeze-nth", 20,
			       "ns x n for the reboot's n-th file in luo_hook_file_freeze" },
	[PLANT_ABORT] = { "abort", 0, "(every reboot fails in luo_hook_serialize)", true },
};

static int usage(void)
{
	fprintf(stderr,
		"usage: luo_plant [--mode none|planted] attach PLANT [NS]\n"
		"       luo_plant [--mode none|planted] detach PLANT\n"
		"PLANT: preserve, freeze, reboot, events, lookup, freeze-nth or abort\n"
		"example: luo_plant --mode planted attach freeze\n");
	return 2;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static int attach(struct luo_plant_bpf *skel, int plant)
{
	struct bpf_program *progs[NR_PLANTS][3] = {
		[PLANT_PRESERVE] = { skel->progs.plant_preserve },
		[PLANT_FREEZE] = { skel->progs.plant_freeze },
		[PLANT_REBOOT] = { skel->progs.plant_reboot },
		[PLANT_EVENTS] = { skel->progs.plant_ev_preserve, skel->progs.plant_ev_freeze,
				   skel->progs.plant_ev_retrieve },
		[PLANT_LOOKUP] = { skel->progs.plant_lookup },
		[PLANT_FREEZE_NTH] = { skel->progs.plant_freeze_nth_reset,
				       skel->progs.plant_freeze_nth },
		[PLANT_ABORT] = { skel->progs.abort_reboot },
	};
	char path[128];
	int i, err;

	snprintf(path, sizeof(path), PIN_DIR "/luo_plant_%s_bss", plants[plant].name);
	err = bpf_map__pin(skel->maps.bss, path);
	if (err)
		return err;
	for (i = 0; i < 3 && progs[plant][i]; i++) {
		struct bpf_link *link = bpf_program__attach(progs[plant][i]);

		if (!link)
			return -errno;
		snprintf(path, sizeof(path), PIN_DIR "/luo_plant_%s_%d", plants[plant].name, i);
		err = bpf_link__pin(link, path);
		if (err)
			return err;
	}
	return 0;
}

static int detach(int plant)
{
	struct luo_plant_bpf__bss bss;
	char path[128];
	int i, fd, found = 0;
	__u32 key = 0;

	snprintf(path, sizeof(path), PIN_DIR "/luo_plant_%s_bss", plants[plant].name);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (!bpf_map_lookup_elem(fd, &key, &bss))
			printf("luo_plant: %s ran %llu times, spun %llu ns in all\n",
			       plants[plant].name, (unsigned long long)bss.runs[plant],
			       (unsigned long long)bss.spun_ns[plant]);
		close(fd);
		unlink(path);
		found = 1;
	}
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), PIN_DIR "/luo_plant_%s_%d", plants[plant].name, i);
		if (!unlink(path))
			found = 1;
	}
	if (!found) {
		fprintf(stderr, "luo_plant: %s is not attached\n", plants[plant].name);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct luo_plant_bpf *skel;
	unsigned long long ns;
	int planted = 1, plant, err;

	if (argc > 2 && !strcmp(argv[1], "--mode")) {
		if (!strcmp(argv[2], "none"))
			planted = 0;
		else if (strcmp(argv[2], "planted"))
			return usage();
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || argc > 4)
		return usage();
	for (plant = 0; plant < NR_PLANTS; plant++)
		if (!strcmp(argv[2], plants[plant].name))
			break;
	if (plant == NR_PLANTS)
		return usage();
	ns = argc == 4 ? strtoull(argv[3], NULL, 0) : plants[plant].ns;
	if (!planted && !plants[plant].always) {
		printf("luo_plant: %s: none (a normal run)\n", plants[plant].name);
		return 0;
	}
	libbpf_set_print(silent);
	if (!strcmp(argv[1], "detach"))
		return detach(plant);
	if (strcmp(argv[1], "attach"))
		return usage();

	skel = luo_plant_bpf__open();
	if (!skel) {
		fprintf(stderr, "luo_plant: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->delay[plant] = ns;
	err = luo_plant_bpf__load(skel);
	if (!err)
		err = attach(skel, plant);
	luo_plant_bpf__destroy(skel);
	if (err) {
		fprintf(stderr, "luo_plant: cannot attach %s: %s\n", plants[plant].name,
			strerror(-err));
		detach(plant);
		return 1;
	}
	printf("luo_plant: planted %s: %llu %s\n", plants[plant].name, ns, plants[plant].what);
	return 0;
}
