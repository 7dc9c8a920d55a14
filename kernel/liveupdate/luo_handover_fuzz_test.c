// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit fuzzer of LUO's incoming handover parser
 * (CONFIG_LIVEUPDATE_KUNIT_FUZZ, which the debug flavor has): thousands
 * of seeded mutations of a valid handover (bit flips and random bytes in
 * the FDT and in every block, counts, addresses, names, compatible
 * strings, block headers, truncations), each parsed twice.  Whatever the
 * parser makes of a mutant, it must give every block back, take nothing
 * from an -EPROTO, keep only sessions and FLBs that are well formed, and
 * make the same of it both times, while KASAN and kmemleak watch.
 */

#include <kunit/test.h>
#include <linux/libfdt.h>
#include <linux/prandom.h>
#include <linux/string.h>

#include "luo_test_handover.h"

#define FUZZ_SEED	0x4c554f2d66757a7aULL

static u64 luo_fuzz_seed = FUZZ_SEED;
module_param_named(fuzz_seed, luo_fuzz_seed, ullong, 0444);
MODULE_PARM_DESC(fuzz_seed, "seed of the luo_handover_fuzz KUnit suite");

/* Each boot of the debug flavor pays for them: fuzz_test.sh asks for more. */
static unsigned long luo_fuzz_rounds = 200;
module_param_named(rounds, luo_fuzz_rounds, ulong, 0444);
MODULE_PARM_DESC(rounds, "mutations the luo_handover_fuzz KUnit suite parses");

struct fuzz {
	struct kunit *test;
	struct luo_test_ho *c;
	struct rnd_state rnd;
	void *pristine[FAKE_BLOCKS];
	void *fdt;
	size_t fdt_size;
	unsigned long accepted, refused, partial, rejected_fdt;
};

static u32 fz_below(struct fuzz *f, u32 n)
{
	return n ? prandom_u32_state(&f->rnd) % n : 0;
}

static u64 fz_interesting(struct fuzz *f)
{
	const struct luo_test_ho *c = f->c;
	const u64 vals[] = {
		0, 1, 2, 3, 255, PAGE_SIZE, PAGE_SIZE - 1, U32_MAX, U64_MAX, U64_MAX / 2,
		c->hdr_phys, c->files_phys[0], c->files_phys[1], c->flb_phys,
		c->hdr_phys + 8, FAKE_BASE + 64 * PAGE_SIZE, c->key, LUO_BLOCK_MAGIC,
	};

	return vals[fz_below(f, ARRAY_SIZE(vals))];
}

/* One u64 at a random 8-byte-aligned offset of @buf (of @size bytes). */
static void fz_set_u64(struct fuzz *f, void *buf, size_t size)
{
	u64 v = fz_interesting(f);

	memcpy(buf + 8 * fz_below(f, size / 8), &v, sizeof(v));
}

static void fz_flip(struct fuzz *f, void *buf, size_t size)
{
	unsigned long bit = fz_below(f, size * 8);

	((u8 *)buf)[bit / 8] ^= 1 << (bit % 8);
}

static const char *const fz_compats[] = {
	LUO_FDT_COMPATIBLE, LUO_FDT_SESSION_COMPATIBLE, LUO_FDT_FLB_COMPATIBLE,
	"luo-session-v3", "luo-flb-v2", "luo-session-v2", "luo-flb-v1", "luo-v5", "", "x",
};

/* The handover's fields that luo_test_ho_write() puts in the FDT. */
static void fz_mutate_fdt_fields(struct fuzz *f)
{
	struct luo_test_ho *c = f->c;

	switch (fz_below(f, 8)) {
	case 0:
		c->root_compat = fz_compats[fz_below(f, ARRAY_SIZE(fz_compats))];
		break;
	case 1:
		c->session_compat = fz_compats[fz_below(f, ARRAY_SIZE(fz_compats))];
		break;
	case 2:
		c->flb_compat = fz_compats[fz_below(f, ARRAY_SIZE(fz_compats))];
		break;
	case 3:
		c->number_len = fz_below(f, 12);
		break;
	case 4:
		c->session_node = !c->session_node;
		break;
	case 5:
		c->header_prop = !c->header_prop;
		break;
	case 6:
		c->key_prop = !c->key_prop;
		break;
	default:
		c->session_header = fz_interesting(f);
		break;
	}
}

