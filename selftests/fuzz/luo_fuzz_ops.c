// SPDX-License-Identifier: GPL-2.0
/*
 * luo_fuzz: the random requests, and what each may return.
 *
 * A request's result is checked in three steps, as the uAPI header orders
 * them: a LUO ioctl number on a descriptor that does not take it is ENOTTY;
 * a structure size below the structure, or past the page, or with non-zero
 * bytes past it, is EINVAL or E2BIG; then the request's own errnos, and
 * what the ledger knows: a name this process holds cannot be created
 * again, a token or a memfd this process preserved cannot be preserved
 * again, GET_NAME returns the name the session was created with.  With
 * fault injection on, ENOMEM (allocations) and EIO (hooks) are documented
 * too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest.h"
#include "luo_util.h"
#include "luo_fuzz.h"

#define ERR(e)		(1ULL << (e))

static const char *const op_names[FZ_NR_OPS] = {
	"open", "create", "retrieve", "preserve", "retrieve_fd", "finish",
	"get_name", "close", "dup", "unknown_cmd", "memfd", "pipe", "null",
};

/* Relative weights of the requests. */
static const unsigned int op_weight[FZ_NR_OPS] = {
	2, 12, 6, 20, 6, 5, 6, 8, 6, 4, 8, 2, 2,
};

static const char *const kind_names[] = {
	"free", "device", "session", "memfd", "pipe", "null",
};

void fz_violation(struct fz_proc *p, const char *fmt, ...)
{
	unsigned long n = atomic_fetch_add(&p->stats.violations, 1);
	va_list ap;

	if (n >= FZ_NOTES)
		return;
	/* Callers may hold the ledger's lock: the notes have their own. */
	pthread_mutex_lock(&p->notes_lock);
	va_start(ap, fmt);
	vsnprintf(p->notes[n], sizeof(p->notes[n]), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&p->notes_lock);
}

/**
 * fz_report_violations - Print the violations kept, once.
 * @p:    The process.
 * @what: Which part of the run.
 *
 * Return: how many there were.
 */
unsigned long fz_report_violations(struct fz_proc *p, const char *what)
{
	unsigned long i, n = atomic_load(&p->stats.violations);

	for (i = 0; i < n && i < FZ_NOTES; i++)
		ksft_print_msg("%s (process %d): violation: %s\n", what, p->id, p->notes[i]);
	if (n > FZ_NOTES)
		ksft_print_msg("%s: ... and %lu more\n", what, n - FZ_NOTES);
	return n;
}

void fz_print_by_op(struct fz_proc *p)
{
	char line[512];
	size_t off = 0;
	int i;

	for (i = 0; i < FZ_NR_OPS; i++)
		off += snprintf(line + off, sizeof(line) - off, " %s=%lu", op_names[i],
				atomic_load(&p->stats.by_op[i]));
	ksft_print_msg("requests by kind:%s\n", line);
}

/* The bytes of memfd @content: the same in both stages for one seed. */
void fz_content(const struct fz_proc *p, uint32_t content, unsigned char *buf, size_t len)
{
	uint64_t s = p->o->seed ^ (0x9e3779b97f4a7c15ULL * (content + 1));
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = fz_rand(&s) >> 56;
}

/* A memfd of @len bytes of @content (fz_content()): the fd or -errno. */
int fz_seeded_memfd(const struct fz_proc *p, uint32_t content, uint32_t len)
{
	unsigned char *data = malloc(len);
	int fd;

	if (!data)
		return -ENOMEM;
	fz_content(p, content, data, len);
	fd = memfd_with(data, len);
	free(data);
	return fd;
}

/*
 * Lay the structure @arg (@len bytes, its size field first) into the
 * thread's buffer with a random size: the error the size alone must cause
 * (0, EINVAL or E2BIG).
 */
