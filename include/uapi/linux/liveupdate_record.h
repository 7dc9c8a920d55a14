/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Live Update Orchestrator: the record of live updates.
 */

/**
 * DOC: Live update record
 *
 * Every live update leaves a record of its phases, timed on a clock that
 * keeps counting across kexec, so that the blackout window, which begins
 * in one kernel and ends in the next, can be measured.  The record crosses
 * each kexec in its own KHO subtree (%LUO_RECORD_KHO_NAME) and is readable
 * in debugfs as ``liveupdate/record`` (text) and ``liveupdate/record.bin``
 * (this layout).  Both use the same binary form:
 *
 * - one &struct luo_record_header;
 * - ``max_updates`` &struct luo_record_update, the history of the last
 *   updates, oldest first, of which the first ``nr_updates`` are used;
 * - the &struct luo_record_entry of the latest update, ``nr_entries`` of
 *   them (``max_entries`` in the KHO block).
 *
 * Readers must check ``magic`` and ``version`` and use the sizes in the
 * header to step through the arrays: later versions only append fields.
 * Version 2 appended the new kernel's start, step by step, and its
 * slowest initcalls to &struct luo_record_update
 * (%LUO_RECORD_UPDATE_SIZE_V1 bytes in version 1).
 */
#ifndef _UAPI_LINUX_LIVEUPDATE_RECORD_H
#define _UAPI_LINUX_LIVEUPDATE_RECORD_H

#include <linux/types.h>

#define LUO_RECORD_KHO_NAME	"luo-record"
#define LUO_RECORD_MAGIC	0x64726f6365726f6cULL	/* "lorecord" */
#define LUO_RECORD_VERSION	2
#define LUO_RECORD_MAX_UPDATES	16
#define LUO_RECORD_NAME_LEN	64
#define LUO_RECORD_HANDLER_LEN	48
#define LUO_RECORD_INITCALLS	10
#define LUO_RECORD_INITCALL_LEN	48
/* sizeof(struct luo_record_update) in version 1: it ended at @t. */
#define LUO_RECORD_UPDATE_SIZE_V1	104

/**
 * enum luo_record_clock - The clock of the timestamps.
 * @LUO_RECORD_CLOCK_TSC:  x86 time stamp counter, which kexec does not
 *                         reset; ``khz`` is its rate (0: the kernel could
 *                         not calibrate it; use ``next_khz``).
 * @LUO_RECORD_CLOCK_MONO: CLOCK_MONOTONIC in ns (``khz`` = 1000000); it
 *                         restarts at each boot, so only the intervals
 *                         within one kernel are meaningful.
 */
enum luo_record_clock {
	LUO_RECORD_CLOCK_TSC = 1,
	LUO_RECORD_CLOCK_MONO = 2,
};

/*
 * The record's names, each list defined once (as uapi/linux/bpf.h's
 * ___BPF_FUNC_MAPPER defines the helpers): the enums below, the kernel's
 * debugfs text, the tools' tables and the tests' expectations all derive
 * from these lists.  A name is lower case, as the debugfs text and the
 * tools print it.  (checkpatch takes such lists for complex macros, as it
 * does bpf.h's.)
 *
 * __LUO_RECORD_MARK_MAPPER(FN) calls FN(MARK, "phase") for each instant
 * that bounds the phases of an update, in order (&enum luo_record_mark).
 * The phase is the interval that ends at the mark; the first mark ends
 * none ("").  The phases' sum is the update's total, DONE - FREEZE_BEGIN.
 */
#define __LUO_RECORD_MARK_MAPPER(FN)						\
	/* The old kernel's reboot began to freeze files. */			\
	FN(FREEZE_BEGIN, "")							\
	/* Every file is frozen. */						\
	FN(FREEZE_END, "freeze")						\
	/* The handover is written. */						\
	FN(SERIALIZED, "serialize")						\
	/* Devices are shut down; the jump is next. */				\
	FN(JUMP, "shutdown")							\
	/* The new kernel's LUO took over the handover. */			\
	FN(READY, "boot")							\
	/* Userspace retrieved its first session. */				\
	FN(FIRST_RETRIEVE, "wait")						\
	/* The last session or file retrieve so far. */				\
	FN(LAST_RETRIEVE, "retrieve")						\
	/* Every incoming session is finished. */				\
	FN(DONE, "finish")

