/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of luoblackout share: the model (luoblackout_model.c: the
 * record cut into the latest update's phases, the new kernel's start step
 * by step, and the history's percentiles), its views (luoblackout_text.c, luoblackout_json.c,
 * luoblackout_prom.c), the command line (luoblackout.c) and --systemd
 * (luoblackout_systemd.c: a service's blackout).
 */
#ifndef LUOBLACKOUT_H
#define LUOBLACKOUT_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <linux/types.h>

#include "luo_record.h"

#define TOOL		"luoblackout"
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define MAX_HANDLERS	32
/* Percentiles of the history: p50, p90, p99 (nearest rank), then max. */
#define NR_PCTS		4

/* What a phase of the latest update is. */
enum phase_state {
	PH_DONE,	/* ended at its mark */
	PH_ABORTED,	/* the update was aborted during it */
	PH_RUNNING,	/* the update is in it now */
	PH_NONE,	/* not reached */
	PH_SKIPPED,	/* a boot step not stamped: its time is the next one's */
	PH_NR
};

/* Freeze costs of one handler in the latest update. */
struct handler_cost {
	char name[LUO_RECORD_HANDLER_LEN];
	unsigned int files, failed;
	__u64 cost, max;
};

/* The latest update, cut into what the reports show. */
struct latest {
	const struct luo_record_update *u;
	enum luo_record_state state;
	bool rate;			/* ns are known */
	int nr_phases;			/* complete leading phases */
	enum phase_state ph[LUO_NR_PHASES];
	__u64 start_cyc[LUO_NR_PHASES], cyc[LUO_NR_PHASES];
	__u64 span_cyc;			/* FREEZE_BEGIN to the last known instant */
	const struct luo_record_entry *abort;	/* its LUO_REC_ABORT event */
	const struct luo_record_entry *refused;	/* the file freeze that failed */
	struct handler_cost handlers[MAX_HANDLERS];
	unsigned int nr_handlers, nr_frozen;
	__u64 freeze_cost;
	bool more_handlers;		/* past MAX_HANDLERS: left out */
	/*
	 * The new kernel's start (version 2 records), each step a part of
	 * the phase ending at luo_rec_boot_mark(step), and its slowest
	 * initcalls (u->initcalls).  Starts are from FREEZE_BEGIN, as the
	 * phases'.
	 */
	bool has_steps;			/* a step to show: not PH_NONE */
	unsigned int nr_initcalls;	/* u->nr_initcalls with a step shown, or 0 */
	enum phase_state step_ph[LUO_RECORD_NR_BOOT];
	__u64 step_start_cyc[LUO_RECORD_NR_BOOT], step_cyc[LUO_RECORD_NR_BOOT];
	__u64 initcall_start_cyc[LUO_RECORD_INITCALLS];
};

/* The history shown: updates [first, nr) of the record. */
struct history {
	__u32 first, nr;
	unsigned int nr_done;
	/* [0]: total, [1 + i]: phase i; NR_PCTS values each (ns). */
	__u64 pct[1 + LUO_NR_PHASES][NR_PCTS];
	__u64 sum[1 + LUO_NR_PHASES];
};

/* luoblackout_model.c: the vocabulary of the views, and the analysis. */
extern const char *const blackout_phase_what[LUO_NR_PHASES];
extern const char *const blackout_step_what[LUO_RECORD_NR_BOOT];
extern const char *const blackout_phase_state_names[PH_NR];
extern const char *const blackout_pct_names[NR_PCTS];
extern const char *const blackout_pct_quantiles[NR_PCTS - 1];

/* Use @khz for the updates of @rec whose rate neither kernel knew (-k). */
void blackout_give_rate(struct luo_rec *rec, __u32 khz);
/* Whether @u's rate is the one given with -k. */
bool blackout_rate_given(const struct luo_record_update *u);
/* Cycles of @u's clock in ns (0: rate unknown). */
__u64 blackout_ns(const struct luo_record_update *u, __u64 cycles);
/* "-EIO" for -5, into @buf. */
const char *blackout_errname(char *buf, size_t len, int result);
/* The latest update of @rec (it has one), phase by phase. */
void blackout_analyze_latest(const struct luo_rec *rec, struct latest *l);
/* The last @history updates of @rec and their percentiles. */
void blackout_analyze_history(const struct luo_rec *rec, struct history *h,
			      unsigned int history);

/*
 * The views.  @path names the record read; @l is NULL when the record holds
 * no update yet.
 */
void blackout_print_text(const char *path, const struct luo_rec *rec, const struct latest *l,
			 const struct history *h);
void blackout_print_json(FILE *f, const char *path, const struct luo_rec *rec,
			 const struct latest *l, const struct history *h);
/* Write the metrics to @path atomically (- for stdout): 0 or -1. */
int blackout_write_prom(const char *path, const struct luo_rec *rec, const struct latest *l,
			const struct history *h);

/**
 * struct luoblackout_systemd_args - What --systemd was asked for.
 * @stamps: The service's stamp file (stop_tsc, stop_mono, back_tsc,
 *          back_mono).
 * @unit:   Its unit, for systemd's start of it; NULL: none.
 * @record: The record to read, NULL for the running kernel's.
 * @prom:   --prom FILE, or NULL.
 * @json:   --json.
 */
struct luoblackout_systemd_args {
	const char *stamps;
	const char *unit;
	const char *record;
	const char *prom;
	bool json;
};

/* Print the service's waterfall; the exit code. */
int luoblackout_systemd(const struct luoblackout_systemd_args *a);

/* luoblackout_tsc.c: the TSC, which kexec does not reset, and the clocks. */
#define BLACKOUT_NS_PER_SEC	1000000000ull
/* Clock @clk in ns. */
__u64 blackout_clock_ns(clockid_t clk);
/* The TSC and CLOCK_MONOTONIC read together: the closest of five readings. */
void blackout_tsc_mono(__u64 *tsc, __u64 *mono);
/* A CLOCK_MONOTONIC time @mono of the boot of (@ref_tsc, @ref_mono) on the TSC, at @khz. */
__u64 blackout_mono_to_tsc(__u64 mono, __u64 ref_tsc, __u64 ref_mono, __u64 khz);
/* The TSC's rate in kHz from (@ref_tsc, @ref_mono), of this boot, to now (100 ms at least). */
__u64 blackout_khz_since(__u64 ref_tsc, __u64 ref_mono);

/* luoblackout_arm.c: arm before a live update, collect after it; exit codes. */
int luoblackout_arm(const char *name);
int luoblackout_collect(const char *name, const char *record, bool json);

#endif /* LUOBLACKOUT_H */
