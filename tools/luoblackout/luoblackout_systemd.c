// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout --systemd: the blackout a service of a systemd host lives
 * through in a live update, from the moment it is told to stop to the
 * moment it has its state back, as one waterfall: systemd's shutdown (the
 * other units' stop jobs, then systemd-shutdown), LUO's phases in the
 * kernel from the live-update record, the new kernel's boot, systemd's
 * start-up up to the unit, and the service's own restore.
 *
 * The service gives its two ends in a stamp file (key=value lines:
 * stop_tsc, stop_mono, back_tsc, back_mono: the TSC and CLOCK_MONOTONIC at
 * each end; selftests/systemd/luo_svc.c writes one).  systemd gives the
 * previous boot's shutdown (PreviousShutdown*TimestampMonotonic, carried
 * across the update) and this boot's start (UserspaceTimestampMonotonic,
 * the unit's ExecMainStartTimestampMonotonic), each on its own boot's
 * monotonic clock: the stamp of the same boot puts them on the TSC's line.
 * The record (our LUO) gives its marks on the TSC directly and the TSC's
 * rate; without one (mainline's LUO) the kernel's part is one phase and
 * the rate is measured here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "luo_record.h"
#include "luo_tools.h"
#include "luoblackout.h"
#include "luoblackout_systemd.h"

#define NS_PER_SEC	1000000000ull
#define BAR		30

/* The phase that ends at each mark (none ends at SD_STOP). */
#define SD_PHASE_FN(m, name, part, source, what)	{ name, what },
static const struct {
	const char *name, *what;
} sd_phase[SD_NR_MARKS] = {
	SD_MARK_MAPPER(SD_PHASE_FN)
};

struct sd_view {
	const char *unit;
	__u64 tsc[SD_NR_MARKS];
	bool known[SD_NR_MARKS];
	__u64 khz;
	const char *khz_from;
	long kexec_count;
	bool record;		/* LUO's phases came from the record */
	bool in_order;
};

/* The stamp file's four keys, each found or not: true when all are. */
static bool read_stamps(const char *path, __u64 v[4])
{
	static const char *const keys[4] = { "stop_tsc", "stop_mono", "back_tsc", "back_mono" };
	unsigned long long x;
	unsigned int found = 0;
	char line[256];
	FILE *f = fopen(path, "r");
	int i;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < 4; i++) {
			size_t n = strlen(keys[i]);

			if (!strncmp(line, keys[i], n) && line[n] == '=' &&
			    sscanf(line + n + 1, "%llu", &x) == 1) {
				v[i] = x;
				found |= 1u << i;
			}
		}
	fclose(f);
	return found == 0xf;
}

/*
 * systemctl show [UNIT] -p PROP...: each property's value as a number into
 * @v (0: systemd does not know it, or it is unset, as a timestamp that
 * never happened).  One systemctl for them all: each costs a D-Bus call.
 */
static void systemd_values(const char *unit, const char *const *props, int n, __u64 *v)
{
	char cmd[1024], line[256];
	unsigned long long x;
	size_t len;
	int i;
	FILE *p;

	len = snprintf(cmd, sizeof(cmd), "systemctl show");
	for (i = 0; i < n; i++) {
		v[i] = 0;
		if (props[i][0])
			len += snprintf(cmd + len, sizeof(cmd) - len, " -p %s", props[i]);
	}
	snprintf(cmd + len, sizeof(cmd) - len, "%s%s 2>/dev/null", unit ? " -- " : "",
		 unit ? unit : "");
	p = popen(cmd, "r");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p))
		for (i = 0; i < n; i++) {
			size_t k = strlen(props[i]);

			if (k && !strncmp(line, props[i], k) && line[k] == '=' &&
			    sscanf(line + k + 1, "%llu", &x) == 1)
				v[i] = x;
		}
	pclose(p);
}

