// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the record of each live update.
 */

/**
 * DOC: LUO live-update record
 *
 * LUO keeps one KHO-preserved block, registered at start-up as the
 * "luo-record" subtree, holding the record described in
 * include/uapi/linux/liveupdate_record.h: the history of the last
 * %LUO_RECORD_MAX_UPDATES updates and the events of the latest one.
 *
 * The reboot opens a new update (shifting the oldest out of a full
 * history), stamps its marks and events while it freezes and serializes,
 * and the last syscore shutdown callback stamps the jump.  The next kernel
 * copies the record it received into its own block, stamps READY, then
 * each session and file retrieve and each session finish, and DONE when
 * the last incoming session is finished.  The update also gets the steps
 * of the new kernel's start (luo_boot.c): those up to READY when LUO takes
 * over, the rest and the slowest initcalls when PID 1 executes init, the
 * first retrieve with its mark.  A record of version 1 is read too: its
 * updates have no steps.  A kernel that receives no
 * record, or one it cannot read, starts an empty history and says so.
 *
 * The record is written under a spinlock (the jump is stamped with
 * interrupts off), but for the reboot's file freezes, which only the
 * reboot writes (luo_record_freeze()).  debugfs shows it as text and as
 * the binary layout (luo_record_debugfs.c).
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/kexec.h>
#include <linux/kexec_handover.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/syscore_ops.h>
#include <linux/vmalloc.h>
#include <kunit/test-bug.h>

#include "luo_internal.h"
#include "luo_record.h"

/* Version 1's update ended where version 2's boot steps begin. */
static_assert(offsetof(struct luo_record_update, boot_steps) ==
	      LUO_RECORD_UPDATE_SIZE_V1);

static DEFINE_SPINLOCK(luo_rec_lock);
static struct luo_record_header *luo_rec;
/*
 * The update the reboot opened, from luo_record_reboot_begin() to its
 * abort; NULL without a record.  The reboot's freezes and steps, and the
 * jump, go to it without looking the latest update up again.
 */
static struct luo_record_update *luo_rec_reboot;
/* The latest update is the one that brought this kernel up. */
static bool luo_rec_arrived;

static struct luo_record_update *__luo_rec_latest(void)
{
	if (!luo_rec || !luo_rec->nr_updates)
		return NULL;
	return &luo_rec_updates(luo_rec)[luo_rec->nr_updates - 1];
}

static struct luo_record_update *luo_rec_latest(void)
{
	lockdep_assert_held(&luo_rec_lock);
	return __luo_rec_latest();
}

static void luo_rec_mark(struct luo_record_update *u, enum luo_record_mark m,
			 u64 t)
{
	u->t[m] = t;
	u->marks |= BIT(m);
}

/*
 * Append an entry: written before its count is, for luo_record_snapshot()
 * reads the count first and copies no more entries than it says.
 */
static void __luo_rec_add(u32 type, const char *session, const char *handler,
			  u64 token, int result, u64 cost, u64 t)
{
	u32 n = luo_rec->nr_entries;
	struct luo_record_entry *e;

	if (n >= LUO_RECORD_MAX_ENTRIES) {
		WRITE_ONCE(luo_rec->dropped, luo_rec->dropped + 1);
		return;
	}
	e = &luo_rec_entries(luo_rec)[n];
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->type = type;
	e->token = token;
	e->result = result;
	e->cost = cost;
	if (session)
		strscpy(e->session, session, sizeof(e->session));
	if (handler)
		strscpy(e->handler, handler, sizeof(e->handler));
	/* Pairs with luo_record_snapshot()'s acquire: the entry, then its count. */
	smp_store_release(&luo_rec->nr_entries, n + 1);
}

static void luo_rec_add(u32 type, const char *session, const char *handler,
			u64 token, int result, u64 cost, u64 t)
{
	lockdep_assert_held(&luo_rec_lock);
	__luo_rec_add(type, session, handler, token, result, cost, t);
}

static void luo_rec_step(struct luo_record_update *u,
			 enum luo_record_boot_step s, u64 t)
{
	u->boot[s] = t;
	u->boot_steps |= BIT(s);
}

static struct luo_record_update *luo_rec_incoming(void)
{
	struct luo_record_update *u = luo_rec_latest();

	if (!u || !luo_rec_reached(u, LUO_MARK_READY) ||
	    luo_rec_reached(u, LUO_MARK_DONE))
		return NULL;
	return u;
}

