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
 * bypasses liveupdate_reboot() hands over no sessions.  At the reboot,
 * luo_serialize() writes the arrays of sessions, files and FLBs into
 * freshly preserved blocks (the sessions are frozen, so nothing changes
 * under it) and rewrites the FDT to point at them.  If any allocation
 * fails, everything it allocated is released and the FDT goes back to its
 * empty form, so an aborted reboot leaves nothing behind.
 *
 * The layout is in include/linux/kho/abi/luo.h.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/err.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/libfdt.h>
#include <linux/random.h>
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
	/* Never 0: a block of zeroes must not pass for one of ours. */
	luo.block_key = get_random_u64() | 1;
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

/*
 * A preserved block for the handover of @size bytes, @kind of
 * include/linux/kho/abi/luo.h, its header filled in.
 */
static void *luo_block_alloc(u32 kind, size_t size)
{
	struct luo_block_ser *block = kho_alloc_preserve(size);

	if (IS_ERR(block))
		return block;
	block->magic = LUO_BLOCK_MAGIC;
	block->kind = kind;
	block->key = luo.block_key;
	block->size = size;
	return block;
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

static void luo_free_sessions(struct luo_session_header_ser *hdr)
{
	struct luo_session_ser *ser = (void *)(hdr + 1);
	u64 i;

	for (i = 0; i < hdr->count; i++)
		if (ser[i].file_set_ser.files)
			kho_unpreserve_free(phys_to_virt(ser[i].file_set_ser.files));
	kho_unpreserve_free(hdr);
}

static int luo_serialize_files(struct luo_session *session,
			       struct luo_file_set_ser *set)
{
	struct luo_block_ser *block;
	struct luo_file_ser *files;
	struct luo_file *lf;
	unsigned long i = 0;

	if (!session->nr_files)
		return 0;
	block = luo_block_alloc(LUO_BLOCK_FILES, sizeof(*block) +
				session->nr_files * sizeof(*files));
	if (IS_ERR(block))
		return PTR_ERR(block);
	files = (void *)(block + 1);
	list_for_each_entry(lf, &session->files, list) {
		memcpy(files[i].compatible, lf->compatible, sizeof(files[i].compatible));
		files[i].data = lf->serialized_data;
		files[i].token = lf->token;
		i++;
	}
	set->files = virt_to_phys(block);
	set->count = i;
	return 0;
}

static struct luo_session_header_ser *luo_serialize_sessions(void)
{
	struct luo_session_header_ser *hdr;
	struct luo_session *session;
	struct luo_session_ser *ser;
	unsigned long n = 0;
	int err;

	list_for_each_entry(session, &luo.sessions, list)
		n++;
	if (!n)
		return NULL;
	hdr = luo_block_alloc(LUO_BLOCK_SESSIONS, sizeof(*hdr) + n * sizeof(*ser));
	if (IS_ERR(hdr))
		return hdr;
	ser = (void *)(hdr + 1);
	list_for_each_entry(session, &luo.sessions, list) {
		memcpy(ser->name, session->name, sizeof(ser->name));
		err = luo_serialize_files(session, &ser->file_set_ser);
		if (err) {
			luo_free_sessions(hdr);
			return ERR_PTR(err);
		}
		hdr->count++;
		ser++;
	}
	return hdr;
}

static struct luo_flb_header_ser *luo_serialize_flbs(void)
{
	unsigned long n = luo_flb_count_outgoing();
	struct luo_flb_header_ser *hdr;

	if (!n)
		return NULL;
	hdr = luo_block_alloc(LUO_BLOCK_FLBS, sizeof(*hdr) + n * sizeof(struct luo_flb_ser));
	if (IS_ERR(hdr))
		return hdr;
	hdr->count = n;
	luo_flb_serialize((void *)(hdr + 1), n);
	return hdr;
}

static int luo_serialize_write(void)
{
	struct luo_session_header_ser *sessions;
	struct luo_flb_header_ser *flbs;
	int err;

	sessions = luo_serialize_sessions();
	if (IS_ERR(sessions))
		return PTR_ERR(sessions);
	flbs = luo_serialize_flbs();
	if (IS_ERR(flbs)) {
		err = PTR_ERR(flbs);
		goto out_sessions;
	}
	err = luo_fdt_write(luo.fdt_out, sessions ? virt_to_phys(sessions) : 0,
			    flbs ? virt_to_phys(flbs) : 0);
	if (!err)
		return 0;

	luo_fdt_write(luo.fdt_out, 0, 0);
	if (flbs)
		kho_unpreserve_free(flbs);
out_sessions:
	if (sessions)
		luo_free_sessions(sessions);
	return err;
}

/**
 * luo_serialize - Write the handover of the frozen sessions.
 *
 * Called by liveupdate_reboot() with luo.lock held and every session frozen.
 *
 * Return: 0, or a negative errno with nothing left allocated.
 */
int luo_serialize(void)
{
	unsigned long nr_sessions = 0, nr_files = 0, nr_blocks = 0, nr_flbs;
	struct luo_session *session;
	u64 t0 = luo_ns(), bytes = 0;
	int err;

	lockdep_assert_held(&luo.lock);
	list_for_each_entry(session, &luo.sessions, list) {
		nr_sessions++;
		nr_files += session->nr_files;
		nr_blocks += !!session->nr_files;
	}
	nr_flbs = luo_flb_count_outgoing();
	err = luo_hook_result(luo_hook_serialize(nr_sessions, nr_files));
	if (!err)
		err = luo_serialize_write();
	if (!err) {
		bytes = LUO_FDT_SIZE + nr_files * sizeof(struct luo_file_ser) +
			nr_blocks * sizeof(struct luo_block_ser);
		if (nr_sessions)
			bytes += sizeof(struct luo_session_header_ser) +
				 nr_sessions * sizeof(struct luo_session_ser);
		if (nr_flbs)
			bytes += sizeof(struct luo_flb_header_ser) +
				 nr_flbs * sizeof(struct luo_flb_ser);
		luo_record_reboot_step(LUO_REC_SERIALIZED, 0, bytes);
	}
	trace_luo_serialize(nr_sessions, nr_files, nr_flbs, bytes, err,
			    luo_ns() - t0);
	return err;
}
