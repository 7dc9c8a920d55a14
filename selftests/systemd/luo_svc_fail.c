// SPDX-License-Identifier: GPL-2.0
/*
 * luo_svc_fail - fail LUO's preserve of one file, whoever asks for it, until
 * the next kexec (luo_svc_fail.bpf.c).
 *
 *   luo_svc_fail (--ino INODE | --memfd NAME) [--errno N]
 *	The file: its inode number, or a memfd's name (a memfd LUO restored
 *	has none).
 *	Loads and attaches the program, pins its link and its data under
 *	/sys/fs/bpf/luo_svc_fail/ (so that it outlives this process, and
 *	systemd's killing of every process before the kexec), exits.
 *   luo_svc_fail --status
 *	How many preserves it failed, and the token of the last.
 *
 * The systemd tests fail a service's fd store this way: systemd-shutdown
 * preserves it, and must report it lost while the others arrive.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "luo_svc_fail.skel.h"

#define PIN_DIR		"/sys/fs/bpf/luo_svc_fail"

static int status(void)
{
	struct luo_svc_fail_bpf__bss bss;
	__u32 key = 0;
	int fd = bpf_obj_get(PIN_DIR "/bss");

	if (fd < 0 || bpf_map_lookup_elem(fd, &key, &bss)) {
		fprintf(stderr, "luo_svc_fail: nothing pinned in %s: %s\n", PIN_DIR,
			strerror(errno));
		return 1;
	}
	printf("failed=%llu\nfailed_token=%llu\n", (unsigned long long)bss.failed,
	       (unsigned long long)bss.failed_token);
	return 0;
}

static int arm(unsigned long long ino, const char *memfd, int err)
{
	struct luo_svc_fail_bpf *skel;
	struct bpf_link *link;
	int ret;

	skel = luo_svc_fail_bpf__open();
	if (!skel) {
		fprintf(stderr, "luo_svc_fail: open: %s\n", strerror(errno));
		return 1;
	}
	if (memfd)
		snprintf((char *)skel->rodata->target, sizeof(skel->rodata->target), "memfd:%s",
			 memfd);
	skel->rodata->target_ino = ino;
	skel->rodata->error = -err;
	ret = luo_svc_fail_bpf__load(skel);
	if (ret) {
		fprintf(stderr, "luo_svc_fail: load: %s\n", strerror(-ret));
		goto out;
	}
	link = bpf_program__attach(skel->progs.fail_named);
	ret = link ? 0 : -errno;
	if (!ret && mkdir(PIN_DIR, 0700) && errno != EEXIST)
		ret = -errno;
	if (!ret)
		ret = bpf_link__pin(link, PIN_DIR "/link");
	if (!ret)
		ret = bpf_map__pin(skel->maps.bss, PIN_DIR "/bss");
	if (ret)
		fprintf(stderr, "luo_svc_fail: attach and pin in %s: %s\n", PIN_DIR,
			strerror(-ret));
	else
		printf("luo_svc_fail: preserves of %s%s%s%llu fail with -%d until the kexec\n",
		       memfd ? "memfd:" : "", memfd ? memfd : "", memfd ? "" : "inode ",
		       memfd ? 0ULL : ino, err);
out:
	luo_svc_fail_bpf__destroy(skel);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "memfd", required_argument, NULL, 'm' },
		{ "ino", required_argument, NULL, 'i' },
		{ "errno", required_argument, NULL, 'e' },
		{ "status", no_argument, NULL, 's' },
		{}
	};
	const char *memfd = NULL;
	unsigned long long ino = 0;
	int c, err = EIO;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			memfd = optarg;
			break;
		case 'i':
			ino = strtoull(optarg, NULL, 0);
			break;
		case 'e':
			err = atoi(optarg);
			break;
		case 's':
			return status();
		default:
			goto usage;
		}
	}
	if (!memfd != !ino && err > 0 && err < 4096)
		return arm(ino, memfd, err);
usage:
	fprintf(stderr, "usage: luo_svc_fail (--ino INODE | --memfd NAME) [--errno N] | --status\n");
	return 2;
}
