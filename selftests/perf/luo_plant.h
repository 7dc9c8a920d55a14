/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the perf-regression tests and their planted regressions share: the
 * tokens that carry a memfd's size, and the plants luo_plant can attach.
 */
#ifndef LUO_PLANT_H
#define LUO_PLANT_H

/*
 * A file whose token has PERF_TOKEN_SIZED set holds a memfd of
 * PERF_TOKEN_MIB(token) MiB: the size-dependent plants read it from there,
 * since LUO's hooks see the session, the handler and the token only.
 */
#define PERF_TOKEN_SIZED	(1ULL << 40)
#define PERF_TOKEN(mib, idx)	(PERF_TOKEN_SIZED | ((unsigned long long)(mib) << 16) | (idx))
#define PERF_TOKEN_MIB(token)	(((token) >> 16) & 0xffffff)

/*
 * The timed preserves of luo_perf lookup: PERF_TOKEN_LOOKUP set, the file's
 * index in its session in the low 32 bits.
 */
#define PERF_TOKEN_LOOKUP	(1ULL << 41)
#define PERF_TOKEN_INDEX(token)	((token) & 0xffffffffULL)

enum luo_plant {
	PLANT_PRESERVE,	/* fentry luo_hook_file_preserve: ns x MiB^2 (sized files) */
	PLANT_FREEZE,	/* fentry luo_hook_file_freeze: ns x MiB (sized files) */
	PLANT_REBOOT,	/* fentry liveupdate_reboot: ns, before the record starts */
	PLANT_EVENTS,	/* tp_btf file preserve/freeze/retrieve events: ns each */
	PLANT_LOOKUP,	/* fentry luo_hook_file_preserve: ns x index (lookup files) */
	PLANT_FREEZE_NTH, /* fentry luo_hook_file_freeze: ns x n for the reboot's n-th */
	PLANT_ABORT,	/* not a plant: fmod_ret luo_hook_serialize fails every reboot */
	NR_PLANTS
};

#endif /* LUO_PLANT_H */
