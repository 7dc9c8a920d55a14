// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the ioctl front end of /dev/liveupdate and of
 * the session file descriptors.
 */

/**
 * DOC: LUO ioctl front end
 *
 * Every ioctl of /dev/liveupdate and of a session file descriptor goes
 * through luo_ioctl_dispatch(), driven by a table of {handler, size of the
 * structure this kernel knows, size of its first version}.  The dispatcher
 * reads the structure's leading __u32 size, refuses sizes below the first
 * version (EINVAL) and sizes above PAGE_SIZE (E2BIG: no tail of more than
 * a page is scanned), copies the structure with copy_struct_from_user() so
 * that a longer structure is accepted only when its unknown tail is zero
 * (E2BIG otherwise), and hands the kernel-sized copy to the handler.
 * Results go back with luo_ucmd_respond(), never more bytes than userspace
 * gave.  Unknown commands are ENOTTY.
 *
 * /dev/liveupdate is for one agent at a time: a second open fails with
 * EBUSY, and opening it needs CAP_SYS_ADMIN.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>

#include "luo_internal.h"

/**
 * struct luo_ucmd - One ioctl in flight.
 * @ubuffer:   The user's structure.
 * @user_size: Its size as userspace gave it.
 * @file:      The file the ioctl was issued on.
 * @cmd:       The kernel's copy, of the size this kernel knows.
 */
struct luo_ucmd {
	void __user *ubuffer;
	u32 user_size;
	struct file *file;
	void *cmd;
};

union luo_ucmd_buffer {
	struct liveupdate_ioctl_create_session create;
	struct liveupdate_ioctl_retrieve_session retrieve;
	struct liveupdate_session_preserve_fd preserve;
	struct liveupdate_session_retrieve_fd retrieve_fd;
	struct liveupdate_session_finish finish;
	struct liveupdate_session_get_name get_name;
};

struct luo_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct luo_ucmd *ucmd);
};

/* One entry of a dispatch table, indexed by the command's number. */
#define LUO_IOCTL_OP(_ioctl, _fn, _struct, _last)				\
	{									\
		.size = sizeof(_struct) +					\
			BUILD_BUG_ON_ZERO(sizeof(union luo_ucmd_buffer) <	\
					  sizeof(_struct)),			\
		.min_size = offsetofend(_struct, _last),			\
		.ioctl_num = _ioctl,						\
		.execute = _fn,							\
	}

static int luo_ucmd_respond(struct luo_ucmd *ucmd, size_t kernel_size)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, kernel_size)))
		return -EFAULT;
	return 0;
}

/*
 * Reserve a descriptor and report it to userspace before the object behind
 * it exists: once a session is retrieved (or a file restored), nothing may
 * fail any more, since undoing a retrieval would discard what it holds.
 */
static int luo_ucmd_reserve_fd(struct luo_ucmd *ucmd, __s32 *fdp,
			       size_t kernel_size)
{
	int fd, err;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	*fdp = fd;
	err = luo_ucmd_respond(ucmd, kernel_size);
	if (err) {
		put_unused_fd(fd);
		return err;
	}
	return fd;
}

/* Give @fd to @file, or give it back when getting @file failed with @err. */
static int luo_ucmd_install_fd(int fd, int err, struct file *file)
{
	if (err) {
		put_unused_fd(fd);
		return err;
	}
	fd_install(fd, file);
	return 0;
}

static long luo_session_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg);

static int luo_session_fop_release(struct inode *inode, struct file *file)
{
	luo_session_close(file->private_data);
	return 0;
}