static int fz_arg(struct fz_thread *t, const void *arg, size_t len)
{
	unsigned int r = fz_below(&t->rng, 100);
	__u32 size = len;
	int want = 0;

	memset(t->buf, 0, t->dirty);
	memcpy(t->buf, arg, len);
	t->dirty = len;
	if (r >= 70 && r < 77) {
		size = fz_below(&t->rng, len);
		want = EINVAL;
	} else if (r >= 77 && r < 89) {
		size = len + 1 + fz_below(&t->rng, 4096 - len);
	} else if (r >= 89 && r < 95) {
		size = len + 1 + fz_below(&t->rng, 4096 - len);
		t->buf[len + fz_below(&t->rng, size - len)] = 1 + fz_below(&t->rng, 255);
		t->dirty = size;
		want = E2BIG;
	} else if (r >= 95) {
		size = 4097 + fz_below(&t->rng, 60 * 1024);
		want = E2BIG;
	}
	memcpy(t->buf, &size, sizeof(size));
	return want;
}

/* ioctl() on the thread's buffer: 0 or -errno. */
static int fz_ioctl(struct fz_thread *t, int fd, unsigned long cmd)
{
	return ioctl(fd, cmd, t->buf) < 0 ? -errno : 0;
}

/* A name from the pool, or (rarely) an empty or unterminated one: EINVAL. */
static int fz_name(struct fz_thread *t, __u8 name[LIVEUPDATE_SESSION_NAME_LENGTH])
{
	unsigned int r = fz_below(&t->rng, 100);

	memset(name, 0, LIVEUPDATE_SESSION_NAME_LENGTH);
	if (r < 3)
		return EINVAL;
	if (r < 6) {
		memset(name, 'n', LIVEUPDATE_SESSION_NAME_LENGTH);
		return EINVAL;
	}
	snprintf((char *)name, LIVEUPDATE_SESSION_NAME_LENGTH, "fz-%u",
		 fz_below(&t->rng, FZ_NAMES));
	return 0;
}

/*
 * Judge a result.  @ret is 0 (or a new fd) or -errno; @exact, when
 * non-zero, is the only errno allowed; @allowed the documented ones.
 */
static bool fz_judge(struct fz_thread *t, enum fz_op op, enum fz_kind kind, int ret,
		     int exact, unsigned long long allowed)
{
	struct fz_proc *p = t->p;
	int e = ret < 0 ? -ret : 0;

	atomic_fetch_add(&p->stats.ops, 1);
	atomic_fetch_add(&p->stats.by_op[op], 1);
	if (t->faulting && (p->o->faults & (FZ_FAULT_SLAB | FZ_FAULT_PAGE)))
		allowed |= ERR(ENOMEM);
	if (t->faulting && (p->o->faults & FZ_FAULT_HOOKS))
		allowed |= ERR(EIO);
	if (exact)
		allowed = (allowed & (ERR(ENOMEM) | ERR(EIO))) | ERR(exact);
	if (!e && !exact) {
		atomic_fetch_add(&p->stats.ok, 1);
		return true;
	}
	if (e && e < 64 && (allowed & ERR(e))) {
		atomic_fetch_add(&p->stats.errors, 1);
		return true;
	}
	fz_violation(p, "%s on a %s descriptor: %s%s%s", op_names[op], kind_names[kind],
		     e ? errname(e) : "success", exact ? ", expected " : "",
		     exact ? errname(exact) : "");
	return false;
}

/*
 * CREATE_SESSION or RETRIEVE_SESSION (the same structure).  Stage 1
 * received nothing, and stage 2 retrieved all it received before its
 * random requests: a retrieve can only be ENOENT.
 */