/*
 * __LUO_RECORD_BOOT_MAPPER(FN) calls FN(STEP, "phase", MARK) for each step
 * of the new kernel's start, in order (&enum luo_record_boot_step).  A
 * step's phase runs from the step before it (the first: from the JUMP
 * mark) to the step, and is a part of the phase that ends at mark MARK:
 * the steps' phases up to READY add up to "boot", the others to "wait".
 * The steps READY and FIRST_RETRIEVE are stamped with the marks of their
 * names.  LUO starts at late_initcall, so the initcalls end after READY.
 */
#define __LUO_RECORD_BOOT_MAPPER(FN)						\
	/* The new kernel's clock started (its printk time 0). */		\
	FN(CLOCK, "kexec", READY)						\
	/* Every CPU is online (not stamped with one CPU). */			\
	FN(SMP, "smp", READY)							\
	/* LUO took over the handover (the READY mark). */			\
	FN(READY, "initcalls", READY)						\
	/* The last initcall returned. */					\
	FN(INITCALLS, "late-initcalls", FIRST_RETRIEVE)				\
	/* PID 1 executed init. */						\
	FN(INIT, "init", FIRST_RETRIEVE)					\
	/* Userspace retrieved its first session (the mark). */		\
	FN(FIRST_RETRIEVE, "userspace", FIRST_RETRIEVE)

/*
 * __LUO_RECORD_EVENT_MAPPER(FN) calls FN(EVENT, "event") for each kind of
 * &struct luo_record_entry, in the order of &enum luo_record_event (whose
 * values start at 1).
 */
#define __LUO_RECORD_EVENT_MAPPER(FN)						\
	/* The reboot began to freeze files. */					\
	FN(FREEZE_BEGIN, "freeze-begin")					\
	/* One file frozen (or not: result). */					\
	FN(FILE_FREEZE, "file-freeze")						\
	/* All files frozen. */							\
	FN(FREEZE_END, "freeze-end")						\
	/* Handover written (cost: bytes). */					\
	FN(SERIALIZED, "serialized")						\
	/* The update was aborted with result. */				\
	FN(ABORT, "abort")							\
	/* Last instant of the old kernel. */					\
	FN(JUMP, "jump")							\
	/* The new kernel's LUO took over. */					\
	FN(READY, "ready")							\
	/* A session retrieved by userspace. */					\
	FN(SESSION_RETRIEVE, "session-retrieve")				\
	/* A file retrieved (or not: result). */				\
	FN(FILE_RETRIEVE, "file-retrieve")					\
	/* A session finished (or not: result). */				\
	FN(SESSION_FINISH, "session-finish")					\
	/* Every incoming session is finished. */				\
	FN(DONE, "done")

/*
 * __LUO_RECORD_STATE_MAPPER(FN) calls FN(STATE, "state") for each state an
 * update of the history can be in, as readers name it: DONE, every
 * incoming session finished; ABORTED, refused in the old kernel (result);
 * IN_PROGRESS, the latest update, READY, its sessions not all finished
 * yet; UNFINISHED, READY but never DONE, and a later update came first;
 * INCOMPLETE, not aborted, yet no new kernel's LUO took it over (no READY).
 */
#define __LUO_RECORD_STATE_MAPPER(FN)						\
	FN(DONE, "done")							\
	FN(ABORTED, "aborted")							\
	FN(IN_PROGRESS, "in progress")						\
	FN(UNFINISHED, "unfinished")						\
	FN(INCOMPLETE, "incomplete")

#define __LUO_RECORD_MARK_ENUM_FN(x, ...)	LUO_MARK_##x,
#define __LUO_RECORD_EVENT_ENUM_FN(x, ...)	LUO_REC_##x,
#define __LUO_RECORD_STATE_ENUM_FN(x, ...)	LUO_REC_STATE_##x,
#define __LUO_RECORD_BOOT_ENUM_FN(x, ...)	LUO_BOOT_##x,

/* The instants that bound the phases of an update: see above. */
enum luo_record_mark {
	__LUO_RECORD_MARK_MAPPER(__LUO_RECORD_MARK_ENUM_FN)
	LUO_RECORD_NR_MARKS
};

/* The steps of the new kernel's start: see above. */
enum luo_record_boot_step {
	__LUO_RECORD_BOOT_MAPPER(__LUO_RECORD_BOOT_ENUM_FN)
	LUO_RECORD_NR_BOOT
};

