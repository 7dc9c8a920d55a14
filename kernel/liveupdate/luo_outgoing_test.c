// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the outgoing handover written as it changes: after every
 * step of seeded random sequences of session creates and closes, file
 * preserves (some failing), freezes and unfreezes, the chains hold, entry
 * for entry, what
 * a from-scratch serialization of the sessions would write (their lists,
 * in order), in blocks whose headers a next kernel accepts, and the count
 * of their files is the sum of theirs.  And the FLBs'
 * entries, written as their files are preserved and unpreserved and kept
 * when an FLB's entry moves; the reboot only points at them, through an FDT
 * that equals the one written from scratch.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/libfdt.h>
#include <linux/prandom.h>

#include "luo_internal.h"

#define OUT_SEED	0x6f75742d6b756e69ULL
#define OUT_STEPS	400
#define OUT_SESSIONS	8
#define OUT_FILES	400

static const struct file_operations out_file_fops = {
	.owner = THIS_MODULE,
};

static const struct file_operations out_session_fops = {
	.owner = THIS_MODULE,
};

static bool out_can_preserve(struct liveupdate_file_handler *h, struct file *f)
{
	return f->f_op == &out_file_fops;
}

/* Fail every out_fail_every-th preserve (0: never), and the next if asked. */
static unsigned int out_fail_every, out_calls;
static bool out_fail_next;

static int out_preserve(struct liveupdate_file_op_args *args)
{
	out_calls++;
	if (out_fail_next || (out_fail_every && !(out_calls % out_fail_every))) {
		out_fail_next = false;
		return -EIO;
	}
	args->serialized_data = 0x1000 + (unsigned long)args->file % 4096;
	return 0;
}

static void out_unpreserve(struct liveupdate_file_op_args *args)
{
}

/* Freeze changes the handle, unfreeze puts it back: both reach the entry. */
static int out_freeze(struct liveupdate_file_op_args *args)
{
	args->serialized_data ^= 0xf0f0;
	return 0;
}

static void out_unfreeze(struct liveupdate_file_op_args *args)
{
	args->serialized_data ^= 0xf0f0;
}

static int out_retrieve(struct liveupdate_file_op_args *args)
{
	return -EOPNOTSUPP;
}

static void out_finish(struct liveupdate_file_op_args *args)
{
}

