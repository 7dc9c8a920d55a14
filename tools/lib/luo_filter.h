/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The task filters every tool takes, -p PID and --cgroup PATH, as an argp
 * child parser; the BPF side is bpf/luo_filter.bpf.h.
 */
#ifndef LUO_FILTER_H
#define LUO_FILTER_H

#include <argp.h>
#include <stdbool.h>
#include <sys/types.h>

/* What -p and --cgroup asked for: 0 and NULL when not given. */
struct luo_filter {
	pid_t pid;
	const char *cgroup;
};

extern struct luo_filter luo_filter;
extern const struct argp luo_filter_argp;

/*
 * After the load: put --cgroup's cgroup into the BPF side's luo_cgroup_map
 * (@map_fd).  Says why it cannot, as @tool, on stderr.  Return: 0 or -errno.
 */
int luo_filter_cgroup_set(const char *tool, int map_fd);

#endif /* LUO_FILTER_H */
