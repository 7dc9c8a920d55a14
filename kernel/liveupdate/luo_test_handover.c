// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: a valid handover in fake preserved memory, for
 * the KUnit tests of the incoming parser and its fuzzer.
 */

#include <linux/libfdt.h>
#include <linux/string.h>

#include "luo_test_handover.h"

/**
 * luo_test_ho_block - The fake block at @phys.
 * @c:    The handover.
 * @phys: An address.
 *
 * Return: the block, or NULL when there is none at @phys.
 */
struct fake_block *luo_test_ho_block(struct luo_test_ho *c, u64 phys)
{
	int i;

	for (i = 0; i < c->mem.n; i++)
		if (c->mem.b[i].phys == phys)
			return &c->mem.b[i];
	return NULL;
}

static const void *fake_peek(void *ctx, u64 phys, size_t len)
{
	struct luo_test_ho *c = container_of(ctx, struct luo_test_ho, mem);
	struct fake_block *b = luo_test_ho_block(c, phys);

	return b && len <= b->size ? b->buf : NULL;
}

static void *fake_map(void *ctx, u64 phys, size_t *size)
{
	struct luo_test_ho *c = container_of(ctx, struct luo_test_ho, mem);
	struct fake_block *b = luo_test_ho_block(c, phys);

	if (!b || b->mapped)
		return NULL;
	b->mapped = true;
	b->taken++;
	c->mem.mapped++;
	*size = b->size;
	return b->buf;
}

static void fake_unmap(void *ctx, void *block)
{
	struct fake_mem *m = ctx;
	int i;

	for (i = 0; i < m->n; i++) {
		if (m->b[i].buf == block && m->b[i].mapped) {
			m->b[i].mapped = false;
			m->mapped--;
		}
	}
}

/**
 * luo_test_ho_add_block - Add a zeroed page-sized block to the fake memory.
 * @test: The test; the block is freed with it.
 * @c:    The handover.
 * @buf:  Set to the block's contents.
 *
 * Return: the block's address.
 */
u64 luo_test_ho_add_block(struct kunit *test, struct luo_test_ho *c, void **buf)
{
	struct fake_block *b = &c->mem.b[c->mem.n];

	KUNIT_ASSERT_LT(test, c->mem.n, FAKE_BLOCKS);
	b->size = PAGE_SIZE;
	b->buf = kunit_kzalloc(test, b->size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->buf);
	b->phys = FAKE_BASE + (u64)c->mem.n * PAGE_SIZE;
	c->mem.n++;
	*buf = b->buf;
	return b->phys;
}

static void set_block(struct luo_block_ser *b, u32 kind, u64 key)
{
	b->magic = LUO_BLOCK_MAGIC;
	b->kind = kind;
	b->key = key;
}

/**
 * luo_test_ho_add_chain_block - Add a block of @kind, its header set but for
 * its count, size and next.
 * @test: The test.
 * @c:    The handover.
 * @kind: %LUO_BLOCK_SESSIONS, ...
 * @hdr:  Set to the block's header; its entries follow it.
 *
 * Return: the block's address.
 */
u64 luo_test_ho_add_chain_block(struct kunit *test, struct luo_test_ho *c,
				u32 kind, struct luo_block_ser **hdr)
{
	u64 phys = luo_test_ho_add_block(test, c, (void **)hdr);

	set_block(*hdr, kind, c->key);
	return phys;
}

static void set_file(struct luo_file_ser *f, const char *compat, u64 token)
{
	strscpy(f->compatible, compat, sizeof(f->compatible));
	f->data = 0x1000 + token;
	f->token = token;
}

/**
 * luo_test_ho_set_sizes - Make every block header's size what its count
 * needs, and each file block's count its session's, after a test changed
 * a count on purpose.
 * @c: The handover.
 */
void luo_test_ho_set_sizes(struct luo_test_ho *c)
{
	int i;

	c->hdr->size = sizeof(*c->hdr) + c->hdr->count * sizeof(*c->ser);
	for (i = 0; i < 2; i++) {
		c->files_hdr[i]->count = c->ser[i].file_set_ser.count;
		c->files_hdr[i]->size = sizeof(*c->files_hdr[i]) +
			c->files_hdr[i]->count * sizeof(*c->files[i]);
	}
	c->flb_hdr->size = sizeof(*c->flb_hdr) + c->flb_hdr->count * sizeof(*c->flb);
}

/**
 * luo_test_ho_fdt_defaults - What luo_test_ho_write() writes, made valid.
 * @c: The handover.
 */
