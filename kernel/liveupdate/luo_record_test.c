// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of how LUO takes over the previous kernel's live-update
 * record: its block is given back to the allocator once, whether it holds a
 * record this kernel reads or anything else (a block left reserved forever
 * is memory lost until the next reboot); a record of version 1 is read,
 * its updates without boot steps.  And of the boot's slowest initcalls:
 * the ten kept are the slowest, slowest first.  And of the watch that
 * times a file's freeze: its ns are luo_ns()'s, its last reading the
 * record's stamp.
 */

#include <kunit/test.h>
#include <linux/preempt.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <uapi/linux/liveupdate_record.h>

#include "luo_internal.h"
#include "luo_record.h"

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

#define V1_UPDATES	3
#define V1_ENTRIES	5

/* A version-1 block: updates of LUO_RECORD_UPDATE_SIZE_V1 bytes. */
static struct luo_record_header *v1_block(struct kunit *test, u32 update_size)
{
	struct luo_record_header *block = kunit_kzalloc(test, LUO_RECORD_SIZE, GFP_KERNEL);
	struct luo_record_update u = {};
	struct luo_record_entry e = {};
	void *updates, *entries;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, block);
	luo_record_header_init(block);
	block->version = 1;
	block->update_size = update_size;
	block->nr_updates = V1_UPDATES;
	block->max_entries = 100;
	block->nr_entries = V1_ENTRIES;
	updates = (void *)block + sizeof(*block);
	entries = updates + LUO_RECORD_MAX_UPDATES * update_size;
	for (i = 0; i < V1_UPDATES; i++) {
		u.number = 40 + i;
		u.marks = BIT(LUO_MARK_FREEZE_BEGIN);
		u.t[LUO_MARK_FREEZE_BEGIN] = 1000 * (i + 1);
		memcpy(updates + i * update_size, &u, LUO_RECORD_UPDATE_SIZE_V1);
	}
	for (i = 0; i < V1_ENTRIES; i++) {
		e.type = LUO_REC_FILE_FREEZE;
		e.token = 7 + i;
		memcpy(entries + i * sizeof(e), &e, sizeof(e));
	}
	return block;
}

static void luo_record_take_v1(struct kunit *test)
{
	struct luo_record_header *rec = kunit_kzalloc(test, LUO_RECORD_SIZE, GFP_KERNEL);
	struct luo_record_header *block = v1_block(test, LUO_RECORD_UPDATE_SIZE_V1);
	struct luo_record_update *u;
	const char *why;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, rec);
	luo_record_header_init(rec);
	/* What version 1 lacks must read as nothing, whatever was there. */
	memset(luo_rec_updates(rec), 0xa5, V1_UPDATES * sizeof(*u));
	released = 0;
	why = luo_record_take(rec, block, LUO_RECORD_SIZE, count_release);
	KUNIT_EXPECT_EQ(test, released, 1);
	if (why && !strcmp(why, "its clock does not survive kexec"))
		kunit_skip(test, "no clock that survives kexec: no record is taken");
	KUNIT_ASSERT_NULL(test, why);
	KUNIT_ASSERT_EQ(test, rec->nr_updates, V1_UPDATES);
	for (i = 0, u = luo_rec_updates(rec); i < V1_UPDATES; i++, u++) {
		KUNIT_EXPECT_EQ(test, u->number, 40 + i);
		KUNIT_EXPECT_EQ(test, u->t[LUO_MARK_FREEZE_BEGIN], 1000 * (i + 1));
		KUNIT_EXPECT_EQ(test, u->boot_steps, 0);
		KUNIT_EXPECT_EQ(test, u->nr_initcalls, 0);
		KUNIT_EXPECT_EQ(test, u->boot[LUO_BOOT_READY], 0);
	}
	KUNIT_ASSERT_EQ(test, rec->nr_entries, V1_ENTRIES);
	for (i = 0; i < V1_ENTRIES; i++)
		KUNIT_EXPECT_EQ(test, luo_rec_entries(rec)[i].token, 7 + i);
}

/* A version 1 that claims version 2's update size is not one. */
static void luo_record_take_v1_malformed(struct kunit *test)
{
	struct luo_record_header *rec = kunit_kzalloc(test, LUO_RECORD_SIZE, GFP_KERNEL);
	struct luo_record_header *block = v1_block(test, sizeof(struct luo_record_update));
	const char *why;

	KUNIT_ASSERT_NOT_NULL(test, rec);
	luo_record_header_init(rec);
	released = 0;
	why = luo_record_take(rec, block, LUO_RECORD_SIZE, count_release);
	KUNIT_EXPECT_EQ(test, released, 1);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_STREQ(test, why, "malformed");
	KUNIT_EXPECT_EQ(test, rec->nr_updates, 0);
}

/*
 * A previous kernel's record that claims steps of this kernel's start (a
 * corrupt one): only what this kernel stamps stays.
 */
