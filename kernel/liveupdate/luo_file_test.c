// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of LUO's file and FLB lifecycles with a test handler and a
 * test FLB: FLB refcounting across files, rollback of a failed preserve,
 * unfreeze of the files frozen before a failed freeze, the incoming FLB's
 * retrieve-once / finish-on-last-file rules, unregistering what failed to
 * register or still has FLBs, callbacks returning positive values, a
 * retrieved file counting as preserved until its session finishes, and an
 * FLB retrieve() failing a session's finish rather than being dropped.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>

#include "luo_internal.h"

/* What the test handler and FLB were asked to do, and what to fail. */
static struct {
	int preserve, unpreserve, freeze, unfreeze, retrieve, finish;
	int flb_preserve, flb_unpreserve, flb_retrieve, flb_finish;
	int fail_preserve, fail_flb_preserve, fail_flb_retrieve;
	int fail_freeze_at;	/* fail the n-th freeze (1-based), 0: never */
	int freeze_ret;		/* what it fails with, 0: -EAGAIN */
	int preserve_ret;	/* preserve() returns this when non-zero */
	int retrieve_ret;	/* retrieve() returns this when non-zero */
	struct file *retrieve_file;	/* else it gives this file, if any */
	u64 flb_data_seen;
	void *flb_obj_seen;
} calls;

static const struct file_operations kunit_fops = {
	.owner = THIS_MODULE,
};

static int flb_obj;

static bool t_can_preserve(struct liveupdate_file_handler *h, struct file *f)
{
	return f->f_op == &kunit_fops;
}

static int t_preserve(struct liveupdate_file_op_args *args)
{
	calls.preserve++;
	if (calls.preserve_ret)
		return calls.preserve_ret;
	if (calls.fail_preserve)
		return -EIO;
	args->serialized_data = 0x5e7;
	return 0;
}

static void t_unpreserve(struct liveupdate_file_op_args *args)
{
	calls.unpreserve++;
}

static int t_freeze(struct liveupdate_file_op_args *args)
{
	if (++calls.freeze == calls.fail_freeze_at)
		return calls.freeze_ret ?: -EAGAIN;
	return 0;
}

static void t_unfreeze(struct liveupdate_file_op_args *args)
{
	calls.unfreeze++;
}

static int t_retrieve(struct liveupdate_file_op_args *args)
{
	calls.retrieve++;
	if (calls.retrieve_ret)
		return calls.retrieve_ret;
	if (!calls.retrieve_file)
		return -EOPNOTSUPP;
	args->file = get_file(calls.retrieve_file);
	return 0;
}

static void t_finish(struct liveupdate_file_op_args *args)
{
	calls.finish++;
}

static const struct liveupdate_file_ops t_ops = {
	.can_preserve = t_can_preserve,
	.preserve = t_preserve,
	.unpreserve = t_unpreserve,
	.freeze = t_freeze,
	.unfreeze = t_unfreeze,
	.retrieve = t_retrieve,
	.finish = t_finish,
	.owner = THIS_MODULE,
};

static int f_preserve(struct liveupdate_flb_op_args *a)
{
	calls.flb_preserve++;
	if (calls.fail_flb_preserve)
		return -ENOMEM;
	a->data = 0xf1b;
	a->obj = &flb_obj;
	return 0;
}

static void f_unpreserve(struct liveupdate_flb_op_args *a)
{
	calls.flb_unpreserve++;
	calls.flb_data_seen = a->data;
	calls.flb_obj_seen = a->obj;
}

static int f_retrieve(struct liveupdate_flb_op_args *a)
{
	calls.flb_retrieve++;
	if (calls.fail_flb_retrieve)
		return -EIO;
	calls.flb_data_seen = a->data;
	a->obj = &flb_obj;
	return 0;
}

static void f_finish(struct liveupdate_flb_op_args *a)
{
	calls.flb_finish++;
	calls.flb_obj_seen = a->obj;
}

