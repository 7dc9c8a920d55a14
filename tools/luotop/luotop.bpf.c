// SPDX-License-Identifier: GPL-2.0
/*
 * luotop's BPF side.  Every liveupdate event (luo_events.bpf.h) is counted
 * per operation x handler in a per-CPU hash, with its errors and a log2
 * histogram of the handler callback's duration; luotop sums the CPUs once
 * a refresh and derives rates, p50 and p99.  The sessions created or
 * retrieved while luotop runs are followed in a second hash, with the
 * files preserved into them, or retrieved and finished from them: LUO has
 * no other interface that lists its sessions.  Both are keyed by the
 * kernel's addresses of the names (luotop.h): a string is read only when
 * a key is new.
 */
#include "vmlinux.h"
#include "luo_events.bpf.h"
#include "luo_helpers.bpf.h"
#include "luo_filter.bpf.h"
#include "luotop.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, LUOTOP_MAX_STATS);
	__type(key, struct luotop_key);
	__type(value, struct luotop_stat);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LUOTOP_SLOTS);
	__type(key, __u32);
	__type(value, struct luotop_slot);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LUOTOP_SESSION_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct luotop_sslot);
} sslots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LUOTOP_MAX_SESSIONS);
	__type(key, struct luotop_skey);
	__type(value, struct luotop_session);
} sessions SEC(".maps");

/* The handlers' names: room for one per slot and per key of the hash. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LUOTOP_SLOTS + LUOTOP_MAX_STATS);
	__type(key, __u64);
	__type(value, struct luotop_name);
} names SEC(".maps");

/* The initial value, too large for the BPF stack. */
struct luotop_stat zero_stat = {};

/*
 * The sessions in the hash.  Most sessions live in their slot: while the
 * hash holds none, a session missing from its slot is looked for no
 * further (a hash lookup is a call and a jhash, several us under TCG; an
 * outgoing session's files are unpreserved after its release, every one
 * an event to look for a session that has gone).  A session is put in the
 * hash, and counted, before its create or retrieve returns, so before any
 * event of its own.
 */
__u64 nr_hashed = 0;

static __always_inline struct luotop_session *hash_get(const struct luotop_skey *k)
{
	if (!*(volatile __u64 *)&nr_hashed)
		return NULL;
	return bpf_map_lookup_elem(&sessions, k);
}

static __always_inline void hash_put(const struct luotop_skey *k, const struct luotop_session *s)
{
	if (!bpf_map_update_elem(&sessions, k, s, BPF_NOEXIST))
		__sync_fetch_and_add(&nr_hashed, 1);
	else
		bpf_map_update_elem(&sessions, k, s, BPF_EXIST);
}

static __always_inline void hash_del(const struct luotop_skey *k)
{
	if (*(volatile __u64 *)&nr_hashed && !bpf_map_delete_elem(&sessions, k))
		__sync_fetch_and_sub(&nr_hashed, 1);
}

/* A new key: its handler's name read, once. */
static __always_inline void name_of(__u64 addr)
{
	struct luotop_name n;

	if (!addr)
		return;
	luo_read_str(n.name, sizeof(n.name), (const char *)addr);
	bpf_map_update_elem(&names, &addr, &n, BPF_ANY);
}

static __always_inline void count(const struct luo_args *a)
{
	struct luotop_key k = { .op = a->op, .handler = (__u64)a->handler };
	__u32 idx = luo_slot(k.op, k.handler, LUOTOP_SLOTS), slot;
	struct luotop_slot *sl = bpf_map_lookup_elem(&slots, &idx);
	struct luotop_stat *st;

	if (!sl)
		return;
	if (!sl->key.used) {
		name_of(k.handler);
		sl->key = k;
		sl->key.used = 1;
	}
	if (sl->key.op == k.op && sl->key.handler == k.handler) {
		st = &sl->st;
	} else {
		st = bpf_map_lookup_elem(&stats, &k);
		if (!st) {
			name_of(k.handler);
			bpf_map_update_elem(&stats, &k, &zero_stat, BPF_NOEXIST);
			st = bpf_map_lookup_elem(&stats, &k);
			if (!st)
				return;
		}
	}
	/* Per-CPU: no other CPU writes this copy. */
	st->count++;
	if (a->result < 0)
		st->errors++;
	else
		st->ok++;
	if (!a->duration_ns)
		return;
	st->timed++;
	st->sum_ns += a->duration_ns;
	slot = luo_log2_slot(a->duration_ns);
	st->slots[slot]++;
}

/* The slot of @k's session, whoever holds it. */
static __always_inline struct luotop_sslot *sslot(const struct luotop_skey *k)
{
	__u32 idx = luo_slot(k->dir, k->session, LUOTOP_SESSION_SLOTS);

	return bpf_map_lookup_elem(&sslots, &idx);
}

static __always_inline bool holds(const struct luotop_sslot *e, const struct luotop_skey *k)
{
	return e && e->session == k->session && e->dir == k->dir;
}

/* The session @k names, in direction @dir: in its slot, else in the hash. */
static __always_inline struct luotop_session *session(struct luotop_skey *k, __u32 dir)
{
	struct luotop_sslot *e;

	k->dir = dir;
	e = sslot(k);
	if (holds(e, k))
		return &e->s;
	return hash_get(k);
}

/*
 * Follow @k's session in direction @dir from now on, as @s says (its files,
 * flags...): its name is read here, once, into @s.  Its slot if free (or
 * its own, from a session that had the same address), else the hash.
 */
