/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The task filters every tool takes (-p PID, --cgroup PATH), applied by
 * its BPF program before anything else: set by the loader in .rodata
 * (tools/lib/luo_filter.c), so that the verifier drops the code of a
 * filter not in use.  A tool's X.bpf.c includes this and calls
 * luo_task_passes() first in luo_on_event().
 */
#ifndef LUO_FILTER_BPF_H
#define LUO_FILTER_BPF_H

#include <bpf/bpf_helpers.h>

/* Only the events of this process (its tgid); 0: every process. */
const volatile __u32 luo_targ_tgid = 0;
/* Only the events of tasks in the cgroup of luo_cgroup_map[0] (or below). */
const volatile bool luo_filter_cgroup = false;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} luo_cgroup_map SEC(".maps");

/* Whether the current task passes -p and --cgroup. */
static __always_inline bool luo_task_passes(void)
{
	if (luo_targ_tgid && (bpf_get_current_pid_tgid() >> 32) != luo_targ_tgid)
		return false;
	if (luo_filter_cgroup && bpf_current_task_under_cgroup(&luo_cgroup_map, 0) != 1)
		return false;
	return true;
}

#endif /* LUO_FILTER_BPF_H */
