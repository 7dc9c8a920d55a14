// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: BPF iterators over the sessions and their files.
 */

/**
 * DOC: LUO iterators
 *
 * Events tell a tool what happened while it ran; the two ``bpf_iter``
 * targets here tell it what LUO holds now, whenever it starts:
 *
 * - ``luo_session``: every session, the incoming ones (handed over by the
 *   previous kernel, not finished yet) first, then the outgoing ones in the
 *   order of their entries in the handover.  The program's context is
 *   &struct bpf_iter__luo_session.
 * - ``luo_file``: every file of those sessions, in the same order of
 *   sessions and, within one, in the order the files were preserved
 *   (&struct bpf_iter__luo_file).
 *
 * Both pointers are trusted: a program reads the structures directly (the
 * handler's compatible string, the token, the state; the preserved or
 * retrieved &struct file), read-only.  As for every iterator, the program
 * runs once more at the end with NULL pointers.
 *
 * A read() holds luo.lock from its first element to its last: no session
 * is created, retrieved, finished or closed meanwhile and a live update
 * waits for the read to end.  The session a program is shown is locked too,
 * so that its files and its counts hold still.  A walk longer than one
 * read() resumes by position: what changed between two reads may be seen
 * twice or missed, as for any seq_file.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/bpf.h>
#include <linux/btf_ids.h>
#include <linux/init.h>
#include <linux/seq_file.h>

#include "luo_internal.h"

/**
 * struct bpf_iter__luo_session - What a ``luo_session`` program is shown.
 * @meta:    The iterator's; @meta->seq is where bpf_seq_write() writes.
 * @session: A session, locked; NULL in the last run.
 */
struct bpf_iter__luo_session {
	__bpf_md_ptr(struct bpf_iter_meta *, meta);
	__bpf_md_ptr(struct luo_session *, session);
};

/**
 * struct bpf_iter__luo_file - What a ``luo_file`` program is shown.
 * @meta:    As for &struct bpf_iter__luo_session.
 * @session: The session of @file, locked; NULL in the last run.
 * @file:    A file of it; NULL in the last run.
 */
struct bpf_iter__luo_file {
	__bpf_md_ptr(struct bpf_iter_meta *, meta);
	__bpf_md_ptr(struct luo_session *, session);
	__bpf_md_ptr(struct luo_file *, file);
};

/* The session a luo_file walk is in, locked while it is. */
struct luo_iter_priv {
	struct luo_session *session;
};

/* The session after @session (NULL: the first): incoming, then outgoing. */
static struct luo_session *luo_iter_next_session(struct luo_session *session)
{
	lockdep_assert_held(&luo.lock);
	if (!session) {
		if (!list_empty(&luo.incoming))
			return list_first_entry(&luo.incoming, struct luo_session,
						list);
	} else if (session->incoming) {
		if (!list_is_last(&session->list, &luo.incoming))
			return list_next_entry(session, list);
	} else {
		if (list_is_last(&session->list, &luo.sessions))
			return NULL;
		return list_next_entry(session, list);
	}
	return list_first_entry_or_null(&luo.sessions, struct luo_session,
					list);
}

static int luo_iter_run(struct bpf_iter_meta *meta, void *ctx, bool in_stop)
{
	struct bpf_prog *prog = bpf_iter_get_info(meta, in_stop);

	return prog ? bpf_iter_run_prog(prog, ctx) : 0;
}

/* luo_session */

static void *luo_iter_session_start(struct seq_file *seq, loff_t *pos)
{
	struct luo_session *session;
	loff_t n = *pos;

	mutex_lock(&luo.lock);
	session = luo_iter_next_session(NULL);
	while (session && n--)
		session = luo_iter_next_session(session);
	return session;
}

static void *luo_iter_session_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return luo_iter_next_session(v);
}

static int luo_iter_session_show(struct seq_file *seq, void *v)
{
	struct bpf_iter_meta meta = { .seq = seq };
	struct bpf_iter__luo_session ctx = { .meta = &meta, .session = v };
	struct luo_session *session = v;
	int ret;

	mutex_lock(&session->lock);
	ret = luo_iter_run(&meta, &ctx, false);
	mutex_unlock(&session->lock);
	return ret;
}

static void luo_iter_session_stop(struct seq_file *seq, void *v)
{
	struct bpf_iter_meta meta = { .seq = seq };
	struct bpf_iter__luo_session ctx = { .meta = &meta };

	if (!v)
		luo_iter_run(&meta, &ctx, true);
	mutex_unlock(&luo.lock);
}

static const struct seq_operations luo_iter_session_ops = {
	.start	= luo_iter_session_start,
	.next	= luo_iter_session_next,
	.stop	= luo_iter_session_stop,
	.show	= luo_iter_session_show,
};

/* luo_file */

/*
 * The first file of @session or of a session after it, its session left in
 * @priv locked; NULL and nothing locked past the last one.
 */
static struct luo_file *luo_iter_first_file(struct luo_iter_priv *priv,
					    struct luo_session *session)
{
	for (; session; session = luo_iter_next_session(session)) {
		mutex_lock(&session->lock);
		if (!list_empty(&session->files)) {
			priv->session = session;
			return list_first_entry(&session->files,
						struct luo_file, list);
		}
		mutex_unlock(&session->lock);
	}
	priv->session = NULL;
	return NULL;
}

