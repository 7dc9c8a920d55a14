/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luo_dev.h: the one user-space wrapper of /dev/liveupdate and of its
 * session file descriptors (include/uapi/linux/liveupdate.h), for the
 * tools, the benchmark, the demo and the selftests.  One function per
 * ioctl; each returns the result (0, or a new file descriptor) or -errno,
 * and prints nothing: the caller says what failed, as it knows why it
 * asked.  Header-only, so that every program builds it in as it is.
 */
#ifndef LUO_DEV_H
#define LUO_DEV_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kexec.h>
#include <linux/liveupdate.h>

#define LUO_DEVICE	"/dev/liveupdate"

/* Open /dev/liveupdate: the file descriptor or -errno. */
static inline int luo_open(void)
{
	int fd = open(LUO_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* ioctl(): 0 or -errno. */
static inline int luo_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* ioctl() that hands out a file descriptor in *@out: the fd or -errno. */
static inline int luo_ioctl_fd(int fd, unsigned long cmd, void *arg, const __s32 *out)
{
	int ret = luo_ioctl(fd, cmd, arg);

	return ret ? ret : *out;
}

/*
 * Create a session named by the @len bytes at @name, as they are (no NUL
 * added: the tests of bad names need that): the session's fd or -errno;
 * -ENAMETOOLONG, without asking the kernel, past the uapi's array.
 */
static inline int luo_create_session_raw(int luo, const void *name, size_t len)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };

	if (len > sizeof(arg.name))
		return -ENAMETOOLONG;
	memcpy(arg.name, name, len);
	return luo_ioctl_fd(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg, &arg.fd);
}

static inline int luo_create_session(int luo, const char *name)
{
	return luo_create_session_raw(luo, name, strlen(name));
}

/* Retrieve the session named by the @len bytes at @name: as above. */
static inline int luo_retrieve_session_raw(int luo, const void *name, size_t len)
{
	struct liveupdate_ioctl_retrieve_session arg = { .size = sizeof(arg) };

	if (len > sizeof(arg.name))
		return -ENAMETOOLONG;
	memcpy(arg.name, name, len);
	return luo_ioctl_fd(luo, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &arg, &arg.fd);
}

static inline int luo_retrieve_session(int luo, const char *name)
{
	return luo_retrieve_session_raw(luo, name, strlen(name));
}

/* Preserve @fd in session @sfd under @token: 0 or -errno. */
static inline int luo_preserve_fd(int sfd, int fd, __u64 token)
{
	struct liveupdate_session_preserve_fd arg = {
		.size = sizeof(arg),
		.fd = fd,
		.token = token,
	};

	return luo_ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, &arg);
}

/* Restore the file of @token from session @sfd: a new fd or -errno. */
static inline int luo_retrieve_fd(int sfd, __u64 token)
{
	struct liveupdate_session_retrieve_fd arg = {
		.size = sizeof(arg),
		.fd = -1,
		.token = token,
	};

	return luo_ioctl_fd(sfd, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg, &arg.fd);
}

/* Finish session @sfd, passing @reserved as is: 0 or -errno. */
static inline int luo_finish_reserved(int sfd, __u32 reserved)
{
	struct liveupdate_session_finish arg = {
		.size = sizeof(arg),
		.reserved = reserved,
	};

	return luo_ioctl(sfd, LIVEUPDATE_SESSION_FINISH, &arg);
}

static inline int luo_finish(int sfd)
{
	return luo_finish_reserved(sfd, 0);
}

/*
 * The name of session @sfd into @name, passing @reserved as is: 0 or -errno.
 * The output buffer starts filled with 0xff, so that a name the kernel
 * leaves unterminated shows.
 */
static inline int luo_get_name_reserved(int sfd, __u32 reserved,
					char name[LIVEUPDATE_SESSION_NAME_LENGTH])
{
	struct liveupdate_session_get_name arg = {
		.size = sizeof(arg),
		.reserved = reserved,
	};
	int ret;

	memset(arg.name, 0xff, sizeof(arg.name));
	ret = luo_ioctl(sfd, LIVEUPDATE_SESSION_GET_NAME, &arg);
	if (!ret)
		memcpy(name, arg.name, sizeof(arg.name));
	return ret;
}

static inline int luo_get_name(int sfd, char name[LIVEUPDATE_SESSION_NAME_LENGTH])
{
	return luo_get_name_reserved(sfd, 0, name);
}

/*
 * Leave a child, in a session of its own and with its stdio on /dev/null,
 * holding every fd the caller has open (its sessions, so that they stay
 * preserved) until the kexec: the pid, or -errno.
 */
static inline int luo_hold_fds(void)
{
	int ready[2], null;
	pid_t pid;
	char c = 0;

	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(ready[0]);
		setsid();
		null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			close(null);
		}
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		close(ready[1]);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		return -ECHILD;
	}
	close(ready[0]);
	return pid;
}

/*
 * kexec_file_load(2) @kernel with this boot's command line and no initramfs,
 * for a reboot(LINUX_REBOOT_CMD_KEXEC) into it: 0 or -errno.
 */
static inline int luo_kexec_load(const char *kernel)
{
	char cmdline[4096];
	int fd, ret;
	ssize_t n;

	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	ret = n < 0 ? -errno : n ? 0 : -ENODATA;
	close(fd);
	if (ret)
		return ret;
	cmdline[n] = '\0';
	if (cmdline[n - 1] == '\n')
		cmdline[n - 1] = '\0';

	fd = open(kernel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The length includes the terminating NUL. */
	ret = syscall(SYS_kexec_file_load, fd, -1, strlen(cmdline) + 1, cmdline,
		      (unsigned long)KEXEC_FILE_NO_INITRAMFS) ? -errno : 0;
	close(fd);
	return ret;
}

#endif /* LUO_DEV_H */
