// SPDX-License-Identifier: GPL-2.0
/*
 * luo_fuzz: what crosses the kexec.  Stage 1 adds a seeded session and
 * writes every session it still holds, with the files its ledger says each
 * has, to the state file:
 *   seed N
 *   session NAME
 *   file TOKEN CONTENT LEN
 * Stage 2 reads it back and checks each session with racing threads:
 * one retrieve wins (the others: EBUSY), every thread's RETRIEVE_FD of a
 * token gives the same file with the seeded contents, a retrieved file
 * cannot go into another session (EBUSY) until one of the racing FINISHes
 * finished the session (the others: EINVAL), and then it can.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest.h"
#include "luo_util.h"
#include "luo_fuzz.h"

#define SEED_FILES	3

static int device_fd(struct fz_proc *p)
{
	int i;

	for (i = 0; i < FZ_SLOTS; i++)
		if (p->slots[i].kind == FZ_DEVICE)
			return p->slots[i].fd;
	return -ENODEV;
}

/**
 * fz_seed_session - Add a session "fz-seed" of SEED_FILES memfds, so that
 * stage 2 has something to verify whatever the fuzzing left.
 * @p: The process, its threads joined.
 *
 * Return: 0 or -errno.
 */
int fz_seed_session(struct fz_proc *p)
{
	int dev = device_fd(p), sfd, fd, obj, i, err;
	uint64_t rng = p->o->seed | 1;
	struct fz_session *s;
	bool opened = false;

	fz_proc_trim(p);
	if (dev < 0) {
		dev = luo_open();
		if (dev < 0)
			return dev;
		opened = true;
	}
	sfd = luo_create_session(dev, "fz-seed");
	pthread_mutex_lock(&p->lock);
	if (opened)
		fz_slot_put(p, &rng, dev, FZ_DEVICE, 0, 0);
	if (sfd < 0) {
		pthread_mutex_unlock(&p->lock);
		ksft_print_msg("fz-seed: create: %s\n", errname(-sfd));
		return sfd;
	}
	obj = fz_session_new(p, "fz-seed");
	err = obj < 0 ? -ENOSPC : fz_slot_put(p, &rng, sfd, FZ_SESSION, obj, 0);
	pthread_mutex_unlock(&p->lock);
	if (obj < 0)
		close(sfd);
	if (err)
		return err;
	s = &p->sessions[obj];
	for (i = 0; i < SEED_FILES; i++) {
		uint32_t content = atomic_fetch_add(&p->next_content, 1);
		uint32_t len = 4096 * (i + 1) + 123 * i;

		fd = fz_seeded_memfd(p, content, len);
		if (fd < 0) {
			ksft_print_msg("fz-seed: memfd of %u bytes: %s\n", len, errname(-fd));
			return fd;
		}
		err = luo_preserve_fd(sfd, fd, 1000 + i);
		close(fd);
		if (err) {
			ksft_print_msg("fz-seed: preserve token %d: %s\n", 1000 + i, errname(-err));
			return err;
		}
		s->files[s->nfiles++] = (struct fz_file){
			.token = 1000 + i, .content = content, .len = len,
		};
	}
	return 0;
}

/**
 * fz_state_write - Write what this process holds to @path.
 * @p:    The process, its threads joined.
 * @path: The state file.
 *
 * Return: 0 or -errno.
 */
int fz_state_write(struct fz_proc *p, const char *path)
{
	FILE *f = fopen(path, "w");
	int i, j, n = 0;

	if (!f)
		return -errno;
	fprintf(f, "seed %llu\n", (unsigned long long)p->o->seed);
	for (i = 0; i < FZ_SESSIONS; i++) {
		const struct fz_session *s = &p->sessions[i];

		if (!s->refs)
			continue;
		fprintf(f, "session %s\n", s->name);
		for (j = 0; j < s->nfiles; j++)
			fprintf(f, "file %llu %u %u\n", (unsigned long long)s->files[j].token,
				s->files[j].content, s->files[j].len);
		n++;
	}
	if (fclose(f))
		return -errno;
	ksft_print_msg("state: %d sessions to verify after the kexec\n", n);
	return 0;
}

