// SPDX-License-Identifier: GPL-2.0
/*
 * luo_fuzz: the table of descriptors a process juggles, and its ledger of
 * sessions and what they hold.  A slot's rwlock is held for reading while
 * its descriptor is in use, for writing while it is closed or replaced;
 * the ledger (struct fz_proc's lock) is held while a close releases a
 * session, so that what the kernel released shows in the ledger at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"
#include "luo_util.h"
#include "luo_fuzz.h"

void fz_proc_init(struct fz_proc *p, const struct fz_opts *o)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->o = o;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->notes_lock, NULL);
	for (i = 0; i < FZ_SLOTS; i++) {
		pthread_rwlock_init(&p->slots[i].lock, NULL);
		p->slots[i].fd = -1;
	}
	p->preserved_in = malloc(FZ_CONTENTS * sizeof(*p->preserved_in));
	if (!p->preserved_in)
		ksft_exit_fail_msg("out of memory\n");
	for (i = 0; i < FZ_CONTENTS; i++)
		p->preserved_in[i] = -1;
}

/* The last slot of session @obj closed: the kernel released it.  Ledger held. */
static void session_gone(struct fz_proc *p, int obj)
{
	struct fz_session *s = &p->sessions[obj];
	int i;

	for (i = 0; i < s->nfiles; i++)
		if (p->preserved_in[s->files[i].content] == obj)
			p->preserved_in[s->files[i].content] = -1;
	s->nfiles = 0;
}

/* Close what slot @s holds: its write lock and the ledger held. */
static void slot_empty(struct fz_proc *p, struct fz_slot *s)
{
	if (s->kind == FZ_FREE)
		return;
	close(s->fd);
	if (s->kind == FZ_SESSION && !--p->sessions[s->obj].refs)
		session_gone(p, s->obj);
	s->kind = FZ_FREE;
	s->fd = -1;
}

/*
 * Put @fd of @kind into a free slot, or, when none is free, into one whose
 * descriptor it closes first, so that the table keeps turning over.  The
 * ledger held; slots busy with other threads are passed over.
 */
int fz_slot_put(struct fz_proc *p, uint64_t *rng, int fd, enum fz_kind kind,
		    int obj, uint32_t len)
{
	int i, pass, start = fz_below(rng, FZ_SLOTS);

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < FZ_SLOTS; i++) {
			struct fz_slot *s = &p->slots[(start + i) % FZ_SLOTS];

			if (pthread_rwlock_trywrlock(&s->lock))
				continue;
			if (s->kind != FZ_FREE && pass)
				slot_empty(p, s);
			if (s->kind == FZ_FREE) {
				s->fd = fd;
				s->kind = kind;
				s->obj = obj;
				s->len = len;
				if (kind == FZ_SESSION)
					p->sessions[obj].refs++;
				pthread_rwlock_unlock(&s->lock);
				return 0;
			}
			pthread_rwlock_unlock(&s->lock);
		}
	}
	close(fd);
	return -ENOSPC;
}

/* A new session object named @name, or -1 when the table is full. */
int fz_session_new(struct fz_proc *p, const char *name)
{
	int i;

	for (i = 0; i < FZ_SESSIONS; i++) {
		struct fz_session *s = &p->sessions[i];

		if (s->refs)
			continue;
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%.15s", name);
		return i;
	}
	return -1;
}

/* A session of this name is held by a slot of this process.  Ledger held. */
bool fz_name_held(struct fz_proc *p, const char *name)
{
	int i;

	for (i = 0; i < FZ_SESSIONS; i++)
		if (p->sessions[i].refs && !strcmp(p->sessions[i].name, name))
			return true;
	return false;
}

/* Close slot @s; with the ledger held, so that what it releases shows at once. */
void fz_slot_close(struct fz_proc *p, struct fz_slot *s)
{
	pthread_rwlock_wrlock(&s->lock);
	pthread_mutex_lock(&p->lock);
	slot_empty(p, s);
	pthread_mutex_unlock(&p->lock);
	pthread_rwlock_unlock(&s->lock);
}

