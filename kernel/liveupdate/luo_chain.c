// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the tables of the outgoing handover, as chains
 * of page-sized preserved blocks written as they change.
 */

/**
 * DOC: LUO handover chains
 *
 * Each table the next kernel reads (the sessions, the files of one session,
 * the FLBs) is a &struct luo_chain: blocks of one page each, preserved
 * through KHO when they are allocated, each a &struct luo_block_ser and as
 * many entries as fit, linked by physical address (the layout is in
 * include/linux/kho/abi/luo.h).  An entry is added when userspace creates
 * what it describes, and written in place from then on; removing one moves
 * the last entry into its place, so the table stays dense and the last
 * block, once empty, is given back.  Nothing here allocates except
 * luo_chain_add(): the reboot only writes words in blocks that exist.
 *
 * The blocks are also indexed by number in an xarray, so that entry i is
 * found in O(1) and the block before the last one, for the unlink, too.
 * Locking is the caller's: a chain's shape (adding, removing) under one
 * lock, its entries under the lock of what each describes (see
 * luo_internal.h).
 */

#include <linux/err.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/string.h>

#include "luo_internal.h"

/* Pages held by every chain of this kernel, for the record's byte count. */
static atomic_long_t luo_chain_pages = ATOMIC_LONG_INIT(0);

static unsigned long luo_chain_per_block(const struct luo_chain *c)
{
	return (LUO_BLOCK_SIZE - sizeof(struct luo_block_ser)) / c->esize;
}

static struct luo_block_ser *luo_chain_block(struct luo_chain *c,
					     unsigned long n)
{
	return xa_load(&c->blocks, n);
}

/**
 * luo_chain_init - Set up an empty chain.
 * @c:     The chain.
 * @kind:  Its blocks' kind (%LUO_BLOCK_SESSIONS, ...).
 * @esize: The size of one entry.
 */
void luo_chain_init(struct luo_chain *c, u32 kind, size_t esize)
{
	xa_init(&c->blocks);
	c->count = 0;
	c->nr_blocks = 0;
	c->kind = kind;
	c->esize = esize;
}

/**
 * luo_chain_entry - Entry @i of the chain.
 * @c: The chain.
 * @i: An index below @c->count (or @c->count itself, in a block that exists).
 *
 * Return: the entry, in its block.
 */
void *luo_chain_entry(struct luo_chain *c, unsigned long i)
{
	unsigned long per = luo_chain_per_block(c);
	struct luo_block_ser *block = luo_chain_block(c, i / per);

	return (void *)(block + 1) + (i % per) * c->esize;
}

/* Write block @n's header for the chain's entries as they stand. */
static void luo_chain_seal(struct luo_chain *c, unsigned long n)
{
	unsigned long per = luo_chain_per_block(c), first = n * per;
	struct luo_block_ser *block = luo_chain_block(c, n);
	struct luo_block_ser *next = luo_chain_block(c, n + 1);
	unsigned long count = c->count > first ? min(c->count - first, per) : 0;

	block->count = count;
	block->size = sizeof(*block) + count * c->esize;
	block->next = next && c->count > first + per ? virt_to_phys(next) : 0;
}

/**
 * luo_chain_add - Add an entry at the end of the chain.
 * @c: The chain.
 *
 * Allocates and links a new block when the last one is full.
 *
 * Return: the new entry, zeroed, or an ERR_PTR (-ENOMEM, or KHO's error).
 */
void *luo_chain_add(struct luo_chain *c)
{
	unsigned long per = luo_chain_per_block(c), n = c->count / per;
	struct luo_block_ser *block;
	void *entry;
	int err;

	if (n == c->nr_blocks) {
		block = kho_alloc_preserve(LUO_BLOCK_SIZE);
		if (IS_ERR(block))
			return block;
		memset(block, 0, LUO_BLOCK_SIZE);
		block->magic = LUO_BLOCK_MAGIC;
		block->kind = c->kind;
		block->key = luo.block_key;
		err = xa_err(xa_store(&c->blocks, n, block, GFP_KERNEL));
		if (err) {
			kho_unpreserve_free(block);
			return ERR_PTR(err);
		}
		c->nr_blocks++;
		atomic_long_inc(&luo_chain_pages);
	}
	entry = luo_chain_entry(c, c->count);
	memset(entry, 0, c->esize);
	c->count++;
	luo_chain_seal(c, n);
	if (n)
		luo_chain_seal(c, n - 1);
	return entry;
}

/**
 * luo_chain_remove - Remove entry @i: the last entry moves into its place.
 * @c: The chain.
 * @i: An index below @c->count.
 *
 * The caller updates whatever pointed at the last entry.  The last block,
 * once empty, is unlinked and given back.
 */
void luo_chain_remove(struct luo_chain *c, unsigned long i)
{
	unsigned long per = luo_chain_per_block(c), last = c->count - 1;
	unsigned long n = last / per;
	struct luo_block_ser *block;

	if (i != last)
		memcpy(luo_chain_entry(c, i), luo_chain_entry(c, last), c->esize);
	memset(luo_chain_entry(c, last), 0, c->esize);
	c->count--;
	if (last % per) {
		luo_chain_seal(c, n);
		return;
	}
	block = xa_erase(&c->blocks, n);
	kho_unpreserve_free(block);
	c->nr_blocks--;
	atomic_long_dec(&luo_chain_pages);
	if (n)
		luo_chain_seal(c, n - 1);
}

/**
 * luo_chain_phys - Where the next kernel finds the chain.
 * @c: The chain.
 *
 * Return: the physical address of its first block, 0 when it has no entry.
 */
u64 luo_chain_phys(struct luo_chain *c)
{
	struct luo_block_ser *block = luo_chain_block(c, 0);

	return block && block->count ? virt_to_phys(block) : 0;
}

/**
 * luo_chain_destroy - Give back every block of the chain.
 * @c: The chain; empty and reusable afterwards.
 */
void luo_chain_destroy(struct luo_chain *c)
{
	struct luo_block_ser *block;
	unsigned long n;

	xa_for_each(&c->blocks, n, block) {
		kho_unpreserve_free(block);
		atomic_long_dec(&luo_chain_pages);
	}
	xa_destroy(&c->blocks);
	c->count = 0;
	c->nr_blocks = 0;
}

/**
 * luo_chain_bytes - Memory the handover's chains hold.
 *
 * Return: bytes of all blocks of all chains of this kernel.
 */
u64 luo_chain_bytes(void)
{
	return (u64)atomic_long_read(&luo_chain_pages) * LUO_BLOCK_SIZE;
}
