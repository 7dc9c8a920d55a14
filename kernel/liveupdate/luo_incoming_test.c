// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of LUO's incoming handover parser: a valid handover, then one
 * corruption per test, each of which must be refused without harm, keep
 * what is still valid, and give every preserved block back.
 */

#include <kunit/test.h>
#include <linux/libfdt.h>
#include <linux/string.h>

#include "luo_incoming_test.h"

static void luo_in_valid(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);
	struct luo_session *s;
	struct luo_file *lf;
	u64 token = 1;

	KUNIT_EXPECT_EQ(test, parse(test, c), 0);
	KUNIT_EXPECT_EQ(test, c->in.number, 7);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_files, 3);
	KUNIT_EXPECT_EQ(test, c->in.dropped, 0);
	list_for_each_entry(s, &c->in.sessions, list) {
		KUNIT_EXPECT_TRUE(test, s->incoming);
		list_for_each_entry(lf, &s->files, list) {
			KUNIT_EXPECT_EQ(test, lf->token, token);
			KUNIT_EXPECT_EQ(test, lf->serialized_data, 0x1000 + token);
			KUNIT_EXPECT_STREQ(test, lf->compatible, "memfd-v2");
			token++;
		}
	}
	KUNIT_ASSERT_NOT_NULL(test, session_at(c, 0));
	KUNIT_EXPECT_STREQ(test, session_at(c, 0)->name, "alpha");
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 1);
	KUNIT_EXPECT_STREQ(test, c->in.flbs[0].compatible, "test-flb-v1");
	KUNIT_EXPECT_EQ(test, c->in.flbs[0].count, 3);
	ctx_done(c);
}

static void luo_in_no_sessions_node(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->session_node = false;
	KUNIT_EXPECT_EQ(test, parse(test, c), 0);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 0);
	ctx_done(c);
}

/* A block of a chain holds at least one entry. */
static void luo_in_session_block_empty(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->hdr->count = 0;
	luo_test_ho_set_sizes(c);
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_garbage(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	memset(c->fdt, 0xa5, c->fdt_size);
	expect_nothing(test, c, parse_raw(test, c, c->fdt_size), -EPROTO);
}

static void luo_in_mainline_v5(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	strscpy(c->fdt, "luo-v5", 8);
	expect_nothing(test, c, parse_raw(test, c, 32), -EPROTO);
}

static void luo_in_truncated(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	luo_test_ho_write(test, c);
	expect_nothing(test, c, parse_raw(test, c, fdt_totalsize(c->fdt) - 8), -EPROTO);
}

static void luo_in_tiny(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	luo_test_ho_write(test, c);
	expect_nothing(test, c, parse_raw(test, c, 4), -EPROTO);
}

static void luo_in_root_compat_wrong(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->root_compat = "luo-v2";
	expect_nothing(test, c, parse(test, c), -EPROTO);
}

static void luo_in_root_compat_missing(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->root_compat = NULL;
	expect_nothing(test, c, parse(test, c), -EPROTO);
}

static void luo_in_number_missing(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->number_len = 0;
	expect_nothing(test, c, parse(test, c), -EPROTO);
}

static void luo_in_number_short(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->number_len = 4;
	expect_nothing(test, c, parse(test, c), -EPROTO);
}

static void luo_in_session_compat_wrong(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->session_compat = "luo-session-v1";
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_header_missing(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->header_prop = false;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_header_unpreserved(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->session_header = FAKE_BASE + 64 * PAGE_SIZE;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_header_unaligned(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->session_header = c->hdr_phys + 8;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_header_zero(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->session_header = 0;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_count_past_block(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->hdr->count = PAGE_SIZE / sizeof(struct luo_session_ser) + 1;
	luo_test_ho_set_sizes(c);
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_count_huge(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->hdr->count = U64_MAX;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_name_unterminated(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	memset(c->ser[0].name, 'x', sizeof(c->ser[0].name));
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_name_empty(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].name[0] = '\0';
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_name_duplicate(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	strscpy(c->ser[0].name, "beta", sizeof(c->ser[0].name));
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 1);
	KUNIT_EXPECT_EQ(test, c->in.dropped, 1);
	/* The first of the two is kept: it has the two files. */
	KUNIT_ASSERT_NOT_NULL(test, session_at(c, 0));
	KUNIT_EXPECT_EQ(test, session_at(c, 0)->nr_files, 2);
	ctx_done(c);
}

static void luo_in_files_past_block(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].file_set_ser.count = PAGE_SIZE / sizeof(struct luo_file_ser) + 1;
	luo_test_ho_set_sizes(c);
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_count_huge(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].file_set_ser.count = U64_MAX / 2;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_unpreserved(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].file_set_ser.files = FAKE_BASE + 64 * PAGE_SIZE;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_zero_count_with_address(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].file_set_ser.count = 0;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_count_without_address(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].file_set_ser.files = 0;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_shared(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	/* beta claims alpha's array: the later user is refused */
	c->ser[1].file_set_ser.files = c->files_phys[0];
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 1);
	KUNIT_ASSERT_NOT_NULL(test, session_at(c, 0));
	KUNIT_EXPECT_STREQ(test, session_at(c, 0)->name, "alpha");
	ctx_done(c);
}

static void luo_in_files_are_session_table(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].file_set_ser.files = c->hdr_phys;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_handler_unterminated(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	memset(c->files[0][1].compatible, 'h', sizeof(c->files[0][1].compatible));
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_handler_empty(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->files[0][0].compatible[0] = '\0';
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_token_duplicate(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->files[0][1].token = 1;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_flb_compat_wrong(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->flb_compat = "luo-flb-v0";
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 0);
	ctx_done(c);
}

static void luo_in_flb_count_past_block(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->flb_hdr->count = PAGE_SIZE / sizeof(struct luo_flb_ser) + 1;
	luo_test_ho_set_sizes(c);
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 0);
	ctx_done(c);
}

static void luo_in_flb_entry_bad(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->flb_hdr->count = 3;
	memset(c->flb[1].compatible, 'f', sizeof(c->flb[1].compatible));
	c->flb[1].count = 1;
	/* a repeat of the first entry */
	c->flb[2] = c->flb[0];
	luo_test_ho_set_sizes(c);
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 1);
	ctx_done(c);
}

/*
 * The blocks of the handover must be LUO's: an address that points at a
 * block of another KHO user (here a page that holds what looks like a valid
 * file array, as a memfd's page could) is refused and that block is never
 * taken, so never freed under its owner.
 */
static void luo_in_files_foreign_block(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);
	struct luo_file_ser *fake;
	u64 phys;

	phys = luo_test_ho_add_block(test, c, (void **)&fake);
	memcpy(fake, c->files[0], 2 * sizeof(*fake));
	c->ser[0].file_set_ser.files = phys;
	expect_only_beta(test, c, parse(test, c));
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, phys)->taken, 0);
}

static void luo_in_session_table_foreign(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);
	struct luo_block_ser *fake;
	u64 phys;

	phys = luo_test_ho_add_block(test, c, (void **)&fake);
	memcpy(fake, c->hdr, c->hdr->size);
	fake->magic = 0;
	c->session_header = phys;
	expect_no_sessions(test, c, parse(test, c));
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, phys)->taken, 0);
}

/* A header of the right magic but another handover's key. */
static void luo_in_files_wrong_key(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->files_hdr[0]->key = c->key + 1;
	expect_only_beta(test, c, parse(test, c));
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, c->files_phys[0])->taken, 0);
}