static const struct liveupdate_file_ops out_ops = {
	.can_preserve = out_can_preserve,
	.preserve = out_preserve,
	.unpreserve = out_unpreserve,
	.freeze = out_freeze,
	.unfreeze = out_unfreeze,
	.retrieve = out_retrieve,
	.finish = out_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler out_handler = {
	.ops = &out_ops,
	.compatible = "luo-kunit-outgoing-v1",
};

static int out_flb_preserve(struct liveupdate_flb_op_args *args)
{
	args->data = 0xf1b0;
	return 0;
}

static void out_flb_unpreserve(struct liveupdate_flb_op_args *args)
{
}

static int out_flb_retrieve(struct liveupdate_flb_op_args *args)
{
	return -EOPNOTSUPP;
}

static void out_flb_finish(struct liveupdate_flb_op_args *args)
{
}

static const struct liveupdate_flb_ops out_flb_ops = {
	.preserve = out_flb_preserve,
	.unpreserve = out_flb_unpreserve,
	.retrieve = out_flb_retrieve,
	.finish = out_flb_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_flb out_flb = {
	.ops = &out_flb_ops,
	.compatible = "luo-kunit-outgoing-flb-v1",
};

static struct liveupdate_flb out_flb2 = {
	.ops = &out_flb_ops,
	.compatible = "luo-kunit-outgoing-flb2-v1",
};

struct out_session {
	struct luo_session *session;
	struct file *file;
};

struct out_ctx {
	struct kunit *test;
	struct rnd_state rnd;
	struct out_session s[OUT_SESSIONS];
	struct file *files[OUT_FILES];
	int nr_files;
	int named;
};

static struct file *out_open(struct luo_session *session)
{
	return anon_inode_getfile("luo-kunit-session", &out_session_fops, session,
				  O_RDWR);
}

static void out_close(struct out_session *s)
{
	luo_session_close(s->session);
	fput(s->file);
	s->session = NULL;
	s->file = NULL;
}

static void out_exit(void *data)
{
	struct out_ctx *c = data;
	int i;

	for (i = 0; i < OUT_SESSIONS; i++)
		if (c->s[i].session)
			out_close(&c->s[i]);
	for (i = 0; i < c->nr_files; i++)
		fput(c->files[i]);
	liveupdate_unregister_flb(&out_handler, &out_flb);
	liveupdate_unregister_flb(&out_handler, &out_flb2);
	liveupdate_unregister_file_handler(&out_handler);
}

static struct out_ctx *out_ctx_new(struct kunit *test, u64 seed)
{
	struct out_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	prandom_seed_state(&c->rnd, seed);
	out_fail_every = 0;
	out_fail_next = false;
	KUNIT_ASSERT_EQ(test, liveupdate_register_file_handler(&out_handler), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, out_exit, c), 0);
	return c;
}

static u32 out_below(struct out_ctx *c, u32 n)
{
	return prandom_u32_state(&c->rnd) % n;
}

/* Whether a next kernel would take @b as a block of the chain. */
static bool out_block_ok(struct kunit *test, const struct luo_block_ser *b,
			 u32 kind, size_t esize)
{
	unsigned long per = (LUO_BLOCK_SIZE - sizeof(*b)) / esize;

	/* Every block but the last is full. */
	if (b->magic == LUO_BLOCK_MAGIC && b->kind == kind && b->key == luo.block_key &&
	    b->count && b->count <= per && b->size == sizeof(*b) + b->count * esize &&
	    (!b->next || b->count == per))
		return true;
	KUNIT_FAIL(test, "bad block: magic %#x kind %u (%u) key %#llx count %llu size %llu",
		   b->magic, b->kind, kind, b->key, b->count, b->size);
	return false;
}

/*
 * The entries of the chain at @phys, as a next kernel walks it, checking
 * each block's header; NULL when @phys is 0 or a block is bad (a failed
 * expectation then).  *@count gets their number.  Called with luo.lock
 * held: it must not abort the test.
 */
static void *out_walk(struct kunit *test, u64 phys, u32 kind, size_t esize,
		      unsigned long *count)
{
	unsigned long n = 0, blocks = 0;
	struct luo_block_ser *b;
	void *all = NULL, *more;

	*count = 0;
	for (; phys; phys = b->next) {
		b = phys_to_virt(phys);
		if (!out_block_ok(test, b, kind, esize) || ++blocks > 100000) {
			kfree(all);
			return NULL;
		}
		more = krealloc(all, (n + b->count) * esize, GFP_KERNEL);
		if (!more) {
			KUNIT_FAIL(test, "out of memory");
			kfree(all);
			return NULL;
		}
		all = more;
		memcpy(all + n * esize, b + 1, b->count * esize);
		n += b->count;
	}
	*count = n;
	return all;
}

/* The handover as it stands equals a from-scratch one of luo.sessions. */
static void out_check(struct out_ctx *c)
{
	struct kunit *test = c->test;
	struct luo_session_ser *sers, want;
	struct luo_session *session;
	unsigned long nr, i = 0, files_total = 0;

	mutex_lock(&luo.lock);
	sers = out_walk(test, luo_chain_phys(&luo.out_sessions), LUO_BLOCK_SESSIONS,
			sizeof(*sers), &nr);
	KUNIT_EXPECT_EQ(test, nr, luo.out_sessions.count);
	list_for_each_entry(session, &luo.sessions, list) {
		struct luo_file_ser *files, wantf;
		unsigned long nf, k = 0;
		struct luo_file *lf;

		if (i == nr) {
			KUNIT_FAIL(test, "more sessions listed than in the handover");
			break;
		}
		memset(&want, 0, sizeof(want));
		memcpy(want.name, session->name, sizeof(want.name));
		KUNIT_EXPECT_EQ(test, session->slot, i);
		KUNIT_EXPECT_EQ(test, memcmp(sers[i].name, want.name, sizeof(want.name)), 0);
		KUNIT_EXPECT_EQ(test, sers[i].file_set_ser.count, session->nr_files);
		files = out_walk(test, sers[i].file_set_ser.files, LUO_BLOCK_FILES,
				 sizeof(*files), &nf);
		KUNIT_EXPECT_EQ(test, nf, session->nr_files);
		list_for_each_entry(lf, &session->files, list) {
			if (k == nf)
				break;
			memset(&wantf, 0, sizeof(wantf));
			memcpy(wantf.compatible, lf->compatible, sizeof(wantf.compatible));
			wantf.data = lf->serialized_data;
			wantf.token = lf->token;
			KUNIT_EXPECT_EQ(test, memcmp(&files[k], &wantf, sizeof(wantf)), 0);
			k++;
		}
		kfree(files);
		files_total += session->nr_files;
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, nr);
	/* What the reboot reads instead of visiting every session. */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&luo.out_files), files_total);
	mutex_unlock(&luo.lock);
	kfree(sers);
}