/**
 * struct luo_record_initcall - One of the slowest initcalls of a boot.
 * @t:      When it was called, in clock cycles.
 * @cycles: How long it ran, in clock cycles.
 * @name:   Its function, as ``%ps`` prints it, NUL-terminated.
 */
struct luo_record_initcall {
	__u64 t;
	__u64 cycles;
	char name[LUO_RECORD_INITCALL_LEN];
};

/**
 * struct luo_record_update - One live update, as far as it went.
 * @number:      The liveupdate-number it hands over (1 for the first).
 * @result:      0, or the negative errno that aborted it in the old kernel.
 * @marks:       Bit N set when &enum luo_record_mark N was reached.
 * @khz:         Clock rate as the old kernel knew it (0: unknown).
 * @next_khz:    Clock rate as the new kernel knew it (0 before it runs, or
 *               unknown).
 * @nr_sessions: Sessions handed over.
 * @nr_files:    Files handed over.
 * @bytes:       Bytes of session, file and FLB descriptors handed over.
 * @t:           Timestamp of each mark reached, in clock cycles.
 * @boot_steps:  Bit N set when &enum luo_record_boot_step N was stamped
 *               (version 2 on, as the fields below).
 * @nr_initcalls: Entries used in @initcalls.
 * @boot:        Timestamp of each boot step stamped, in clock cycles.
 * @initcalls:   The slowest initcalls of the new kernel's start, slowest
 *               first: those its PID 1 ran from LUO's early_initcall on,
 *               until it executed init.
 */
struct luo_record_update {
	__u64 number;
	__s32 result;
	__u32 marks;
	__u32 khz;
	__u32 next_khz;
	__u32 nr_sessions;
	__u32 nr_files;
	__u64 bytes;
	__u64 t[LUO_RECORD_NR_MARKS];
	__u32 boot_steps;
	__u32 nr_initcalls;
	__u64 boot[LUO_RECORD_NR_BOOT];
	struct luo_record_initcall initcalls[LUO_RECORD_INITCALLS];
};

/* Where an update of the history stands: see above. */
enum luo_record_state {
	__LUO_RECORD_STATE_MAPPER(__LUO_RECORD_STATE_ENUM_FN)
	LUO_RECORD_NR_STATES
};

/* What a &struct luo_record_entry records: see above. */
enum luo_record_event {
	LUO_REC_NONE,			/* 0: never recorded */
	__LUO_RECORD_EVENT_MAPPER(__LUO_RECORD_EVENT_ENUM_FN)
	LUO_RECORD_NR_EVENTS		/* one past the last value */
};

/**
 * struct luo_record_entry - One event of the latest update.
 * @t:       When, in clock cycles.
 * @token:   The file's token (file events).
 * @cost:    ns the handler's callback took (file events), bytes handed
 *           over (%LUO_REC_SERIALIZED).
 * @type:    &enum luo_record_event.
 * @result:  0 or a negative errno.
 * @session: Session name (session and file events), NUL-terminated.
 * @handler: Handler compatible string (file events), NUL-terminated.
 */
struct luo_record_entry {
	__u64 t;
	__u64 token;
	__u64 cost;
	__u32 type;
	__s32 result;
	char session[LUO_RECORD_NAME_LEN];
	char handler[LUO_RECORD_HANDLER_LEN];
};

/**
 * struct luo_record_header - Start of the record.
 * @magic:       %LUO_RECORD_MAGIC.
 * @version:     %LUO_RECORD_VERSION.
 * @header_size: sizeof(struct luo_record_header).
 * @update_size: sizeof(struct luo_record_update).
 * @entry_size:  sizeof(struct luo_record_entry).
 * @clock:       &enum luo_record_clock.
 * @max_updates: Length of the history array.
 * @nr_updates:  Updates in it, oldest first.
 * @max_entries: Room for entries in the KHO block.
 * @nr_entries:  Entries of the latest update.
 * @dropped:     Entries of the latest update that found no room.
 * @reserved:    Zero.
 */
struct luo_record_header {
	__u64 magic;
	__u32 version;
	__u32 header_size;
	__u32 update_size;
	__u32 entry_size;
	__u32 clock;
	__u32 max_updates;
	__u32 nr_updates;
	__u32 max_entries;
	__u32 nr_entries;
	__u32 dropped;
	__u64 reserved;
};

#endif /* _UAPI_LINUX_LIVEUPDATE_RECORD_H */
