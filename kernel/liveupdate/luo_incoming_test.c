// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of LUO's incoming handover parser: a valid handover, then one
 * corruption per test, each of which must be refused without harm, keep
 * what is still valid, and give every preserved block back.
 */

#include <kunit/test.h>
#include <linux/libfdt.h>
#include <linux/string.h>

#include "luo_internal.h"

#define FAKE_BLOCKS	8
#define FAKE_BASE	0x40000000ULL

/* Preserved memory, as the parser sees it: a few page-sized buffers. */
struct fake_block {
	u64 phys;
	void *buf;
	size_t size;
	bool mapped;
};

struct fake_mem {
	struct fake_block b[FAKE_BLOCKS];
	int n;
	int mapped;	/* blocks mapped and not given back */
};

static void *fake_map(void *ctx, u64 phys, size_t *size)
{
	struct fake_mem *m = ctx;
	int i;

	for (i = 0; i < m->n; i++) {
		if (m->b[i].phys != phys || m->b[i].mapped)
			continue;
		m->b[i].mapped = true;
		m->mapped++;
		*size = m->b[i].size;
		return m->b[i].buf;
	}
	return NULL;
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

/* A handover: sessions "alpha" (tokens 1, 2) and "beta" (token 3), one FLB. */
struct ctx {
	struct fake_mem mem;
	struct luo_in_mem in_mem;
	struct luo_incoming in;
	void *fdt;
	size_t fdt_size;
	struct luo_session_header_ser *hdr;
	struct luo_session_ser *ser;
	struct luo_file_ser *files[2];
	struct luo_flb_header_ser *flb_hdr;
	struct luo_flb_ser *flb;
	u64 hdr_phys, files_phys[2], flb_phys;
	/* How to write the FDT */
	const char *root_compat;
	const char *session_compat;
	const char *flb_compat;
	int number_len;
	bool session_node, flb_node, header_prop;
	u64 session_header;
};

static u64 fake_add(struct kunit *test, struct ctx *c, void **buf)
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

static void set_file(struct luo_file_ser *f, const char *compat, u64 token)
{
	strscpy(f->compatible, compat, sizeof(f->compatible));
	f->data = 0x1000 + token;
	f->token = token;
}

static struct ctx *ctx_new(struct kunit *test)
{
	struct ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	void *buf;

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->in_mem = (struct luo_in_mem){
		.map = fake_map,
		.unmap = fake_unmap,
		.ctx = &c->mem,
		.origin = "kunit",
	};
	c->hdr_phys = fake_add(test, c, &buf);
	c->hdr = buf;
	c->ser = (void *)(c->hdr + 1);
	c->files_phys[0] = fake_add(test, c, &buf);
	c->files[0] = buf;
	c->files_phys[1] = fake_add(test, c, &buf);
	c->files[1] = buf;
	c->flb_phys = fake_add(test, c, &buf);
	c->flb_hdr = buf;
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

	c->root_compat = LUO_FDT_COMPATIBLE;
	c->session_compat = LUO_FDT_SESSION_COMPATIBLE;
	c->flb_compat = LUO_FDT_FLB_COMPATIBLE;
	c->number_len = sizeof(u64);
	c->session_node = true;
	c->flb_node = true;
	c->header_prop = true;
	c->session_header = c->hdr_phys;
	c->fdt_size = PAGE_SIZE;
	c->fdt = kunit_kzalloc(test, c->fdt_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->fdt);
	return c;
}

static void write_fdt(struct kunit *test, struct ctx *c)
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
		err |= fdt_end_node(c->fdt);
	}
	if (c->flb_node) {
		err |= fdt_begin_node(c->fdt, LUO_FDT_FLB_NODE_NAME);
		err |= fdt_property_string(c->fdt, "compatible", c->flb_compat);
		err |= fdt_property(c->fdt, LUO_FDT_FLB_HEADER, &c->flb_phys, sizeof(u64));
		err |= fdt_end_node(c->fdt);
	}
	err |= fdt_end_node(c->fdt);
	err |= fdt_finish(c->fdt);
	KUNIT_ASSERT_EQ(test, err, 0);
}

/* Parse; every block must be given back, whatever happened. */
static int parse_raw(struct kunit *test, struct ctx *c, size_t size)
{
	int err = luo_incoming_parse(c->fdt, size, &c->in_mem, &c->in);

	KUNIT_EXPECT_EQ(test, c->mem.mapped, 0);
	return err;
}

static int parse(struct kunit *test, struct ctx *c)
{
	write_fdt(test, c);
	return parse_raw(test, c, c->fdt_size);
}

static void ctx_done(struct ctx *c)
{
	luo_incoming_free(&c->in);
}

static struct luo_session *session_at(struct ctx *c, unsigned long i)
{
	struct luo_session *s;

	list_for_each_entry(s, &c->in.sessions, list)
		if (!i--)
			return s;
	return NULL;
}

/* Only "beta" survives: "alpha" was refused, the rest kept. */
static void expect_only_beta(struct kunit *test, struct ctx *c, int err)
{
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 1);
	KUNIT_EXPECT_EQ(test, c->in.dropped, 1);
	KUNIT_ASSERT_NOT_NULL(test, session_at(c, 0));
	KUNIT_EXPECT_STREQ(test, session_at(c, 0)->name, "beta");
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 1);
	ctx_done(c);
}

/* Nothing at all taken. */
static void expect_nothing(struct kunit *test, struct ctx *c, int err, int want)
{
	KUNIT_EXPECT_EQ(test, err, want);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&c->in.sessions));
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 0);
	ctx_done(c);
}

