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
 */
#ifndef _UAPI_LINUX_LIVEUPDATE_RECORD_H
#define _UAPI_LINUX_LIVEUPDATE_RECORD_H

#include <linux/types.h>

#define LUO_RECORD_KHO_NAME	"luo-record"
#define LUO_RECORD_MAGIC	0x64726f6365726f6cULL	/* "lorecord" */
#define LUO_RECORD_VERSION	1
#define LUO_RECORD_MAX_UPDATES	16
#define LUO_RECORD_NAME_LEN	64
#define LUO_RECORD_HANDLER_LEN	48

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

/**
 * enum luo_record_mark - The instants that bound the phases of an update.
 * @LUO_MARK_FREEZE_BEGIN:   The old kernel's reboot began to freeze files.
 * @LUO_MARK_FREEZE_END:     Every file is frozen.
 * @LUO_MARK_SERIALIZED:     The handover is written.
 * @LUO_MARK_JUMP:           Devices are shut down; the jump is next.
 * @LUO_MARK_READY:          The new kernel's LUO took over the handover.
 * @LUO_MARK_FIRST_RETRIEVE: Userspace retrieved its first session.
 * @LUO_MARK_LAST_RETRIEVE:  The last session or file retrieve so far.
 * @LUO_MARK_DONE:           Every incoming session is finished.
 * @LUO_RECORD_NR_MARKS:     How many marks there are.
 *
 * The phases are the intervals between consecutive marks: freeze,
 * serialize, shutdown, boot, wait for userspace, retrieve, finish.  Their
 * sum is the update's total, DONE - FREEZE_BEGIN.
 */
enum luo_record_mark {
	LUO_MARK_FREEZE_BEGIN,
	LUO_MARK_FREEZE_END,
	LUO_MARK_SERIALIZED,
	LUO_MARK_JUMP,
	LUO_MARK_READY,
	LUO_MARK_FIRST_RETRIEVE,
	LUO_MARK_LAST_RETRIEVE,
	LUO_MARK_DONE,
	LUO_RECORD_NR_MARKS
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
};

/**
 * enum luo_record_event - What a &struct luo_record_entry records.
 * @LUO_REC_FREEZE_BEGIN:     The reboot began to freeze files.
 * @LUO_REC_FILE_FREEZE:      One file frozen (or not: @result).
 * @LUO_REC_FREEZE_END:       All files frozen.
 * @LUO_REC_SERIALIZED:       Handover written (@cost: bytes).
 * @LUO_REC_ABORT:            The update was aborted with @result.
 * @LUO_REC_JUMP:             Last instant of the old kernel.
 * @LUO_REC_READY:            The new kernel's LUO took over.
 * @LUO_REC_SESSION_RETRIEVE: A session retrieved by userspace.
 * @LUO_REC_FILE_RETRIEVE:    A file retrieved (or not: @result).
 * @LUO_REC_SESSION_FINISH:   A session finished (or not: @result).
 * @LUO_REC_DONE:             Every incoming session is finished.
 */
enum luo_record_event {
	LUO_REC_FREEZE_BEGIN = 1,
	LUO_REC_FILE_FREEZE,
	LUO_REC_FREEZE_END,
	LUO_REC_SERIALIZED,
	LUO_REC_ABORT,
	LUO_REC_JUMP,
	LUO_REC_READY,
	LUO_REC_SESSION_RETRIEVE,
	LUO_REC_FILE_RETRIEVE,
	LUO_REC_SESSION_FINISH,
	LUO_REC_DONE,
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
