/* SPDX-License-Identifier: GPL-2.0 */
/* luosnoop's reader of the per-CPU rings of luosnoop.h. */
#ifndef LUOSNOOP_RINGS_H
#define LUOSNOOP_RINGS_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "luosnoop.h"

struct luosnoop_rings;

/*
 * Called with each event in the order of time; false: not now, @e and the
 * events after it come again with the next drain (never when @last).
 */
typedef bool (*luosnoop_event_fn)(struct luo_event *e, bool last);

int luosnoop_rings_size(struct bpf_map *rings, struct bpf_map *slots, __u32 *shift);
struct luosnoop_rings *luosnoop_rings_open(struct bpf_map *rings, struct bpf_map *slots,
					   __u32 shift);
void luosnoop_rings_drain(struct luosnoop_rings *rs, luosnoop_event_fn fn, bool all);
__u64 luosnoop_rings_lost(const struct luosnoop_rings *rs);
void luosnoop_rings_close(struct luosnoop_rings *rs);

#endif /* LUOSNOOP_RINGS_H */