void luo_test_ho_fdt_defaults(struct luo_test_ho *c)
{
	c->root_compat = LUO_FDT_COMPATIBLE;
	c->session_compat = LUO_FDT_SESSION_COMPATIBLE;
	c->flb_compat = LUO_FDT_FLB_COMPATIBLE;
	c->number_len = sizeof(u64);
	c->session_node = true;
	c->flb_node = true;
	c->header_prop = true;
	c->key_prop = true;
	c->session_header = c->hdr_phys;
}

/**
 * luo_test_ho_new - A valid handover, not yet written (luo_test_ho_write()).
 * @test: The test; everything is freed with it.
 *
 * Return: the handover.
 */
struct luo_test_ho *luo_test_ho_new(struct kunit *test)
{
	struct luo_test_ho *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->in_mem = (struct luo_in_mem){
		.peek = fake_peek,
		.map = fake_map,
		.unmap = fake_unmap,
		.ctx = &c->mem,
		.origin = "kunit",
	};
	c->key = FAKE_KEY;
	c->hdr_phys = luo_test_ho_add_chain_block(test, c, LUO_BLOCK_SESSIONS, &c->hdr);
	c->ser = (void *)(c->hdr + 1);
	for (i = 0; i < 2; i++) {
		c->files_phys[i] = luo_test_ho_add_chain_block(test, c, LUO_BLOCK_FILES,
							       &c->files_hdr[i]);
		c->files[i] = (void *)(c->files_hdr[i] + 1);
	}
	c->flb_phys = luo_test_ho_add_chain_block(test, c, LUO_BLOCK_FLBS, &c->flb_hdr);
	c->flb = (void *)(c->flb_hdr + 1);

	c->hdr->count = 2;
	strscpy(c->ser[0].name, "alpha", sizeof(c->ser[0].name));
	c->ser[0].file_set_ser.files = c->files_phys[0];
	c->ser[0].file_set_ser.count = 2;
	set_file(&c->files[0][0], "memfd-v2", 1);
	set_file(&c->files[0][1], "memfd-v2", 2);
	strscpy(c->ser[1].name, "beta", sizeof(c->ser[1].name));
	c->ser[1].file_set_ser.files = c->files_phys[1];
	c->ser[1].file_set_ser.count = 1;
	set_file(&c->files[1][0], "memfd-v2", 3);
	c->flb_hdr->count = 1;
	strscpy(c->flb[0].compatible, "test-flb-v1", sizeof(c->flb[0].compatible));
	c->flb[0].data = 0xf1b;
	c->flb[0].count = 3;
	luo_test_ho_set_sizes(c);

	luo_test_ho_fdt_defaults(c);
	c->fdt_size = PAGE_SIZE;
	c->fdt = kunit_kzalloc(test, c->fdt_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->fdt);
	return c;
}

/**
 * luo_test_ho_write - Write the handover's FDT as its fields say.
 * @test: The test.
 * @c:    The handover.
 */
void luo_test_ho_write(struct kunit *test, struct luo_test_ho *c)
{
	u64 number = 7;
	int err;

	err = fdt_create(c->fdt, c->fdt_size);
	err |= fdt_finish_reservemap(c->fdt);
	err |= fdt_begin_node(c->fdt, "");
	if (c->root_compat)
		err |= fdt_property_string(c->fdt, "compatible", c->root_compat);
	if (c->number_len)
		err |= fdt_property(c->fdt, LUO_FDT_LIVEUPDATE_NUM, &number, c->number_len);
	if (c->session_node) {
		err |= fdt_begin_node(c->fdt, LUO_FDT_SESSION_NODE_NAME);
		err |= fdt_property_string(c->fdt, "compatible", c->session_compat);
		if (c->header_prop)
			err |= fdt_property(c->fdt, LUO_FDT_SESSION_HEADER,
					    &c->session_header, sizeof(u64));
		if (c->key_prop)
			err |= fdt_property(c->fdt, LUO_FDT_BLOCK_KEY, &c->key, sizeof(u64));
		err |= fdt_end_node(c->fdt);
	}
	if (c->flb_node) {
		err |= fdt_begin_node(c->fdt, LUO_FDT_FLB_NODE_NAME);
		err |= fdt_property_string(c->fdt, "compatible", c->flb_compat);
		err |= fdt_property(c->fdt, LUO_FDT_FLB_HEADER, &c->flb_phys, sizeof(u64));
		if (c->key_prop)
			err |= fdt_property(c->fdt, LUO_FDT_BLOCK_KEY, &c->key, sizeof(u64));
		err |= fdt_end_node(c->fdt);
	}
	err |= fdt_end_node(c->fdt);
	err |= fdt_finish(c->fdt);
	KUNIT_ASSERT_EQ(test, err, 0);
}