static void op_by_name(struct fz_thread *t, struct fz_slot *s, enum fz_op op)
{
	struct liveupdate_ioctl_create_session arg = { .size = sizeof(arg), .fd = -1 };
	bool create = op == FZ_OP_CREATE;
	struct fz_proc *p = t->p;
	int name_err = fz_name(t, arg.name), size_err, ret, obj;

	_Static_assert(sizeof(arg) == sizeof(struct liveupdate_ioctl_retrieve_session),
		       "create and retrieve take the same structure");
	size_err = fz_arg(t, &arg, sizeof(arg));
	ret = fz_ioctl(t, s->fd, create ? LIVEUPDATE_IOCTL_CREATE_SESSION :
			  LIVEUPDATE_IOCTL_RETRIEVE_SESSION);
	if (s->kind != FZ_DEVICE) {
		fz_judge(t, op, s->kind, ret, ENOTTY, 0);
		return;
	}
	if (size_err || name_err) {
		fz_judge(t, op, s->kind, ret, size_err ?: name_err, 0);
		return;
	}
	if (!fz_judge(t, op, s->kind, ret, create ? 0 : ENOENT,
		      create ? ERR(EEXIST) : 0) || ret)
		return;
	memcpy(&arg, t->buf, sizeof(arg));
	pthread_mutex_lock(&p->lock);
	if (create && fz_name_held(p, (char *)arg.name))
		fz_violation(p, "create '%s' succeeded while this process holds a session of that name",
			     arg.name);
	obj = fz_session_new(p, (char *)arg.name);
	if (obj < 0)
		close(arg.fd);
	else
		fz_slot_put(p, &t->rng, arg.fd, FZ_SESSION, obj, 0);
	pthread_mutex_unlock(&p->lock);
}

static void op_preserve(struct fz_thread *t, struct fz_slot *s)
{
	struct liveupdate_session_preserve_fd arg = { .size = sizeof(arg) };
	struct fz_slot *f = fz_slot_get_kind(t, FZ_MEMFD);
	struct fz_proc *p = t->p;
	enum fz_kind fkind = f ? f->kind : FZ_FREE;
	int size_err, ret, i;
	bool bad_fd = false;

	arg.token = 1 + fz_below(&t->rng, FZ_TOKENS);
	if (f) {
		arg.fd = f->fd;
	} else {
		arg.fd = fz_below(&t->rng, 2) ? -1 : 100000;
		bad_fd = true;
	}
	size_err = fz_arg(t, &arg, sizeof(arg));
	ret = fz_ioctl(t, s->fd, LIVEUPDATE_SESSION_PRESERVE_FD);
	if (s->kind != FZ_SESSION) {
		fz_judge(t, FZ_OP_PRESERVE, s->kind, ret, ENOTTY, 0);
	} else if (size_err) {
		fz_judge(t, FZ_OP_PRESERVE, s->kind, ret, size_err, 0);
	} else if (bad_fd) {
		fz_judge(t, FZ_OP_PRESERVE, s->kind, ret, EBADF, 0);
	} else if (fkind != FZ_MEMFD) {
		/* Only memfds have a handler here: refused, whatever the token. */
		fz_judge(t, FZ_OP_PRESERVE, fkind, ret, 0,
			 ERR(ENOENT) | ERR(EEXIST) | ERR(EINVAL));
		if (!ret)
			fz_violation(p, "preserve of a %s descriptor succeeded", kind_names[fkind]);
	} else if (fz_judge(t, FZ_OP_PRESERVE, fkind, ret, 0,
			    ERR(EEXIST) | ERR(EBUSY) | ERR(EINVAL)) && !ret) {
		struct fz_session *ss = &p->sessions[s->obj];

		pthread_mutex_lock(&p->lock);
		for (i = 0; i < ss->nfiles; i++)
			if (ss->files[i].token == arg.token)
				fz_violation(p, "token %llu preserved twice in session '%s'",
					     (unsigned long long)arg.token, ss->name);
		if (p->preserved_in[f->obj] >= 0)
			fz_violation(p, "memfd %u preserved in '%s' while it is preserved in '%s'",
				     f->obj, ss->name, p->sessions[p->preserved_in[f->obj]].name);
		p->preserved_in[f->obj] = s->obj;
		if (ss->nfiles < FZ_FILES)
			ss->files[ss->nfiles++] = (struct fz_file){
				.token = arg.token, .content = f->obj, .len = f->len,
			};
		pthread_mutex_unlock(&p->lock);
	}
	if (f)
		fz_slot_put_back(f);
}