static const struct liveupdate_flb_ops f_ops = {
	.preserve = f_preserve,
	.unpreserve = f_unpreserve,
	.retrieve = f_retrieve,
	.finish = f_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler t_handler = {
	.ops = &t_ops,
	.compatible = "luo-kunit-file-v1",
};

static struct liveupdate_flb t_flb = {
	.ops = &f_ops,
	.compatible = "luo-kunit-flb-v1",
};

struct fctx {
	struct luo_session *session;
	struct file *files[3];
};

static void fctx_exit(void *data)
{
	struct fctx *c = data;
	int i;

	mutex_lock(&c->session->lock);
	luo_file_unpreserve_all(c->session);
	mutex_unlock(&c->session->lock);
	luo_session_free(c->session);
	for (i = 0; i < ARRAY_SIZE(c->files); i++)
		fput(c->files[i]);
	liveupdate_unregister_flb(&t_handler, &t_flb);
	liveupdate_unregister_file_handler(&t_handler);
}

/* A registered handler with the FLB, a session, three test files. */
static struct fctx *fctx_new(struct kunit *test)
{
	struct fctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, c);
	memset(&calls, 0, sizeof(calls));
	KUNIT_ASSERT_EQ(test, liveupdate_register_file_handler(&t_handler), 0);
	KUNIT_ASSERT_EQ(test, liveupdate_register_flb(&t_handler, &t_flb), 0);
	c->session = luo_session_alloc("kunit-session");
	KUNIT_ASSERT_NOT_NULL(test, c->session);
	for (i = 0; i < ARRAY_SIZE(c->files); i++) {
		c->files[i] = anon_inode_getfile("luo-kunit", &kunit_fops, NULL, O_RDWR);
		KUNIT_ASSERT_FALSE(test, IS_ERR(c->files[i]));
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fctx_exit, c), 0);
	return c;
}

static int preserve(struct fctx *c, int i, u64 token)
{
	int err;

	mutex_lock(&c->session->lock);
	err = luo_file_preserve(c->session, c->files[i], token);
	mutex_unlock(&c->session->lock);
	return err;
}

