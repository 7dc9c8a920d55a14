// SPDX-License-Identifier: GPL-2.0
/*
 * -p PID and --cgroup PATH for every tool (luo_filter.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "luo_filter.h"

struct luo_filter luo_filter;

enum { OPT_CGROUP = 0x100 };

static const struct argp_option filter_options[] = {
	{ "pid", 'p', "PID", 0, "Only the events of this process", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "Only the events of tasks in this cgroup (v2; its path, e.g. /sys/fs/cgroup/vmm)", 0 },
	{},
};

static error_t filter_parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;
	long v;

	switch (key) {
	case 'p':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v <= 0 || v > INT_MAX)
			argp_error(state, "invalid PID: %s", arg);
		luo_filter.pid = v;
		return 0;
	case OPT_CGROUP:
		luo_filter.cgroup = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp luo_filter_argp = {
	.options = filter_options,
	.parser = filter_parse_arg,
};

int luo_filter_cgroup_set(const char *tool, int map_fd)
{
	__u32 key = 0;
	int fd, err = 0;

	if (!luo_filter.cgroup)
		return 0;
	fd = open(luo_filter.cgroup, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: cannot open cgroup %s: %s\n", tool, luo_filter.cgroup,
			strerror(-err));
		return err;
	}
	if (bpf_map_update_elem(map_fd, &key, &fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "%s: %s is not a cgroup (v2) directory: %s\n", tool,
			luo_filter.cgroup, strerror(-err));
	}
	close(fd);
	return err;
}
