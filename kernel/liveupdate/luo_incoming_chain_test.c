// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of LUO's incoming handover parser on the chains of blocks of
 * "luo-session-v4" and "luo-flb-v3": tables across blocks, chains that
 * loop, run into another kind or another KHO user's memory, or end in an
 * empty block, the FLBs' free room and counts, and a handover of the
 * previous format, refused whole.
 */

#include <kunit/test.h>
#include <linux/string.h>

#include "luo_incoming_test.h"

/*
 * Tables across blocks: "beta" in a second block of sessions, alpha's
 * second file in a second block of files.  Everything is read in order and
 * every block is taken once.
 */
static void luo_in_chains(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);
	struct luo_block_ser *sb, *fb;
	struct luo_session_ser *beta;
	struct luo_file_ser *f;
	u64 sphys, fphys;

	sphys = luo_test_ho_add_chain_block(test, c, LUO_BLOCK_SESSIONS, &sb);
	beta = (void *)(sb + 1);
	*beta = c->ser[1];
	memset(&c->ser[1], 0, sizeof(c->ser[1]));
	c->hdr->count = 1;
	c->hdr->next = sphys;
	sb->count = 1;
	sb->size = sizeof(*sb) + sizeof(*beta);

	fphys = luo_test_ho_add_chain_block(test, c, LUO_BLOCK_FILES, &fb);
	f = (void *)(fb + 1);
	f[0] = c->files[0][1];
	fb->count = 1;
	fb->size = sizeof(*fb) + sizeof(*f);
	c->files_hdr[0]->count = 1;
	c->files_hdr[0]->size = sizeof(*fb) + sizeof(*f);
	c->files_hdr[0]->next = fphys;
	c->hdr->size = sizeof(*c->hdr) + sizeof(*c->ser);

	KUNIT_EXPECT_EQ(test, parse(test, c), 0);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_files, 3);
	KUNIT_ASSERT_NOT_NULL(test, session_at(c, 1));
	KUNIT_EXPECT_STREQ(test, session_at(c, 1)->name, "beta");
	KUNIT_EXPECT_EQ(test, list_last_entry(&session_at(c, 0)->files,
					      struct luo_file, list)->token, 2);
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, sphys)->taken, 1);
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, fphys)->taken, 1);
	ctx_done(c);
}

/* A chain that comes back to its own block is refused, not walked forever. */
static void luo_in_chain_loop(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->files_hdr[0]->next = c->files_phys[0];
	expect_only_beta(test, c, parse(test, c));
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, c->files_phys[0])->taken, 1);
}

/* The sessions' chain runs into a block of files. */
static void luo_in_chain_wrong_kind(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->hdr->next = c->files_phys[1];
	expect_no_sessions(test, c, parse(test, c));
}

/* A chain's next block is another KHO user's: refused, never taken. */
static void luo_in_chain_next_foreign(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);
	struct luo_file_ser *fake;
	u64 phys;

	phys = luo_test_ho_add_block(test, c, (void **)&fake);
	c->files_hdr[0]->next = phys;
	expect_only_beta(test, c, parse(test, c));
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, phys)->taken, 0);
}

/* An empty block at the end of a chain of files. */
static void luo_in_chain_block_empty(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);
	struct luo_block_ser *fb;

	c->files_hdr[0]->next = luo_test_ho_add_chain_block(test, c, LUO_BLOCK_FILES, &fb);
	fb->size = sizeof(*fb);
	expect_only_beta(test, c, parse(test, c));
}

/* An FLB used by more files than a count of this kernel holds. */
static void luo_in_flb_count_huge(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->flb[0].count = (u64)LONG_MAX + 1;
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 0);
	ctx_done(c);
}

/* Free room after the FLBs in use (registered FLBs not in use): skipped. */
static void luo_in_flb_free_room(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->flb_hdr->count = 3;
	luo_test_ho_set_sizes(c);
	KUNIT_EXPECT_EQ(test, parse(test, c), 0);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 1);
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, c->flb_phys)->taken, 1);
	ctx_done(c);
}

/*
 * The block header of "luo-session-v3" and "luo-flb-v2": no next, no
 * count; each table was one block with a u64 count in front of it.
 */
struct luo_v3_block {
	u32 magic;
	u32 kind;
	u64 key;
	u64 size;
} __packed;

/*
 * A handover of the previous format, as a kernel of it wrote one: both
 * nodes are refused (one line each), nothing is taken, no block is read.
 */
static void luo_in_previous_format(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);
	struct luo_session_ser *ser;
	struct luo_file_ser *files;
	struct luo_v3_block *b;
	u64 *count;
	int i;

	b = (void *)c->hdr;
	memset(b, 0, PAGE_SIZE);
	*b = (struct luo_v3_block){ LUO_BLOCK_MAGIC, LUO_BLOCK_SESSIONS, c->key };
	count = (void *)(b + 1);
	*count = 1;
	ser = (void *)(count + 1);
	strscpy(ser->name, "v3-session", sizeof(ser->name));
	ser->file_set_ser.files = c->files_phys[0];
	ser->file_set_ser.count = 2;
	b->size = sizeof(*b) + sizeof(*count) + sizeof(*ser);

	b = (void *)c->files_hdr[0];
	memset(b, 0, PAGE_SIZE);
	*b = (struct luo_v3_block){ LUO_BLOCK_MAGIC, LUO_BLOCK_FILES, c->key };
	files = (void *)(b + 1);
	for (i = 0; i < 2; i++) {
		strscpy(files[i].compatible, "memfd-v2", sizeof(files[i].compatible));
		files[i].token = i + 1;
	}
	b->size = sizeof(*b) + 2 * sizeof(*files);

	c->session_compat = "luo-session-v3";
	c->flb_compat = "luo-flb-v2";
	expect_nothing(test, c, parse(test, c), -EINVAL);
	for (i = 0; i < c->mem.n; i++)
		KUNIT_EXPECT_EQ(test, c->mem.b[i].taken, 0);
}

static struct kunit_case luo_incoming_chain_cases[] = {
	KUNIT_CASE(luo_in_chains),
	KUNIT_CASE(luo_in_chain_loop),
	KUNIT_CASE(luo_in_chain_wrong_kind),
	KUNIT_CASE(luo_in_chain_next_foreign),
	KUNIT_CASE(luo_in_chain_block_empty),
	KUNIT_CASE(luo_in_previous_format),
	KUNIT_CASE(luo_in_flb_count_huge),
	KUNIT_CASE(luo_in_flb_free_room),
	{}
};

static struct kunit_suite luo_incoming_chain_suite = {
	.name = "luo_incoming_chain",
	.test_cases = luo_incoming_chain_cases,
};

kunit_test_suite(luo_incoming_chain_suite);
