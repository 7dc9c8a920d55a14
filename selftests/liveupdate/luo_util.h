/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the LUO selftests: the ioctls of /dev/liveupdate and of
 * a session (tools/lib/luo_dev.h, the one wrapper every program uses),
 * memfds of known contents, and the odd helper of the tests.
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

/* The ioctls: luo_open(), luo_create_session(), ... (tools/lib). */
#include "luo_dev.h"

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

#endif /* LUO_UTIL_H */
