// SPDX-License-Identifier: GPL-2.0
/*
 * luotop's model: what the BPF maps, the kernel log and the live-update
 * record say, gathered into S at each refresh.  No output here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "luo_tools.h"
#include "luo_filter.h"
#include "luotop_model.h"
#include "luotop.skel.h"

struct state S = { .stats_fd = -EBADF };

void read_boot_info(void)
{
	char buf[8192], *msg;
	struct boot_info b;
	ssize_t n;
	int fd;

	/* /dev/kmsg starts at the oldest record the buffer holds. */
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;	/* overwritten while we read; go on */
		if (n <= 0)
			break;
		buf[n] = '\0';
		msg = strchr(buf, ';');
		if (!msg)
			continue;
		memset(&b, 0, sizeof(b));
		if (sscanf(msg + 1, "luo: live update #%llu: %lu sessions with %lu files received, %lu dropped, %lu FLBs",
			   &b.number, &b.sessions, &b.files, &b.dropped, &b.flbs) == 5) {
			b.found = true;
			S.boot = b;
		}
	}
	close(fd);
}

/*
 * The liveupdate-number of this kernel: the kernel log's, else that of
 * the latest update of the record that a new kernel took over (0: none).
 * False when neither says.
 */
bool liveupdate_number(unsigned long long *nr)
{
	int i;

	*nr = 0;
	if (S.boot.found) {
		*nr = S.boot.number;
		return true;
	}
	if (S.rec_err)
		return false;
	for (i = (int)S.rec.hdr.nr_updates - 1; i >= 0; i--) {
		if (luo_rec_reached(&S.rec.updates[i], LUO_MARK_READY)) {
			*nr = S.rec.updates[i].number;
			break;
		}
	}
	return true;
}

static struct row *find_row(const struct row_key *k)
{
	struct row *r;
	int i;

