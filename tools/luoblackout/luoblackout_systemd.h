/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The waterfall of luoblackout --systemd, defined once: the marks of a
 * service's live update under systemd, in time order, and the phase that
 * ends at each.  The tool's enum and tables, its checker
 * (selftests/systemd/waterfall_check.py) and luobench's systemd metrics
 * (through tools/lib/luo_names.py) derive from this list.
 */
#ifndef LUOBLACKOUT_SYSTEMD_H
#define LUOBLACKOUT_SYSTEMD_H

/*
 * SD_MARK_MAPPER(FN) calls FN(MARK, "phase", PART, SOURCE, "what") for each
 * mark: the phase that ends at it ("" for the first, where the waterfall
 * begins), the part of the stack that spends that phase (SYSTEMD, KERNEL,
 * LUO: LUO's own work inside the kernel, SERVICE), where the mark's time
 * comes from (STAMP: the service's stamp file, MANAGER: systemd's
 * properties, RECORD: the live-update record) and what happens in the
 * phase.  Without a record (mainline's LUO), the RECORD marks are unknown
 * and the kernel's part is one phase, SD_PHASE_NO_RECORD, ending at
 * USERSPACE.
 */
#define SD_MARK_MAPPER(FN)								\
	FN(STOP, "", SERVICE, STAMP, "")						\
	FN(UNITS_STOPPED, "stop-jobs", SYSTEMD, MANAGER, "the other units' stop jobs")	\
	FN(SHUTDOWN_BEGIN, "manager-exit", SYSTEMD, MANAGER,				\
	   "the manager hands over to systemd-shutdown")				\
	FN(SHUTDOWN_END, "systemd-shutdown", SYSTEMD, MANAGER,				\
	   "fd stores preserved, kill, unmount")					\
	FN(LUO_FREEZE_BEGIN, "reboot", KERNEL, RECORD, "reboot(2) up to LUO's freeze")	\
	FN(LUO_FREEZE_END, "luo-freeze", LUO, RECORD, "LUO: every file frozen")	\
	FN(LUO_SERIALIZED, "luo-serialize", LUO, RECORD, "LUO: handover written")	\
	FN(LUO_JUMP, "luo-shutdown", LUO, RECORD, "devices shut down, to the jump")	\
	FN(LUO_READY, "luo-boot", KERNEL, RECORD, "jump + new kernel up to LUO ready")	\
	FN(USERSPACE, "boot", KERNEL, MANAGER, "the kernel's boot up to systemd")	\
	FN(UNIT_EXEC, "systemd-startup", SYSTEMD, MANAGER,				\
	   "systemd's start-up up to the unit")						\
	FN(BACK, "service-restore", SERVICE, STAMP, "the service takes its state back")

/* The kernel's part as one phase, when there is no record. */
#define SD_PHASE_NO_RECORD	"kexec-boot"
#define SD_PHASE_NO_RECORD_WHAT	\
	"reboot(2), kexec, the new kernel up to systemd (no record: mainline's LUO?)"

#define SD_MARK_ENUM_FN(m, ...)	SD_##m,

enum sd_mark {
	SD_MARK_MAPPER(SD_MARK_ENUM_FN)
	SD_NR_MARKS
};

#endif /* LUOBLACKOUT_SYSTEMD_H */
