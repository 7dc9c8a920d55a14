// SPDX-License-Identifier: GPL-2.0
/*
 * luo_record_check's reading: the record file, whole, and the kernel log,
 * where LUO says at boot which live update this kernel received, and why
 * a record may be missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "luo_record_check.h"

/* The whole file: the buffer (to free) and its size in *@size, or NULL. */
void *read_all(const char *path, size_t *size)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap), *p;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			p = realloc(buf, cap *= 2);
			if (!p)
				break;
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0) {
				close(fd);
				*size = len;
				return buf;
			}
			break;
		}
		len += n;
	}
	close(fd);
	free(buf);
	return NULL;
}

/* The kernel log, NUL-terminated (to free), or NULL. */
static char *read_klog(void)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *log;

	if (size <= 0)
		return NULL;
	log = malloc(size + 1);
	if (!log)
		return NULL;
	size = klogctl(3, log, size);		/* SYSLOG_ACTION_READ_ALL */
	if (size < 0) {
		free(log);
		return NULL;
	}
	log[size] = '\0';
	return log;
}

/* Print the lines of the kernel log holding @key, as TAP diagnostics. */
void print_klog(const char *key)
{
	char *log = read_klog(), *p, *eol;

	for (p = log ? strstr(log, key) : NULL; p; p = strstr(eol, key)) {
		while (p > log && p[-1] != '\n')
			p--;
		eol = strchrnul(p, '\n');
		printf("# kernel: %.*s\n", (int)(eol - p), p);
	}
	free(log);
}

/*
 * The liveupdate-number this kernel received and the sessions and files,
 * from LUO's boot message "luo: live update #N: S sessions with F files
 * received, ...".  Return false when the kernel log does not say.
 */
bool received_update(uint64_t *number, unsigned long *sessions, unsigned long *files)
{
	const char *key = "luo: live update #";
	char *log = read_klog(), *p;
	bool found = false;

	for (p = log ? strstr(log, key) : NULL; p; p = strstr(p + 1, key)) {
		unsigned long long n;

		if (sscanf(p + strlen(key), "%llu: %lu sessions with %lu files", &n,
			   sessions, files) == 3) {
			*number = n;
			found = true;
		}
	}
	free(log);
	return found;
}
