/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luotop's maps, shared by luotop.bpf.c and the tool.
 *
 * slots:    per-CPU table, operation x handler -> counts and a log2
 *           histogram of the callback's duration (what luotop sums up
 *           across CPUs to show rates, p50 and p99);
 * stats:    per-CPU hash, the same for the keys whose slot is taken;
 * sslots:   table, the sessions LUO held when luotop started (read from
 *           our LUO's iterator) and those seen since, outgoing (created)
 *           and incoming (retrieved), with their files;
 * sessions: hash, the same for the sessions whose slot is taken;
 * names:    the handlers' names, by the kernel's address of each.
 */
#ifndef LUOTOP_H
#define LUOTOP_H

#include "luo_ops.h"

#define LUOTOP_MAX_STATS	1024
#define LUOTOP_SLOTS		256	/* of the per-CPU stats table; a power of 2 */
#define LUOTOP_MAX_SESSIONS	4096
#define LUOTOP_SESSION_SLOTS	1024	/* of the sessions table; a power of 2 */

/*
 * Operation x handler.  The BPF side keys by the kernel's address of the
 * handler's name, 0 for the events without one, and reads the name into
 * the names map once, when the key is new: no string is read or hashed per
 * event.  Each CPU counts in its own slot of the slots table (luo_slot() of
 * the key); only a key whose slot another one holds on that CPU goes to the
 * stats hash.  luotop adds up the keys of one name.
 */
struct luotop_key {
	__u32 op;			/* enum luo_op */
	__u32 used;			/* a slot: 1 once it holds this key */
	__u64 handler;			/* kernel address of its name */
};

/* The names map's value, for a kernel address. */
struct luotop_name {
	char name[LUO_COMPAT_LEN];
};

struct luotop_stat {
	__u64 count;			/* events */
	__u64 ok;			/* of which result >= 0 */
	__u64 errors;			/* of which result < 0 */
	__u64 timed;			/* of which duration_ns > 0 */
	__u64 sum_ns;			/* their total duration */
	__u64 slots[LUO_HIST_SLOTS];	/* log2 histogram of duration_ns */
};

/* A slot of the per-CPU stats table: its key and its counts. */
struct luotop_slot {
	struct luotop_key key;
	struct luotop_stat st;
};

enum luotop_dir {
	LUOTOP_OUT = 1,			/* created here, to be handed over */
	LUOTOP_IN = 2,			/* retrieved, from the previous kernel */
};

/*
 * A session, by the kernel's address of its name: the session's own copy,
 * which its events pass while it lives (a create or retrieve starts the
 * entry anew, a release of an outgoing one deletes it).
 */
struct luotop_skey {
	__u32 dir;			/* enum luotop_dir */
	__u32 pad;
	__u64 session;			/* kernel address of its name */
};

#define LUOTOP_S_FINISHED	0x1
#define LUOTOP_S_RELEASED	0x2
#define LUOTOP_S_WAITING	0x4	/* IN: held when luotop started, not retrieved yet */

struct luotop_session {
	__u64 files;		/* OUT: preserved now; IN: held at retrieve */
	__u64 retrieved;	/* IN: files retrieved */
	__u64 finished;		/* IN: files finished */
	__u32 flags;		/* LUOTOP_S_* */
	__u32 pad;
	char name[LUO_NAME_LEN];	/* read at create or retrieve */
};

/*
 * A slot of the sessions table, which luotop maps read-only: the session
 * it holds (@session 0: free), in the slot luo_slot() gives its key.  A
 * session whose slot another one holds goes to the sessions hash.  An
 * address names what it named when its key was made: a string that
 * changed at the same address (a module reloaded where another was) keeps
 * the old name until its key is made again (a session at create or
 * retrieve; a handler's key never).
 */
struct luotop_sslot {
	__u64 session;			/* kernel address of its name, 0: free */
	__u32 dir;			/* enum luotop_dir */
	__u32 seq;			/* odd while @dir and @s are written */
	struct luotop_session s;
};

#endif /* LUOTOP_H */
