// SPDX-License-Identifier: GPL-2.0
/*
 * luosnoop's reader of the per-CPU rings (luosnoop.h): both arrays mapped
 * into this process, each ring read from its tail up to the first slot not
 * yet published, the events of all CPUs handed on in the order of their
 * time stamps.
 *
 * A drain first reads the clock, and hands on only the events stamped
 * before that: an event stamped after it may have a predecessor on a CPU
 * read earlier in the same drain, not yet published then.  Those wait, in
 * the batch, for the next drain, and so do those from the first event the
 * caller cannot take yet (one that names a string by an address whose
 * first event was such a predecessor).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "luosnoop_rings.h"

/*
 * The slots of all rings: 16384 shared out among the CPUs, at least 1024
 * and at most 2048 a CPU (the reboot freezes every file on one CPU).
 */
#define RING_TOTAL	16384
#define RING_MIN_SHIFT	10
#define RING_MAX_SHIFT	11

struct luosnoop_rings {
	struct luosnoop_ring *rings;
	struct luosnoop_slot *slots;
	size_t rings_len, slots_len;
	unsigned int ncpus;
	__u32 shift;
	/*
	 * One drain's events, sorted by time before they are handed on, and
	 * those held back for the next: room for two drains' worth.
	 */
	struct batched {
		struct luo_event e;
		size_t i;	/* the order read in: of slots, within a CPU */
	} *batch;
	size_t nr, held;
};

/* The length of the mapping of an array of @n values of @size bytes. */
static size_t map_len(size_t n, size_t size)
{
	size_t page = sysconf(_SC_PAGESIZE);

	/* An array's values are 8-byte aligned. */
	return (n * ((size + 7) & ~(size_t)7) + page - 1) / page * page;
}

/*
 * The CPUs' ids run below this (the last id of the possible list, plus
 * one): a program indexes the rings by its CPU's id.
 */
static int nr_cpu_ids(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int n = -1, c;
	char sep;

	if (!f)
		return -errno;
	while (fscanf(f, "%d%c", &c, &sep) >= 1)
		n = c;
	fclose(f);
	return n < 0 ? -EINVAL : n + 1;
}

/**
 * luosnoop_rings_size() - size the two arrays before the BPF object loads
 * @rings: the array of struct luosnoop_ring
 * @slots: the array of struct luosnoop_slot
 * @shift: set to the log2 of a ring's slots, for the programs' ring_shift
 *
 * Return: 0, or a negative errno.
 */
int luosnoop_rings_size(struct bpf_map *rings, struct bpf_map *slots, __u32 *shift)
{
	int ncpus = nr_cpu_ids(), err;
	__u32 s = RING_MAX_SHIFT;

	if (ncpus < 0)
		return ncpus;
	while (s > RING_MIN_SHIFT && ((size_t)ncpus << s) > RING_TOTAL)
		s--;
	err = bpf_map__set_max_entries(rings, ncpus);
	if (!err)
		err = bpf_map__set_max_entries(slots, (__u32)ncpus << s);
	if (!err)
		*shift = s;
	return err;
}

/**
 * luosnoop_rings_open() - map the arrays of a loaded object
 * @rings: the array of struct luosnoop_ring
 * @slots: the array of struct luosnoop_slot
 * @shift: what luosnoop_rings_size() set
 *
 * Return: the reader, or NULL with errno set.
 */
