/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mainline LUO's structures, as much of them as luo_fentry.bpf.h reads: CO-RE
 * flavors (___ml) whose fields the running kernel's BTF places, and the
 * reads of them and of a traced function's arguments.  Included by
 * luo_fentry.bpf.h.
 */
#ifndef LUO_MAINLINE_BPF_H
#define LUO_MAINLINE_BPF_H

#include <bpf/bpf_core_read.h>

struct liveupdate_file_handler___ml {
	const char compatible[LUO_COMPAT_LEN];
} __attribute__((preserve_access_index));

struct luo_file___ml {
	struct liveupdate_file_handler___ml *fh;
	struct list_head list;
	__u64 token;
} __attribute__((preserve_access_index));

struct luo_file_set___ml {
	struct list_head files_list;
	__u64 count;
} __attribute__((preserve_access_index));

struct luo_session___ml {
	char name[LUO_NAME_LEN];
	struct luo_file_set___ml file_set;
} __attribute__((preserve_access_index));

struct kho_block_set___ml {
	__u64 head_pa;
} __attribute__((preserve_access_index));

struct luo_session_header___ml {
	long count;
	struct kho_block_set___ml block_set;
	bool active;
} __attribute__((preserve_access_index));

struct luo_session_global___ml {
	struct luo_session_header___ml incoming;
	struct luo_session_header___ml outgoing;
} __attribute__((preserve_access_index));

/* Static in mainline, without a BTF variable: its address from kallsyms. */
extern const void luo_session_global __ksym __weak;

/*
 * Argument @n of the traced function, and its return value, as plain
 * values: a typed pointer from the function's BTF could not be hashed by
 * the tools, nor moved back to the structure holding it.  Everything is
 * read through it with BPF_CORE_READ().
 */
static __always_inline __u64 luo_fx_arg(void *ctx, __u32 n)
{
	__u64 v = 0;

	bpf_get_func_arg(ctx, n, &v);
	return v;
}

static __always_inline int luo_fx_ret(void *ctx)
{
	__u64 v = 0;

	bpf_get_func_ret(ctx, &v);
	return (int)v;
}

/* The session holding the file set @fs (a member of struct luo_session). */
static __always_inline const struct luo_session___ml *luo_fx_session(const void *fs)
{
	return (const void *)((const char *)fs -
			      bpf_core_field_offset(struct luo_session___ml, file_set));
}

static __always_inline const char *luo_fx_name(const struct luo_session___ml *s)
{
	return (const char *)s + bpf_core_field_offset(struct luo_session___ml, name);
}

static __always_inline const char *luo_fx_compat(const struct liveupdate_file_handler___ml *fh)
{
	return fh ? (const char *)fh +
		    bpf_core_field_offset(struct liveupdate_file_handler___ml, compatible) : NULL;
}

/* The file entry whose list node is @node. */
static __always_inline const struct luo_file___ml *luo_fx_file(const void *node)
{
	return (const void *)((const char *)node -
			      bpf_core_field_offset(struct luo_file___ml, list));
}

/* The last file of @fs: the one a preserve added, or an unpreserve or finish loop is at. */
static __always_inline const struct luo_file___ml *luo_fx_last(const void *fs)
{
	const struct luo_file_set___ml *set = fs;

	return luo_fx_file(BPF_CORE_READ(set, files_list.prev));
}

/* @a's sessions: the incoming or outgoing ones LUO counts. */
static __always_inline void luo_fx_sessions(struct luo_args *a, bool incoming)
{
	const struct luo_session_global___ml *g = (const void *)&luo_session_global;

	if (!g)
		a->unknown |= LUO_UNKNOWN_SESSIONS;
	else if (incoming)
		a->sessions = BPF_CORE_READ(g, incoming.count);
	else
		a->sessions = BPF_CORE_READ(g, outgoing.count);
}

static __always_inline __u64 luo_fx_since(__u64 ts)
{
	return ts ? bpf_ktime_get_ns() - ts : 0;
}

#endif /* LUO_MAINLINE_BPF_H */