/* LUO's own block of another kind: the FLB table named as files. */
static void luo_in_files_wrong_kind(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].file_set_ser.files = c->flb_phys;
	c->ser[0].file_set_ser.count = 1;
	expect_only_beta(test, c, parse(test, c));
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, c->flb_phys)->taken, 1);
}

static void luo_in_block_size_past_block(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->files_hdr[0]->size = PAGE_SIZE + sizeof(*c->files[0]);
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_key_missing(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->key_prop = false;
	expect_nothing(test, c, parse(test, c), -EINVAL);
}

/* A dropped session's file array is LUO's: it is given back too. */
static void luo_in_dropped_files_released(struct kunit *test)
{
	struct luo_test_ho *c = luo_test_ho_new(test);

	c->ser[0].name[0] = '\0';
	expect_only_beta(test, c, parse(test, c));
	KUNIT_EXPECT_EQ(test, luo_test_ho_block(c, c->files_phys[0])->taken, 1);
}

static struct kunit_case luo_incoming_cases[] = {
	KUNIT_CASE(luo_in_valid),
	KUNIT_CASE(luo_in_no_sessions_node),
	KUNIT_CASE(luo_in_session_block_empty),
	KUNIT_CASE(luo_in_garbage),
	KUNIT_CASE(luo_in_mainline_v5),
	KUNIT_CASE(luo_in_truncated),
	KUNIT_CASE(luo_in_tiny),
	KUNIT_CASE(luo_in_root_compat_wrong),
	KUNIT_CASE(luo_in_root_compat_missing),
	KUNIT_CASE(luo_in_number_missing),
	KUNIT_CASE(luo_in_number_short),
	KUNIT_CASE(luo_in_session_compat_wrong),
	KUNIT_CASE(luo_in_session_header_missing),
	KUNIT_CASE(luo_in_session_header_unpreserved),
	KUNIT_CASE(luo_in_session_header_unaligned),
	KUNIT_CASE(luo_in_session_header_zero),
	KUNIT_CASE(luo_in_session_count_past_block),
	KUNIT_CASE(luo_in_session_count_huge),
	KUNIT_CASE(luo_in_name_unterminated),
	KUNIT_CASE(luo_in_name_empty),
	KUNIT_CASE(luo_in_name_duplicate),
	KUNIT_CASE(luo_in_files_past_block),
	KUNIT_CASE(luo_in_files_count_huge),
	KUNIT_CASE(luo_in_files_unpreserved),
	KUNIT_CASE(luo_in_files_zero_count_with_address),
	KUNIT_CASE(luo_in_files_count_without_address),
	KUNIT_CASE(luo_in_files_shared),
	KUNIT_CASE(luo_in_files_are_session_table),
	KUNIT_CASE(luo_in_handler_unterminated),
	KUNIT_CASE(luo_in_handler_empty),
	KUNIT_CASE(luo_in_token_duplicate),
	KUNIT_CASE(luo_in_flb_compat_wrong),
	KUNIT_CASE(luo_in_flb_count_past_block),
	KUNIT_CASE(luo_in_flb_entry_bad),
	KUNIT_CASE(luo_in_files_foreign_block),
	KUNIT_CASE(luo_in_session_table_foreign),
	KUNIT_CASE(luo_in_files_wrong_key),
	KUNIT_CASE(luo_in_files_wrong_kind),
	KUNIT_CASE(luo_in_block_size_past_block),
	KUNIT_CASE(luo_in_key_missing),
	KUNIT_CASE(luo_in_dropped_files_released),
	{}
};

static struct kunit_suite luo_incoming_suite = {
	.name = "luo_incoming",
	.test_cases = luo_incoming_cases,
};

kunit_test_suite(luo_incoming_suite);
