/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LUO events of a kernel without the liveupdate tracepoints (mainline's
 * LUO), from fentry and fexit programs on its functions, found in the
 * running kernel's BTF: each gives luo_on_event() the struct luo_args the
 * tracepoint would have.  Included by luo_events.bpf.h; the loader
 * (luo_select_mode() of tools/lib/luo_mode.c) loads either the tracepoint
 * programs or these, and of these only those whose function the kernel has.
 *
 * What these functions do not tell is marked in luo_args' @unknown, never
 * made up: the callbacks' own time (a preserve's or a retrieve's duration
 * spans LUO's function, the handler's callback with it; an unpreserve's or
 * a finish's per file is not timed), the files and bytes of the reboot,
 * the liveupdate number.  Mainline's freeze, unfreeze and can_finish of a
 * file run inlined in loops over a session's files, and its FLB callbacks
 * behind reference counts: they have no event in this mode.
 *
 * Mainline's structures are read with CO-RE, as flavors (___ml) holding
 * only the fields read: the running kernel's BTF places them
 * (luo_mainline.bpf.h).
 */
#ifndef LUO_FENTRY_BPF_H
#define LUO_FENTRY_BPF_H

#include "luo_mainline.bpf.h"

/*
 * What a task's enclosing LUO function left for the events inside it or at
 * its exit: the start of what is timed, the file set whose files an
 * unpreserve or finish loop is walking, the session being released (its
 * name copied: it is freed before the release returns).
 */
struct luo_fx_ctx {
	__u64 op_ts;
	__u64 reboot_ts;
	__u64 serialize_ts;
	__u64 set;
	__u32 set_op;
	__u32 serialized;
	__u64 files;
	__u64 release;
	__u64 release_files;
	bool incoming_first;
	char release_name[LUO_NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct luo_fx_ctx);
} luo_fx_ctx SEC(".maps");

/* The calling task's context; made when @make and none is there. */
static __always_inline struct luo_fx_ctx *luo_fx_ctx_get(bool make)
{
	static const struct luo_fx_ctx zero;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct luo_fx_ctx *c = bpf_map_lookup_elem(&luo_fx_ctx, &tid);

	if (c || !make)
		return c;
	bpf_map_update_elem(&luo_fx_ctx, &tid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&luo_fx_ctx, &tid);
}

/* Sessions: named and counted at the exits. */

SEC("fexit/luo_session_create")
int luo_fx_session_create(void *ctx)
{
	const char *name = (const char *)luo_fx_arg(ctx, 0);
	struct file **filep = (struct file **)luo_fx_arg(ctx, 1);
	int ret = luo_fx_ret(ctx);
	struct luo_args a = { .op = LUO_OP_SESSION_CREATE, .session = name, .result = ret };
	struct file *f = NULL;

	/* A session's name is its own once made: keyed by the session's. */
	if (!ret && !bpf_probe_read_kernel(&f, sizeof(f), filep) && f)
		a.session = luo_fx_name(BPF_CORE_READ(f, private_data));
	luo_on_event(&a);
	return 0;
}

SEC("fexit/luo_session_retrieve")
int luo_fx_session_retrieve(void *ctx)
{
	const char *name = (const char *)luo_fx_arg(ctx, 0);
	struct file **filep = (struct file **)luo_fx_arg(ctx, 1);
	int ret = luo_fx_ret(ctx);
	struct luo_args a = { .op = LUO_OP_SESSION_RETRIEVE, .session = name, .result = ret };
	const struct luo_session___ml *s;
	struct file *f = NULL;

	if (!ret && !bpf_probe_read_kernel(&f, sizeof(f), filep) && f) {
		s = BPF_CORE_READ(f, private_data);
		a.session = luo_fx_name(s);
		a.files = BPF_CORE_READ(s, file_set.count);
	}
	luo_on_event(&a);
	return 0;
}

