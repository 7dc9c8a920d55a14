/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the live-update record (include/uapi/linux/liveupdate_record.h)
 * that the kernel shows in debugfs, for luoblackout and luotop.
 */
#ifndef LUO_RECORD_H
#define LUO_RECORD_H

#include <linux/types.h>
#include <linux/liveupdate_record.h>

#define LUO_RECORD_PATH	"/sys/kernel/debug/liveupdate/record.bin"
#define LUO_NR_PHASES	(LUO_RECORD_NR_MARKS - 1)

/* A record read and validated, its arrays in our own memory. */
struct luo_rec {
	struct luo_record_header hdr;
	struct luo_record_update *updates;	/* hdr.nr_updates, oldest first */
	struct luo_record_entry *entries;	/* hdr.nr_entries, of the latest */
};

/*
 * Read @path (NULL: LUO_RECORD_PATH) into @rec, checking magic, version
 * and sizes.  Version 1 updates read with the fields version 2 appended
 * zero; nr_initcalls is at most LUO_RECORD_INITCALLS, names end in NUL.
 * Return: 0, or -errno (-ENOENT: no record file, -EPROTO: not a record
 * this tool can read).
 */
int luo_rec_read(const char *path, struct luo_rec *rec);
void luo_rec_free(struct luo_rec *rec);

/* Phase @phase (0: freeze), named as in the uapi's __LUO_RECORD_MARK_MAPPER. */
const char *luo_rec_phase_name(int phase);
/* Cycles of @u's clock to ns (either kernel's rate); 0 when unknown. */
__u64 luo_rec_ns(const struct luo_record_update *u, __u64 cycles);
/* Whether @u reached mark @m. */
int luo_rec_reached(const struct luo_record_update *u, int m);
/*
 * The phases of @u in ns (phase i ends at mark i + 1); returns how many
 * leading phases are complete (all LUO_NR_PHASES when DONE).
 */
int luo_rec_phases(const struct luo_record_update *u, __u64 ns[LUO_NR_PHASES]);
/* DONE - FREEZE_BEGIN in ns, 0 when not done. */
__u64 luo_rec_total_ns(const struct luo_record_update *u);

/* Added for luoblackout. */

/* LUO_REC_FILE_FREEZE's "file-freeze" (the uapi's list); "?" if unknown. */
const char *luo_rec_event_name(__u32 type);
/* The rate of @u's clock: the old kernel's, else the new one's; 0 unknown. */
__u32 luo_rec_khz(const struct luo_record_update *u);
/*
 * luo_rec_phases() in cycles of the clock, which needs no rate: shares of
 * phases are known even when neither kernel knew the TSC's rate.
 */
int luo_rec_phase_cycles(const struct luo_record_update *u,
			 __u64 cycles[LUO_NR_PHASES]);

/*
 * The new kernel's start, step by step (version 2 on; a version 1 record
 * reads as if no step was stamped): the uapi's __LUO_RECORD_BOOT_MAPPER.
 * Boot step @step's phase ("kexec", ...); NULL past the last.
 */
const char *luo_rec_boot_name(int step);
/* The mark ending the phase that @step's is a part of (READY: "boot"); -1. */
int luo_rec_boot_mark(int step);
/* Whether @u stamped boot step @step. */
int luo_rec_boot_stamped(const struct luo_record_update *u, int step);
/*
 * The boot steps' phases of @u in cycles, as luo_rec_phase_cycles() cuts
 * the marks': step s's runs from the stamped step before it (the first:
 * from the JUMP mark) to s; a step not stamped before a stamped one lasts
 * 0 (its time is the next one's), a time going back counts 0.  Returns
 * how many leading steps are known (the last stamped one + 1; 0: none, or
 * no JUMP).
 */
int luo_rec_boot_cycles(const struct luo_record_update *u,
			__u64 cycles[LUO_RECORD_NR_BOOT]);

/* The state of rec->updates[@i] (the latest is the last). */
enum luo_record_state luo_rec_state(const struct luo_rec *rec, __u32 i);
/* Its name in the uapi's __LUO_RECORD_STATE_MAPPER ("done", ...). */
const char *luo_rec_state_name(enum luo_record_state s);

#endif /* LUO_RECORD_H */
