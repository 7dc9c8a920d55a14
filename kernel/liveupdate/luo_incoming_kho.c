// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: taking over the previous kernel's handover from
 * KHO at start-up.
 */

/**
 * DOC: LUO incoming handover from KHO
 *
 * luo_incoming_init() finds the "LUO" subtree KHO received, checks that it
 * lies in memory this kernel manages, and hands it to luo_incoming_parse()
 * with an accessor of KHO's preserved blocks: a block's header is read in
 * place (luo_kho_peek()), and only a block the header says is LUO's is
 * restored from KHO (luo_kho_map()) and, once copied, freed.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/overflow.h>

#include "luo_internal.h"
#include <trace/events/liveupdate.h>

/* An FDT bigger than this is not ours, whatever it says. */
#define LUO_FDT_MAX_SIZE	SZ_1M

/* The pages of the FDT: never a block, whatever the FDT says. */
struct luo_kho_ctx {
	phys_addr_t fdt;
	size_t fdt_size;
};

/* KHO: a block's first bytes are read where they are, nothing taken. */
static const void *luo_kho_peek(void *ctx, u64 phys, size_t len)
{
	const struct luo_kho_ctx *kc = ctx;

	if (phys >= kc->fdt && phys - kc->fdt < kc->fdt_size)
		return NULL;
	if (!luo_phys_online(phys, len))
		return NULL;
	return phys_to_virt(phys);
}

/* KHO: a preserved block is a folio the previous kernel preserved. */
static void *luo_kho_map(void *ctx, u64 phys, size_t *size)
{
	const struct luo_kho_ctx *kc = ctx;
	struct folio *folio;

	if (phys >= kc->fdt && phys - kc->fdt < kc->fdt_size)
		return NULL;
	if (!pfn_to_online_page(PHYS_PFN(phys)))
		return NULL;
	folio = kho_restore_folio(phys);
	if (!folio)
		return NULL;
	*size = folio_size(folio);
	return folio_address(folio);
}

static void luo_kho_unmap(void *ctx, void *block)
{
	folio_put(virt_to_folio(block));
}

/**
 * luo_phys_online - Whether a block handed over is in memory this kernel
 * manages.
 * @phys: Its physical address.
 * @size: Its size.
 *
 * Return: true when every page of [@phys, @phys + @size) is online.
 */
bool luo_phys_online(phys_addr_t phys, size_t size)
{
	phys_addr_t last;
	unsigned long pfn;

	if (!size || check_add_overflow(phys, (phys_addr_t)size - 1, &last))
		return false;
	for (pfn = PHYS_PFN(phys); pfn <= PHYS_PFN(last); pfn++)
		if (!pfn_to_online_page(pfn))
			return false;
	return true;
}

/**
 * luo_incoming_init - Take over what the previous kernel handed over.
 *
 * Called once at start-up, before userspace runs.  Whatever is wrong with
 * the handover is reported and costs at most the sessions it concerns.
 */
void luo_incoming_init(void)
{
	struct luo_kho_ctx kc;
	struct luo_in_mem mem = {
		.peek = luo_kho_peek,
		.map = luo_kho_map,
		.unmap = luo_kho_unmap,
		.ctx = &kc,
		.origin = "previous kernel",
	};
	struct luo_session *session;
	struct luo_incoming in;
	phys_addr_t phys;
	size_t size;
	void *fdt;
	int err;

	err = kho_retrieve_subtree(LUO_FDT_KHO_ENTRY_NAME, &phys, &size);
	if (err == -ENOENT)
		goto out_none;
	if (err) {
		pr_err("cannot read the handover: %pe\n", ERR_PTR(err));
		goto out_none;
	}
	if (size > LUO_FDT_MAX_SIZE || !luo_phys_online(phys, size)) {
		pr_err("the handover at %pa (%zu bytes) is not in usable memory: ignored\n",
		       &phys, size);
		err = -EFAULT;
		goto out_none;
	}
	fdt = phys_to_virt(phys);
	/*
	 * The FDT itself stays where it is: KHO's debugfs shows it under
	 * kho/in/ for as long as this kernel runs.
	 */
	kc.fdt = phys;
	kc.fdt_size = size;
	err = luo_incoming_parse(fdt, size, &mem, &in);
	if (err == -EPROTO || err == -ENOMEM)
		goto out_none;

	mutex_lock(&luo.lock);
	luo.number = in.number;
	/* Their names are unique: validation dropped every repeat. */
	list_for_each_entry(session, &in.sessions, list)
		luo_session_index(session);
	list_splice_tail_init(&in.sessions, &luo.incoming);
	luo.nr_sessions += in.nr_sessions;
	luo.in_flbs = in.flbs;
	luo.nr_in_flbs = in.nr_flbs;
	mutex_unlock(&luo.lock);
	pr_info("live update #%llu: %lu sessions with %lu files received, %lu dropped, %lu FLBs\n",
		in.number, in.nr_sessions, in.nr_files, in.dropped, in.nr_flbs);
	trace_luo_incoming(in.number, in.nr_sessions, in.nr_files, in.dropped,
			   in.nr_flbs, err);
	return;

out_none:
	trace_luo_incoming(0, 0, 0, 0, 0, err);
}