static void luo_record_boot_steps_ours(struct kunit *test)
{
	struct luo_record_update *u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, u);
	u->t[LUO_MARK_JUMP] = 1000;
	u->boot_steps = ~0U;
	u->boot[LUO_BOOT_INIT] = 5;
	u->nr_initcalls = LUO_RECORD_INITCALLS;
	u->initcalls[0].cycles = 77;
	/* The clock before the jump: not stamped; SMP in order: stamped. */
	luo_rec_boot_early(u, 999, 1500, 2000);
	KUNIT_EXPECT_EQ(test, u->boot_steps, BIT(LUO_BOOT_SMP) | BIT(LUO_BOOT_READY));
	KUNIT_EXPECT_EQ(test, u->boot[LUO_BOOT_SMP], 1500);
	KUNIT_EXPECT_EQ(test, u->boot[LUO_BOOT_READY], 2000);
	KUNIT_EXPECT_EQ(test, u->boot[LUO_BOOT_CLOCK], 0);
	KUNIT_EXPECT_EQ(test, u->boot[LUO_BOOT_INIT], 0);
	KUNIT_EXPECT_EQ(test, u->nr_initcalls, 0);
	KUNIT_EXPECT_EQ(test, u->initcalls[0].cycles, 0);
}

static int by_cycles_desc(const void *a, const void *b)
{
	const struct luo_record_initcall *x = a, *y = b;

	if (x->cycles != y->cycles)
		return x->cycles < y->cycles ? 1 : -1;
	return x->t < y->t ? -1 : x->t > y->t;
}

#define NR_CALLS	300

/* Any order of calls: the ten kept are the ten slowest, ties by time. */
static void luo_boot_keeps_the_slowest(struct kunit *test)
{
	struct luo_record_initcall *all, slow[LUO_RECORD_INITCALLS];
	struct rnd_state rnd;
	unsigned int nr = 0, i;
	char name[LUO_RECORD_INITCALL_LEN];

	all = kunit_kcalloc(test, NR_CALLS, sizeof(*all), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, all);
	prandom_seed_state(&rnd, 16);
	snprintf(name, sizeof(name), "%ps", luo_boot_keep);
	for (i = 0; i < NR_CALLS; i++) {
		all[i].t = 100 + i;
		/* Few values: ties are many. */
		all[i].cycles = prandom_u32_state(&rnd) % 50;
		luo_boot_keep(slow, &nr, all[i].t, all[i].cycles, luo_boot_keep);
		KUNIT_ASSERT_EQ(test, nr, min_t(unsigned int, i + 1, LUO_RECORD_INITCALLS));
	}
	sort(all, NR_CALLS, sizeof(*all), by_cycles_desc, NULL);
	for (i = 0; i < LUO_RECORD_INITCALLS; i++) {
		KUNIT_EXPECT_EQ(test, slow[i].cycles, all[i].cycles);
		KUNIT_EXPECT_EQ(test, slow[i].t, all[i].t);
		KUNIT_EXPECT_STREQ(test, slow[i].name, name);
	}
	KUNIT_EXPECT_STRNEQ(test, name, "");
}

#define WATCH_NS	(200 * NSEC_PER_USEC)

/*
 * The watch's ns lie between two luo_ns() spans, one inside it and one
 * around it (1 ns each end for rounding); its clock is a luo_clock()
 * reading taken while it stopped.  On one CPU: the TSCs of two need not
 * agree to the ns.
 */
static void luo_watch_agrees(struct kunit *test)
{
	u64 outer0, inner0, inner1, outer1, before, after, cost;
	struct luo_watch w;

	preempt_disable();
	outer0 = luo_ns();
	luo_watch_start(&w);
	inner0 = luo_ns();
	do {
		cpu_relax();
		inner1 = luo_ns();
	} while (inner1 - inner0 < WATCH_NS);
	before = luo_clock();
	cost = luo_watch_stop(&w);
	after = luo_clock();
	outer1 = luo_ns();
	preempt_enable();
	KUNIT_EXPECT_GE(test, cost + 2, inner1 - inner0);
	KUNIT_EXPECT_LE(test, cost, outer1 - outer0 + 2);
	KUNIT_EXPECT_GE(test, w.clock, before);
	KUNIT_EXPECT_LE(test, w.clock, after);
}

static struct kunit_case luo_record_cases[] = {
	KUNIT_CASE(luo_record_take_garbage),
	KUNIT_CASE(luo_record_take_other_version),
	KUNIT_CASE(luo_record_take_valid),
	KUNIT_CASE(luo_record_take_v1),
	KUNIT_CASE(luo_record_take_v1_malformed),
	KUNIT_CASE(luo_boot_keeps_the_slowest),
	KUNIT_CASE(luo_record_boot_steps_ours),
	KUNIT_CASE(luo_watch_agrees),
	{}
};

static struct kunit_suite luo_record_suite = {
	.name = "luo_record",
	.test_cases = luo_record_cases,
};

kunit_test_suite(luo_record_suite);