static const struct file_operations luo_session_fops = {
	.owner		= THIS_MODULE,
	.release	= luo_session_fop_release,
	.unlocked_ioctl	= luo_session_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* A session's file descriptor: its anon-inode name is what systemd looks for. */
static struct file *luo_session_open(struct luo_session *session)
{
	return anon_inode_getfile("[luo_session]", &luo_session_fops, session,
				  O_RDWR);
}

static int luo_ioctl_create_session(struct luo_ucmd *ucmd)
{
	struct liveupdate_ioctl_create_session *argp = ucmd->cmd;
	struct file *file = NULL;
	int fd, err;

	fd = luo_ucmd_reserve_fd(ucmd, &argp->fd, sizeof(*argp));
	if (fd < 0)
		return fd;
	err = luo_session_create((const char *)argp->name, luo_session_open,
				 &file);
	return luo_ucmd_install_fd(fd, err, file);
}

static int luo_ioctl_retrieve_session(struct luo_ucmd *ucmd)
{
	struct liveupdate_ioctl_retrieve_session *argp = ucmd->cmd;
	struct file *file = NULL;
	int fd, err;

	fd = luo_ucmd_reserve_fd(ucmd, &argp->fd, sizeof(*argp));
	if (fd < 0)
		return fd;
	err = luo_session_retrieve((const char *)argp->name, luo_session_open,
				   &file);
	return luo_ucmd_install_fd(fd, err, file);
}

static int luo_ioctl_preserve_fd(struct luo_ucmd *ucmd)
{
	struct liveupdate_session_preserve_fd *argp = ucmd->cmd;
	struct file *file = fget(argp->fd);
	int err;

	if (!file)
		return -EBADF;
	err = luo_session_preserve(ucmd->file->private_data, file, argp->token);
	fput(file);
	return err;
}

static int luo_ioctl_retrieve_fd(struct luo_ucmd *ucmd)
{
	struct liveupdate_session_retrieve_fd *argp = ucmd->cmd;
	struct file *file = NULL;
	int fd, err;

	fd = luo_ucmd_reserve_fd(ucmd, &argp->fd, sizeof(*argp));
	if (fd < 0)
		return fd;
	err = luo_session_retrieve_file(ucmd->file->private_data, argp->token,
					&file);
	return luo_ucmd_install_fd(fd, err, file);
}

static int luo_ioctl_finish(struct luo_ucmd *ucmd)
{
	struct liveupdate_session_finish *argp = ucmd->cmd;

	if (argp->reserved)
		return -EINVAL;
	return luo_session_finish(ucmd->file->private_data);
}

static int luo_ioctl_get_name(struct luo_ucmd *ucmd)
{
	struct liveupdate_session_get_name *argp = ucmd->cmd;
	struct luo_session *session = ucmd->file->private_data;

	if (argp->reserved)
		return -EINVAL;
	/* NUL-padded: the name was copied in with strscpy() into a zeroed session. */
	memcpy(argp->name, session->name, LIVEUPDATE_SESSION_NAME_LENGTH);
	return luo_ucmd_respond(ucmd, sizeof(*argp));
}

static const struct luo_ioctl_op luo_device_ops[] = {
	[LIVEUPDATE_CMD_CREATE_SESSION - LIVEUPDATE_CMD_BASE] =
		LUO_IOCTL_OP(LIVEUPDATE_IOCTL_CREATE_SESSION,
			     luo_ioctl_create_session,
			     struct liveupdate_ioctl_create_session, name),
	[LIVEUPDATE_CMD_RETRIEVE_SESSION - LIVEUPDATE_CMD_BASE] =
		LUO_IOCTL_OP(LIVEUPDATE_IOCTL_RETRIEVE_SESSION,
			     luo_ioctl_retrieve_session,
			     struct liveupdate_ioctl_retrieve_session, name),
};

static const struct luo_ioctl_op luo_session_ops[] = {
	[LIVEUPDATE_CMD_SESSION_PRESERVE_FD - LIVEUPDATE_CMD_SESSION_BASE] =
		LUO_IOCTL_OP(LIVEUPDATE_SESSION_PRESERVE_FD,
			     luo_ioctl_preserve_fd,
			     struct liveupdate_session_preserve_fd, token),
	[LIVEUPDATE_CMD_SESSION_RETRIEVE_FD - LIVEUPDATE_CMD_SESSION_BASE] =
		LUO_IOCTL_OP(LIVEUPDATE_SESSION_RETRIEVE_FD,
			     luo_ioctl_retrieve_fd,
			     struct liveupdate_session_retrieve_fd, token),
	[LIVEUPDATE_CMD_SESSION_FINISH - LIVEUPDATE_CMD_SESSION_BASE] =
		LUO_IOCTL_OP(LIVEUPDATE_SESSION_FINISH,
			     luo_ioctl_finish,
			     struct liveupdate_session_finish, reserved),
	[LIVEUPDATE_CMD_SESSION_GET_NAME - LIVEUPDATE_CMD_SESSION_BASE] =
		LUO_IOCTL_OP(LIVEUPDATE_SESSION_GET_NAME,
			     luo_ioctl_get_name,
			     struct liveupdate_session_get_name, name),
};

static long luo_ioctl_dispatch(const struct luo_ioctl_op *ops, size_t nr_ops,
			       unsigned int base, struct file *file,
			       unsigned int cmd, unsigned long arg)
{
	struct luo_ucmd ucmd = { .ubuffer = (void __user *)arg, .file = file };
	const struct luo_ioctl_op *op;
	union luo_ucmd_buffer buf;
	unsigned int nr = _IOC_NR(cmd);
	int err;

	if (_IOC_TYPE(cmd) != LIVEUPDATE_IOCTL_TYPE || nr < base ||
	    nr - base >= nr_ops)
		return -ENOTTY;
	op = &ops[nr - base];
	if (!op->execute || op->ioctl_num != cmd)
		return -ENOTTY;

	if (get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer))
		return -EFAULT;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	if (ucmd.user_size > PAGE_SIZE)
		return -E2BIG;
	ucmd.cmd = &buf;
	err = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (err)
		return err;
	return op->execute(&ucmd);
}

/* The ioctl entry of a session file descriptor. */
static long luo_session_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	return luo_ioctl_dispatch(luo_session_ops, ARRAY_SIZE(luo_session_ops),
				  LIVEUPDATE_CMD_SESSION_BASE, file, cmd, arg);
}

static long luo_device_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	return luo_ioctl_dispatch(luo_device_ops, ARRAY_SIZE(luo_device_ops),
				  LIVEUPDATE_CMD_BASE, file, cmd, arg);
}

static atomic_t luo_device_open_count = ATOMIC_INIT(0);

static int luo_device_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (atomic_cmpxchg(&luo_device_open_count, 0, 1))
		return -EBUSY;
	return 0;
}

static int luo_device_release(struct inode *inode, struct file *file)
{
	atomic_set(&luo_device_open_count, 0);
	return 0;
}

static const struct file_operations luo_device_fops = {
	.owner		= THIS_MODULE,
	.open		= luo_device_open,
	.release	= luo_device_release,
	.unlocked_ioctl	= luo_device_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice luo_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "liveupdate",
	.fops	= &luo_device_fops,
};

/**
 * luo_device_init - Create /dev/liveupdate.
 *
 * Return: 0 or the error of misc_register().
 */
int luo_device_init(void)
{
	return misc_register(&luo_miscdev);
}
