// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of FLB callbacks that use another FLB: FLB "b" of a handler
 * asks for FLB "a" of the same handler from its preserve() and retrieve(),
 * as a subsystem whose state builds on another's would.  Both nested calls
 * must return "a"'s object, and, the kernel running with lockdep, take no
 * lock the outer call holds (the handlers' rwsem, read recursively, could
 * deadlock behind a waiting writer; two FLB locks of one class would hide
 * a real ABBA between two FLBs).
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>

#include "luo_internal.h"

static const struct file_operations nest_fops = {
	.owner = THIS_MODULE,
};

static int obj_a, obj_b;
static struct {
	int get_out, get_in;		/* what b's nested calls returned */
	void *out, *in;			/* and the objects they gave */
	int b_preserved, b_retrieved;
} nest;

static struct liveupdate_flb flb_a;

static bool n_can_preserve(struct liveupdate_file_handler *h, struct file *f)
{
	return f->f_op == &nest_fops;
}

static int n_preserve(struct liveupdate_file_op_args *args)
{
	return 0;
}

static void n_unpreserve(struct liveupdate_file_op_args *args)
{
}

static int n_retrieve(struct liveupdate_file_op_args *args)
{
	return -EOPNOTSUPP;
}

static void n_finish(struct liveupdate_file_op_args *args)
{
}

static const struct liveupdate_file_ops n_ops = {
	.can_preserve = n_can_preserve,
	.preserve = n_preserve,
	.unpreserve = n_unpreserve,
	.retrieve = n_retrieve,
	.finish = n_finish,
	.owner = THIS_MODULE,
};

static int a_preserve(struct liveupdate_flb_op_args *a)
{
	a->obj = &obj_a;
	return 0;
}

static int a_retrieve(struct liveupdate_flb_op_args *a)
{
	a->obj = &obj_a;
	return 0;
}

static int b_preserve(struct liveupdate_flb_op_args *a)
{
	nest.get_out = liveupdate_flb_get_outgoing(&flb_a, &nest.out);
	nest.b_preserved++;
	a->obj = &obj_b;
	return 0;
}

static int b_retrieve(struct liveupdate_flb_op_args *a)
{
	nest.get_in = liveupdate_flb_get_incoming(&flb_a, &nest.in);
	nest.b_retrieved++;
	a->obj = &obj_b;
	return 0;
}

static void f_unpreserve(struct liveupdate_flb_op_args *a)
{
}

static void f_finish(struct liveupdate_flb_op_args *a)
{
}

static const struct liveupdate_flb_ops a_ops = {
	.preserve = a_preserve,
	.unpreserve = f_unpreserve,
	.retrieve = a_retrieve,
	.finish = f_finish,
	.owner = THIS_MODULE,
};

static const struct liveupdate_flb_ops b_ops = {
	.preserve = b_preserve,
	.unpreserve = f_unpreserve,
	.retrieve = b_retrieve,
	.finish = f_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler n_handler = {
	.ops = &n_ops,
	.compatible = "luo-kunit-nest-v1",
};

static struct liveupdate_flb flb_a = {
	.ops = &a_ops,
	.compatible = "luo-kunit-nest-a-v1",
};

static struct liveupdate_flb flb_b = {
	.ops = &b_ops,
	.compatible = "luo-kunit-nest-b-v1",
};

static void nest_exit(void *data)
{
	liveupdate_unregister_flb(&n_handler, &flb_b);
	liveupdate_unregister_flb(&n_handler, &flb_a);
	liveupdate_unregister_file_handler(&n_handler);
}

static void nest_setup(struct kunit *test)
{
	memset(&nest, 0, sizeof(nest));
	KUNIT_ASSERT_EQ(test, liveupdate_register_file_handler(&n_handler), 0);
	KUNIT_ASSERT_EQ(test, liveupdate_register_flb(&n_handler, &flb_a), 0);
	KUNIT_ASSERT_EQ(test, liveupdate_register_flb(&n_handler, &flb_b), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, nest_exit, NULL), 0);
}

/* b's preserve() asks for a, preserved just before it for the same file. */
static void luo_flb_nested_outgoing(struct kunit *test)
{
	struct luo_session *session;
	struct file *file;
	int err;

	nest_setup(test);
	session = luo_session_alloc("kunit-nest");
	KUNIT_ASSERT_NOT_NULL(test, session);
	file = anon_inode_getfile("luo-kunit-nest", &nest_fops, NULL, O_RDWR);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));

	mutex_lock(&session->lock);
	err = luo_file_preserve(session, file, 1);
	mutex_unlock(&session->lock);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, nest.b_preserved, 1);
	KUNIT_EXPECT_EQ(test, nest.get_out, 0);
	KUNIT_EXPECT_PTR_EQ(test, nest.out, (void *)&obj_a);

	mutex_lock(&session->lock);
	luo_file_unpreserve_all(session);
	mutex_unlock(&session->lock);
	luo_session_free(session);
	fput(file);
}

/* b's retrieve() asks for a, which the previous kernel handed over too. */
static void luo_flb_nested_incoming(struct kunit *test)
{
	struct luo_in_flb in[] = {
		{ .compatible = "luo-kunit-nest-a-v1", .data = 0xa, .count = 1 },
		{ .compatible = "luo-kunit-nest-b-v1", .data = 0xb, .count = 1 },
	};
	struct luo_in_flb *saved = luo.in_flbs;
	unsigned long saved_nr = luo.nr_in_flbs;

	nest_setup(test);
	luo.in_flbs = in;
	luo.nr_in_flbs = ARRAY_SIZE(in);
	KUNIT_EXPECT_EQ(test, luo_flb_file_prepare_finish(&n_handler), 0);
	KUNIT_EXPECT_EQ(test, nest.b_retrieved, 1);
	KUNIT_EXPECT_EQ(test, nest.get_in, 0);
	KUNIT_EXPECT_PTR_EQ(test, nest.in, (void *)&obj_a);
	luo_flb_file_finish(&n_handler);
	luo.in_flbs = saved;
	luo.nr_in_flbs = saved_nr;
}

static struct kunit_case luo_flb_lock_cases[] = {
	KUNIT_CASE(luo_flb_nested_outgoing),
	KUNIT_CASE(luo_flb_nested_incoming),
	{}
};

static struct kunit_suite luo_flb_lock_suite = {
	.name = "luo_flb_lock",
	.test_cases = luo_flb_lock_cases,
};

kunit_test_suite(luo_flb_lock_suite);
