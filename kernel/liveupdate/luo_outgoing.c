// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the outgoing handover, written for the next kernel
 * (luo_incoming.c reads it there).
 */

/**
 * DOC: LUO outgoing handover
 *
 * At start-up LUO allocates one preserved page for its FDT and registers it
 * with KHO as the "LUO" subtree, holding only the root node: a kexec that
 * bypasses liveupdate_reboot() hands over no sessions.
 *
 * The tables the FDT points to are written as userspace changes them, into
 * chains of preserved pages (luo_chain.c): a session's entry is added when
 * it is created (or finished, when it becomes outgoing) and removed when it
 * is closed; a file's entry is added when it is preserved, its handle
 * updated by freeze and unfreeze, and the session's chain given back when
 * the session closes.  The FLBs' chain has an entry for every registered
 * FLB, written when its count of files changes: zeroes (free room the next
 * kernel skips) while no file uses it (luo_flb.c).  So luo_serialize(), at
 * the reboot, only writes the FDT, and not through libfdt: the FDT has one
 * of four shapes (with or without each of the two nodes), written in
 * advance whenever the liveupdate-number changes; the reboot copies one and
 * writes the two tables' addresses into it.  It allocates nothing and
 * cannot fail for want of memory.
 *
 * Memory: one page per 50 sessions (at least one when any session exists),
 * one page per 63 files of a session (none for a session without files),
 * one per 63 registered FLBs, and the FDT's page; and 4 KiB that are not
 * handed over, the four shapes.
 *
 * The layout is in include/linux/kho/abi/luo.h.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/err.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/string.h>

#include "luo_internal.h"
#include <trace/events/liveupdate.h>

/* Add a u64 property holding @val; @at, if not NULL, gets its offset. */
static int luo_fdt_u64(void *fdt, const char *name, u64 val, u32 *at)
{
	void *p;
	int err;

	err = fdt_property_placeholder(fdt, name, sizeof(val), &p);
	if (err)
		return err;
	memcpy(p, &val, sizeof(val));
	if (at)
		*at = p - fdt;
	return 0;
}

/**
 * luo_fdt_write - Write the handover's FDT from scratch.
 * @fdt:      Where, @size bytes.
 * @size:     Its room.
 * @sessions: The sessions' header, 0 for no sessions' node.
 * @flbs:     The FLBs' header, 0 for no FLBs' node.
 * @at:       If not NULL, gets the offsets in @fdt of the two headers'
 *            values (left alone for a node not written).
 *
 * Return: 0, or -ENOSPC when @size is too small.
 */
int luo_fdt_write(void *fdt, size_t size, u64 sessions, u64 flbs, u32 at[2])
{
	u64 number = luo.number + 1, key = luo.block_key;
	int err;

	err = fdt_create(fdt, size);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_string(fdt, "compatible", LUO_FDT_COMPATIBLE);
	err |= luo_fdt_u64(fdt, LUO_FDT_LIVEUPDATE_NUM, number, NULL);
	if (sessions) {
		err |= fdt_begin_node(fdt, LUO_FDT_SESSION_NODE_NAME);
		err |= fdt_property_string(fdt, "compatible",
					   LUO_FDT_SESSION_COMPATIBLE);
		err |= luo_fdt_u64(fdt, LUO_FDT_SESSION_HEADER, sessions,
				   at ? &at[0] : NULL);
		err |= luo_fdt_u64(fdt, LUO_FDT_BLOCK_KEY, key, NULL);
		err |= fdt_end_node(fdt);
	}
	if (flbs) {
		err |= fdt_begin_node(fdt, LUO_FDT_FLB_NODE_NAME);
		err |= fdt_property_string(fdt, "compatible", LUO_FDT_FLB_COMPATIBLE);
		err |= luo_fdt_u64(fdt, LUO_FDT_FLB_HEADER, flbs,
				   at ? &at[1] : NULL);
		err |= luo_fdt_u64(fdt, LUO_FDT_BLOCK_KEY, key, NULL);
		err |= fdt_end_node(fdt);
	}
	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	return err ? -ENOSPC : 0;
}

/*
 * The FDT has one of four shapes: with or without the sessions' node, with
 * or without the FLBs'.  All four are written whenever luo.number changes
 * (twice, at start-up), so that the reboot only copies one of them and
 * writes the headers' values into it: luo_fdt_put().
 */
#define LUO_FDT_SHAPE_SIZE	1024

struct luo_fdt_shape {
	u8 fdt[LUO_FDT_SHAPE_SIZE] __aligned(8);
	u32 size;
	u32 at[2];
};

static struct luo_fdt_shape luo_fdt_shapes[4];

/* Index of the shape for these headers */
static unsigned int luo_fdt_shape_of(u64 sessions, u64 flbs)
{
	return (sessions ? 1 : 0) | (flbs ? 2 : 0);
}

static int luo_fdt_write_shapes(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(luo_fdt_shapes); i++) {
		struct luo_fdt_shape *s = &luo_fdt_shapes[i];

		/* Any value but 0 writes the node; luo_fdt_put() sets it. */
		err = luo_fdt_write(s->fdt, sizeof(s->fdt), i & 1 ? U64_MAX : 0,
				    i & 2 ? U64_MAX : 0, s->at);
		if (err)
			return err;
		s->size = fdt_totalsize(s->fdt);
	}
	return 0;
}

/**
 * luo_fdt_put - Make @fdt the handover of these headers.
 * @fdt:      At least LUO_FDT_SIZE bytes.
 * @sessions: The sessions' header, 0 for none.
 * @flbs:     The FLBs' header, 0 for none.
 *
 * Writes what luo_fdt_write() would, from the shape written in advance.
 */
