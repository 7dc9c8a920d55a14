/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state a test service of the systemd guest keeps in its memfd, and the
 * stamp file it publishes (luo_svc.c; Documentation/systemd-guest.rst).
 */
#ifndef LUO_SVC_H
#define LUO_SVC_H

#include <stdint.h>

#define LUO_SVC_MAGIC		"LUOSVC01"
/* Where the services publish what they found: one file per service. */
#define LUO_SVC_RUN_DIR		"/run/luo-svc"
/* The updates a state remembers the stamps of. */
#define LUO_SVC_MAX_GEN		8

/**
 * struct luo_svc_stamp - One moment, on two clocks.
 * @tsc:  The time stamp counter: one clock across the kexec.
 * @mono: CLOCK_MONOTONIC of the kernel that ran then, in ns: to place
 *        systemd's timestamps of the same boot on the TSC's line.
 */
struct luo_svc_stamp {
	uint64_t tsc;
	uint64_t mono;
};

/**
 * struct luo_svc_state - The head of the memfd; the payload follows it.
 * @magic:      %LUO_SVC_MAGIC.
 * @seed:       Seed of the payload's bytes (luo_svc_byte()).
 * @size:       Bytes of payload.
 * @generation: Updates the state has lived through.
 * @stop:       When the service was told to stop, per generation.
 * @back:       When it had its state back after an update, per generation
 *              (@back[g] ends the blackout that @stop[g - 1] began).
 */
struct luo_svc_state {
	char magic[8];
	uint64_t seed;
	uint64_t size;
	uint64_t generation;
	struct luo_svc_stamp stop[LUO_SVC_MAX_GEN];
	struct luo_svc_stamp back[LUO_SVC_MAX_GEN];
};

/* Byte @i of a payload of seed @seed: cheap, position-dependent. */
static inline uint8_t luo_svc_byte(uint64_t seed, uint64_t i)
{
	uint64_t x = (seed ^ (i >> 3)) * 0x9e3779b97f4a7c15ull;

	return (uint8_t)((x ^ (x >> 29)) >> ((i & 7) * 8));
}

#endif /* LUO_SVC_H */
