// SPDX-License-Identifier: GPL-2.0
/*
 * luo_inject_test's work besides its BPF programs: the memfds of known
 * contents it preserves and verifies once retrieved, the kexec into the
 * next kernel, and the live-update record read back.  None of it prints a
 * TAP line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kexec.h>
#include <linux/liveupdate_record.h>
#include <linux/reboot.h>

#include "luo_util.h"
#include "kselftest.h"
#include "luo_inject_test.h"

/* Bytes of each preserved memfd. */
#define FILE_LEN	(1024 * 1024)

#define RECORD_PATH	"/sys/kernel/debug/liveupdate/record.bin"

/* The contents of the memfd of @token in session @name: 1 MiB of xorshift. */
static void content(char *buf, const char *name, __u64 token)
{
	__u64 s = 0x9e3779b97f4a7c15ULL * token;
	size_t i;

	for (i = 0; name[i]; i++)
		s = s * 31 + (unsigned char)name[i];
	for (i = 0; i < FILE_LEN; i += sizeof(s)) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		memcpy(buf + i, &s, sizeof(s));
	}
}

/* close(): 0 or -errno, and -EBADF for a descriptor never obtained. */
int close_fd(int fd)
{
	if (fd < 0)
		return -EBADF;
	return close(fd) ? -errno : 0;
}

/* The memfd of @token of session @name, of known contents: fd or -errno. */
int make_memfd(const char *name, __u64 token)
{
	static char buf[FILE_LEN];

	content(buf, name, token);
	return memfd_with(buf, sizeof(buf));
}

/* Retrieve @token of @sfd: 0 if it holds what stage 1 wrote, or -errno. */
int retrieve_verify(int sfd, const char *name, __u64 token)
{
	static char expected[FILE_LEN];
	int fd = luo_retrieve_fd(sfd, token);
	int ret;

	if (fd < 0)
		return fd;
	content(expected, name, token);
	ret = fd_holds(fd, expected, sizeof(expected));
	if (ret == -EILSEQ)
		ksft_print_msg("%s token %llu: size or contents differ from stage 1\n",
			       name, (unsigned long long)token);
	close(fd);
	return ret;
}

/*
 * kexec_file_load(2) @kernel with this boot's command line, then reboot(2)
 * into it: the -errno of the first that fails; no return if none does.
 */
int kexec_self(const char *kernel)
{
	int ret = luo_kexec_load(kernel);

	if (ret) {
		ksft_print_msg("kexec_file_load %s: %s\n", kernel, strerror(-ret));
		return ret;
	}
	fflush(stdout);
	sync();
	if (syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		    LINUX_REBOOT_CMD_KEXEC, NULL))
		return -errno;
	return 0;
}

/* The live-update record, checked, in a static buffer: NULL if unreadable. */
const struct luo_record_header *read_record(void)
{
	static char buf[512 * 1024];
	const struct luo_record_header *hdr = (const void *)buf;
	ssize_t len = 0, n;
	int fd;

	fd = open(RECORD_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ksft_print_msg("cannot open %s: %s\n", RECORD_PATH, strerror(errno));
		return NULL;
	}
	while ((size_t)len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += n;
	close(fd);
	if ((size_t)len < sizeof(*hdr) || hdr->magic != LUO_RECORD_MAGIC ||
	    hdr->version != LUO_RECORD_VERSION ||
	    hdr->update_size < sizeof(struct luo_record_update) ||
	    (size_t)len < hdr->header_size + (size_t)hdr->nr_updates * hdr->update_size) {
		ksft_print_msg("%s is not a record of version %d\n", RECORD_PATH,
			       LUO_RECORD_VERSION);
		return NULL;
	}
	return hdr;
}