/* A session or file name, or a compatible string, made bad. */
static void fz_mutate_name(struct fuzz *f)
{
	struct luo_test_ho *c = f->c;
	char *s;
	size_t len;

	switch (fz_below(f, 3)) {
	case 0:
		s = c->ser[fz_below(f, 2)].name;
		len = sizeof(c->ser[0].name);
		break;
	case 1:
		s = c->files[0][fz_below(f, 2)].compatible;
		len = sizeof(c->files[0][0].compatible);
		break;
	default:
		s = c->flb[0].compatible;
		len = sizeof(c->flb[0].compatible);
		break;
	}
	if (fz_below(f, 2))
		memset(s, 'a' + fz_below(f, 3), len);
	else if (fz_below(f, 2))
		s[0] = '\0';
	else
		strscpy(s, fz_below(f, 2) ? "beta" : "alpha", len);
}

static void fz_mutate(struct fuzz *f)
{
	struct luo_test_ho *c = f->c;
	struct fake_block *b = &c->mem.b[fz_below(f, c->mem.n)];
	unsigned int i, n = 1 + fz_below(f, 3);

	for (i = 0; i < n; i++) {
		switch (fz_below(f, 7)) {
		case 0:
			fz_flip(f, b->buf, 256);
			break;
		case 1:
			((u8 *)b->buf)[fz_below(f, 256)] = prandom_u32_state(&f->rnd);
			break;
		case 2:
			fz_set_u64(f, b->buf, 256);
			break;
		case 3:
			/* A count, made consistent with its block or not. */
			c->ser[fz_below(f, 2)].file_set_ser.count = fz_below(f, 5);
			if (fz_below(f, 2))
				luo_test_ho_set_sizes(c);
			break;
		case 4:
			fz_mutate_name(f);
			break;
		case 5:
			fz_mutate_fdt_fields(f);
			break;
		default:
			c->ser[fz_below(f, 2)].file_set_ser.files = fz_interesting(f);
			break;
		}
	}
}

struct fz_result {
	int err;
	unsigned long sessions, files, flbs, dropped;
};

/* What the parser took must be well formed; returns its summary. */
static struct fz_result fz_parse_check(struct fuzz *f, size_t size)
{
	struct luo_test_ho *c = f->c;
	struct fz_result r = {};
	struct luo_session *s, *t;
	struct luo_file *lf, *lg;
	unsigned long i, j;

	r.err = luo_incoming_parse(c->fdt, size, &c->in_mem, &c->in);
	KUNIT_EXPECT_EQ(f->test, c->mem.mapped, 0);
	KUNIT_EXPECT_TRUE(f->test, r.err == 0 || r.err == -EINVAL || r.err == -EPROTO);
	list_for_each_entry(s, &c->in.sessions, list) {
		r.sessions++;
		KUNIT_EXPECT_TRUE(f->test, s->incoming && s->name[0]);
		KUNIT_EXPECT_LT(f->test, strnlen(s->name, sizeof(s->name)), sizeof(s->name));
		list_for_each_entry(t, &c->in.sessions, list)
			KUNIT_EXPECT_TRUE(f->test, s == t || strcmp(s->name, t->name));
		list_for_each_entry(lf, &s->files, list) {
			r.files++;
			KUNIT_EXPECT_TRUE(f->test, lf->compatible[0] &&
					  strnlen(lf->compatible, sizeof(lf->compatible)) <
					  sizeof(lf->compatible));
			list_for_each_entry(lg, &s->files, list)
				KUNIT_EXPECT_TRUE(f->test, lf == lg || lf->token != lg->token);
		}
	}
	KUNIT_EXPECT_EQ(f->test, r.sessions, c->in.nr_sessions);
	KUNIT_EXPECT_EQ(f->test, r.files, c->in.nr_files);
	for (i = 0; i < c->in.nr_flbs; i++) {
		KUNIT_EXPECT_TRUE(f->test, c->in.flbs[i].compatible[0] && c->in.flbs[i].count);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(f->test, c->in.flbs[i].compatible,
					    c->in.flbs[j].compatible);
	}
	if (r.err == -EPROTO)
		KUNIT_EXPECT_TRUE(f->test, !r.sessions && !c->in.nr_flbs);
	r.flbs = c->in.nr_flbs;
	r.dropped = c->in.dropped;
	luo_incoming_free(&c->in);
	return r;
}