/**
 * luo_record_reboot_begin - Open the record of a new update.
 * @nr_sessions: Outgoing sessions.
 * @nr_files:    Files in them.
 */
void luo_record_reboot_begin(unsigned long nr_sessions, unsigned long nr_files)
{
	struct luo_record_update *updates, *u;
	unsigned long flags;
	u64 t = luo_clock();

	spin_lock_irqsave(&luo_rec_lock, flags);
	luo_rec_reboot = NULL;
	if (!luo_rec)
		goto out;
	updates = luo_rec_updates(luo_rec);
	if (luo_rec->nr_updates == LUO_RECORD_MAX_UPDATES) {
		memmove(updates, updates + 1, (LUO_RECORD_MAX_UPDATES - 1) * sizeof(*u));
		luo_rec->nr_updates--;
	}
	u = &updates[luo_rec->nr_updates++];
	memset(u, 0, sizeof(*u));
	u->number = luo.number + 1;
	u->khz = luo_clock_khz();
	u->nr_sessions = nr_sessions;
	u->nr_files = nr_files;
	luo_rec_mark(u, LUO_MARK_FREEZE_BEGIN, t);
	luo_rec->nr_entries = 0;
	luo_rec->dropped = 0;
	__luo_rec_add(LUO_REC_FREEZE_BEGIN, NULL, NULL, 0, 0, 0, t);
	luo_rec_reboot = u;
out:
	spin_unlock_irqrestore(&luo_rec_lock, flags);
}

/**
 * luo_record_freeze - Record one file's freeze.
 * @session: The session's name.
 * @handler: The handler's compatible string.
 * @token:   The file's token.
 * @result:  0 or the errno.
 * @cost:    ns the handler's freeze() took.
 * @t:       luo_clock() when it returned (or, without a freeze(), when it
 *           would have been called).
 *
 * Without the record's lock: the reboot freezes with luo.files_sem held
 * for write, and while it does nothing else writes the latest update, the
 * one it opened
 * (retrieves and finishes stamp an incoming update only, and the jump
 * comes after).  Taken a file, under lockdep and TCG the lock cost five
 * times what the rest of a file's freeze does.  The entry is published by
 * its count (__luo_rec_add()).
 */
void luo_record_freeze(const char *session, const char *handler, u64 token,
		       int result, u64 cost, u64 t)
{
	if (kunit_get_current_test())
		return;
	/* The reboot's own: it opened the update, no retrieve may write it. */
	lockdep_assert_held_write(&luo.files_sem);
	if (!luo_rec_reboot)
		return;
	__luo_rec_add(LUO_REC_FILE_FREEZE, session, handler, token, result, cost, t);
}

/**
 * luo_record_retrieve - Record one file's first retrieve.
 * @session: The session's name.
 * @handler: The handler's compatible string.
 * @token:   The file's token.
 * @result:  0 or the errno.
 * @cost:    ns the handler's callback took.
 *
 * The record holds the files of live updates: the sessions a KUnit test
 * makes up and drives through the same paths, at a boot that may be
 * in the middle of an update, are left out.
 */
void luo_record_retrieve(const char *session, const char *handler, u64 token,
			 int result, u64 cost)
{
	struct luo_record_update *u;
	unsigned long flags;
	u64 t = luo_clock();

	if (kunit_get_current_test())
		return;
	spin_lock_irqsave(&luo_rec_lock, flags);
	u = luo_rec_incoming();
	if (u) {
		luo_rec_add(LUO_REC_FILE_RETRIEVE, session, handler, token,
			    result, cost, t);
		if (!result)
			luo_rec_mark(u, LUO_MARK_LAST_RETRIEVE, t);
	}
	spin_unlock_irqrestore(&luo_rec_lock, flags);
}

/**
 * luo_record_reboot_step - Record a step of the reboot.
 * @type:   LUO_REC_FREEZE_END, LUO_REC_SERIALIZED or LUO_REC_ABORT.
 * @result: For LUO_REC_ABORT: the error that refused the kexec.
 * @bytes:  For LUO_REC_SERIALIZED: bytes of descriptors handed over.
 */