static void op_session_cmd(struct fz_thread *t, struct fz_slot *s, enum fz_op op)
{
	struct fz_proc *p = t->p;
	int size_err, ret, reserved = fz_below(&t->rng, 20) == 0;
	unsigned long cmd;

	if (op == FZ_OP_RETRIEVE_FD) {
		struct liveupdate_session_retrieve_fd arg = {
			.size = sizeof(arg), .fd = -1,
			.token = 1 + fz_below(&t->rng, FZ_TOKENS),
		};

		reserved = 0;
		size_err = fz_arg(t, &arg, sizeof(arg));
		cmd = LIVEUPDATE_SESSION_RETRIEVE_FD;
	} else if (op == FZ_OP_FINISH) {
		struct liveupdate_session_finish arg = { .size = sizeof(arg), .reserved = reserved };

		size_err = fz_arg(t, &arg, sizeof(arg));
		cmd = LIVEUPDATE_SESSION_FINISH;
	} else {
		struct liveupdate_session_get_name arg = { .size = sizeof(arg), .reserved = reserved };

		size_err = fz_arg(t, &arg, sizeof(arg));
		cmd = LIVEUPDATE_SESSION_GET_NAME;
	}
	ret = fz_ioctl(t, s->fd, cmd);
	if (s->kind != FZ_SESSION) {
		fz_judge(t, op, s->kind, ret, ENOTTY, 0);
		return;
	}
	if (size_err || reserved) {
		fz_judge(t, op, s->kind, ret, size_err ?: EINVAL, 0);
		return;
	}
	if (op == FZ_OP_GET_NAME) {
		struct liveupdate_session_get_name *arg = (void *)t->buf;

		if (fz_judge(t, op, s->kind, ret, 0, 0) && !ret &&
		    strncmp((char *)arg->name, p->sessions[s->obj].name, sizeof(arg->name)))
			fz_violation(p, "get_name: '%.64s', but the session is '%s'",
				     (char *)arg->name, p->sessions[s->obj].name);
		return;
	}
	/*
	 * No session of the random phase holds a previous kernel's files:
	 * stage 2 finished all it received before.
	 */
	fz_judge(t, op, s->kind, ret, EINVAL, 0);
	if (op == FZ_OP_RETRIEVE_FD && !ret)
		close(((struct liveupdate_session_retrieve_fd *)t->buf)->fd);
}

static void op_unknown(struct fz_thread *t, struct fz_slot *s)
{
	static const unsigned int known[] = { 0x00, 0x01, 0x40, 0x41, 0x42, 0x43 };
	unsigned int nr, i;
	bool is_known;
	int ret;

	do {
		nr = fz_below(&t->rng, 256);
		for (is_known = false, i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			is_known |= nr == known[i];
	} while (is_known);
	memset(t->buf, 0, t->dirty);
	*(__u32 *)t->buf = 8 + fz_below(&t->rng, 64);
	t->dirty = 4;
	ret = fz_ioctl(t, s->fd, _IO(LIVEUPDATE_IOCTL_TYPE, nr));
	fz_judge(t, FZ_OP_UNKNOWN, s->kind, ret, ENOTTY, 0);
}

static void op_new_fd(struct fz_thread *t, enum fz_op op)
{
	struct fz_proc *p = t->p;
	unsigned int content = 0;
	uint32_t len = 0;
	int fd, pfd[2];

	if (op == FZ_OP_MEMFD) {
		content = atomic_fetch_add(&p->next_content, 1);
		if (content >= FZ_CONTENTS)
			return;
		len = 1 + fz_below(&t->rng, 3 * 4096);
		fd = fz_seeded_memfd(p, content, len);
	} else if (op == FZ_OP_PIPE) {
		fd = pipe2(pfd, O_CLOEXEC) ? -errno : pfd[0];
		if (fd >= 0)
			close(pfd[1]);
	} else {
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		fd = fd < 0 ? -errno : fd;
	}
	/* Not LUO's requests: any failure under fault injection is fine. */
	if (fd < 0) {
		if (!t->faulting)
			fz_violation(p, "%s: %s", op_names[op], errname(-fd));
		return;
	}
	atomic_fetch_add(&p->stats.ops, 1);
	atomic_fetch_add(&p->stats.by_op[op], 1);
	pthread_mutex_lock(&p->lock);
	fz_slot_put(p, &t->rng, fd, op == FZ_OP_MEMFD ? FZ_MEMFD :
		 op == FZ_OP_PIPE ? FZ_PIPE : FZ_NULL, content, len);
	pthread_mutex_unlock(&p->lock);
}

static void op_open(struct fz_thread *t)
{
	struct fz_proc *p = t->p;
	bool held = false;
	int fd, i;

	fd = luo_open();
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FZ_SLOTS; i++)
		held |= p->slots[i].kind == FZ_DEVICE;
	pthread_mutex_unlock(&p->lock);
	/* One opener at a time: EBUSY while anyone holds it. */
	if (!fz_judge(t, FZ_OP_OPEN, FZ_DEVICE, fd < 0 ? fd : 0, 0, ERR(EBUSY)) || fd < 0)
		return;
	if (held)
		fz_violation(p, "open succeeded while this process holds the device");
	pthread_mutex_lock(&p->lock);
	fz_slot_put(p, &t->rng, fd, FZ_DEVICE, 0, 0);
	pthread_mutex_unlock(&p->lock);
}