/* The file after @lf, maybe in a session after its own (see above). */
static struct luo_file *luo_iter_next_file(struct luo_iter_priv *priv,
					   struct luo_file *lf)
{
	struct luo_session *session = priv->session;

	if (!list_is_last(&lf->list, &session->files))
		return list_next_entry(lf, list);
	mutex_unlock(&session->lock);
	return luo_iter_first_file(priv, luo_iter_next_session(session));
}

static void *luo_iter_file_start(struct seq_file *seq, loff_t *pos)
{
	struct luo_iter_priv *priv = seq->private;
	struct luo_session *session;
	struct luo_file *lf;
	loff_t n = *pos;

	mutex_lock(&luo.lock);
	lf = luo_iter_first_file(priv, luo_iter_next_session(NULL));
	while (lf && n) {
		session = priv->session;
		if (lf == list_first_entry(&session->files, struct luo_file,
					   list) && n >= session->nr_files) {
			/* The whole session is behind: skipped at once. */
			n -= session->nr_files;
			mutex_unlock(&session->lock);
			lf = luo_iter_first_file(priv,
						 luo_iter_next_session(session));
		} else {
			lf = luo_iter_next_file(priv, lf);
			n--;
		}
	}
	return lf;
}

static void *luo_iter_file_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return luo_iter_next_file(seq->private, v);
}

static int luo_iter_file_show(struct seq_file *seq, void *v)
{
	struct luo_iter_priv *priv = seq->private;
	struct bpf_iter_meta meta = { .seq = seq };
	struct bpf_iter__luo_file ctx = {
		.meta = &meta,
		.session = priv->session,
		.file = v,
	};

	return luo_iter_run(&meta, &ctx, false);
}

static void luo_iter_file_stop(struct seq_file *seq, void *v)
{
	struct luo_iter_priv *priv = seq->private;
	struct bpf_iter_meta meta = { .seq = seq };
	struct bpf_iter__luo_file ctx = { .meta = &meta };

	if (!v)
		luo_iter_run(&meta, &ctx, true);
	if (priv->session)
		mutex_unlock(&priv->session->lock);
	priv->session = NULL;
	mutex_unlock(&luo.lock);
}

static const struct seq_operations luo_iter_file_ops = {
	.start	= luo_iter_file_start,
	.next	= luo_iter_file_next,
	.stop	= luo_iter_file_stop,
	.show	= luo_iter_file_show,
};

DEFINE_BPF_ITER_FUNC(luo_session, struct bpf_iter_meta *meta,
		     struct luo_session *session)
DEFINE_BPF_ITER_FUNC(luo_file, struct bpf_iter_meta *meta,
		     struct luo_session *session, struct luo_file *file)

BTF_ID_LIST(luo_iter_btf_ids)
BTF_ID(struct, luo_session)
BTF_ID(struct, luo_file)

static const struct bpf_iter_seq_info luo_iter_session_info = {
	.seq_ops	= &luo_iter_session_ops,
	.seq_priv_size	= sizeof(struct luo_iter_priv),
};

static const struct bpf_iter_seq_info luo_iter_file_info = {
	.seq_ops	= &luo_iter_file_ops,
	.seq_priv_size	= sizeof(struct luo_iter_priv),
};

static struct bpf_iter_reg luo_iter_session_reg = {
	.target			= "luo_session",
	.feature		= BPF_ITER_RESCHED,
	.ctx_arg_info_size	= 1,
	.ctx_arg_info		= {
		{ offsetof(struct bpf_iter__luo_session, session),
		  PTR_TO_BTF_ID_OR_NULL | PTR_TRUSTED },
	},
	.seq_info		= &luo_iter_session_info,
};

static struct bpf_iter_reg luo_iter_file_reg = {
	.target			= "luo_file",
	.feature		= BPF_ITER_RESCHED,
	.ctx_arg_info_size	= 2,
	.ctx_arg_info		= {
		{ offsetof(struct bpf_iter__luo_file, session),
		  PTR_TO_BTF_ID_OR_NULL | PTR_TRUSTED },
		{ offsetof(struct bpf_iter__luo_file, file),
		  PTR_TO_BTF_ID_OR_NULL | PTR_TRUSTED },
	},
	.seq_info		= &luo_iter_file_info,
};

static int __init luo_iter_init(void)
{
	int err;

	luo_iter_session_reg.ctx_arg_info[0].btf_id = luo_iter_btf_ids[0];
	luo_iter_file_reg.ctx_arg_info[0].btf_id = luo_iter_btf_ids[0];
	luo_iter_file_reg.ctx_arg_info[1].btf_id = luo_iter_btf_ids[1];
	err = bpf_iter_reg_target(&luo_iter_session_reg);
	if (err)
		return err;
	err = bpf_iter_reg_target(&luo_iter_file_reg);
	if (err)
		bpf_iter_unreg_target(&luo_iter_session_reg);
	return err;
}
late_initcall(luo_iter_init);