void luo_record_reboot_step(u32 type, int result, u64 bytes)
{
	struct luo_record_update *u;
	unsigned long flags;
	u64 t = luo_clock();

	spin_lock_irqsave(&luo_rec_lock, flags);
	u = luo_rec_reboot;
	if (!u)
		goto out;
	switch (type) {
	case LUO_REC_FREEZE_END:
		luo_rec_mark(u, LUO_MARK_FREEZE_END, t);
		break;
	case LUO_REC_SERIALIZED:
		luo_rec_mark(u, LUO_MARK_SERIALIZED, t);
		u->bytes = bytes;
		break;
	case LUO_REC_ABORT:
		u->result = result;
		luo_rec_reboot = NULL;
		break;
	}
	__luo_rec_add(type, NULL, NULL, 0, result, bytes, t);
out:
	spin_unlock_irqrestore(&luo_rec_lock, flags);
}

/**
 * luo_record_session - Record a session retrieve or finish.
 * @type:     LUO_REC_SESSION_RETRIEVE or LUO_REC_SESSION_FINISH.
 * @session:  Its name.
 * @result:   0 or the errno.
 * @all_done: The last incoming session just finished.
 */
void luo_record_session(u32 type, const char *session, int result,
			bool all_done)
{
	struct luo_record_update *u;
	unsigned long flags;
	u64 t = luo_clock();

	spin_lock_irqsave(&luo_rec_lock, flags);
	u = luo_rec_incoming();
	if (!u)
		goto out;
	luo_rec_add(type, session, NULL, 0, result, 0, t);
	if (type == LUO_REC_SESSION_RETRIEVE && !result) {
		if (!luo_rec_reached(u, LUO_MARK_FIRST_RETRIEVE)) {
			luo_rec_mark(u, LUO_MARK_FIRST_RETRIEVE, t);
			luo_rec_step(u, LUO_BOOT_FIRST_RETRIEVE, t);
		}
		luo_rec_mark(u, LUO_MARK_LAST_RETRIEVE, t);
	}
	if (all_done) {
		luo_rec_mark(u, LUO_MARK_DONE, t);
		luo_rec_add(LUO_REC_DONE, NULL, NULL, 0, 0, 0, t);
	}
out:
	spin_unlock_irqrestore(&luo_rec_lock, flags);
}

/**
 * luo_record_boot_init - Record the end of this kernel's start.
 * @initcalls: When the last initcall returned.
 * @init:      When PID 1 executed init.
 * @slow:      The slowest initcalls, slowest first.
 * @nr:        How many (at most %LUO_RECORD_INITCALLS).
 *
 * Called from the exec of PID 1; goes to the update that brought this
 * kernel up, if one did.  A time out of order is left unstamped.
 */
void luo_record_boot_init(u64 initcalls, u64 init,
			  const struct luo_record_initcall *slow, unsigned int nr)
{
	struct luo_record_update *u;
	unsigned long flags;
	u64 ready;

	spin_lock_irqsave(&luo_rec_lock, flags);
	u = luo_rec_arrived ? luo_rec_latest() : NULL;
	if (!u || u->number != luo.number || !(u->boot_steps & BIT(LUO_BOOT_READY)))
		goto out;
	ready = u->boot[LUO_BOOT_READY];
	if (initcalls >= ready && initcalls <= init)
		luo_rec_step(u, LUO_BOOT_INITCALLS, initcalls);
	if (init >= ready)
		luo_rec_step(u, LUO_BOOT_INIT, init);
	u->nr_initcalls = min_t(unsigned int, nr, LUO_RECORD_INITCALLS);
	memcpy(u->initcalls, slow, u->nr_initcalls * sizeof(*slow));
out:
	spin_unlock_irqrestore(&luo_rec_lock, flags);
}

/* The last instant of this kernel that LUO can see before the jump. */
static void luo_record_shutdown(void *data)
{
	struct luo_record_update *u;
	unsigned long flags;
	u64 t = luo_clock();

	if (!kexec_in_progress)
		return;
	spin_lock_irqsave(&luo_rec_lock, flags);
	u = luo_rec_reboot;
	if (u && luo_rec_reached(u, LUO_MARK_SERIALIZED)) {
		luo_rec_mark(u, LUO_MARK_JUMP, t);
		luo_rec_add(LUO_REC_JUMP, NULL, NULL, 0, 0, 0, t);
	}
	spin_unlock_irqrestore(&luo_rec_lock, flags);
}

static const struct syscore_ops luo_record_syscore_ops = {
	.shutdown = luo_record_shutdown,
};

static struct syscore luo_record_syscore = {
	.ops = &luo_record_syscore_ops,
};

/*
 * Copy the previous kernel's record into @rec.  Return a reason it cannot
 * be used, or NULL.
 */