/* Put the handover back as luo_test_ho_new() made it. */
static void fz_restore(struct fuzz *f)
{
	struct luo_test_ho *c = f->c;
	int i;

	for (i = 0; i < c->mem.n; i++) {
		memcpy(c->mem.b[i].buf, f->pristine[i], c->mem.b[i].size);
		c->mem.b[i].taken = 0;
	}
	luo_test_ho_fdt_defaults(c);
}

static void luo_handover_fuzz(struct kunit *test)
{
	struct fuzz *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct fz_result a, b;
	unsigned long round;
	size_t size;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->test = test;
	f->c = luo_test_ho_new(test);
	prandom_seed_state(&f->rnd, luo_fuzz_seed);
	for (i = 0; i < f->c->mem.n; i++) {
		f->pristine[i] = kunit_kmalloc(test, f->c->mem.b[i].size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f->pristine[i]);
		memcpy(f->pristine[i], f->c->mem.b[i].buf, f->c->mem.b[i].size);
	}

	for (round = 0; round < luo_fuzz_rounds; round++) {
		fz_restore(f);
		fz_mutate(f);
		luo_test_ho_write(test, f->c);
		size = f->c->fdt_size;
		/* The FDT itself: flipped bits, or cut short. */
		if (!fz_below(f, 8))
			fz_flip(f, f->c->fdt, fdt_totalsize(f->c->fdt));
		if (!fz_below(f, 16))
			size = fz_below(f, fdt_totalsize(f->c->fdt));
		a = fz_parse_check(f, size);
		b = fz_parse_check(f, size);
		KUNIT_EXPECT_EQ(test, a.err, b.err);
		KUNIT_EXPECT_EQ(test, a.sessions, b.sessions);
		KUNIT_EXPECT_EQ(test, a.files, b.files);
		KUNIT_EXPECT_EQ(test, a.flbs, b.flbs);
		KUNIT_EXPECT_EQ(test, a.dropped, b.dropped);
		if (!a.err)
			f->accepted++;
		else if (a.err == -EPROTO)
			f->rejected_fdt++;
		else if (a.sessions || a.flbs)
			f->partial++;
		else
			f->refused++;
		if (test->status == KUNIT_FAILURE) {
			kunit_info(test, "first failure at round %lu (fuzz_seed=%#llx)\n",
				   round, luo_fuzz_seed);
			break;
		}
	}
	kunit_info(test, "seed %#llx: %lu mutants: %lu accepted, %lu partly taken, %lu refused, %lu not a handover\n",
		   luo_fuzz_seed, round, f->accepted, f->partial, f->refused, f->rejected_fdt);
	/* The mutations must reach every outcome, or they test too little. */
	KUNIT_EXPECT_GT(test, f->accepted, 0);
	KUNIT_EXPECT_GT(test, f->partial, 0);
	KUNIT_EXPECT_GT(test, f->refused, 0);
	KUNIT_EXPECT_GT(test, f->rejected_fdt, 0);
}

static struct kunit_case luo_handover_fuzz_cases[] = {
	KUNIT_CASE_SLOW(luo_handover_fuzz),
	{}
};

static struct kunit_suite luo_handover_fuzz_suite = {
	.name = "luo_handover_fuzz",
	.test_cases = luo_handover_fuzz_cases,
};

kunit_test_suite(luo_handover_fuzz_suite);
