/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What luoblackout.c (the record's waterfall, the history) and
 * luoblackout_systemd.c (--systemd: a service's blackout) share.
 */
#ifndef LUOBLACKOUT_H
#define LUOBLACKOUT_H

#include <stdbool.h>

#define TOOL		"luoblackout"

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

#endif /* LUOBLACKOUT_H */