static const char *luo_record_import(struct luo_record_header *rec,
				     const struct luo_record_header *in, size_t size)
{
	struct luo_record_update *updates = luo_rec_updates(rec);
	const struct luo_record_entry *in_entries;
	struct luo_record_entry *e;
	size_t usize, entries_off;
	u32 i, n;

	if (size < sizeof(*in) || in->magic != LUO_RECORD_MAGIC)
		return "not a record";
	/* Version 2 appended the boot's steps to each update. */
	if (in->version == 1)
		usize = LUO_RECORD_UPDATE_SIZE_V1;
	else if (in->version == LUO_RECORD_VERSION)
		usize = sizeof(struct luo_record_update);
	else
		return "unknown version";
	entries_off = sizeof(*in) + LUO_RECORD_MAX_UPDATES * usize;
	if (in->header_size != sizeof(*in) || in->update_size != usize ||
	    in->entry_size != sizeof(struct luo_record_entry) ||
	    in->max_updates != LUO_RECORD_MAX_UPDATES ||
	    in->nr_updates > in->max_updates ||
	    in->nr_entries > in->max_entries ||
	    size < entries_off ||
	    in->nr_entries > (size - entries_off) / sizeof(*e))
		return "malformed";
	if (in->clock != rec->clock || rec->clock != LUO_RECORD_CLOCK_TSC)
		return "its clock does not survive kexec";

	in_entries = (const void *)in + entries_off;
	memset(updates, 0, in->nr_updates * sizeof(*updates));
	for (i = 0; i < in->nr_updates; i++)
		memcpy(&updates[i], (const void *)in + sizeof(*in) + i * usize, usize);
	rec->nr_updates = in->nr_updates;
	n = min_t(u32, in->nr_entries, LUO_RECORD_MAX_ENTRIES);
	memcpy(luo_rec_entries(rec), in_entries, n * sizeof(*e));
	rec->nr_entries = n;
	rec->dropped = in->dropped + in->nr_entries - n;
	for (i = 0, e = luo_rec_entries(rec); i < n; i++, e++) {
		e->session[sizeof(e->session) - 1] = '\0';
		e->handler[sizeof(e->handler) - 1] = '\0';
	}
	for (i = 0; i < rec->nr_updates; i++) {
		struct luo_record_initcall *c = updates[i].initcalls;

		updates[i].nr_initcalls = min_t(u32, updates[i].nr_initcalls,
						LUO_RECORD_INITCALLS);
		for (n = 0; n < LUO_RECORD_INITCALLS; n++)
			c[n].name[sizeof(c[n].name) - 1] = '\0';
	}
	return NULL;
}

/**
 * luo_record_take - Copy the previous kernel's record into @rec, and give
 * its block back whatever it holds.
 * @rec:     This kernel's record.
 * @block:   The previous kernel's, in memory this kernel manages.
 * @size:    Its size.
 * @release: Frees @block: kho_restore_free() at start-up.
 *
 * Return: why @block cannot be used as a record, or NULL.
 */
const char *luo_record_take(struct luo_record_header *rec, void *block,
			    size_t size, void (*release)(void *block))
{
	const char *why = luo_record_import(rec, block, size);

	/* Copied or unusable, the block is of no further use. */
	release(block);
	return why;
}

/**
 * luo_rec_boot_early - Stamp the steps of this kernel's start up to READY.
 * @u:     The update that brought this kernel up.
 * @clock: When the kernel's clock started (0: unknown).
 * @smp:   When the last CPU came online (0: none did).
 * @t:     READY.
 *
 * A step whose time is out of order (a clock the jump did not carry) is
 * left unstamped; whatever the previous kernel's record held of the steps
 * is dropped.
 */
void luo_rec_boot_early(struct luo_record_update *u, u64 clock, u64 smp, u64 t)
{
	u64 prev = u->t[LUO_MARK_JUMP];

	/* Only this kernel stamps them: nothing the record brought stays. */
	u->boot_steps = 0;
	u->nr_initcalls = 0;
	memset(u->boot, 0, sizeof(u->boot));
	memset(u->initcalls, 0, sizeof(u->initcalls));
	if (clock >= prev && clock <= t) {
		luo_rec_step(u, LUO_BOOT_CLOCK, clock);
		prev = clock;
	}
	if (smp >= prev && smp <= t)
		luo_rec_step(u, LUO_BOOT_SMP, smp);
	luo_rec_step(u, LUO_BOOT_READY, t);
}