struct luosnoop_rings *luosnoop_rings_open(struct bpf_map *rings, struct bpf_map *slots,
					   __u32 shift)
{
	struct luosnoop_rings *rs = calloc(1, sizeof(*rs));
	int err;

	if (!rs)
		return NULL;
	rs->ncpus = bpf_map__max_entries(rings);
	rs->shift = shift;
	rs->rings_len = map_len(rs->ncpus, sizeof(struct luosnoop_ring));
	rs->slots_len = map_len((size_t)rs->ncpus << shift, sizeof(struct luosnoop_slot));
	rs->batch = calloc((size_t)rs->ncpus << (shift + 1), sizeof(*rs->batch));
	if (!rs->batch)
		goto fail;
	rs->rings = mmap(NULL, rs->rings_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(rings), 0);
	if (rs->rings == MAP_FAILED) {
		rs->rings = NULL;
		goto fail;
	}
	rs->slots = mmap(NULL, rs->slots_len, PROT_READ, MAP_SHARED, bpf_map__fd(slots), 0);
	if (rs->slots == MAP_FAILED) {
		rs->slots = NULL;
		goto fail;
	}
	return rs;
fail:
	err = errno;
	luosnoop_rings_close(rs);
	errno = err;
	return NULL;
}

static int by_time(const void *a, const void *b)
{
	const struct batched *x = a, *y = b;

	if (x->e.ts_ns != y->e.ts_ns)
		return x->e.ts_ns < y->e.ts_ns ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/**
 * luosnoop_rings_drain() - hand on the events published so far
 * @rs: the reader
 * @fn: called with each event, oldest first, until it returns false
 * @all: hand on every event read, not only those stamped before the drain
 *       began (the last drain: @fn is told so, and takes every event)
 *
 * A slot claimed but not yet published stops its ring's read there: it and
 * the slots after it come with a later drain.
 */
void luosnoop_rings_drain(struct luosnoop_rings *rs, luosnoop_event_fn fn, bool all)
{
	__u64 mask = (1ULL << rs->shift) - 1, t, head, now = ~0ULL;
	const struct luosnoop_slot *s;
	struct luosnoop_ring *r;
	struct timespec ts;
	unsigned int cpu;
	size_t i, n;

	/* bpf_ktime_get_ns()'s clock. */
	if (!all && !clock_gettime(CLOCK_MONOTONIC, &ts))
		now = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	/* What the last drain held back comes first in the order read. */
	rs->nr = rs->held;
	for (cpu = 0; cpu < rs->ncpus; cpu++) {
		r = &rs->rings[cpu];
		t = r->tail;
		head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		for (; t != head; t++) {
			s = &rs->slots[((__u64)cpu << rs->shift) | (t & mask)];
			if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != t + 1)
				break;
			rs->batch[rs->nr].e = s->e;
			rs->batch[rs->nr].i = rs->nr;
			rs->nr++;
		}
		/* The slots read are the programs' again. */
		__atomic_store_n(&r->tail, t, __ATOMIC_RELEASE);
	}
	/* Stable: the order read breaks ties, for qsort is not. */
	qsort(rs->batch, rs->nr, sizeof(*rs->batch), by_time);
	for (n = 0; n < rs->nr && rs->batch[n].e.ts_ns <= now; n++)
		if (!fn(&rs->batch[n].e, all) && !all)
			break;
	/* The rest, after the clock was read or not taken: kept, in order. */
	rs->held = rs->nr - n;
	memmove(rs->batch, rs->batch + n, rs->held * sizeof(*rs->batch));
	for (i = 0; i < rs->held; i++)
		rs->batch[i].i = i;
}

/**
 * luosnoop_rings_lost() - the events that found their ring full
 * @rs: the reader
 *
 * Return: their number, over every CPU.
 */
__u64 luosnoop_rings_lost(const struct luosnoop_rings *rs)
{
	__u64 lost = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < rs->ncpus; cpu++)
		lost += __atomic_load_n(&rs->rings[cpu].lost, __ATOMIC_RELAXED);
	return lost;
}

/**
 * luosnoop_rings_close() - unmap and free
 * @rs: the reader, or NULL
 */
void luosnoop_rings_close(struct luosnoop_rings *rs)
{
	if (!rs)
		return;
	if (rs->rings)
		munmap(rs->rings, rs->rings_len);
	if (rs->slots)
		munmap(rs->slots, rs->slots_len);
	free(rs->batch);
	free(rs);
}