	for (i = 0; i < S.nr_rows; i++)
		if (S.rows[i].key.op == k->op &&
		    !strncmp(S.rows[i].key.handler, k->handler, sizeof(k->handler)))
			return &S.rows[i];
	if (S.nr_rows == S.cap_rows) {
		int cap = S.cap_rows ? S.cap_rows * 2 : 32;

		r = realloc(S.rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		S.rows = r;
		S.cap_rows = cap;
	}
	r = &S.rows[S.nr_rows++];
	memset(r, 0, sizeof(*r));
	r->key = *k;
	return r;
}

static void sum_handlers(void)
{
	struct handler *h;
	int i, j;

	free(S.handlers);
	S.handlers = calloc(S.nr_rows + 1, sizeof(*S.handlers));
	S.nr_handlers = 0;
	if (!S.handlers)
		return;
	for (i = 0; i < S.nr_rows; i++) {
		const struct row *r = &S.rows[i];

		if (!r->key.handler[0])
			continue;
		for (j = 0; j < S.nr_handlers; j++)
			if (!strcmp(S.handlers[j].name, r->key.handler))
				break;
		h = &S.handlers[j];
		if (j == S.nr_handlers) {
			memcpy(h->name, r->key.handler, sizeof(h->name));
			S.nr_handlers++;
		}
		h->errors += r->st.errors;
		switch (r->key.op) {
		case LUO_OP_FILE_PRESERVE:
			h->preserved += r->st.ok;
			break;
		case LUO_OP_FILE_UNPRESERVE:
			h->preserved -= r->st.ok;
			break;
		case LUO_OP_FILE_RETRIEVE:
			h->retrieved += r->st.ok;
			break;
		case LUO_OP_FILE_FINISH:
			h->finished += r->st.ok;
			break;
		}
	}
	/* Unpreserves of files preserved before luotop started. */
	for (j = 0; j < S.nr_handlers; j++)
		if ((__s64)S.handlers[j].preserved < 0)
			S.handlers[j].preserved = 0;
}

static int cmp_handler(const void *a, const void *b)
{
	return strcmp(((const struct handler *)a)->name,
		      ((const struct handler *)b)->name);
}

static int cmp_sess(const void *a, const void *b)
{
	const struct sess *x = a, *y = b;

	if (x->key.dir != y->key.dir)
		return x->key.dir < y->key.dir ? -1 : 1;
	return strcmp(x->key.name, y->key.name);
}

/* Room in S.sess for entry @n. */
static int sess_room(int n, int *cap)
{
	struct sess *s;

	if (n < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 16;
	s = realloc(S.sess, *cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	S.sess = s;
	return 0;
}

/* The sessions followed: those of the table (mapped), then the hash's. */
static int read_sessions(int fd)
{
	struct luotop_skey key, next, *prev = NULL;
	struct sess *s;
	int n = 0, cap = 0, i;

	free(S.sess);
	S.sess = NULL;
	S.nr_sess = 0;
	for (i = 0; S.sslots && i < LUOTOP_SESSION_SLOTS; i++) {
		const struct luotop_sslot *e = &S.sslots[i];
		__u32 seq = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);

		/* Free, or being written: skipped this refresh. */
		if (!__atomic_load_n(&e->session, __ATOMIC_ACQUIRE) || (seq & 1))
			continue;
		if (sess_room(n, &cap))
			return -ENOMEM;
		s = &S.sess[n];
		s->key.dir = e->dir;
		memcpy(&s->val, &e->s, sizeof(s->val));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&e->seq, __ATOMIC_RELAXED) != seq || !e->session ||
		    !s->key.dir)
			continue;
		memcpy(s->key.name, s->val.name, sizeof(s->key.name));
		s->key.name[sizeof(s->key.name) - 1] = '\0';
		n++;
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (sess_room(n, &cap))
			return -ENOMEM;
		s = &S.sess[n];
		key = next;
		prev = &key;
		/* Deleted since get_next_key: skip it. */
		if (bpf_map_lookup_elem(fd, &key, &s->val))
			continue;
		s->key.dir = key.dir;
		memcpy(s->key.name, s->val.name, sizeof(s->key.name));
		s->key.name[sizeof(s->key.name) - 1] = '\0';
		n++;
	}
	S.nr_sess = n;
	if (n)
		qsort(S.sess, n, sizeof(*S.sess), cmp_sess);
	return 0;
}

/* The handler's name at kernel address @addr, into @rk ("" for none). */
static void handler_name(int names_fd, __u64 addr, struct row_key *rk)
{
	struct luotop_name n;

	memset(rk->handler, 0, sizeof(rk->handler));
	if (!addr)
		return;
	if (bpf_map_lookup_elem(names_fd, &addr, &n))
		snprintf(rk->handler, sizeof(rk->handler), "?");
	else
		memcpy(rk->handler, n.name, sizeof(rk->handler));
	rk->handler[sizeof(rk->handler) - 1] = '\0';
}

/* Add @v's counts to @r's. */
static void add_stat(struct row *r, const struct luotop_stat *v)
{
	int j;

	r->st.count += v->count;
	r->st.ok += v->ok;
	r->st.errors += v->errors;
	r->st.timed += v->timed;
	r->st.sum_ns += v->sum_ns;
	for (j = 0; j < LUO_HIST_SLOTS; j++)
		r->st.slots[j] += v->slots[j];
}

/* The slots of every CPU, each added to its row. */
static int read_slots(int fd, int names_fd)
{
	size_t vsz = sizeof(struct luotop_slot);
	struct row_key rk;
	struct row *r;
	__u32 i;
	int c;

	for (i = 0; i < LUOTOP_SLOTS; i++) {
		if (bpf_map_lookup_elem(fd, &i, S.percpu_slots))
			continue;
		for (c = 0; c < S.ncpus; c++) {
			const struct luotop_slot *sl = S.percpu_slots + c * vsz;

			if (!sl->key.used)
				continue;
			rk.op = sl->key.op;
			handler_name(names_fd, sl->key.handler, &rk);
			r = find_row(&rk);
			if (!r)
				return -ENOMEM;
			add_stat(r, &sl->st);
		}
	}
	return 0;
}

