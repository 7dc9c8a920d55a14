// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of how LUO takes over the previous kernel's live-update
 * record: its block is given back to the allocator once, whether it holds a
 * record this kernel reads or anything else (a block left reserved forever
 * is memory lost until the next reboot).
 */

#include <kunit/test.h>
#include <linux/slab.h>
#include <uapi/linux/liveupdate_record.h>

#include "luo_internal.h"

static int released;
static void *released_block;

static void count_release(void *block)
{
	released++;
	released_block = block;
}

static void take(struct kunit *test, void *block, bool usable)
{
	struct luo_record_header *rec = kunit_kzalloc(test, LUO_RECORD_SIZE, GFP_KERNEL);
	const char *why;

	KUNIT_ASSERT_NOT_NULL(test, rec);
	luo_record_header_init(rec);
	released = 0;
	released_block = NULL;
	why = luo_record_take(rec, block, LUO_RECORD_SIZE, count_release);
	KUNIT_EXPECT_EQ(test, released, 1);
	KUNIT_EXPECT_PTR_EQ(test, released_block, block);
	if (!usable)
		KUNIT_EXPECT_NOT_NULL(test, why);
	/* A record of this kernel's layout is refused only for its clock. */
	else if (why)
		KUNIT_EXPECT_STREQ(test, why, "its clock does not survive kexec");
}

static void luo_record_take_garbage(struct kunit *test)
{
	void *block = kunit_kmalloc(test, LUO_RECORD_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, block);
	memset(block, 0x5a, LUO_RECORD_SIZE);
	take(test, block, false);
}

static void luo_record_take_other_version(struct kunit *test)
{
	struct luo_record_header *block = kunit_kzalloc(test, LUO_RECORD_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, block);
	luo_record_header_init(block);
	block->version++;
	take(test, block, false);
}

/* A record of this kernel's layout: copied (if its clock carries over). */
static void luo_record_take_valid(struct kunit *test)
{
	struct luo_record_header *block = kunit_kzalloc(test, LUO_RECORD_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, block);
	luo_record_header_init(block);
	take(test, block, true);
}

static struct kunit_case luo_record_cases[] = {
	KUNIT_CASE(luo_record_take_garbage),
	KUNIT_CASE(luo_record_take_other_version),
	KUNIT_CASE(luo_record_take_valid),
	{}
};

static struct kunit_suite luo_record_suite = {
	.name = "luo_record",
	.test_cases = luo_record_cases,
};

kunit_test_suite(luo_record_suite);