static void op_dup(struct fz_thread *t, struct fz_slot *s)
{
	struct fz_proc *p = t->p;
	int fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);

	atomic_fetch_add(&p->stats.ops, 1);
	atomic_fetch_add(&p->stats.by_op[FZ_OP_DUP], 1);
	if (fd < 0)
		return;
	pthread_mutex_lock(&p->lock);
	fz_slot_put(p, &t->rng, fd, s->kind, s->obj, s->len);
	pthread_mutex_unlock(&p->lock);
}

static enum fz_op pick_op(struct fz_thread *t)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < FZ_NR_OPS; i++)
		total += op_weight[i];
	r = fz_below(&t->rng, total);
	for (i = 0; r >= op_weight[i]; i++)
		r -= op_weight[i];
	return i;
}

/**
 * fz_random_op - One random request, judged.
 * @t: The thread.
 */
void fz_random_op(struct fz_thread *t)
{
	enum fz_op op = pick_op(t);
	struct fz_slot *s;

	switch (op) {
	case FZ_OP_OPEN:
		op_open(t);
		return;
	case FZ_OP_MEMFD:
	case FZ_OP_PIPE:
	case FZ_OP_NULL:
		op_new_fd(t, op);
		return;
	case FZ_OP_CLOSE:
		fz_slot_close(t->p, &t->p->slots[fz_below(&t->rng, FZ_SLOTS)]);
		atomic_fetch_add(&t->p->stats.by_op[op], 1);
		atomic_fetch_add(&t->p->stats.ops, 1);
		return;
	default:
		break;
	}
	switch (op) {
	case FZ_OP_CREATE:
	case FZ_OP_RETRIEVE:
		s = fz_slot_get_kind(t, FZ_DEVICE);
		break;
	case FZ_OP_PRESERVE:
	case FZ_OP_RETRIEVE_FD:
	case FZ_OP_FINISH:
	case FZ_OP_GET_NAME:
		s = fz_slot_get_kind(t, FZ_SESSION);
		break;
	default:
		s = fz_slot_get(t);
		break;
	}
	if (!s)
		return;
	switch (op) {
	case FZ_OP_CREATE:
	case FZ_OP_RETRIEVE:
		op_by_name(t, s, op);
		break;
	case FZ_OP_PRESERVE:
		op_preserve(t, s);
		break;
	case FZ_OP_RETRIEVE_FD:
	case FZ_OP_FINISH:
	case FZ_OP_GET_NAME:
		op_session_cmd(t, s, op);
		break;
	case FZ_OP_DUP:
		op_dup(t, s);
		break;
	default:
		op_unknown(t, s);
		break;
	}
	fz_slot_put_back(s);
}