static void out_step(struct out_ctx *c)
{
	struct out_session *s = &c->s[out_below(c, OUT_SESSIONS)];
	struct kunit *test = c->test;
	char name[LIVEUPDATE_SESSION_NAME_LENGTH] = {};
	struct file *f;
	int err;

	/*
	 * Creates 20 %, closes 10 %, freezes 5 % (each freezes and unfreezes
	 * a whole session: tens of events, which tp_printk puts in the log),
	 * preserves the rest.
	 */
	switch (out_below(c, 20)) {
	case 0 ... 3:
		if (s->session)
			out_close(s);
		snprintf(name, sizeof(name), "kunit-out-%d", c->named++);
		KUNIT_ASSERT_EQ(test, luo_session_create(name, out_open, &s->file), 0);
		s->session = s->file->private_data;
		break;
	case 4 ... 5:
		if (s->session)
			out_close(s);
		break;
	case 6:
		if (!s->session)
			break;
		mutex_lock(&s->session->lock);
		err = luo_file_freeze(s->session);
		mutex_unlock(&s->session->lock);
		KUNIT_ASSERT_EQ(test, err, 0);
		out_check(c);
		mutex_lock(&s->session->lock);
		luo_file_unfreeze(s->session);
		mutex_unlock(&s->session->lock);
		break;
	default:
		if (!s->session || c->nr_files == OUT_FILES)
			break;
		f = anon_inode_getfile("luo-kunit-file", &out_file_fops, NULL, O_RDWR);
		KUNIT_ASSERT_FALSE(test, IS_ERR(f));
		c->files[c->nr_files++] = f;
		/*
		 * A token in use in the session now and then, and a handler
		 * that fails: refused, no trace in the handover.
		 */
		err = luo_session_preserve(s->session, f, out_below(c, 4) ?
					   c->nr_files : 1);
		KUNIT_EXPECT_TRUE(test, !err || err == -EEXIST || err == -EIO);
		break;
	}
	out_check(c);
}

static void luo_out_random(struct kunit *test)
{
	u64 seed;

	for (seed = OUT_SEED; seed < OUT_SEED + 2; seed++) {
		struct out_ctx *c = out_ctx_new(test, seed);
		int i;

		out_fail_every = 7;
		for (i = 0; i < OUT_STEPS; i++)
			out_step(c);
		kunit_release_action(test, out_exit, c);
		out_check(c);
	}
}

/* A session whose files fill more than two blocks, then closed. */
static void luo_out_blocks(struct kunit *test)
{
	struct out_ctx *c = out_ctx_new(test, OUT_SEED);
	unsigned long per = (LUO_BLOCK_SIZE - sizeof(struct luo_block_ser)) /
			    sizeof(struct luo_file_ser);
	u64 before = luo_chain_bytes();
	unsigned long i;

	KUNIT_ASSERT_EQ(test, luo_session_create("kunit-out-blocks", out_open,
						 &c->s[0].file), 0);
	c->s[0].session = c->s[0].file->private_data;
	for (i = 0; i < 2 * per + 1; i++) {
		struct file *f = anon_inode_getfile("luo-kunit-file", &out_file_fops,
						    NULL, O_RDWR);

		KUNIT_ASSERT_FALSE(test, IS_ERR(f));
		c->files[c->nr_files++] = f;
		if (i == per) {
			/* The first file of a new block fails: the block goes. */
			out_fail_next = true;
			KUNIT_EXPECT_EQ(test, luo_session_preserve(c->s[0].session, f, i),
					-EIO);
			KUNIT_EXPECT_EQ(test, c->s[0].session->chain.nr_blocks, 1);
			out_check(c);
		}
		KUNIT_ASSERT_EQ(test, luo_session_preserve(c->s[0].session, f, i), 0);
	}
	KUNIT_EXPECT_EQ(test, c->s[0].session->chain.nr_blocks, 3);
	out_check(c);
	out_close(&c->s[0]);
	out_check(c);
	KUNIT_EXPECT_EQ(test, luo_chain_bytes(), before);
}