SEC("fentry/luo_session_release")
int luo_fx_release_entry(void *ctx)
{
	struct file *filep = (struct file *)luo_fx_arg(ctx, 1);
	struct luo_fx_ctx *c = luo_fx_ctx_get(true);
	const struct luo_session___ml *s = BPF_CORE_READ(filep, private_data);

	if (!c)
		return 0;
	c->release = (__u64)s;
	c->release_files = BPF_CORE_READ(s, file_set.count);
	bpf_probe_read_kernel_str(c->release_name, sizeof(c->release_name), luo_fx_name(s));
	return 0;
}

/*
 * The release's event, sent while the session still exists: from its free
 * (a session freed and another made at its address before the release
 * returned would be named by the other one), or, when it is not freed (a
 * retrieved session whose finish failed), at the release's exit.
 */
static __always_inline void luo_fx_release_event(struct luo_fx_ctx *c, int ret)
{
	struct luo_args a = {
		.op = LUO_OP_SESSION_RELEASE, .result = ret,
		.session = luo_fx_name((const void *)c->release),
		.session_copy = c->release_name, .files = c->release_files,
	};

	c->release = 0;
	luo_on_event(&a);
}

SEC("fentry/luo_session_free")
int luo_fx_release_free(void *ctx)
{
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);

	if (c && c->release && c->release == luo_fx_arg(ctx, 0))
		luo_fx_release_event(c, 0);
	return 0;
}

SEC("fexit/luo_session_release")
int luo_fx_release_exit(void *ctx)
{
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);

	if (c && c->release)
		luo_fx_release_event(c, luo_fx_ret(ctx));
	return 0;
}

SEC("fentry/luo_session_finish")
int luo_fx_finish_entry(void *ctx)
{
	const struct luo_session___ml *s = (const struct luo_session___ml *)luo_fx_arg(ctx, 0);
	struct luo_fx_ctx *c = luo_fx_ctx_get(true);

	if (c)
		c->files = BPF_CORE_READ(s, file_set.count);
	return 0;
}

SEC("fexit/luo_session_finish")
int luo_fx_finish_exit(void *ctx)
{
	const struct luo_session___ml *s = (const struct luo_session___ml *)luo_fx_arg(ctx, 0);
	int ret = luo_fx_ret(ctx);
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);
	struct luo_args a = {
		.op = LUO_OP_SESSION_FINISH, .session = luo_fx_name(s), .result = ret,
		.unknown = LUO_UNKNOWN_FILES,
	};

	if (c) {
		a.files = c->files;
		a.unknown = 0;
	}
	luo_on_event(&a);
	return 0;
}

/* Files: a preserve and a retrieve timed over LUO's function. */

static __always_inline int luo_fx_op_start(void)
{
	struct luo_fx_ctx *c = luo_fx_ctx_get(true);

	if (c) {
		c->op_ts = bpf_ktime_get_ns();
		/* No unpreserve or finish loop is running: a stale one's exit was missed. */
		c->set = 0;
	}
	return 0;
}

/* @a's duration since luo_fx_op_start(), or marked unknown. */
static __always_inline void luo_fx_op_end(struct luo_args *a)
{
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);

	if (c && c->op_ts) {
		a->duration_ns = luo_fx_since(c->op_ts);
		c->op_ts = 0;
	} else {
		a->unknown |= LUO_UNKNOWN_DURATION;
	}
}

SEC("fentry/luo_preserve_file")
int luo_fx_preserve_entry(void *ctx)
{
	return luo_fx_op_start();
}

SEC("fexit/luo_preserve_file")
int luo_fx_preserve_exit(void *ctx)
{
	const void *fs = (const void *)luo_fx_arg(ctx, 0);
	__u64 token = luo_fx_arg(ctx, 1);
	int ret = luo_fx_ret(ctx);
	struct luo_args a = {
		.op = LUO_OP_FILE_PRESERVE, .session = luo_fx_name(luo_fx_session(fs)),
		.token = token, .result = ret, .unknown = LUO_UNKNOWN_HANDLER,
	};
	const struct luo_file___ml *last;

	luo_fx_op_end(&a);
	/* Made: the set's last file.  Refused: its handler, if one was chosen, is not known. */
	last = luo_fx_last(fs);
	if (!ret && BPF_CORE_READ(last, token) == token) {
		a.handler = luo_fx_compat(BPF_CORE_READ(last, fh));
		a.unknown &= ~LUO_UNKNOWN_HANDLER;
	}
	luo_on_event(&a);
	return 0;
}

