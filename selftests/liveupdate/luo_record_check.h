/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sources of luo_record_check share: the files the latest update
 * must have preserved (--file), the TAP line of a check, and the functions
 * each source gives the others:
 *   luo_record_check.c   main, the command line, the record's header and
 *                        history
 *   luo_record_read.c    the record file and the kernel log, read
 *   luo_record_phases.c  the phases of each update, from its marks
 *   luo_record_events.c  the events of the latest update
 */
#ifndef LUO_RECORD_CHECK_H
#define LUO_RECORD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/liveupdate_record.h>

#include "kselftest.h"

#define MAX_FILES	64

#define BIT(n)		(1U << (n))

/* A file the latest update must have frozen and retrieved. */
struct want_file {
	char session[LUO_RECORD_NAME_LEN];
	char handler[LUO_RECORD_HANDLER_LEN];
	uint64_t token;
	unsigned int frozen, retrieved;
};

/* luo_record_check.c */
extern struct want_file want[MAX_FILES];
extern unsigned int nr_want;
__printf(2, 3) bool check(bool pass, const char *fmt, ...);

/* luo_record_read.c */
void *read_all(const char *path, size_t *size);
void print_klog(const char *key);
bool received_update(uint64_t *number, unsigned long *sessions, unsigned long *files);

/* luo_record_phases.c */
uint64_t ns(const struct luo_record_update *u, uint64_t cycles);
bool reached(const struct luo_record_update *u, int mark);
void check_update(const struct luo_record_update *u, bool latest);

/* luo_record_events.c */
void check_entries(const struct luo_record_update *u,
		   const struct luo_record_entry *e, uint32_t n, uint32_t dropped);

#endif /* LUO_RECORD_CHECK_H */
