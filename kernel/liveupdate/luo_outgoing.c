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
 * the reboot, only writes the FDT: it allocates nothing and cannot fail
 * for want of memory.
 *
 * Memory: one page per 50 sessions (at least one when any session exists),
 * one page per 63 files of a session (none for a session without files),
 * one per 63 registered FLBs, and the FDT's page.
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

static int luo_fdt_write(void *fdt, u64 sessions, u64 flbs)
{
	u64 number = luo.number + 1, key = luo.block_key;
	int err;

	err = fdt_create(fdt, LUO_FDT_SIZE);
	err |= fdt_finish_reservemap(fdt);
	err |= fdt_begin_node(fdt, "");
	err |= fdt_property_string(fdt, "compatible", LUO_FDT_COMPATIBLE);
	err |= fdt_property(fdt, LUO_FDT_LIVEUPDATE_NUM, &number, sizeof(number));
	if (sessions) {
		err |= fdt_begin_node(fdt, LUO_FDT_SESSION_NODE_NAME);
		err |= fdt_property_string(fdt, "compatible",
					   LUO_FDT_SESSION_COMPATIBLE);
		err |= fdt_property(fdt, LUO_FDT_SESSION_HEADER, &sessions,
				    sizeof(sessions));
		err |= fdt_property(fdt, LUO_FDT_BLOCK_KEY, &key, sizeof(key));
		err |= fdt_end_node(fdt);
	}
	if (flbs) {
		err |= fdt_begin_node(fdt, LUO_FDT_FLB_NODE_NAME);
		err |= fdt_property_string(fdt, "compatible", LUO_FDT_FLB_COMPATIBLE);
		err |= fdt_property(fdt, LUO_FDT_FLB_HEADER, &flbs, sizeof(flbs));
		err |= fdt_property(fdt, LUO_FDT_BLOCK_KEY, &key, sizeof(key));
		err |= fdt_end_node(fdt);
	}
	err |= fdt_end_node(fdt);
	err |= fdt_finish(fdt);
	return err ? -ENOSPC : 0;
}

/**
 * luo_fdt_init_out - Register the (empty) handover with KHO.
 *
 * Return: 0 or a negative errno.
 */
int luo_fdt_init_out(void)
{
	void *fdt = kho_alloc_preserve(LUO_FDT_SIZE);
	int err;

	if (IS_ERR(fdt))
		return PTR_ERR(fdt);
	err = luo_fdt_write(fdt, 0, 0);
	if (!err)
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
 */
void luo_fdt_renumber_out(void)
{
	luo_fdt_write(luo.fdt_out, 0, 0);
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
 * frozen: points the FDT at the tables.  Allocates nothing.  The bytes it
 * reports are those of every page the handover holds (the FDT's and the
 * chains'), the memory the next kernel gives back.
 *
 * Return: 0, or a negative errno with the FDT back to its empty form.
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
	if (!err)
		err = luo_fdt_write(luo.fdt_out, luo_chain_phys(&luo.out_sessions), flbs);
	if (!err) {
		bytes = LUO_FDT_SIZE + luo_chain_bytes();
		luo_record_reboot_step(LUO_REC_SERIALIZED, 0, bytes);
	} else {
		luo_fdt_write(luo.fdt_out, 0, 0);
	}
	trace_luo_serialize(nr_sessions, nr_files, nr_flbs, bytes, err,
			    luo_ns() - t0);
	return err;
}
