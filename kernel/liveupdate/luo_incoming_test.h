/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update Orchestrator: what the KUnit suites of the incoming parser
 * (luo_incoming_test.c, luo_incoming_chain_test.c) check after a parse.
 */

#ifndef _LUO_INCOMING_TEST_H
#define _LUO_INCOMING_TEST_H

#include "luo_test_handover.h"

/* Parse; every block must be given back, whatever happened. */
static inline int parse_raw(struct kunit *test, struct luo_test_ho *c, size_t size)
{
	int err = luo_incoming_parse(c->fdt, size, &c->in_mem, &c->in);

	KUNIT_EXPECT_EQ(test, c->mem.mapped, 0);
	return err;
}

static inline int parse(struct kunit *test, struct luo_test_ho *c)
{
	luo_test_ho_write(test, c);
	return parse_raw(test, c, c->fdt_size);
}

static inline void ctx_done(struct luo_test_ho *c)
{
	luo_incoming_free(&c->in);
}

static inline struct luo_session *session_at(struct luo_test_ho *c, unsigned long i)
{
	struct luo_session *s;

	list_for_each_entry(s, &c->in.sessions, list)
		if (!i--)
			return s;
	return NULL;
}

/* Only "beta" survives: "alpha" was refused, the rest kept. */
static inline void expect_only_beta(struct kunit *test, struct luo_test_ho *c, int err)
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
static inline void expect_nothing(struct kunit *test, struct luo_test_ho *c, int err, int want)
{
	KUNIT_EXPECT_EQ(test, err, want);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&c->in.sessions));
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 0);
	ctx_done(c);
}

/* The session table is refused as a whole; FLBs are still taken. */
static inline void expect_no_sessions(struct kunit *test, struct luo_test_ho *c, int err)
{
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_EQ(test, c->in.nr_sessions, 0);
	KUNIT_EXPECT_EQ(test, c->in.nr_flbs, 1);
	ctx_done(c);
}

#endif /* _LUO_INCOMING_TEST_H */