/* The session table is refused as a whole; FLBs are still taken. */
static void expect_no_sessions(struct kunit *test, struct ctx *c, int err)
{
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 0);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 1);
	ctx_done(c);
}

static void luo_in_valid(struct kunit *test)
{
	struct ctx *c = ctx_new(test);
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
	KUNIT_EXPECT_STREQ(test, session_at(c, 0)->name, "alpha");
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 1);
	KUNIT_EXPECT_STREQ(test, c->in.flbs[0].compatible, "test-flb-v1");
	KUNIT_EXPECT_EQ(test, c->in.flbs[0].count, 3);
	ctx_done(c);
}

static void luo_in_no_sessions_node(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->session_node = false;
	KUNIT_EXPECT_EQ(test, parse(test, c), 0);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 0);
	ctx_done(c);
}

static void luo_in_zero_sessions(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->hdr->count = 0;
	KUNIT_EXPECT_EQ(test, parse(test, c), 0);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 0);
	ctx_done(c);
}

static void luo_in_garbage(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	memset(c->fdt, 0xa5, c->fdt_size);
	expect_nothing(test, c, parse_raw(test, c, c->fdt_size), -EPROTO);
}

static void luo_in_mainline_v5(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	strscpy(c->fdt, "luo-v5", 8);
	expect_nothing(test, c, parse_raw(test, c, 32), -EPROTO);
}

static void luo_in_truncated(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	write_fdt(test, c);
	expect_nothing(test, c, parse_raw(test, c, fdt_totalsize(c->fdt) - 8), -EPROTO);
}

static void luo_in_tiny(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	write_fdt(test, c);
	expect_nothing(test, c, parse_raw(test, c, 4), -EPROTO);
}

static void luo_in_root_compat_wrong(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->root_compat = "luo-v2";
	expect_nothing(test, c, parse(test, c), -EPROTO);
}

static void luo_in_root_compat_missing(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->root_compat = NULL;
	expect_nothing(test, c, parse(test, c), -EPROTO);
}

static void luo_in_number_missing(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->number_len = 0;
	expect_nothing(test, c, parse(test, c), -EPROTO);
}

static void luo_in_number_short(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->number_len = 4;
	expect_nothing(test, c, parse(test, c), -EPROTO);
}

static void luo_in_session_compat_wrong(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->session_compat = "luo-session-v1";
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_header_missing(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->header_prop = false;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_header_unpreserved(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->session_header = FAKE_BASE + 64 * PAGE_SIZE;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_header_unaligned(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->session_header = c->hdr_phys + 8;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_header_zero(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->session_header = 0;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_count_past_block(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->hdr->count = PAGE_SIZE / sizeof(struct luo_session_ser) + 1;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_session_count_huge(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->hdr->count = U64_MAX;
	expect_no_sessions(test, c, parse(test, c));
}

static void luo_in_name_unterminated(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	memset(c->ser[0].name, 'x', sizeof(c->ser[0].name));
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_name_empty(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->ser[0].name[0] = '\0';
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_name_duplicate(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	strscpy(c->ser[0].name, "beta", sizeof(c->ser[0].name));
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 1);
	KUNIT_EXPECT_EQ(test, c->in.dropped, 1);
	/* The first of the two is kept: it has the two files. */
	KUNIT_EXPECT_EQ(test, session_at(c, 0)->nr_files, 2);
	ctx_done(c);
}

static void luo_in_files_past_block(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->ser[0].file_set_ser.count = PAGE_SIZE / sizeof(struct luo_file_ser) + 1;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_count_huge(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->ser[0].file_set_ser.count = U64_MAX / 2;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_unpreserved(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->ser[0].file_set_ser.files = FAKE_BASE + 64 * PAGE_SIZE;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_zero_count_with_address(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->ser[0].file_set_ser.count = 0;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_count_without_address(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->ser[0].file_set_ser.files = 0;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_files_shared(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	/* beta claims alpha's array: the later user is refused */
	c->ser[1].file_set_ser.files = c->files_phys[0];
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 1);
	KUNIT_EXPECT_STREQ(test, session_at(c, 0)->name, "alpha");
	ctx_done(c);
}

static void luo_in_files_are_session_table(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->ser[0].file_set_ser.files = c->hdr_phys;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_handler_unterminated(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	memset(c->files[0][1].compatible, 'h', sizeof(c->files[0][1].compatible));
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_handler_empty(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->files[0][0].compatible[0] = '\0';
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_token_duplicate(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->files[0][1].token = 1;
	expect_only_beta(test, c, parse(test, c));
}

static void luo_in_flb_compat_wrong(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->flb_compat = "luo-flb-v0";
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 0);
	ctx_done(c);
}

static void luo_in_flb_count_past_block(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->flb_hdr->count = PAGE_SIZE / sizeof(struct luo_flb_ser) + 1;
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 0);
	ctx_done(c);
}

static void luo_in_flb_entry_bad(struct kunit *test)
{
	struct ctx *c = ctx_new(test);

	c->flb_hdr->count = 3;
	memset(c->flb[1].compatible, 'f', sizeof(c->flb[1].compatible));
	c->flb[1].count = 1;
	/* a repeat of the first entry */
	c->flb[2] = c->flb[0];
	KUNIT_EXPECT_EQ(test, parse(test, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 2);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 1);
	ctx_done(c);
}

static struct kunit_case luo_incoming_cases[] = {
	KUNIT_CASE(luo_in_valid),
	KUNIT_CASE(luo_in_no_sessions_node),
	KUNIT_CASE(luo_in_zero_sessions),
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
	{}
};

static struct kunit_suite luo_incoming_suite = {
	.name = "luo_incoming",
	.test_cases = luo_incoming_cases,
};

kunit_test_suite(luo_incoming_suite);
