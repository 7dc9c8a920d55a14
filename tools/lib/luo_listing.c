// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the LUO iterators (luo_listing.h): a link per read, its records
 * read whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "luo_listing.h"
#include "luo_tools.h"

bool luo_iter_present(void)
{
	struct btf *btf = luo_vmlinux_btf();
	bool has;

	has = btf && btf__find_by_name_kind(btf, "bpf_iter_luo_session", BTF_KIND_FUNC) > 0 &&
	      btf__find_by_name_kind(btf, "bpf_iter_luo_file", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return has;
}

static int grow(struct luo_iter_list *l)
{
	size_t cap = l->cap ? 2 * l->cap : 64;
	struct luo_iter_rec *r = realloc(l->recs, cap * sizeof(*r));

	if (!r)
		return -ENOMEM;
	l->recs = r;
	l->cap = cap;
	return 0;
}

/*
 * Each read() of an iterator walks back to where the last one stopped
 * (seq_file), and fills at most the bytes asked for: read in large pieces,
 * or a walk of n records costs n^2 / 2 steps.
 */
#define READ_SIZE	(64 * 1024)

int luo_iter_read(struct bpf_program *prog, struct luo_iter_list *l)
{
	struct bpf_link *link = bpf_program__attach_iter(prog, NULL);
	size_t have = 0, off, rec = sizeof(*l->recs);
	int fd = -1, err = 0;
	char *buf = NULL;
	ssize_t n;

	if (!link)
		return -errno;
	buf = malloc(READ_SIZE + rec);
	fd = bpf_iter_create(bpf_link__fd(link));
	if (!buf || fd < 0) {
		err = buf ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		n = read(fd, buf + have, READ_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (!n) {
			/* A record comes whole: a piece left over is an error. */
			if (have)
				err = -EIO;
			break;
		}
		have += n;
		for (off = 0; have - off >= rec; off += rec) {
			if (l->nr == l->cap) {
				err = grow(l);
				if (err)
					goto out;
			}
			memcpy(&l->recs[l->nr++], buf + off, rec);
		}
		have -= off;
		memmove(buf, buf + off, have);
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	bpf_link__destroy(link);
	return err;
}

void luo_iter_clear(struct luo_iter_list *l)
{
	l->nr = 0;
}

void luo_iter_free(struct luo_iter_list *l)
{
	free(l->recs);
	memset(l, 0, sizeof(*l));
}

const char *luo_iter_state(const struct luo_iter_rec *r)
{
	if (r->kind == LUO_ITER_SESSION) {
		if (!(r->flags & LUO_ITER_F_INCOMING))
			return "open";
		return r->flags & LUO_ITER_F_RETRIEVED ? "retrieved" : "not retrieved";
	}
	if (!(r->flags & LUO_ITER_F_INCOMING))
		return r->flags & LUO_ITER_F_FROZEN ? "frozen" : "preserved";
	if (r->flags & LUO_ITER_F_FAILED)
		return "failed";
	return r->flags & LUO_ITER_F_RETRIEVED ? "retrieved" : "not retrieved";
}

const char *luo_iter_dir(const struct luo_iter_rec *r)
{
	return r->flags & LUO_ITER_F_INCOMING ? "in" : "out";
}