static int gather(struct sd_view *v, const char *stamps, const char *record)
{
	/* The manager's, by the mark each gives ([SD_STOP]: KExecCount). */
	static const char *const props[] = {
		[SD_STOP] = "KExecCount",
		[SD_UNITS_STOPPED] = "PreviousShutdownFinishTimestampMonotonic",
		[SD_SHUTDOWN_BEGIN] = "PreviousShutdownLateStartTimestampMonotonic",
		[SD_SHUTDOWN_END] = "PreviousShutdownLateFinishTimestampMonotonic",
		[SD_LUO_FREEZE_BEGIN ... SD_LUO_READY] = "",
		[SD_USERSPACE] = "UserspaceTimestampMonotonic",
	};
	static const char *const unit_prop = "ExecMainStartTimestampMonotonic";
	__u64 stop_mono, back_mono, mono, sd[SD_USERSPACE + 1], st[4];
	struct luo_rec rec;
	int m;

	if (!read_stamps(stamps, st)) {
		fprintf(stderr, "%s: %s has no stop_tsc, stop_mono, back_tsc and back_mono: "
			"not the stamps of a service that lived through an update\n", TOOL, stamps);
		return -EINVAL;
	}
	v->tsc[SD_STOP] = st[0];
	stop_mono = st[1];
	v->tsc[SD_BACK] = st[2];
	back_mono = st[3];
	v->known[SD_STOP] = v->known[SD_BACK] = true;
	systemd_values(NULL, props, SD_USERSPACE + 1, sd);
	v->kexec_count = sd[SD_STOP];

	/* LUO's marks of the latest update, and the rate, from the record. */
	if (!luo_rec_read(record, &rec)) {
		const struct luo_record_update *u = rec.hdr.nr_updates ?
			&rec.updates[rec.hdr.nr_updates - 1] : NULL;

		if (u && luo_rec_reached(u, LUO_MARK_READY)) {
			for (m = LUO_MARK_FREEZE_BEGIN; m <= LUO_MARK_READY; m++) {
				v->tsc[SD_LUO_FREEZE_BEGIN + m] = u->t[m];
				v->known[SD_LUO_FREEZE_BEGIN + m] = true;
			}
			v->record = true;
			v->khz = luo_rec_khz(u);
			v->khz_from = "the live-update record";
		}
		luo_rec_free(&rec);
	}
	if (!v->khz) {
		v->khz = blackout_khz_since(v->tsc[SD_BACK], back_mono);
		v->khz_from = "measured now";
	}
	if (!v->khz) {
		fprintf(stderr, "%s: the TSC's rate is unknown\n", TOOL);
		return -EINVAL;
	}

	/* systemd's timestamps are in microseconds of their boot's clock. */
	for (m = SD_UNITS_STOPPED; m <= SD_SHUTDOWN_END; m++)
		if (sd[m]) {
			v->tsc[m] = blackout_mono_to_tsc(sd[m] * 1000, v->tsc[SD_STOP], stop_mono, v->khz);
			v->known[m] = true;
		}
	if (sd[SD_USERSPACE]) {
		v->tsc[SD_USERSPACE] = blackout_mono_to_tsc(sd[SD_USERSPACE] * 1000, v->tsc[SD_BACK],
						   back_mono, v->khz);
		v->known[SD_USERSPACE] = true;
	}
	if (v->unit) {
		systemd_values(v->unit, &unit_prop, 1, &mono);
		if (mono) {
			v->tsc[SD_UNIT_EXEC] = blackout_mono_to_tsc(mono * 1000, v->tsc[SD_BACK], back_mono,
							   v->khz);
			v->known[SD_UNIT_EXEC] = true;
		}
	}

	/* Every known boundary at or after the one before it. */
	v->in_order = true;
	for (m = SD_STOP + 1, mono = v->tsc[SD_STOP]; m < SD_NR_MARKS; m++) {
		if (!v->known[m])
			continue;
		if (v->tsc[m] < mono)
			v->in_order = false;
		mono = v->tsc[m];
	}
	return 0;
}

static __u64 ns(const struct sd_view *v, __u64 cycles)
{
	return (__u64)((__int128)cycles * 1000000 / v->khz);
}

/* The known boundary before @m (SD_STOP at least). */
static int prev_known(const struct sd_view *v, int m)
{
	while (--m > SD_STOP && !v->known[m])
		;
	return m;
}

/* The phase ending at @m when @m is known: its name, start and length. */
static const char *phase_of(const struct sd_view *v, int m, __u64 *start, __u64 *len)
{
	int p = prev_known(v, m);
	__u64 t0 = v->tsc[SD_STOP];
	__u64 end = v->tsc[m] > t0 ? ns(v, v->tsc[m] - t0) : 0;

	/* Both ends from the stop: each phase begins where the last ended. */
	*start = v->tsc[p] > t0 ? ns(v, v->tsc[p] - t0) : 0;
	*len = end > *start ? end - *start : 0;
	/* Without the record, the kernel's part is one phase. */
	if (m == SD_USERSPACE && !v->record)
		return SD_PHASE_NO_RECORD;
	return sd_phase[m].name;
}

static const char *phase_what(const struct sd_view *v, int m)
{
	if (m == SD_USERSPACE && !v->record)
		return SD_PHASE_NO_RECORD_WHAT;
	return sd_phase[m].what;
}