/**
 * fz_state_read - Read the state file of stage 1.
 * @p:    The process.
 * @path: The file.
 *
 * Return: the number of sessions, or -errno (-EINVAL: malformed, or
 * another seed than this run's).
 */
int fz_state_read(struct fz_proc *p, const char *path)
{
	unsigned long long seed = 0, token;
	struct fz_expect *e = NULL;
	unsigned int content, len;
	char line[128], name[16];
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	p->expect = calloc(FZ_SESSIONS, sizeof(*p->expect));
	if (!p->expect) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "seed %llu", &seed) == 1)
			continue;
		if (sscanf(line, "session %15s", name) == 1 && p->nexpect < FZ_SESSIONS) {
			e = &p->expect[p->nexpect++];
			memcpy(e->name, name, sizeof(e->name));
		} else if (sscanf(line, "file %llu %u %u", &token, &content, &len) == 3 && e &&
			   e->nfiles < FZ_FILES) {
			e->files[e->nfiles++] = (struct fz_file){
				.token = token, .content = content, .len = len,
			};
		} else {
			fclose(f);
			return -EINVAL;
		}
	}
	fclose(f);
	if (seed != p->o->seed) {
		ksft_print_msg("%s is of seed %llu: run stage 2 with --seed %llu\n", path, seed, seed);
		return -EINVAL;
	}
	return p->nexpect;
}

int fz_verify_plan(const struct fz_proc *p)
{
	return 5 * p->nexpect + 1;
}

/* What the racing threads of one session saw. */
struct fz_verify {
	struct fz_proc *p;
	pthread_barrier_t bar;
	unsigned int threads;
	const struct fz_expect *e;
	int dev;
	int got[FZ_MAX_THREADS];		/* retrieve: fd or -errno */
	int sfd;
	int fds[FZ_MAX_THREADS][FZ_FILES];	/* retrieve_fd */
	int fin[FZ_MAX_THREADS];		/* finish */
};

struct fz_vthread {
	struct fz_verify *v;
	unsigned int i;
};

static void *verify_thread(void *arg)
{
	struct fz_vthread *vt = arg;
	struct fz_verify *v = vt->v;
	int j;

	v->got[vt->i] = luo_retrieve_session(v->dev, v->e->name);
	pthread_barrier_wait(&v->bar);		/* 1: thread 0 picks the winner */
	pthread_barrier_wait(&v->bar);		/* 2 */
	for (j = 0; j < v->e->nfiles; j++)
		v->fds[vt->i][j] = v->sfd < 0 ? -EBADF : luo_retrieve_fd(v->sfd, v->e->files[j].token);
	pthread_barrier_wait(&v->bar);		/* 3: thread 0 checks the files */
	pthread_barrier_wait(&v->bar);		/* 4 */
	v->fin[vt->i] = v->sfd < 0 ? -EBADF : luo_finish(v->sfd);
	return NULL;
}

/* Every thread's file of each token: the same file, with the seeded bytes. */
static bool files_ok(struct fz_verify *v)
{
	unsigned char *data;
	struct stat st0, st;
	bool ok = true;
	unsigned int i;
	int j;

	for (j = 0; j < v->e->nfiles; j++) {
		const struct fz_file *f = &v->e->files[j];

		for (i = 0; i < v->threads; i++)
			if (v->fds[i][j] < 0 || fstat(v->fds[i][j], &st) ||
			    fstat(v->fds[0][j], &st0) || st.st_ino != st0.st_ino ||
			    st.st_dev != st0.st_dev) {
				ksft_print_msg("%s token %llu: thread %u got %s, not the same file\n",
					       v->e->name, (unsigned long long)f->token, i,
					       v->fds[i][j] < 0 ? errname(-v->fds[i][j]) : "a file");
				ok = false;
			}
		data = malloc(f->len);
		if (!data)
			return false;
		fz_content(v->p, f->content, data, f->len);
		if (v->fds[0][j] >= 0 && fd_holds(v->fds[0][j], data, f->len)) {
			ksft_print_msg("%s token %llu: contents differ from stage 1\n", v->e->name,
				       (unsigned long long)f->token);
			ok = false;
		}
		free(data);
	}
	return ok;
}

