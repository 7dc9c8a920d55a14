/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update Orchestrator: the layout of the record's block, shared by the
 * record (luo_record.c) and its debugfs view (luo_record_debugfs.c).
 */
#ifndef _KERNEL_LIVEUPDATE_LUO_RECORD_H
#define _KERNEL_LIVEUPDATE_LUO_RECORD_H

#include <linux/bits.h>
#include <uapi/linux/liveupdate_record.h>

/*
 * One KHO block (LUO_RECORD_SIZE): the header, the history of updates,
 * then the entries in what is left.
 */
#define LUO_RECORD_UPDATES_OFF	sizeof(struct luo_record_header)
#define LUO_RECORD_ENTRIES_OFF	(LUO_RECORD_UPDATES_OFF + LUO_RECORD_MAX_UPDATES * \
				 sizeof(struct luo_record_update))
#define LUO_RECORD_MAX_ENTRIES	((LUO_RECORD_SIZE - LUO_RECORD_ENTRIES_OFF) / \
				 sizeof(struct luo_record_entry))

static inline struct luo_record_update *
luo_rec_updates(struct luo_record_header *hdr)
{
	return (void *)hdr + LUO_RECORD_UPDATES_OFF;
}

static inline struct luo_record_entry *
luo_rec_entries(struct luo_record_header *hdr)
{
	return (void *)hdr + LUO_RECORD_ENTRIES_OFF;
}

static inline bool luo_rec_reached(const struct luo_record_update *u,
				   enum luo_record_mark m)
{
	return u->marks & BIT(m);
}

struct luo_record_header *luo_record_snapshot(void);
void luo_rec_boot_early(struct luo_record_update *u, u64 clock, u64 smp, u64 t);
void luo_record_debugfs_init(void);

#endif /* _KERNEL_LIVEUPDATE_LUO_RECORD_H */