static void luo_file_flb_refcount(struct kunit *test)
{
	struct fctx *c = fctx_new(test);
	void *obj = NULL;

	KUNIT_EXPECT_EQ(test, liveupdate_flb_get_outgoing(&t_flb, &obj), -ENOENT);
	KUNIT_ASSERT_EQ(test, preserve(c, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, preserve(c, 1, 2), 0);
	/* one FLB preserve for both files */
	KUNIT_EXPECT_EQ(test, calls.flb_preserve, 1);
	KUNIT_EXPECT_EQ(test, liveupdate_flb_get_outgoing(&t_flb, &obj), 0);
	KUNIT_EXPECT_PTR_EQ(test, obj, (void *)&flb_obj);
	/* the same file again, token in use: refused, counts unchanged */
	KUNIT_EXPECT_EQ(test, preserve(c, 0, 3), -EBUSY);
	KUNIT_EXPECT_EQ(test, preserve(c, 2, 1), -EEXIST);
	KUNIT_EXPECT_EQ(test, c->session->nr_files, 2);
	/* the handler cannot go while files use it */
	KUNIT_EXPECT_EQ(test, liveupdate_unregister_file_handler(&t_handler), -EBUSY);

	mutex_lock(&c->session->lock);
	luo_file_unpreserve_all(c->session);
	mutex_unlock(&c->session->lock);
	KUNIT_EXPECT_EQ(test, calls.unpreserve, 2);
	KUNIT_EXPECT_EQ(test, calls.flb_unpreserve, 1);
	KUNIT_EXPECT_EQ(test, calls.flb_data_seen, 0xf1b);
	KUNIT_EXPECT_EQ(test, liveupdate_flb_get_outgoing(&t_flb, &obj), -ENOENT);
	/* preserved once, unpreserved once: the file can be preserved again */
	KUNIT_EXPECT_EQ(test, preserve(c, 0, 1), 0);
}

static void luo_file_preserve_rollback(struct kunit *test)
{
	struct fctx *c = fctx_new(test);

	calls.fail_preserve = 1;
	KUNIT_EXPECT_EQ(test, preserve(c, 0, 1), -EIO);
	/* the FLB taken for the file is given back */
	KUNIT_EXPECT_EQ(test, calls.flb_preserve, 1);
	KUNIT_EXPECT_EQ(test, calls.flb_unpreserve, 1);
	KUNIT_EXPECT_EQ(test, c->session->nr_files, 0);

	calls.fail_preserve = 0;
	calls.fail_flb_preserve = 1;
	KUNIT_EXPECT_EQ(test, preserve(c, 0, 1), -ENOMEM);
	KUNIT_EXPECT_EQ(test, calls.preserve, 1);

	/* nothing left behind: the same file and token now succeed */
	calls.fail_flb_preserve = 0;
	KUNIT_EXPECT_EQ(test, preserve(c, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, c->session->nr_files, 1);
}

static void luo_file_freeze_rollback(struct kunit *test)
{
	struct fctx *c = fctx_new(test);
	struct luo_file *lf;
	int err;

	KUNIT_ASSERT_EQ(test, preserve(c, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, preserve(c, 1, 2), 0);
	KUNIT_ASSERT_EQ(test, preserve(c, 2, 3), 0);

	calls.fail_freeze_at = 3;
	mutex_lock(&c->session->lock);
	err = luo_file_freeze(c->session);
	mutex_unlock(&c->session->lock);
	KUNIT_EXPECT_EQ(test, err, -EAGAIN);
	/* the two files frozen before the failure are unfrozen, not the third */
	KUNIT_EXPECT_EQ(test, calls.unfreeze, 2);
	list_for_each_entry(lf, &c->session->files, list)
		KUNIT_EXPECT_FALSE(test, lf->frozen);

	/* and a second attempt freezes everything */
	calls.fail_freeze_at = 0;
	mutex_lock(&c->session->lock);
	err = luo_file_freeze(c->session);
	mutex_unlock(&c->session->lock);
	KUNIT_EXPECT_EQ(test, err, 0);
	list_for_each_entry(lf, &c->session->files, list)
		KUNIT_EXPECT_TRUE(test, lf->frozen);
	mutex_lock(&c->session->lock);
	luo_file_unfreeze(c->session);
	mutex_unlock(&c->session->lock);
}

/* Pretend the previous kernel handed the FLB over, used by two files. */
static void luo_flb_incoming(struct kunit *test, bool ask_first)
{
	struct luo_in_flb in = {
		.compatible = "luo-kunit-flb-v1",
		.data = 0x77,
		.count = 2,
	};
	struct luo_in_flb *saved = luo.in_flbs;
	unsigned long saved_nr = luo.nr_in_flbs;
	void *obj = NULL;

	fctx_new(test);
	luo.in_flbs = &in;
	luo.nr_in_flbs = 1;
	if (ask_first) {
		KUNIT_EXPECT_EQ(test, liveupdate_flb_get_incoming(&t_flb, &obj), 0);
		KUNIT_EXPECT_PTR_EQ(test, obj, (void *)&flb_obj);
		KUNIT_EXPECT_EQ(test, liveupdate_flb_get_incoming(&t_flb, &obj), 0);
		/* retrieved once, with the handed-over handle */
		KUNIT_EXPECT_EQ(test, calls.flb_retrieve, 1);
		KUNIT_EXPECT_EQ(test, calls.flb_data_seen, 0x77);
	}
	luo_flb_file_finish(&t_handler);
	KUNIT_EXPECT_EQ(test, calls.flb_finish, 0);
	luo_flb_file_finish(&t_handler);
	/* the last file finished: retrieved if nobody asked, then finished */
	KUNIT_EXPECT_EQ(test, calls.flb_retrieve, 1);
	KUNIT_EXPECT_EQ(test, calls.flb_finish, 1);
	KUNIT_EXPECT_PTR_EQ(test, calls.flb_obj_seen, (void *)&flb_obj);
	KUNIT_EXPECT_EQ(test, liveupdate_flb_get_incoming(&t_flb, &obj), -ENOENT);
	/* a later file of the handler does not finish it twice */
	luo_flb_file_finish(&t_handler);
	KUNIT_EXPECT_EQ(test, calls.flb_finish, 1);

	luo.in_flbs = saved;
	luo.nr_in_flbs = saved_nr;
}

static void luo_flb_incoming_asked(struct kunit *test)
{
	luo_flb_incoming(test, true);
}

static void luo_flb_incoming_never_asked(struct kunit *test)
{
	luo_flb_incoming(test, false);
}

static void luo_flb_registration(struct kunit *test)
{
	static struct liveupdate_flb twin = {
		.ops = &f_ops,
		.compatible = "luo-kunit-flb-v1",
	};

	fctx_new(test);
	KUNIT_EXPECT_EQ(test, liveupdate_register_flb(&t_handler, &t_flb), -EEXIST);
	KUNIT_EXPECT_EQ(test, liveupdate_register_flb(&t_handler, &twin), -EEXIST);
	KUNIT_EXPECT_EQ(test, liveupdate_register_file_handler(&t_handler), -EEXIST);
}

/*
 * A module whose registration failed (its compatible string taken, or live
 * update disabled) still unregisters at exit: refused, not a walk of a
 * list that was never set up.
 */
static void luo_unregister_never_registered(struct kunit *test)
{
	static struct liveupdate_file_handler twin = {
		.ops = &t_ops,
		.compatible = "luo-kunit-file-v1",
	};
	static struct liveupdate_file_handler never = {
		.ops = &t_ops,
		.compatible = "luo-kunit-never-v1",
	};

	fctx_new(test);
	KUNIT_EXPECT_EQ(test, liveupdate_register_file_handler(&twin), -EEXIST);
	KUNIT_EXPECT_EQ(test, liveupdate_unregister_flb(&twin, &t_flb), -ENOENT);
	KUNIT_EXPECT_EQ(test, liveupdate_unregister_file_handler(&twin), -ENOENT);
	KUNIT_EXPECT_EQ(test, liveupdate_unregister_flb(&never, &t_flb), -ENOENT);
	KUNIT_EXPECT_EQ(test, liveupdate_unregister_file_handler(&never), -ENOENT);
	/* the registered pair is untouched */
	KUNIT_EXPECT_EQ(test, liveupdate_register_flb(&t_handler, &t_flb), -EEXIST);
}

/*
 * A handler unregisters with its FLBs still registered (a module's exit
 * cannot wait); only files bound to it hold it back.
 */
static void luo_unregister_handler_with_flb(struct kunit *test)
{
	struct fctx *c = fctx_new(test);

	KUNIT_ASSERT_EQ(test, preserve(c, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, liveupdate_unregister_file_handler(&t_handler), -EBUSY);
	mutex_lock(&c->session->lock);
	luo_file_unpreserve_all(c->session);
	mutex_unlock(&c->session->lock);

	KUNIT_EXPECT_EQ(test, liveupdate_unregister_file_handler(&t_handler), 0);
	KUNIT_EXPECT_EQ(test, liveupdate_unregister_flb(&t_handler, &t_flb), -ENOENT);
	/* both gone: they register again as new */
	KUNIT_EXPECT_EQ(test, liveupdate_register_file_handler(&t_handler), 0);
	KUNIT_EXPECT_EQ(test, liveupdate_register_flb(&t_handler, &t_flb), 0);
	KUNIT_EXPECT_EQ(test, preserve(c, 0, 1), 0);
	KUNIT_EXPECT_EQ(test, calls.flb_preserve, 2);
}

/* An incoming session of one file of the test handler, token 5. */
static struct luo_session *incoming_new(struct kunit *test)
{
	struct luo_session *s = luo_session_alloc("kunit-incoming");
	struct luo_file *lf = kzalloc_obj(*lf);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, lf);
	s->incoming = true;
	lf->token = 5;
	strscpy(lf->compatible, t_handler.compatible, sizeof(lf->compatible));
	luo_file_add(s, lf);
	return s;
}

static void incoming_free(struct kunit *test, struct luo_session *s)
{
	int err;

	mutex_lock(&s->lock);
	err = luo_file_finish_all(s);
	mutex_unlock(&s->lock);
	KUNIT_EXPECT_EQ(test, err, 0);
	luo_session_free(s);
}

static int retrieve(struct luo_session *s, struct file **filep)
{
	int err;

	mutex_lock(&s->lock);
	err = luo_file_retrieve(s, 5, filep);
	mutex_unlock(&s->lock);
	return err;
}

/*
 * Callbacks return 0 or an errno: a positive value is the handler's bug,
 * refused as -EINVAL rather than passed to userspace or reboot(2), and a
 * positive retrieve() never leaves a file-less success behind.
 */
static void luo_file_positive_returns(struct kunit *test)
{
	struct fctx *c = fctx_new(test);
	struct luo_session *s = incoming_new(test);
	struct file *file = NULL;
	int err;

	kunit_warning_suppress(test) {
		calls.preserve_ret = 1;
		KUNIT_EXPECT_EQ(test, preserve(c, 0, 1), -EINVAL);
		KUNIT_EXPECT_EQ(test, c->session->nr_files, 0);
		KUNIT_EXPECT_EQ(test, calls.flb_unpreserve, 1);
		calls.preserve_ret = 0;

		KUNIT_ASSERT_EQ(test, preserve(c, 0, 1), 0);
		KUNIT_ASSERT_EQ(test, preserve(c, 1, 2), 0);
		calls.fail_freeze_at = 2;
		calls.freeze_ret = 7;
		mutex_lock(&c->session->lock);
		err = luo_file_freeze(c->session);
		mutex_unlock(&c->session->lock);
		KUNIT_EXPECT_EQ(test, err, -EINVAL);
		KUNIT_EXPECT_EQ(test, calls.unfreeze, 1);

		calls.retrieve_ret = 3;
		KUNIT_EXPECT_EQ(test, retrieve(s, &file), -EINVAL);
		/*
		 * One WARN_ONCE() per bad value; suppressed ones may not
		 * count as the "once" (x86 marks it done after suppression).
		 */
		KUNIT_EXPECT_GE(test, KUNIT_SUPPRESSED_WARNING_COUNT(), 1);
		KUNIT_EXPECT_LE(test, KUNIT_SUPPRESSED_WARNING_COUNT(), 3);
	}
	/* the failure sticks: no second retrieve(), no NULL file handed out */
	KUNIT_EXPECT_EQ(test, retrieve(s, &file), -EINVAL);
	KUNIT_EXPECT_NULL(test, file);
	KUNIT_EXPECT_EQ(test, calls.retrieve, 1);
	incoming_free(test, s);
}

/*
 * A retrieved file counts as preserved until its session finishes: it
 * cannot go into an outgoing session before, and can after.
 */
static void luo_file_retrieved_is_preserved(struct kunit *test)
{
	struct fctx *c = fctx_new(test);
	struct luo_session *s = incoming_new(test);
	struct file *file = NULL;
	int err;

	calls.retrieve_file = c->files[2];
	KUNIT_ASSERT_EQ(test, retrieve(s, &file), 0);
	KUNIT_EXPECT_PTR_EQ(test, file, c->files[2]);
	fput(file);
	KUNIT_EXPECT_EQ(test, preserve(c, 2, 9), -EBUSY);

	mutex_lock(&s->lock);
	err = luo_file_finish_all(s);
	mutex_unlock(&s->lock);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, calls.finish, 1);
	KUNIT_EXPECT_EQ(test, preserve(c, 2, 9), 0);
	incoming_free(test, s);
}

/*
 * An FLB whose retrieve() fails when the session of its last file finishes
 * fails that finish: nothing finished, the FLB kept, and a retry finishes
 * it all.
 */
static void luo_flb_retrieve_fails_at_finish(struct kunit *test)
{
	struct luo_in_flb in = {
		.compatible = "luo-kunit-flb-v1",
		.data = 0x77,
		.count = 1,
	};
	struct luo_in_flb *saved = luo.in_flbs;
	unsigned long saved_nr = luo.nr_in_flbs;
	struct luo_session *s;
	int err;

	fctx_new(test);
	s = incoming_new(test);
	luo.in_flbs = &in;
	luo.nr_in_flbs = 1;
	calls.fail_flb_retrieve = 1;
	mutex_lock(&s->lock);
	err = luo_file_finish_all(s);
	mutex_unlock(&s->lock);
	KUNIT_EXPECT_EQ(test, err, -EIO);
	KUNIT_EXPECT_EQ(test, calls.finish, 0);
	KUNIT_EXPECT_EQ(test, calls.flb_finish, 0);
	KUNIT_EXPECT_EQ(test, s->nr_files, 1);

	calls.fail_flb_retrieve = 0;
	mutex_lock(&s->lock);
	err = luo_file_finish_all(s);
	mutex_unlock(&s->lock);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, calls.finish, 1);
	KUNIT_EXPECT_EQ(test, calls.flb_retrieve, 2);
	KUNIT_EXPECT_EQ(test, calls.flb_finish, 1);
	KUNIT_EXPECT_EQ(test, calls.flb_data_seen, 0x77);
	incoming_free(test, s);
	luo.in_flbs = saved;
	luo.nr_in_flbs = saved_nr;
}

static struct kunit_case luo_file_cases[] = {
	KUNIT_CASE(luo_file_flb_refcount),
	KUNIT_CASE(luo_file_preserve_rollback),
	KUNIT_CASE(luo_file_freeze_rollback),
	KUNIT_CASE(luo_flb_incoming_asked),
	KUNIT_CASE(luo_flb_incoming_never_asked),
	KUNIT_CASE(luo_flb_registration),
	KUNIT_CASE(luo_unregister_never_registered),
	KUNIT_CASE(luo_unregister_handler_with_flb),
	KUNIT_CASE(luo_file_positive_returns),
	KUNIT_CASE(luo_file_retrieved_is_preserved),
	KUNIT_CASE(luo_flb_retrieve_fails_at_finish),
	{}
};

static struct kunit_suite luo_file_suite = {
	.name = "luo_file",
	.test_cases = luo_file_cases,
};

kunit_test_suite(luo_file_suite);
