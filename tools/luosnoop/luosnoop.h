/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What luosnoop.bpf.c and luosnoop.c share: a ring of events per CPU, in
 * two memory-mapped arrays.
 *
 * A BPF ring buffer takes a spinlock with interrupts off, and a header
 * commit, for every record: under emulation that is most of what tracing
 * an operation costs.  Here a program claims the next slot of its CPU's
 * ring with one compare-and-swap on that CPU's head (a task preempted in a
 * program can share the CPU with another one), writes the event in place,
 * and publishes it by setting the slot's sequence number.  luosnoop reads
 * every ring from its tail, up to the first slot not yet published,
 * through the mapping, and moves the tail on: no system call an event.
 * A one-page BPF ring buffer serves only to wake luosnoop early: when a
 * ring is half full, and at reboot_end, the last event before the kexec.
 */
#ifndef LUOSNOOP_H
#define LUOSNOOP_H

#include "luo_ops.h"

/* One CPU's ring, on a cache line of its own. */
struct luosnoop_ring {
	__u64 head;	/* slots claimed, by the BPF programs */
	__u64 tail;	/* slots read, by luosnoop */
	__u64 lost;	/* events that found the ring full */
	__u64 pad[5];
};

/* One slot: @seq is n + 1 once the ring's n-th event is written in @e. */
struct luosnoop_slot {
	__u64 seq;
	struct luo_event e;
};

#endif /* LUOSNOOP_H */
