/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the LUO selftests of this directory: one function per
 * ioctl of /dev/liveupdate and of a session, each returning the result or
 * -errno, and memfds of known contents.
 */
#ifndef LUO_UTIL_H
#define LUO_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* Create a session named by the @len bytes at @name (not NUL-terminated). */
static inline int create_session_raw(int luo, const void *name, size_t len)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg) };

	memcpy(arg.name, name, len);
	return luo_ioctl_fd(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg, &arg.fd);
}

static inline int create_session(int luo, const char *name)
{
	return create_session_raw(luo, name, strlen(name));
}

/* Retrieve the session named by the @len bytes at @name. */
static inline int retrieve_session_raw(int luo, const void *name, size_t len)
{
	struct liveupdate_ioctl_retrieve_session arg = { .size = sizeof(arg) };

	memcpy(arg.name, name, len);
	return luo_ioctl_fd(luo, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &arg, &arg.fd);
}

static inline int retrieve_session(int luo, const char *name)
{
	return retrieve_session_raw(luo, name, strlen(name));
}

/* Preserve @fd in session @sfd under @token: 0 or -errno. */
static inline int preserve(int sfd, int fd, __u64 token)
{
	struct liveupdate_session_preserve_fd arg = {
		.size = sizeof(arg),
		.fd = fd,
		.token = token,
	};

	return luo_ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, &arg);
}

/* Restore the file of @token from session @sfd: a new fd or -errno. */
static inline int retrieve_fd(int sfd, __u64 token)
{
	struct liveupdate_session_retrieve_fd arg = {
		.size = sizeof(arg),
		.fd = -1,
		.token = token,
	};

	return luo_ioctl_fd(sfd, LIVEUPDATE_SESSION_RETRIEVE_FD, &arg, &arg.fd);
}

/* Finish session @sfd, passing @reserved as is: 0 or -errno. */
static inline int finish_reserved(int sfd, __u32 reserved)
{
	struct liveupdate_session_finish arg = {
		.size = sizeof(arg),
		.reserved = reserved,
	};

	return luo_ioctl(sfd, LIVEUPDATE_SESSION_FINISH, &arg);
}

static inline int finish(int sfd)
{
	return finish_reserved(sfd, 0);
}

/*
 * The name of session @sfd into @name, passing @reserved as is: 0 or -errno.
 * The output buffer starts filled with 0xff, so that a name the kernel
 * leaves unterminated shows.
 */
static inline int get_name_reserved(int sfd, __u32 reserved,
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

static inline int get_name(int sfd, char name[LIVEUPDATE_SESSION_NAME_LENGTH])
{
	return get_name_reserved(sfd, 0, name);
}

/* A memfd holding the @len bytes at @data: the fd or -errno. */
static inline int memfd_with(const void *data, size_t len)
{
	int fd = memfd_create("luo-selftest", MFD_CLOEXEC);
	const char *p = data;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len) {
		n = write(fd, p, len);
		if (n <= 0) {
			n = n < 0 ? -errno : -EIO;
			close(fd);
			return n;
		}
		p += n;
		len -= n;
	}
	return fd;
}

/*
 * Whether @fd holds exactly the @len bytes at @data: 0, -EILSEQ when the
 * size or the contents differ, or -errno.
 */
static inline int fd_holds(int fd, const void *data, size_t len)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int ret;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((size_t)st.st_size != len)
		return -EILSEQ;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	n = pread(fd, buf, len + 1, 0);
	if (n < 0)
		ret = -errno;
	else
		ret = (size_t)n == len && !memcmp(buf, data, len) ? 0 : -EILSEQ;
	free(buf);
	return ret;
}

/* Write @val to the file @path (sysfs, debugfs, procfs): 0 or -errno. */
static inline int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The symbolic name of errno @err, or "success" for 0. */
static inline const char *errname(int err)
{
	const char *s = err ? strerrorname_np(err) : "success";

	return s ? s : "unknown errno";
}

/*
 * Leave a child, in a session of its own and with its stdio on /dev/null,
 * holding every fd the caller has open until the kexec: the pid, or -errno.
 */
static inline int hold_fds(void)
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

#endif /* LUO_UTIL_H */
