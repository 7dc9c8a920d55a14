/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LUO iterators' programs: one struct luo_iter_rec per session
 * (iter/luo_session) and per file (iter/luo_file), written to the reader
 * with bpf_seq_write().  The targets are our LUO's
 * (kernel/liveupdate/luo_iter.c), which shows the programs each session
 * and file locked: the fields are read directly.  A kernel without them
 * (mainline's LUO) cannot load these programs: luo_select_mode() leaves
 * them out.
 */
#ifndef LUO_ITER_BPF_H
#define LUO_ITER_BPF_H

#include "luo_iter.h"

/*
 * The kernel address of the session's name (what the events pass), as a
 * number: the verifier allows no arithmetic on the pointer itself, so the
 * context's copy of it is read.
 */
static __always_inline __u64 luo_iter_name_addr(struct luo_session *const *session)
{
	__u64 addr = 0;

	bpf_probe_read_kernel(&addr, sizeof(addr), session);
	return addr ? addr + bpf_core_field_offset(struct luo_session, name) : 0;
}

/* @s is *@sp, NULL-checked. */
static __always_inline void luo_iter_session_of(struct luo_iter_rec *r, const struct luo_session *s,
						 struct luo_session *const *sp)
{
	r->session_addr = luo_iter_name_addr(sp);
	bpf_probe_read_kernel_str(r->session, sizeof(r->session), s->name);
	if (s->incoming)
		r->flags |= LUO_ITER_F_INCOMING;
}

SEC("iter/luo_session")
int luo_iter_sessions(struct bpf_iter__luo_session *ctx)
{
	struct luo_session *s = ctx->session;
	struct luo_iter_rec r = { .kind = LUO_ITER_SESSION };

	if (!s)
		return 0;
	luo_iter_session_of(&r, s, &ctx->session);
	if (s->retrieved)
		r.flags |= LUO_ITER_F_RETRIEVED;
	r.files = s->nr_files;
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

SEC("iter/luo_file")
int luo_iter_files(struct bpf_iter__luo_file *ctx)
{
	struct luo_session *s = ctx->session;
	struct luo_file *f = ctx->file;
	struct luo_iter_rec r = { .kind = LUO_ITER_FILE };
	struct file *file;

	if (!s || !f)
		return 0;
	luo_iter_session_of(&r, s, &ctx->session);
	r.token = f->token;
	bpf_probe_read_kernel_str(r.handler, sizeof(r.handler), f->compatible);
	if (s->incoming) {
		if (f->retrieve_status > 0)
			r.flags |= LUO_ITER_F_RETRIEVED;
		else if (f->retrieve_status < 0) {
			r.flags |= LUO_ITER_F_FAILED;
			r.error = f->retrieve_status;
		}
	} else if (f->frozen) {
		r.flags |= LUO_ITER_F_FROZEN;
	}
	file = f->file;
	if (file) {
		r.bytes = BPF_CORE_READ(file, f_inode, i_size);
		r.flags |= LUO_ITER_F_SIZED;
	}
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

#endif /* LUO_ITER_BPF_H */
