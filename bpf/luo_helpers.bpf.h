/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers every BPF program of this repository may share (as libbpf-tools'
 * bits.bpf.h): the log2 slot of a duration, the comparison of a
 * NUL-terminated string with one the loader set, and the slot of a key in
 * a direct-mapped table.
 */
#ifndef LUO_HELPERS_BPF_H
#define LUO_HELPERS_BPF_H

#include "luo_ops.h"

/*
 * floor(log2(@v)), 0 for 0 and 1, at most LUO_HIST_SLOTS - 1: slot i of a
 * histogram counts [2^i, 2^(i+1)), as tools/lib's struct luo_hist reads it.
 */
static __always_inline __u32 luo_log2_slot(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5;
	v >>= shift;
	r |= shift;
	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r < LUO_HIST_SLOTS ? r : LUO_HIST_SLOTS - 1;
}

/*
 * Whether the NUL-terminated @s equals @want, comparing at most @len bytes;
 * two strings that fill all @len bytes unterminated are equal when those
 * bytes are.
 */
static __always_inline bool luo_str_eq(const char *s, const volatile char *want, int len)
{
	int i;

	for (i = 0; i < len; i++) {
		if (s[i] != want[i])
			return false;
		if (!s[i])
			return true;
	}
	return true;
}

/*
 * The slot of the key (@op, @addr) in a direct-mapped table of @n slots (a
 * power of 2), by a multiplicative hash computed inline.  A hash map's
 * lookup is a call, a jhash and a memcmp: several microseconds a lookup
 * under emulation (TCG), where an array's, inlined by the verifier, is a
 * few instructions.  So the tools count in per-CPU arrays, a key in its
 * slot, and go to a hash map only for a key whose slot another one holds.
 */
static __always_inline __u32 luo_slot(__u32 op, __u64 addr, __u32 n)
{
	/* Fibonacci hashing: the top bits of the product. */
	return (__u32)(((addr + op) * 0x9E3779B97F4A7C15ULL) >> (64 - __builtin_ctz(n)));
}

#endif /* LUO_HELPERS_BPF_H */
