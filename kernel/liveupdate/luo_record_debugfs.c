// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the record's debugfs view, as text
 * (/sys/kernel/debug/liveupdate/record) and as the binary layout of
 * include/uapi/linux/liveupdate_record.h (record.bin), both read from a
 * snapshot taken when the file is read or opened.  The record itself is
 * luo_record.c's.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/time64.h>
#include <linux/vmalloc.h>

#include "luo_internal.h"
#include "luo_record.h"

/* Cycles of the clock of @u to ns, with either kernel's rate: 0 unknown. */
static u64 luo_rec_ns(const struct luo_record_update *u, u64 cycles)
{
	u32 khz = u->khz ?: u->next_khz;

	return khz ? mul_u64_u32_div(cycles, NSEC_PER_MSEC, khz) : 0;
}

#define LUO_REC_NAME_FN(x, name) \
	[LUO_REC_##x] = (name),
#define LUO_REC_PHASE_FN(x, phase) \
	[LUO_MARK_##x] = (phase),
#define LUO_REC_STATE_NAME_FN(x, name) \
	[LUO_REC_STATE_##x] = (name),
#define LUO_REC_STEP_FN(x, phase, ...) \
	[LUO_BOOT_##x] = (phase),

/* The names of include/uapi/linux/liveupdate_record.h's lists. */
static const char * const luo_rec_event_names[LUO_RECORD_NR_EVENTS] = {
	__LUO_RECORD_EVENT_MAPPER(LUO_REC_NAME_FN)
};

static const char * const luo_rec_phase_names[LUO_RECORD_NR_MARKS] = {
	__LUO_RECORD_MARK_MAPPER(LUO_REC_PHASE_FN)
};

static const char * const luo_rec_state_names[LUO_RECORD_NR_STATES] = {
	__LUO_RECORD_STATE_MAPPER(LUO_REC_STATE_NAME_FN)
};

static const char * const luo_rec_step_names[LUO_RECORD_NR_BOOT] = {
	__LUO_RECORD_BOOT_MAPPER(LUO_REC_STEP_FN)
};

/*
 * An update's state: an update that reached the new kernel but was never
 * finished is in progress only while it is the latest one; a later update
 * means it never will be finished.
 */
static const char *luo_record_state(const struct luo_record_update *u,
				    bool latest)
{
	enum luo_record_state s;

	if (u->result)
		s = LUO_REC_STATE_ABORTED;
	else if (luo_rec_reached(u, LUO_MARK_DONE))
		s = LUO_REC_STATE_DONE;
	else if (!luo_rec_reached(u, LUO_MARK_READY))
		s = LUO_REC_STATE_INCOMPLETE;
	else
		s = latest ? LUO_REC_STATE_IN_PROGRESS : LUO_REC_STATE_UNFINISHED;
	return luo_rec_state_names[s];
}

/*
 * The steps of the new kernel's start, each from the step stamped before
 * it (the first from the jump), and its slowest initcalls.
 */
static void luo_record_show_boot(struct seq_file *m,
				 const struct luo_record_update *u)
{
	u64 prev = u->t[LUO_MARK_JUMP];
	enum luo_record_boot_step i;
	u32 n;

	if (!u->boot_steps)
		return;
	seq_puts(m, "  boot steps:\n");
	for (i = 0; i < LUO_RECORD_NR_BOOT; i++) {
		if (!(u->boot_steps & BIT(i)) || u->boot[i] < prev)
			continue;
		seq_printf(m, "    %-14s %12llu ns\n", luo_rec_step_names[i],
			   luo_rec_ns(u, u->boot[i] - prev));
		prev = u->boot[i];
	}
	for (n = 0; n < u->nr_initcalls && n < LUO_RECORD_INITCALLS; n++)
		seq_printf(m, "    initcall %s %llu ns\n", u->initcalls[n].name,
			   luo_rec_ns(u, u->initcalls[n].cycles));
}

static void luo_record_show_update(struct seq_file *m,
				   const struct luo_record_update *u,
				   bool latest)
{
	enum luo_record_mark i;
	u64 prev = u->t[LUO_MARK_FREEZE_BEGIN];

	seq_printf(m, "update %llu: %s, %u sessions, %u files, %llu bytes%s\n",
		   u->number, luo_record_state(u, latest), u->nr_sessions, u->nr_files, u->bytes,
		   u->khz || u->next_khz ? "" : " (clock rate unknown: times are 0)");
	if (u->result)
		seq_printf(m, "  result %d\n", u->result);
	for (i = LUO_MARK_FREEZE_END; i < LUO_RECORD_NR_MARKS; i++) {
		if (!luo_rec_reached(u, i))
			break;
		seq_printf(m, "  %-10s %12llu ns\n", luo_rec_phase_names[i],
			   luo_rec_ns(u, u->t[i] - prev));
		prev = u->t[i];
	}
	if (luo_rec_reached(u, LUO_MARK_DONE))
		seq_printf(m, "  %-10s %12llu ns\n", "total",
			   luo_rec_ns(u, u->t[LUO_MARK_DONE] -
				      u->t[LUO_MARK_FREEZE_BEGIN]));
	luo_record_show_boot(m, u);
}

static int luo_record_show(struct seq_file *m, void *v)
{
	struct luo_record_header *rec = luo_record_snapshot();
	struct luo_record_update *updates, *u;
	struct luo_record_entry *e;
	u32 i;

	if (!rec)
		return -ENOMEM;
	updates = luo_rec_updates(rec);
	seq_printf(m, "clock: %s\nupdates: %u\n",
		   rec->clock == LUO_RECORD_CLOCK_TSC ? "tsc" : "monotonic",
		   rec->nr_updates);
	for (i = 0; i < rec->nr_updates; i++)
		luo_record_show_update(m, &updates[i],
				       i == rec->nr_updates - 1);
	u = rec->nr_updates ? &updates[rec->nr_updates - 1] : NULL;
	if (u) {
		seq_printf(m, "events of update %llu: %u, %u dropped\n",
			   u->number, rec->nr_entries, rec->dropped);
		for (i = 0, e = luo_rec_entries(rec); i < rec->nr_entries;
		     i++, e++) {
			u64 at = luo_rec_ns(u, e->t - u->t[LUO_MARK_FREEZE_BEGIN]);
			const char *name = e->type < LUO_RECORD_NR_EVENTS &&
					   luo_rec_event_names[e->type] ?
					   luo_rec_event_names[e->type] : "?";

			seq_printf(m, "  %12llu ns %-16s result=%d", at, name,
				   e->result);
			if (e->session[0])
				seq_printf(m, " session=%s", e->session);
			if (e->handler[0])
				seq_printf(m, " handler=%s token=%llu cost_ns=%llu",
					   e->handler, e->token, e->cost);
			seq_putc(m, '\n');
		}
	}
	vfree(rec);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(luo_record);

static int luo_record_bin_open(struct inode *inode, struct file *file)
{
	file->private_data = luo_record_snapshot();
	return file->private_data ? 0 : -ENOMEM;
}

static ssize_t luo_record_bin_read(struct file *file, char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct luo_record_header *hdr = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, hdr,
				       LUO_RECORD_ENTRIES_OFF +
				       hdr->nr_entries * sizeof(struct luo_record_entry));
}

static int luo_record_bin_release(struct inode *inode, struct file *file)
{
	vfree(file->private_data);
	return 0;
}

static const struct file_operations luo_record_bin_fops = {
	.owner = THIS_MODULE,
	.open = luo_record_bin_open,
	.read = luo_record_bin_read,
	.release = luo_record_bin_release,
	.llseek = default_llseek,
};

/**
 * luo_record_debugfs_init - Show the record in debugfs.
 *
 * Called once the record is set up; without debugfs, nothing is shown.
 */
void luo_record_debugfs_init(void)
{
	struct dentry *dir;

	dir = debugfs_create_dir("liveupdate", NULL);
	debugfs_create_file("record", 0400, dir, NULL, &luo_record_fops);
	debugfs_create_file("record.bin", 0400, dir, NULL, &luo_record_bin_fops);
}