/*
 * The FLBs' entries as they stand: every one is free room (zeroes) or an
 * FLB in use; @flb's, found at its slot, holds @count files (none: free).
 * Return: the entries of FLBs in use, or -1 when the chain is unreadable.
 */
static long out_flb_check(struct kunit *test, struct liveupdate_flb *flb,
			  u64 count)
{
	struct luo_flb_ser *flbs, *mine = NULL;
	unsigned long nr, i, slot;
	static const struct luo_flb_ser zero;
	long used = 0;

	down_read(&luo_handlers_lock);
	slot = ACCESS_PRIVATE(flb, private).slot;
	flbs = out_walk(test, luo_chain_phys(&luo.out_flbs), LUO_BLOCK_FLBS,
			sizeof(*flbs), &nr);
	up_read(&luo_handlers_lock);
	if (!flbs)
		return -1;
	KUNIT_EXPECT_LT(test, slot, nr);
	for (i = 0; i < nr; i++) {
		if (!flbs[i].compatible[0]) {
			KUNIT_EXPECT_EQ(test, memcmp(&flbs[i], &zero, sizeof(zero)), 0);
			continue;
		}
		used++;
		KUNIT_EXPECT_GT(test, flbs[i].count, 0);
		if (strcmp(flbs[i].compatible, flb->compatible))
			continue;
		KUNIT_EXPECT_NULL(test, mine);
		KUNIT_EXPECT_EQ(test, i, slot);
		mine = &flbs[i];
	}
	if (!count) {
		KUNIT_EXPECT_NULL(test, mine);
		if (slot < nr)
			KUNIT_EXPECT_EQ(test, memcmp(&flbs[slot], &zero, sizeof(zero)), 0);
	} else if (!mine) {
		KUNIT_FAIL(test, "no entry for %s", flb->compatible);
	} else {
		KUNIT_EXPECT_EQ(test, mine->data, 0xf1b0);
		KUNIT_EXPECT_EQ(test, mine->count, count);
	}
	kfree(flbs);
	return used;
}