/**
 * fz_proc_start - Open the device into a slot; in stage 1 also create a
 * first session, which forked children then share.
 * @p: The process.
 *
 * Return: 0 or -errno.
 */
int fz_proc_start(struct fz_proc *p)
{
	uint64_t rng = p->o->seed | 1;
	int fd = luo_open(), sfd, obj;

	if (fd < 0)
		return fd;
	pthread_mutex_lock(&p->lock);
	fz_slot_put(p, &rng, fd, FZ_DEVICE, 0, 0);
	pthread_mutex_unlock(&p->lock);
	if (p->o->stage != 1)
		return 0;
	sfd = luo_create_session(fd, "fz-shared");
	if (sfd < 0)
		return sfd;
	pthread_mutex_lock(&p->lock);
	obj = fz_session_new(p, "fz-shared");
	fz_slot_put(p, &rng, sfd, FZ_SESSION, obj, 0);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* A forked child: its own counts and notes, the same descriptors. */
void fz_proc_forked(struct fz_proc *p, int id)
{
	int i;

	p->id = id;
	atomic_store(&p->stats.ops, 0);
	atomic_store(&p->stats.ok, 0);
	atomic_store(&p->stats.errors, 0);
	atomic_store(&p->stats.violations, 0);
	for (i = 0; i < FZ_NR_OPS; i++)
		atomic_store(&p->stats.by_op[i], 0);
	atomic_store(&p->next_content, 0);
}

/* Close every slot of the device: sessions do not need it. */
void fz_proc_drop_device(struct fz_proc *p)
{
	int i;

	for (i = 0; i < FZ_SLOTS; i++)
		if (p->slots[i].kind == FZ_DEVICE)
			fz_slot_close(p, &p->slots[i]);
}

/* Close every slot but the sessions and the device (no thread runs). */
void fz_proc_trim(struct fz_proc *p)
{
	int i;

	for (i = 0; i < FZ_SLOTS; i++)
		if (p->slots[i].kind != FZ_SESSION && p->slots[i].kind != FZ_DEVICE)
			fz_slot_close(p, &p->slots[i]);
}

void fz_thread_init(struct fz_thread *t, struct fz_proc *p, uint64_t seed, double deadline)
{
	t->p = p;
	t->rng = seed ? seed : 1;
	t->deadline = deadline;
	t->buf = calloc(1, FZ_BUF);
	t->dirty = 0;
	t->faulting = false;
	if (!t->buf)
		ksft_exit_fail_msg("out of memory\n");
}

void fz_thread_done(struct fz_thread *t)
{
	free(t->buf);
	t->buf = NULL;
}

/* Pick a random slot and hold it for reading: NULL when it is free. */
struct fz_slot *fz_slot_get(struct fz_thread *t)
{
	struct fz_slot *s = &t->p->slots[fz_below(&t->rng, FZ_SLOTS)];

	pthread_rwlock_rdlock(&s->lock);
	if (s->kind != FZ_FREE)
		return s;
	pthread_rwlock_unlock(&s->lock);
	return NULL;
}

/*
 * Usually (4 in 5) a slot of @kind, so that requests reach past the
 * descriptor check; else, or when there is none, any slot (fz_slot_get()).
 */
struct fz_slot *fz_slot_get_kind(struct fz_thread *t, enum fz_kind kind)
{
	int i, start = fz_below(&t->rng, FZ_SLOTS);

	if (fz_below(&t->rng, 5) == 0)
		return fz_slot_get(t);
	for (i = 0; i < FZ_SLOTS; i++) {
		struct fz_slot *s = &t->p->slots[(start + i) % FZ_SLOTS];

		if (s->kind != kind)
			continue;
		pthread_rwlock_rdlock(&s->lock);
		if (s->kind == kind)
			return s;
		pthread_rwlock_unlock(&s->lock);
	}
	return fz_slot_get(t);
}

void fz_slot_put_back(struct fz_slot *s)
{
	pthread_rwlock_unlock(&s->lock);
}