static void print_text(const struct sd_view *v)
{
	__u64 total = ns(v, v->tsc[SD_BACK] - v->tsc[SD_STOP]), start, len, sum = 0;
	int m, i;

	printf("Service-visible blackout of %s: %.3f s, from the moment it was told to stop\n"
	       "to the moment it had its state back (update %ld under systemd; TSC %.1f MHz, %s)\n\n",
	       v->unit ? v->unit : "the service", total / 1e9, v->kexec_count, v->khz / 1e3,
	       v->khz_from);
	printf("  %-17s %11s %7s  %-*s  %s\n", "phase", "time", "share", BAR, "waterfall",
	       "what");
	for (m = SD_STOP + 1; m < SD_NR_MARKS; m++) {
		char bar[BAR + 1];
		const char *name;
		unsigned int a, b;

		if (!v->known[m])
			continue;
		name = phase_of(v, m, &start, &len);
		sum += len;
		a = total ? start * BAR / total : 0;
		b = total ? (start + len) * BAR / total : 0;
		for (i = 0; i < BAR; i++)
			bar[i] = i >= (int)a && (i < (int)b || (i == (int)a && len)) ? '#' : '.';
		bar[BAR] = 0;
		printf("  %-17s %9.3f s %6.1f%%  %s  %s\n", name, len / 1e9,
		       total ? 100.0 * len / total : 0, bar, phase_what(v, m));
	}
	printf("  %-17s %9.3f s %6.1f%%\n", "total", sum / 1e9, total ? 100.0 * sum / total : 0);
	if (!v->in_order)
		printf("\nThe boundaries are out of order: a clock mapping disagrees (see --json)\n");
}

static void print_json(FILE *f, const struct sd_view *v)
{
	__u64 total = ns(v, v->tsc[SD_BACK] - v->tsc[SD_STOP]), start, len, sum = 0;
	const char *sep = "";
	int m;

	fprintf(f, "{\"unit\":");
	luo_json_str(f, v->unit ? v->unit : "");
	fprintf(f, ",\"kexec_count\":%ld,\"tsc_khz\":%llu,\"tsc_khz_from\":", v->kexec_count,
		(unsigned long long)v->khz);
	luo_json_str(f, v->khz_from);
	fprintf(f, ",\"record\":%s,\"in_order\":%s,\"total_ns\":%llu,\"phases\":[",
		v->record ? "true" : "false", v->in_order ? "true" : "false",
		(unsigned long long)total);
	for (m = SD_STOP + 1; m < SD_NR_MARKS; m++) {
		const char *name;

		if (!v->known[m])
			continue;
		name = phase_of(v, m, &start, &len);
		sum += len;
		fprintf(f, "%s{\"name\":\"%s\",\"start_ns\":%llu,\"ns\":%llu,\"what\":", sep, name,
			(unsigned long long)start, (unsigned long long)len);
		luo_json_str(f, phase_what(v, m));
		fprintf(f, "}");
		sep = ",";
	}
	fprintf(f, "],\"sum_ns\":%llu}\n", (unsigned long long)sum);
}

static void print_prom(FILE *f, void *arg)
{
	const struct sd_view *v = arg;
	__u64 start, len;
	int m;

	fprintf(f, "# HELP luo_systemd_blackout_seconds Service-visible blackout of the last "
		"live update: told to stop to state back.\n"
		"# TYPE luo_systemd_blackout_seconds gauge\n");
	fprintf(f, "luo_systemd_blackout_seconds{unit=\"%s\"} %.9f\n", v->unit ? v->unit : "",
		ns(v, v->tsc[SD_BACK] - v->tsc[SD_STOP]) / 1e9);
	fprintf(f, "# HELP luo_systemd_blackout_phase_seconds Each phase of that blackout.\n"
		"# TYPE luo_systemd_blackout_phase_seconds gauge\n");
	for (m = SD_STOP + 1; m < SD_NR_MARKS; m++) {
		const char *name;

		if (!v->known[m])
			continue;
		name = phase_of(v, m, &start, &len);
		fprintf(f, "luo_systemd_blackout_phase_seconds{unit=\"%s\",phase=\"%s\"} %.9f\n",
			v->unit ? v->unit : "", name, len / 1e9);
	}
	fprintf(f, "# HELP luo_systemd_kexec_count Live updates since the last full boot "
		"(systemd's KExecCount).\n# TYPE luo_systemd_kexec_count gauge\n"
		"luo_systemd_kexec_count %ld\n", v->kexec_count);
}

int luoblackout_systemd(const struct luoblackout_systemd_args *a)
{
	struct sd_view v = { .unit = a->unit };
	int err;

	/* It goes to systemctl through a shell: a unit name's characters only. */
	if (a->unit && (!*a->unit || strspn(a->unit, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@") != strlen(a->unit))) {
		fprintf(stderr, "%s: '%s' is not a unit name\n", TOOL, a->unit);
		return 1;
	}

	err = gather(&v, a->stamps, a->record);
	if (err)
		return 1;
	if (a->prom && luo_write_atomic(TOOL, a->prom, print_prom, &v))
		return 1;
	if (a->json)
		print_json(stdout, &v);
	else if (!a->prom)
		print_text(&v);
	return fflush(stdout) ? 1 : 0;
}