/* Open session @i of @c and preserve a new file into it as @token. */
static void out_flb_preserve_one(struct out_ctx *c, int i, u64 token)
{
	struct kunit *test = c->test;
	char name[32];
	struct file *f;

	if (!c->s[i].session) {
		snprintf(name, sizeof(name), "kunit-out-flb-%d", i);
		KUNIT_ASSERT_EQ(test, luo_session_create(name, out_open,
							 &c->s[i].file), 0);
		c->s[i].session = c->s[i].file->private_data;
	}
	f = anon_inode_getfile("luo-kunit-file", &out_file_fops, NULL, O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	c->files[c->nr_files++] = f;
	KUNIT_ASSERT_EQ(test, luo_session_preserve(c->s[i].session, f, token), 0);
}

/*
 * An FLB's entry is written as files using it are preserved and
 * unpreserved, and follows it when unregistering another FLB moves it; at
 * the reboot, luo_flb_serialize() only reports where the entries are and
 * how many are in use, allocating nothing.
 */
static void luo_out_flbs(struct kunit *test)
{
	struct out_ctx *c = out_ctx_new(test, OUT_SEED);
	unsigned long n, count_before = luo.out_flbs.count;
	long used;
	u64 phys, bytes;

	KUNIT_ASSERT_EQ(test, liveupdate_register_flb(&out_handler, &out_flb), 0);
	KUNIT_ASSERT_EQ(test, liveupdate_register_flb(&out_handler, &out_flb2), 0);
	/* Their entries come with them, free until a file uses them. */
	KUNIT_EXPECT_EQ(test, luo.out_flbs.count, count_before + 2);
	KUNIT_EXPECT_GE(test, out_flb_check(test, &out_flb, 0), 0);
	used = out_flb_check(test, &out_flb2, 0);

	/* Every file of out_handler uses both. */
	out_flb_preserve_one(c, 0, 1);
	KUNIT_EXPECT_EQ(test, out_flb_check(test, &out_flb, 1), used + 2);
	out_flb_preserve_one(c, 0, 2);
	out_flb_preserve_one(c, 1, 1);
	KUNIT_EXPECT_EQ(test, out_flb_check(test, &out_flb, 3), used + 2);
	KUNIT_EXPECT_EQ(test, out_flb_check(test, &out_flb2, 3), used + 2);

	mutex_lock(&luo.lock);
	bytes = luo_chain_bytes();
	n = luo_flb_serialize(&phys);
	KUNIT_EXPECT_EQ(test, luo_chain_bytes(), bytes);
	KUNIT_EXPECT_EQ(test, phys, luo_chain_phys(&luo.out_flbs));
	KUNIT_EXPECT_EQ(test, n, used + 2);
	mutex_unlock(&luo.lock);

	out_close(&c->s[0]);
	KUNIT_EXPECT_EQ(test, out_flb_check(test, &out_flb2, 1), used + 2);
	out_close(&c->s[1]);
	KUNIT_EXPECT_EQ(test, out_flb_check(test, &out_flb, 0), used);
	KUNIT_EXPECT_EQ(test, out_flb_check(test, &out_flb2, 0), used);
	KUNIT_EXPECT_EQ(test, luo_flb_serialize(&phys), used);

	/* The last entry, out_flb2's, moves into out_flb's place. */
	KUNIT_ASSERT_EQ(test, liveupdate_unregister_flb(&out_handler, &out_flb), 0);
	KUNIT_EXPECT_EQ(test, luo.out_flbs.count, count_before + 1);
	out_flb_preserve_one(c, 2, 1);
	KUNIT_EXPECT_EQ(test, out_flb_check(test, &out_flb2, 1), used + 1);
	KUNIT_EXPECT_EQ(test, luo_flb_serialize(&phys), used + 1);
}

/* @fdt holds what luo_fdt_write() writes from scratch for these headers. */
static void out_fdt_expect(struct kunit *test, const void *fdt, u64 sessions,
			   u64 flbs)
{
	void *want = kunit_kzalloc(test, LUO_FDT_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, want);
	KUNIT_ASSERT_EQ(test, luo_fdt_write(want, LUO_FDT_SIZE, sessions, flbs,
					    NULL), 0);
	KUNIT_EXPECT_EQ(test, fdt_check_header(fdt), 0);
	KUNIT_ASSERT_EQ(test, fdt_totalsize(fdt), fdt_totalsize(want));
	KUNIT_EXPECT_MEMEQ(test, fdt, want, fdt_totalsize(want));
	kunit_kfree(test, want);
}

/* The liveupdate-number luo_out_fdt() changes, put back however it ends. */
static u64 out_fdt_number;

static void out_fdt_restore(void *unused)
{
	luo.number = out_fdt_number;
	luo_fdt_renumber_out();
}

/*
 * The reboot's FDT, copied from a shape written in advance with the
 * headers written into it, is byte for byte the one written from scratch:
 * each of the four shapes, over a page that held something else, and
 * again once the liveupdate-number changed.
 */
static void luo_out_fdt(struct kunit *test)
{
	u64 v[4];
	struct rnd_state rnd;
	void *fdt;
	int round, i;

	KUNIT_ASSERT_NOT_NULL(test, luo.fdt_out);
	out_fdt_number = luo.number;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, out_fdt_restore,
							NULL), 0);
	fdt = kunit_kzalloc(test, LUO_FDT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fdt);
	prandom_seed_state(&rnd, OUT_SEED);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 16; i++) {
			prandom_bytes_state(&rnd, v, sizeof(v));
			v[0] = i & 1 ? v[0] | 1 : 0;
			v[1] = i & 2 ? v[1] | 1 : 0;
			memset(fdt, v[2] & 0xff, LUO_FDT_SIZE);
			/* The shape before it is left in the page. */
			luo_fdt_put(fdt, v[3] & 1, v[3] & 2);
			luo_fdt_put(fdt, v[0], v[1]);
			out_fdt_expect(test, fdt, v[0], v[1]);
		}
		/* A number received: every shape is written again. */
		luo.number = out_fdt_number + 41 + round;
		luo_fdt_renumber_out();
		out_fdt_expect(test, luo.fdt_out, 0, 0);
	}
	kunit_release_action(test, out_fdt_restore, NULL);
	out_fdt_expect(test, luo.fdt_out, 0, 0);
}

static struct kunit_case luo_outgoing_cases[] = {
	KUNIT_CASE(luo_out_random),
	KUNIT_CASE(luo_out_blocks),
	KUNIT_CASE(luo_out_flbs),
	KUNIT_CASE(luo_out_fdt),
	{}
};

static struct kunit_suite luo_outgoing_suite = {
	.name = "luo_outgoing",
	.test_cases = luo_outgoing_cases,
};

kunit_test_suite(luo_outgoing_suite);
