// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: a file handler and an FLB for tests.
 */

/**
 * DOC: LUO test handler
 *
 * Built only for tests (CONFIG_LIVEUPDATE_TEST_HANDLER), so that the VM
 * tests can drive a handler with an FLB through real live updates: no
 * handler of the tree uses an FLB yet.
 *
 * Each open of /dev/luo_test is a file holding one 64-bit value, set by
 * writing 8 bytes and read back by reading them.  The "luo-test-v1"
 * handler preserves such a file by handing its value over (frozen again at
 * the reboot, so later writes are kept) and retrieves it as a new file
 * with that value.  Every such file depends on the "luo-test-flb-v1" FLB,
 * one KHO-preserved page with a magic number, which a retrieve checks and
 * the last finish frees.
 */

#define pr_fmt(fmt) "luo_test: " fmt

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kexec_handover.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "luo_internal.h"

#define LUO_TEST_FLB_MAGIC	0x6c756f2d666c6221ULL

struct luo_test_value {
	u64 value;
};

static int luo_test_open(struct inode *inode, struct file *file)
{
	file->private_data = kzalloc_obj(struct luo_test_value);
	return file->private_data ? 0 : -ENOMEM;
}

static int luo_test_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t luo_test_read(struct file *file, char __user *buf, size_t count,
			     loff_t *ppos)
{
	struct luo_test_value *v = file->private_data;
	u64 value = READ_ONCE(v->value);

	return simple_read_from_buffer(buf, count, ppos, &value, sizeof(value));
}

static ssize_t luo_test_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct luo_test_value *v = file->private_data;
	u64 value;

	if (count != sizeof(value))
		return -EINVAL;
	if (copy_from_user(&value, buf, sizeof(value)))
		return -EFAULT;
	WRITE_ONCE(v->value, value);
	return count;
}

static const struct file_operations luo_test_fops = {
	.owner = THIS_MODULE,
	.open = luo_test_open,
	.release = luo_test_release,
	.read = luo_test_read,
	.write = luo_test_write,
	.llseek = default_llseek,
};

static struct miscdevice luo_test_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "luo_test",
	.fops = &luo_test_fops,
};

static int luo_test_flb_preserve(struct liveupdate_flb_op_args *args)
{
	u64 *page = kho_alloc_preserve(PAGE_SIZE);

	if (IS_ERR(page))
		return PTR_ERR(page);
	*page = LUO_TEST_FLB_MAGIC;
	args->data = virt_to_phys(page);
	args->obj = page;
	return 0;
}

static void luo_test_flb_unpreserve(struct liveupdate_flb_op_args *args)
{
	kho_unpreserve_free(args->obj);
}

static int luo_test_flb_retrieve(struct liveupdate_flb_op_args *args)
{
	u64 *page;

	if (!PAGE_ALIGNED(args->data) || !luo_phys_online(args->data, PAGE_SIZE))
		return -EINVAL;
	page = phys_to_virt(args->data);
	if (*page != LUO_TEST_FLB_MAGIC)
		return -EINVAL;
	args->obj = page;
	return 0;
}

static void luo_test_flb_finish(struct liveupdate_flb_op_args *args)
{
	kho_restore_free(args->obj);
}

static const struct liveupdate_flb_ops luo_test_flb_ops = {
	.preserve = luo_test_flb_preserve,
	.unpreserve = luo_test_flb_unpreserve,
	.retrieve = luo_test_flb_retrieve,
	.finish = luo_test_flb_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_flb luo_test_flb = {
	.ops = &luo_test_flb_ops,
	.compatible = "luo-test-flb-v1",
};

static bool luo_test_can_preserve(struct liveupdate_file_handler *fh,
				  struct file *file)
{
	return file->f_op == &luo_test_fops;
}

static int luo_test_preserve(struct liveupdate_file_op_args *args)
{
	struct luo_test_value *v = args->file->private_data;

	args->serialized_data = READ_ONCE(v->value);
	return 0;
}

static void luo_test_unpreserve(struct liveupdate_file_op_args *args)
{
}

static int luo_test_freeze(struct liveupdate_file_op_args *args)
{
	return luo_test_preserve(args);
}

static int luo_test_retrieve(struct liveupdate_file_op_args *args)
{
	struct luo_test_value *v;
	struct file *file;
	void *obj;
	int err;

	err = liveupdate_flb_get_incoming(&luo_test_flb, &obj);
	if (err)
		return err;
	v = kzalloc_obj(*v);
	if (!v)
		return -ENOMEM;
	v->value = args->serialized_data;
	file = anon_inode_getfile("[luo_test]", &luo_test_fops, v, O_RDWR);
	if (IS_ERR(file)) {
		kfree(v);
		return PTR_ERR(file);
	}
	args->file = file;
	return 0;
}

static bool luo_test_can_finish(struct liveupdate_file_op_args *args)
{
	return true;
}

static void luo_test_finish(struct liveupdate_file_op_args *args)
{
}

static const struct liveupdate_file_ops luo_test_ops = {
	.can_preserve = luo_test_can_preserve,
	.preserve = luo_test_preserve,
	.unpreserve = luo_test_unpreserve,
	.freeze = luo_test_freeze,
	.retrieve = luo_test_retrieve,
	.can_finish = luo_test_can_finish,
	.finish = luo_test_finish,
	.owner = THIS_MODULE,
};

static struct liveupdate_file_handler luo_test_handler = {
	.ops = &luo_test_ops,
	.compatible = "luo-test-v1",
};

static int __init luo_test_init(void)
{
	int err;

	if (!luo_configured())
		return 0;
	err = liveupdate_register_file_handler(&luo_test_handler);
	if (err)
		return err;
	err = liveupdate_register_flb(&luo_test_handler, &luo_test_flb);
	if (!err)
		err = misc_register(&luo_test_dev);
	if (err) {
		liveupdate_unregister_flb(&luo_test_handler, &luo_test_flb);
		liveupdate_unregister_file_handler(&luo_test_handler);
	}
	return err;
}
device_initcall(luo_test_init);