/* The walk for a retrieved token's handler: at most LUO_FX_WALK files. */
#define LUO_FX_WALK	1024

struct luo_fx_walk {
	const void *head, *node;
	__u64 token;
	const char *handler;
};

static long luo_fx_walk_one(__u32 i, struct luo_fx_walk *w)
{
	const struct luo_file___ml *f;
	const struct list_head *node = w->node;

	if (!node || node == w->head)
		return 1;
	f = luo_fx_file(node);
	if (BPF_CORE_READ(f, token) == w->token) {
		w->handler = luo_fx_compat(BPF_CORE_READ(f, fh));
		return 1;
	}
	w->node = BPF_CORE_READ(node, next);
	return 0;
}

SEC("fentry/luo_retrieve_file")
int luo_fx_retrieve_entry(void *ctx)
{
	return luo_fx_op_start();
}

SEC("fexit/luo_retrieve_file")
int luo_fx_retrieve_exit(void *ctx)
{
	const void *fs = (const void *)luo_fx_arg(ctx, 0);
	__u64 token = luo_fx_arg(ctx, 1);
	int ret = luo_fx_ret(ctx);
	const struct luo_file_set___ml *set = fs;
	struct luo_args a = {
		.op = LUO_OP_FILE_RETRIEVE, .session = luo_fx_name(luo_fx_session(fs)),
		.token = token, .result = ret,
	};
	struct luo_fx_walk w = {
		.head = (const char *)fs + bpf_core_field_offset(struct luo_file_set___ml,
								  files_list),
		.token = token,
	};

	luo_fx_op_end(&a);
	w.node = BPF_CORE_READ(set, files_list.next);
	bpf_loop(LUO_FX_WALK, luo_fx_walk_one, &w, 0);
	a.handler = w.handler;
	if (!w.handler)
		a.unknown |= LUO_UNKNOWN_HANDLER;
	luo_on_event(&a);
	return 0;
}

/*
 * An unpreserve (a session closed) and a finish walk a session's files from
 * the last, each file's FLBs let go right after its callback: that call is
 * the file's event, the file still the set's last.
 */
/* Entering the loop over the file set, the function's first argument. */
static __always_inline int luo_fx_set_enter(void *ctx, __u32 op)
{
	struct luo_fx_ctx *c = luo_fx_ctx_get(true);

	if (c) {
		c->set = luo_fx_arg(ctx, 0);
		c->set_op = op;
	}
	return 0;
}

static __always_inline int luo_fx_set_exit(void)
{
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);

	if (c)
		c->set = 0;
	return 0;
}

/* A file of the loop: the function's argument is the file's handler. */
static __always_inline int luo_fx_set_file(void *ctx, __u32 op)
{
	const struct liveupdate_file_handler___ml *fh = (const void *)luo_fx_arg(ctx, 0);
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);
	const void *fs;
	struct luo_args a = { .op = op, .unknown = LUO_UNKNOWN_DURATION };

	/* Outside the loop: a refused preserve letting its FLBs go. */
	if (!c || !c->set || c->set_op != op)
		return 0;
	fs = (const void *)c->set;
	if (BPF_CORE_READ(luo_fx_last(fs), fh) != fh)
		return 0;
	a.session = luo_fx_name(luo_fx_session(fs));
	a.handler = luo_fx_compat(fh);
	a.token = BPF_CORE_READ(luo_fx_last(fs), token);
	luo_on_event(&a);
	return 0;
}

SEC("fentry/luo_file_unpreserve_files")
int luo_fx_unpreserve_entry(void *ctx)
{
	return luo_fx_set_enter(ctx, LUO_OP_FILE_UNPRESERVE);
}

SEC("fexit/luo_file_unpreserve_files")
int luo_fx_unpreserve_exit(void *ctx)
{
	return luo_fx_set_exit();
}

SEC("fentry/luo_flb_file_unpreserve")
int luo_fx_unpreserve_file(void *ctx)
{
	return luo_fx_set_file(ctx, LUO_OP_FILE_UNPRESERVE);
}