/*
 * What luotop's own tracing programs have run (bpf_stats: on while luotop
 * runs), those that run in the tasks using LUO; the iterators run in
 * luotop's own reads.
 */
static void self_cost(struct luotop *skel)
{
	struct bpf_program *prog;

	S.self_runs = S.self_ns = 0;
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (!strncmp(bpf_program__section_name(prog), "iter/", 5))
			continue;
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		S.self_runs += info.run_cnt;
		S.self_ns += info.run_time_ns;
	}
}

int seed_sessions(struct luotop *skel)
{
	struct luo_iter_list none = {};
	int err;

	/*
	 * LUO does not say which task made a session: with -p or --cgroup
	 * what it holds is not listed, as the events of other tasks are not
	 * counted.
	 */
	S.filtered = luo_filter.pid || luo_filter.cgroup;
	S.listing = bpf_program__autoload(skel->progs.luotop_seed) && !S.filtered;
	if (!S.listing)
		return 0;
	/* It writes nothing: it fills the sessions table. */
	err = luo_iter_read(skel->progs.luotop_seed, &none);
	luo_iter_free(&none);
	return err;
}

int collect(struct luotop *skel)
{
	int fd = bpf_map__fd(skel->maps.stats), names_fd = bpf_map__fd(skel->maps.names);
	size_t vsz = sizeof(struct luotop_stat);
	struct luotop_key key, next, *prev = NULL;
	double t = now_s(), dt = t - S.last;
	struct row_key rk;
	struct luo_hist h;
	struct row *r;
	int i, c;

	if (dt <= 0)
		dt = 1e-9;
	/* Every key adds to its row: a name may stand at two addresses. */
	for (i = 0; i < S.nr_rows; i++)
		memset(&S.rows[i].st, 0, sizeof(S.rows[i].st));
	if (read_slots(bpf_map__fd(skel->maps.slots), names_fd))
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, S.percpu))
			continue;
		rk.op = key.op;
		handler_name(names_fd, key.handler, &rk);
		r = find_row(&rk);
		if (!r)
			return -ENOMEM;
		for (c = 0; c < S.ncpus; c++)
			add_stat(r, S.percpu + c * vsz);
	}
	for (i = 0; i < S.nr_rows; i++) {
		r = &S.rows[i];
		/* A count that went back (a key's name unknown for a while): 0. */
		r->rate = r->st.count >= r->prev_count ? (r->st.count - r->prev_count) / dt : 0;
		r->prev_count = r->st.count;
		memcpy(h.slots, r->st.slots, sizeof(h.slots));
		r->p50 = luo_hist_percentile(&h, 50);
		r->p99 = luo_hist_percentile(&h, 99);
	}
	S.last = t;
	sum_handlers();
	qsort(S.handlers, S.nr_handlers, sizeof(*S.handlers), cmp_handler);
	read_sessions(bpf_map__fd(skel->maps.sessions));
	self_cost(skel);
	if (S.listing && env.batch) {
		luo_iter_clear(&S.files);
		S.listing_err = luo_iter_read(skel->progs.luo_iter_files, &S.files);
	}

	luo_rec_free(&S.rec);
	S.rec_err = luo_rec_read(env.record, &S.rec);
	S.iteration++;
	return 0;
}

static int cmp_name(const struct row *x, const struct row *y)
{
	int d = strcmp(luo_op_name(x->key.op) ?: "", luo_op_name(y->key.op) ?: "");

	return d ? d : strcmp(x->key.handler, y->key.handler);
}

int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	switch (env.sort) {
	case SORT_RATE:
		if (x->rate != y->rate)
			return x->rate > y->rate ? -1 : 1;
		if (x->st.count != y->st.count)
			return x->st.count > y->st.count ? -1 : 1;
		break;
	case SORT_P99:
		if (x->p99 != y->p99)
			return x->p99 > y->p99 ? -1 : 1;
		break;
	default:
		break;
	}
	return cmp_name(x, y);
}
