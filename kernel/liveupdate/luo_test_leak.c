// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: a planted memory leak, for test kernels with
 * kmemleak (the debug flavor).
 */

/**
 * DOC: LUO test leak
 *
 * Built with the test handler (CONFIG_LIVEUPDATE_TEST_HANDLER) when the
 * kernel has kmemleak, so that the VM harness can prove that a leak fails
 * a run: a check that never saw a leak could be blind.
 *
 * Writing N (1 to 64) to /sys/kernel/debug/luo_test_leak allocates N
 * objects of 128 bytes, fills each with the byte 'L' and forgets them.
 * kmemleak must report all N at the scans that end the stage, which it
 * does only when the kmalloc caches have no per-CPU sheaves: a sheaf keeps
 * the pointers of the objects last taken from it, and kmemleak scans it.
 * The debug flavor turns sheaves off with red zones on those caches
 * (kernel/configs/luo-debug.config).  The filling marks the objects in
 * kmemleak's hex dump and leaves no pointer in them.
 */

#include <linux/compiler.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#define LUO_TEST_LEAK_MAX	64
#define LUO_TEST_LEAK_SIZE	128

static ssize_t luo_test_leak_write(struct file *file, const char __user *buf,
				   size_t count, loff_t *ppos)
{
	unsigned int n, i;
	int err;

	err = kstrtouint_from_user(buf, count, 0, &n);
	if (err)
		return err;
	if (!n || n > LUO_TEST_LEAK_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		void *p = kmalloc(LUO_TEST_LEAK_SIZE, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		memset(p, 'L', LUO_TEST_LEAK_SIZE);
		/* The filling is a store the compiler must keep. */
		barrier_data(p);
	}
	return count;
}

static const struct file_operations luo_test_leak_fops = {
	.write = luo_test_leak_write,
	.llseek = noop_llseek,
};

static int __init luo_test_leak_init(void)
{
	debugfs_create_file("luo_test_leak", 0200, NULL, NULL, &luo_test_leak_fops);
	return 0;
}
late_initcall(luo_test_leak_init);