SEC("fentry/luo_file_finish")
int luo_fx_file_finish_entry(void *ctx)
{
	return luo_fx_set_enter(ctx, LUO_OP_FILE_FINISH);
}

SEC("fexit/luo_file_finish")
int luo_fx_file_finish_exit(void *ctx)
{
	return luo_fx_set_exit();
}

SEC("fentry/luo_flb_file_finish")
int luo_fx_finish_file(void *ctx)
{
	return luo_fx_set_file(ctx, LUO_OP_FILE_FINISH);
}

/*
 * The reboot: liveupdate_reboot() runs the serialization only when LUO is
 * enabled, and only then are there events (as from the tracepoints).
 */
SEC("fentry/liveupdate_reboot")
int luo_fx_reboot_entry(void *ctx)
{
	struct luo_fx_ctx *c = luo_fx_ctx_get(true);

	if (c) {
		c->reboot_ts = bpf_ktime_get_ns();
		c->serialized = 0;
	}
	return 0;
}

SEC("fentry/luo_session_serialize")
int luo_fx_serialize_entry(void *ctx)
{
	struct luo_fx_ctx *c = luo_fx_ctx_get(true);
	struct luo_args a = {
		.op = LUO_OP_REBOOT_BEGIN,
		.unknown = LUO_UNKNOWN_FILES,
	};

	if (c) {
		c->serialize_ts = bpf_ktime_get_ns();
		c->serialized = 1;
	}
	luo_fx_sessions(&a, false);
	luo_on_event(&a);
	return 0;
}

SEC("fexit/luo_session_serialize")
int luo_fx_serialize_exit(void *ctx)
{
	int ret = luo_fx_ret(ctx);
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);
	struct luo_args a = {
		.op = LUO_OP_SERIALIZE, .result = ret,
		.unknown = LUO_UNKNOWN_FILES | LUO_UNKNOWN_BYTES | LUO_UNKNOWN_DURATION,
	};

	if (c && c->serialize_ts) {
		a.duration_ns = luo_fx_since(c->serialize_ts);
		a.unknown &= ~LUO_UNKNOWN_DURATION;
	}
	luo_fx_sessions(&a, false);
	luo_on_event(&a);
	return 0;
}

SEC("fexit/liveupdate_reboot")
int luo_fx_reboot_exit(void *ctx)
{
	int ret = luo_fx_ret(ctx);
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);
	struct luo_args a = {
		.op = LUO_OP_REBOOT_END, .result = ret,
		.unknown = LUO_UNKNOWN_FILES,
	};

	if (!c || !c->serialized)
		return 0;
	a.duration_ns = luo_fx_since(c->reboot_ts);
	c->serialized = 0;
	luo_fx_sessions(&a, false);
	luo_on_event(&a);
	return 0;
}

/*
 * The incoming sessions are read at the first open of /dev/liveupdate;
 * later calls return what the first found.  The first is the one that
 * finds the handover still there.
 */
SEC("fentry/luo_session_deserialize")
int luo_fx_incoming_entry(void *ctx)
{
	const struct luo_session_global___ml *g = (const void *)&luo_session_global;
	struct luo_fx_ctx *c = luo_fx_ctx_get(true);

	if (!c || !g)
		return 0;
	c->incoming_first = BPF_CORE_READ(g, incoming.active) &&
			    BPF_CORE_READ(g, incoming.block_set.head_pa);
	return 0;
}

SEC("fexit/luo_session_deserialize")
int luo_fx_incoming_exit(void *ctx)
{
	int ret = luo_fx_ret(ctx);
	struct luo_fx_ctx *c = luo_fx_ctx_get(false);
	struct luo_args a = {
		.op = LUO_OP_INCOMING, .result = ret,
		.unknown = LUO_UNKNOWN_FILES | LUO_UNKNOWN_BYTES | LUO_UNKNOWN_NUMBER,
	};

	if (!c || !c->incoming_first)
		return 0;
	c->incoming_first = false;
	luo_fx_sessions(&a, true);
	luo_on_event(&a);
	return 0;
}

#endif /* LUO_FENTRY_BPF_H */