void luo_fdt_put(void *fdt, u64 sessions, u64 flbs)
{
	const struct luo_fdt_shape *s =
		&luo_fdt_shapes[luo_fdt_shape_of(sessions, flbs)];

	memcpy(fdt, s->fdt, s->size);
	if (sessions)
		memcpy(fdt + s->at[0], &sessions, sizeof(sessions));
	if (flbs)
		memcpy(fdt + s->at[1], &flbs, sizeof(flbs));
}

/**
 * luo_fdt_init_out - Register the (empty) handover with KHO.
 *
 * Return: 0 or a negative errno.
 */
int luo_fdt_init_out(void)
{
	void *fdt;
	int err;

	err = luo_fdt_write_shapes();
	if (err)
		return err;
	fdt = kho_alloc_preserve(LUO_FDT_SIZE);
	if (IS_ERR(fdt))
		return PTR_ERR(fdt);
	luo_fdt_put(fdt, 0, 0);
	err = kho_add_subtree(LUO_FDT_KHO_ENTRY_NAME, fdt, LUO_FDT_SIZE);
	if (err) {
		kho_unpreserve_free(fdt);
		return err;
	}
	luo.fdt_out = fdt;
	return 0;
}

/**
 * luo_fdt_renumber_out - Write the empty handover again, with the
 * liveupdate-number that follows the one received.
 *
 * luo_fdt_init_out() runs before the previous kernel's handover is read.
 * The shapes keep their sizes, so writing them again cannot fail.
 */
void luo_fdt_renumber_out(void)
{
	WARN_ON_ONCE(luo_fdt_write_shapes());
	luo_fdt_put(luo.fdt_out, 0, 0);
}

/**
 * luo_fdt_exit_out - Withdraw the (empty) handover luo_fdt_init_out() set up.
 */
void luo_fdt_exit_out(void)
{
	kho_remove_subtree(luo.fdt_out);
	kho_unpreserve_free(luo.fdt_out);
	luo.fdt_out = NULL;
}

/**
 * luo_session_ser_add - Give an outgoing session its entry for the next kernel.
 * @session: The session, not on luo.sessions yet; the caller adds it at the
 *           tail once this succeeded.
 *
 * Called with luo.lock held.
 *
 * Return: 0 or -ENOMEM.
 */
int luo_session_ser_add(struct luo_session *session)
{
	struct luo_session_ser *ser;

	lockdep_assert_held(&luo.lock);
	ser = luo_chain_add(&luo.out_sessions);
	if (IS_ERR(ser))
		return PTR_ERR(ser);
	memcpy(ser->name, session->name, sizeof(ser->name));
	session->slot = luo.out_sessions.count - 1;
	return 0;
}

/**
 * luo_session_ser_remove - Remove a closed session's entry.
 * @session: The session, still on luo.sessions, holding no files.
 *
 * The last session's entry takes its place, and the last session takes its
 * place on luo.sessions, so that the list keeps the entries' order.  Called
 * with luo.lock held and @session->lock not held.
 */
void luo_session_ser_remove(struct luo_session *session)
{
	struct luo_session *last = list_last_entry(&luo.sessions,
						   struct luo_session, list);

	lockdep_assert_held(&luo.lock);
	if (last == session) {
		luo_chain_remove(&luo.out_sessions, session->slot);
		session->slot = LUO_NO_SLOT;
		list_del_init(&session->list);
		return;
	}
	/* A preserve into @last writes its entry: not while it moves. */
	mutex_lock(&last->lock);
	luo_chain_remove(&luo.out_sessions, session->slot);
	last->slot = session->slot;
	session->slot = LUO_NO_SLOT;
	list_del(&last->list);
	list_replace_init(&session->list, &last->list);
	mutex_unlock(&last->lock);
}

/**
 * luo_session_ser_files - Write where a session's files are, and how many.
 * @session: An outgoing session, locked.
 */
void luo_session_ser_files(struct luo_session *session)
{
	struct luo_session_ser *ser;

	lockdep_assert_held(&session->lock);
	/* The KUnit tests preserve into sessions of their own, not listed. */
	if (session->slot == LUO_NO_SLOT)
		return;
	ser = luo_chain_entry(&luo.out_sessions, session->slot);
	atomic_long_add((long)session->chain.count - (long)ser->file_set_ser.count,
			&luo.out_files);
	ser->file_set_ser.files = luo_chain_phys(&session->chain);
	ser->file_set_ser.count = session->chain.count;
}

/**
 * luo_serialize - Complete the handover of the frozen sessions.
 *
 * Called by liveupdate_reboot() with luo.lock held and every session
 * frozen: points the FDT at the tables, copying the FDT's shape written in
 * advance and the tables' two addresses into it.  Allocates nothing.  The
 * bytes it reports are those of every page the handover holds (the FDT's
 * and the chains'), the memory the next kernel gives back.
 *
 * Return: 0, or the error a hook injected, with the FDT left empty.
 */
int luo_serialize(void)
{
	unsigned long nr_sessions = luo.out_sessions.count, nr_flbs;
	unsigned long nr_files = atomic_long_read(&luo.out_files);
	u64 t0 = luo_ns(), bytes = 0, flbs;
	int err;

	lockdep_assert_held(&luo.lock);
	nr_flbs = luo_flb_serialize(&flbs);
	err = luo_hook_result(luo_hook_serialize(nr_sessions, nr_files));
	if (!err) {
		luo_fdt_put(luo.fdt_out, luo_chain_phys(&luo.out_sessions), flbs);
		bytes = LUO_FDT_SIZE + luo_chain_bytes();
		luo_record_reboot_step(LUO_REC_SERIALIZED, 0, bytes);
	}
	trace_luo_serialize(nr_sessions, nr_files, nr_flbs, bytes, err,
			    luo_ns() - t0);
	return err;
}