static __always_inline void start(struct luotop_skey *k, __u32 dir, struct luotop_session *s)
{
	struct luotop_sslot *e;

	k->dir = dir;
	luo_read_str(s->name, sizeof(s->name), (const char *)k->session);
	e = sslot(k);
	if (e && (holds(e, k) || !__sync_val_compare_and_swap(&e->session, 0, k->session))) {
		/* Odd while written: luotop skips the slot then. */
		__sync_fetch_and_add(&e->seq, 1);
		e->dir = dir;
		e->s = *s;
		__sync_fetch_and_add(&e->seq, 1);
		/*
		 * An incoming session retrieved again (its finish failed) may
		 * have gone to the hash the first time, its slot then taken.
		 */
		if (dir == LUOTOP_IN)
			hash_del(k);
		return;
	}
	hash_put(k, s);
}

/* Stop following @k's outgoing session. */
static __always_inline void stop(struct luotop_skey *k)
{
	struct luotop_sslot *e;

	k->dir = LUOTOP_OUT;
	e = sslot(k);
	if (holds(e, k)) {
		/* A slot taken again reads as being written until its dir is. */
		e->dir = 0;
		__sync_fetch_and_add(&e->seq, 2);
		e->session = 0;
	} else
		hash_del(k);
}

/* The ops that change what a followed session holds. */
#define FOLLOWED_OPS	((1U << LUO_OP_SESSION_CREATE) | (1U << LUO_OP_SESSION_RETRIEVE) |	\
			 (1U << LUO_OP_SESSION_FINISH) | (1U << LUO_OP_SESSION_RELEASE) |	\
			 (1U << LUO_OP_FILE_PRESERVE) | (1U << LUO_OP_FILE_UNPRESERVE) |	\
			 (1U << LUO_OP_FILE_RETRIEVE) | (1U << LUO_OP_FILE_FINISH))

static __always_inline void follow(const struct luo_args *a)
{
	struct luotop_skey k = { .session = (__u64)a->session };
	struct luotop_session *s, init = { .files = a->files };

	if (a->result < 0 || !(FOLLOWED_OPS & (1U << a->op)))
		return;
	switch (a->op) {
	case LUO_OP_SESSION_CREATE:
		init.files = 0;
		start(&k, LUOTOP_OUT, &init);
		break;
	case LUO_OP_SESSION_RETRIEVE:
		start(&k, LUOTOP_IN, &init);
		break;
	case LUO_OP_SESSION_FINISH:
		s = session(&k, LUOTOP_IN);
		if (s)
			s->flags |= LUOTOP_S_FINISHED;
		break;
	case LUO_OP_SESSION_RELEASE:
		/*
		 * An incoming session stays listed once closed, to count it as
		 * finished or not; an outgoing one is gone with its files.  The
		 * slots first: a release costs no lookup in the hash then.
		 */
		k.dir = LUOTOP_OUT;
		if (holds(sslot(&k), &k)) {
			stop(&k);
			break;
		}
		s = session(&k, LUOTOP_IN);
		if (s && !(s->flags & LUOTOP_S_RELEASED)) {
			s->flags |= LUOTOP_S_RELEASED;
			break;
		}
		stop(&k);
		break;
	case LUO_OP_FILE_PRESERVE:
		s = session(&k, LUOTOP_OUT);
		if (s)
			__sync_fetch_and_add(&s->files, 1);
		break;
	case LUO_OP_FILE_UNPRESERVE:
		s = session(&k, LUOTOP_OUT);
		if (s && s->files)
			__sync_fetch_and_sub(&s->files, 1);
		break;
	case LUO_OP_FILE_RETRIEVE:
		s = session(&k, LUOTOP_IN);
		if (s)
			__sync_fetch_and_add(&s->retrieved, 1);
		break;
	case LUO_OP_FILE_FINISH:
		s = session(&k, LUOTOP_IN);
		if (s)
			__sync_fetch_and_add(&s->finished, 1);
		break;
	}
}

static __always_inline void luo_on_event(const struct luo_args *a)
{
	if (!luo_task_passes())
		return;
	count(a);
	follow(a);
}

/*
 * The sessions LUO held when luotop started, from our LUO's iterator (run
 * once, after the events are attached: an event of a session not yet
 * followed is lost, and the session then read as it is after it).
 */
#include "luo_iter.bpf.h"

/* The walk of an incoming session's files, counting those retrieved. */
struct seed_walk {
	const struct list_head *head, *node;
	__u64 retrieved;
};

static long seed_walk_one(__u32 i, struct seed_walk *w)
{
	const struct list_head *node = w->node;
	const struct luo_file *f;

	if (!node || node == w->head)
		return 1;
	f = (const void *)((const char *)node - bpf_core_field_offset(struct luo_file, list));
	if (BPF_CORE_READ(f, retrieve_status) > 0)
		w->retrieved++;
	w->node = BPF_CORE_READ(node, next);
	return 0;
}

SEC("iter/luo_session")
int luotop_seed(struct bpf_iter__luo_session *ctx)
{
	struct luo_session *ls = ctx->session;
	struct luotop_session s = {};
	struct luotop_skey k = {};
	struct seed_walk w = {};
	__u64 nr;

	if (!ls)
		return 0;
	/* The key of its events: the address of the session's own name. */
	k.session = luo_iter_name_addr(&ctx->session);
	s.files = ls->nr_files;
	if (!ls->incoming) {
		start(&k, LUOTOP_OUT, &s);
		return 0;
	}
	if (ls->retrieved) {
		/* The session is locked: its list holds still. */
		w.head = &ls->files;
		w.node = BPF_CORE_READ(ls, files.next);
		nr = ls->nr_files;
		bpf_loop(nr < (1U << 23) ? nr : 1U << 23, seed_walk_one, &w, 0);
		s.retrieved = w.retrieved;
	} else {
		s.flags |= LUOTOP_S_WAITING;
	}
	start(&k, LUOTOP_IN, &s);
	return 0;
}