static void luo_record_receive(struct luo_record_header *rec)
{
	struct luo_record_update *u;
	u64 t, clock, smp;
	const char *why;
	phys_addr_t phys;
	size_t size;
	int err;

	err = kho_retrieve_subtree(LUO_RECORD_KHO_NAME, &phys, &size);
	if (err) {
		pr_info("live update record: none from the previous kernel\n");
		return;
	}
	if (size > LUO_MAX_BLOCK || !luo_phys_online(phys, size))
		why = "not in usable memory";
	else
		why = luo_record_take(rec, phys_to_virt(phys), size, kho_restore_free);
	if (why) {
		pr_info("live update record: the previous kernel's is unusable (%s): no record\n",
			why);
		return;
	}

	/* The update that brought us here, if its record says it jumped. */
	luo_boot_early(&clock, &smp);
	t = luo_clock();
	spin_lock_irq(&luo_rec_lock);
	u = rec->nr_updates ? &luo_rec_updates(rec)[rec->nr_updates - 1] : NULL;
	if (u && !u->result && luo_rec_reached(u, LUO_MARK_JUMP) &&
	    !luo_rec_reached(u, LUO_MARK_READY) && u->number == luo.number) {
		u->next_khz = luo_clock_khz();
		luo_rec_mark(u, LUO_MARK_READY, t);
		luo_rec_add(LUO_REC_READY, NULL, NULL, 0, 0, 0, t);
		luo_rec_boot_early(u, clock, smp, t);
		luo_rec_arrived = true;
		if (list_empty(&luo.incoming)) {
			luo_rec_mark(u, LUO_MARK_DONE, t);
			luo_rec_add(LUO_REC_DONE, NULL, NULL, 0, 0, 0, t);
		}
	}
	spin_unlock_irq(&luo_rec_lock);
}

/**
 * luo_record_snapshot - A copy of the record as it is now.
 *
 * The copy ends after its entries: its max_entries is its nr_entries.
 *
 * Return: the copy, to be freed with vfree(), or NULL without memory.
 */
struct luo_record_header *luo_record_snapshot(void)
{
	struct luo_record_header *hdr;
	size_t size;
	u32 n;

	hdr = vmalloc(LUO_RECORD_SIZE);
	if (!hdr)
		return NULL;
	spin_lock_irq(&luo_rec_lock);
	/*
	 * The reboot's freezes may append meanwhile (luo_record_freeze()):
	 * pairs with __luo_rec_add()'s release, no entry past the count.
	 */
	n = smp_load_acquire(&luo_rec->nr_entries);
	size = LUO_RECORD_ENTRIES_OFF + n * sizeof(struct luo_record_entry);
	memcpy(hdr, luo_rec, size);
	spin_unlock_irq(&luo_rec_lock);
	hdr->nr_entries = n;
	hdr->max_entries = n;
	return hdr;
}

/**
 * luo_record_header_init - Make @rec an empty record of this kernel.
 * @rec: %LUO_RECORD_SIZE bytes, zeroed.
 */
void luo_record_header_init(struct luo_record_header *rec)
{
	rec->magic = LUO_RECORD_MAGIC;
	rec->version = LUO_RECORD_VERSION;
	rec->header_size = sizeof(*rec);
	rec->update_size = sizeof(struct luo_record_update);
	rec->entry_size = sizeof(struct luo_record_entry);
	rec->clock = luo_clock_id();
	rec->max_updates = LUO_RECORD_MAX_UPDATES;
	rec->max_entries = LUO_RECORD_MAX_ENTRIES;
}

/**
 * luo_record_init - Set up the record: take over the previous kernel's,
 * register it with KHO, show it in debugfs.
 *
 * Called by luo_init() after the incoming handover was read.  Without
 * memory for it, live updates go on unrecorded.
 */
void luo_record_init(void)
{
	struct luo_record_header *rec;
	int err;

	rec = kho_alloc_preserve(LUO_RECORD_SIZE);
	if (IS_ERR(rec)) {
		pr_warn("live update record: %pe, updates will not be recorded\n", rec);
		return;
	}
	luo_record_header_init(rec);

	err = kho_add_subtree(LUO_RECORD_KHO_NAME, rec, LUO_RECORD_SIZE);
	if (err) {
		pr_warn("live update record: %pe, updates will not be recorded\n",
			ERR_PTR(err));
		kho_unpreserve_free(rec);
		return;
	}
	/* Before userspace: nothing else reads or writes the record yet. */
	luo_rec = rec;
	luo_record_receive(rec);
	register_syscore(&luo_record_syscore);
	luo_record_debugfs_init();
}
