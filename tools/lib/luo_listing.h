/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the LUO iterators (bpf/luo_iter.bpf.h): what LUO holds now, as
 * records of bpf/luo_iter.h.
 */
#ifndef LUO_LISTING_H
#define LUO_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>

#include "luo_iter.h"

/* Records of one or more reads, in the order the kernel wrote them. */
struct luo_iter_list {
	struct luo_iter_rec *recs;
	size_t nr, cap;
};

/*
 * Whether the running kernel has the LUO iterators (our LUO): its BTF
 * has the target's function bpf_iter_luo_session.
 */
bool luo_iter_present(void);

/*
 * Run the iterator program @prog (loaded) once and append its records to
 * @l.  Returns 0 or a negative errno (the records read so far appended).
 */
int luo_iter_read(struct bpf_program *prog, struct luo_iter_list *l);

/* Forget the records of @l, keeping its room. */
void luo_iter_clear(struct luo_iter_list *l);

void luo_iter_free(struct luo_iter_list *l);

/*
 * The state of a session or file record, in words: "open", "retrieved",
 * "not retrieved" (a session); "preserved", "frozen", "retrieved", "not
 * retrieved", "failed" (a file).
 */
const char *luo_iter_state(const struct luo_iter_rec *r);

/* "out" or "in". */
const char *luo_iter_dir(const struct luo_iter_rec *r);

#endif /* LUO_LISTING_H */