/* Preserve each retrieved file into @out: how many returned @err (0 or errno). */
static int preserve_all(struct fz_verify *v, int out, int err)
{
	int j, n = 0, ret;

	for (j = 0; j < v->e->nfiles; j++) {
		ret = v->fds[0][j] < 0 ? -EBADF : luo_preserve_fd(out, v->fds[0][j], 1 + j);
		n += ret == -err;
	}
	return n;
}

static void verify_one(struct fz_verify *v)
{
	struct fz_vthread vt[FZ_MAX_THREADS];
	pthread_t tid[FZ_MAX_THREADS];
	unsigned int i, won = 0, busy = 0, done = 0, inval = 0;
	const char *name = v->e->name;
	int out, j;

	pthread_barrier_init(&v->bar, NULL, v->threads + 1);
	for (i = 0; i < v->threads; i++) {
		vt[i] = (struct fz_vthread){ .v = v, .i = i };
		pthread_create(&tid[i], NULL, verify_thread, &vt[i]);
	}
	pthread_barrier_wait(&v->bar);		/* 1 */
	v->sfd = -1;
	for (i = 0; i < v->threads; i++) {
		if (v->got[i] >= 0) {
			won++;
			if (v->sfd < 0)
				v->sfd = v->got[i];
			else
				close(v->got[i]);
		}
		busy += v->got[i] == -EBUSY;
	}
	fz_tap(won == 1 && busy == v->threads - 1,
			 "%s: %u racing retrieves, %u won, %u EBUSY\n", name, v->threads, won, busy);
	pthread_barrier_wait(&v->bar);		/* 2 */
	pthread_barrier_wait(&v->bar);		/* 3 */
	fz_tap(v->sfd >= 0 && files_ok(v),
			 "%s: %d files, the same file for every thread, contents intact\n",
			 name, v->e->nfiles);
	out = luo_create_session(v->dev, "fz-out");
	fz_tap(out >= 0 && preserve_all(v, out, EBUSY) == v->e->nfiles,
			 "%s: its retrieved files cannot be preserved before FINISH (EBUSY)\n",
			 name);
	pthread_barrier_wait(&v->bar);		/* 4 */
	for (i = 0; i < v->threads; i++) {
		pthread_join(tid[i], NULL);
		done += v->fin[i] == 0;
		inval += v->fin[i] == -EINVAL;
	}
	fz_tap(done == 1 && inval == v->threads - 1,
			 "%s: %u racing FINISHes, %u finished, %u EINVAL\n", name, v->threads,
			 done, inval);
	fz_tap(out >= 0 && preserve_all(v, out, 0) == v->e->nfiles,
			 "%s: after FINISH its files can be preserved again\n", name);
	if (out >= 0)
		close(out);
	for (i = 0; i < v->threads; i++)
		for (j = 0; j < v->e->nfiles; j++)
			if (v->fds[i][j] >= 0)
				close(v->fds[i][j]);
	if (v->sfd >= 0)
		close(v->sfd);
	pthread_barrier_destroy(&v->bar);
}

/**
 * fz_verify_all - Check every session of the state file (stage 2).
 * @p:       The process, holding the device.
 * @threads: How many threads race.
 */
void fz_verify_all(struct fz_proc *p, unsigned int threads)
{
	static struct fz_verify v;
	unsigned int n, absent = 0;
	char name[16];
	int i, k;

	v.p = p;
	v.threads = threads;
	v.dev = device_fd(p);
	for (i = 0; i < p->nexpect; i++) {
		v.e = &p->expect[i];
		verify_one(&v);
	}
	/* No session was handed over that stage 1 did not hold. */
	for (n = 0; n < FZ_NAMES; n++) {
		snprintf(name, sizeof(name), "fz-%u", n);
		for (k = 0; k < p->nexpect && strcmp(p->expect[k].name, name); k++)
			;
		absent += k < p->nexpect || luo_retrieve_session(v.dev, name) == -ENOENT;
	}
	fz_tap(absent == FZ_NAMES,
			 "names stage 1 did not hold are not handed over (ENOENT)\n");
}
