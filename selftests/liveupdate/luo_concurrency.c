// SPDX-License-Identifier: GPL-2.0
/*
 * luo_concurrency - several threads of the one process that holds
 * /dev/liveupdate use the device and its sessions at the same time:
 * independent sessions in parallel, a race for one session name, a race
 * for one memfd, and ioctls on a session descriptor while another thread
 * closes it.  Each test checks what userspace sees; the kernel under test
 * runs with lockdep, and the VM runner fails the run on any warning, so
 * these tests mostly have to drive the locking paths concurrently.
 *
 * Every test opens /dev/liveupdate once (the device allows a single
 * opener) and shares the descriptor between its threads.  Worker threads
 * never ASSERT: they count what went wrong, remember the first failure,
 * and the test checks the counts once they are joined.  All loops are
 * bounded by iteration counts.  It expects root and a kernel that received
 * no sessions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/liveupdate.h>

#include "luo_harness.h"

#define NR_THREADS		4

#define PARALLEL_ITERS		200
#define PARALLEL_FILES		3

#define NAME_ROUNDS		500
#define RACE_NAME		"conc-race"

#define MEMFD_ROUNDS		300

#define CLOSE_ITERS		500
#define CLOSE_PREFIX		"conc-close-"
/* Distinct tokens, so that thread A's preserve never meets B's token. */
#define CLOSE_TOKEN_A		1
#define CLOSE_TOKEN_B		2

/* What a worker thread saw go wrong: how often, and the first time. */
struct failures {
	int count;
	char first[160];
};

static void __attribute__((format(printf, 2, 3)))
note_failure(struct failures *f, const char *fmt, ...)
{
	va_list ap;

	if (f->count++)
		return;
	va_start(ap, fmt);
	vsnprintf(f->first, sizeof(f->first), fmt, ap);
	va_end(ap);
}

/*
 * Whether no session is named @name: creating it succeeds (and the new
 * session is closed again).  0 or -errno; -EEXIST means a session of that
 * name is still there.
 */
static int name_is_free(int luo, const char *name)
{
	int sfd = luo_create_session(luo, name);

	if (sfd < 0)
		return sfd;
	close(sfd);
	return 0;
}

/* A memfd with a little content, for preserving. */
static int small_memfd(void)
{
	return memfd_with("luo", 3);
}

/*
 * parallel_sessions: every thread creates its own sessions, preserves
 * memfds in them, reads their names back and closes them, all at once.
 */

struct parallel_arg {
	int luo;
	int idx;
	struct failures fail;
};

static void parallel_one(struct parallel_arg *a, int iter)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH], got[LIVEUPDATE_SESSION_NAME_LENGTH];
	int mfd[PARALLEL_FILES];
	int i, sfd, ret;

	snprintf(name, sizeof(name), "conc-%d-%d", a->idx, iter);
	sfd = luo_create_session(a->luo, name);
	if (sfd < 0) {
		note_failure(&a->fail, "%s: CREATE_SESSION: %s", name, errname(-sfd));
		return;
	}

	for (i = 0; i < PARALLEL_FILES; i++) {
		mfd[i] = memfd_with(name, strlen(name));
		if (mfd[i] < 0) {
			note_failure(&a->fail, "%s: memfd: %s", name, errname(-mfd[i]));
			continue;
		}
		ret = luo_preserve_fd(sfd, mfd[i], i + 1);
		if (ret)
			note_failure(&a->fail, "%s: PRESERVE_FD token %d: %s", name, i + 1,
				     errname(-ret));
	}

	ret = luo_get_name(sfd, got);
	if (ret)
		note_failure(&a->fail, "%s: GET_NAME: %s", name, errname(-ret));
	else if (!memchr(got, '\0', sizeof(got)) || strcmp(name, got))
		note_failure(&a->fail, "%s: GET_NAME returned \"%.*s\"", name,
			     (int)sizeof(got), got);

	/* Closing the session unpreserves its memfds. */
	close(sfd);
	for (i = 0; i < PARALLEL_FILES; i++)
		if (mfd[i] >= 0)
			close(mfd[i]);
}

static void *parallel_worker(void *p)
{
	struct parallel_arg *a = p;
	int iter;

	for (iter = 0; iter < PARALLEL_ITERS; iter++)
		parallel_one(a, iter);
	return NULL;
}

TEST_F(luo, parallel_sessions)
{
	struct parallel_arg args[NR_THREADS];
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	pthread_t threads[NR_THREADS];
	int i, iter, ret, taken = 0;

	memset(args, 0, sizeof(args));
	for (i = 0; i < NR_THREADS; i++) {
		args[i].luo = self->luo;
		args[i].idx = i;
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, parallel_worker, &args[i]));
	}
	/*
	 * The harness's ASSERT_*() and EXPECT_*() are two statements each: a
	 * loop around one needs braces.
	 */
	for (i = 0; i < NR_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	}

	for (i = 0; i < NR_THREADS; i++) {
		EXPECT_EQ(0, args[i].fail.count)
			TH_LOG("thread %d: %d failures, the first: %s", i,
			       args[i].fail.count, args[i].fail.first);
	}

	/* Every session was released: all the names are free again. */
	for (i = 0; i < NR_THREADS; i++) {
		for (iter = 0; iter < PARALLEL_ITERS; iter++) {
			snprintf(name, sizeof(name), "conc-%d-%d", i, iter);
			ret = name_is_free(self->luo, name);
			if (ret && !taken++)
				TH_LOG("%s after close: %s", name, errname(-ret));
		}
	}
	EXPECT_EQ(0, taken);
}

/*
 * contended_name: in every round all threads create a session of the same
 * name at once.  One wins; the winner closes its session (freeing the
 * name) before the next round starts.
 */

/*
 * The verdict of a race run in rounds: in each round exactly one thread
 * must win (0) and every other one fail with @want_err.  Returns how many
 * rounds went wrong, and logs the first.
 */
static int bad_race_rounds(struct __test_metadata *const _metadata,
			   const int (*result)[NR_THREADS], int rounds, int want_err)
{
	int round, i, wins, bad_rounds = 0;

	for (round = 0; round < rounds; round++) {
		bool bad = false;

		wins = 0;
		for (i = 0; i < NR_THREADS; i++) {
			if (!result[round][i]) {
				wins++;
			} else if (result[round][i] != -want_err) {
				bad = true;
				if (!bad_rounds)
					TH_LOG("round %d, thread %d: %s, expected %s", round, i,
					       errname(-result[round][i]), errname(want_err));
			}
		}
		if (wins != 1) {
			bad = true;
			if (!bad_rounds)
				TH_LOG("round %d: %d threads won, expected 1", round, wins);
		}
		bad_rounds += bad;
	}
	return bad_rounds;
}

struct name_race {
	int luo;
	pthread_barrier_t barrier;
	/* Per round and thread: 0 for a created session, -errno otherwise. */
	int result[NAME_ROUNDS][NR_THREADS];
};

struct name_arg {
	struct name_race *race;
	int idx;
};

static void *name_worker(void *p)
{
	struct name_arg *a = p;
	struct name_race *race = a->race;
	int round, sfd;

	for (round = 0; round < NAME_ROUNDS; round++) {
		pthread_barrier_wait(&race->barrier);
		sfd = luo_create_session(race->luo, RACE_NAME);
		race->result[round][a->idx] = sfd < 0 ? sfd : 0;
		/* Everyone has tried before the winner lets go of the name. */
		pthread_barrier_wait(&race->barrier);
		if (sfd >= 0)
			close(sfd);
	}
	return NULL;
}

TEST_F(luo, contended_name)
{
	struct name_arg args[NR_THREADS];
	pthread_t threads[NR_THREADS];
	struct name_race *race;
	int i, bad_rounds, ret;

	race = calloc(1, sizeof(*race));
	ASSERT_NE(NULL, race);
	race->luo = self->luo;
	ASSERT_EQ(0, pthread_barrier_init(&race->barrier, NULL, NR_THREADS));
	for (i = 0; i < NR_THREADS; i++) {
		args[i].race = race;
		args[i].idx = i;
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, name_worker, &args[i]));
	}
	for (i = 0; i < NR_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	}
	pthread_barrier_destroy(&race->barrier);

	bad_rounds = bad_race_rounds(_metadata, race->result, NAME_ROUNDS, EEXIST);
	EXPECT_EQ(0, bad_rounds)
		TH_LOG("%d of %d rounds went wrong", bad_rounds, NAME_ROUNDS);

	/* The last winner closed its session: the name is free. */
	ret = name_is_free(self->luo, RACE_NAME);
	EXPECT_EQ(0, ret)
		TH_LOG(RACE_NAME " after the race: %s", errname(-ret));
	free(race);
}

/*
 * contended_memfd: every thread has its own session, and in every round
 * all of them preserve the same memfd at once.  One wins; the winner closes
 * its session, which unpreserves the memfd, and starts a new one before the
 * next round.
 */

struct memfd_race {
	int luo;
	int mfd;
	pthread_barrier_t barrier;
	/* Per round and thread: the result of PRESERVE_FD, 0 or -errno. */
	int result[MEMFD_ROUNDS][NR_THREADS];
	struct failures fail[NR_THREADS];
};

struct memfd_arg {
	struct memfd_race *race;
	int idx;
};

static int memfd_race_session(struct memfd_race *race, int idx, int gen)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int sfd;

	snprintf(name, sizeof(name), "conc-memfd-%d-%d", idx, gen);
	sfd = luo_create_session(race->luo, name);
	if (sfd < 0)
		note_failure(&race->fail[idx], "%s: CREATE_SESSION: %s", name, errname(-sfd));
	return sfd;
}

static void *memfd_worker(void *p)
{
	struct memfd_arg *a = p;
	struct memfd_race *race = a->race;
	int round, sfd, ret;

	sfd = memfd_race_session(race, a->idx, 0);
	for (round = 0; round < MEMFD_ROUNDS; round++) {
		pthread_barrier_wait(&race->barrier);
		/* Without a session (sfd -1) this is EBADF, a failed round. */
		ret = luo_preserve_fd(sfd, race->mfd, a->idx + 1);
		race->result[round][a->idx] = ret;
		pthread_barrier_wait(&race->barrier);
		if (!ret) {
			close(sfd);
			sfd = memfd_race_session(race, a->idx, round + 1);
		}
	}
	if (sfd >= 0)
		close(sfd);
	return NULL;
}

TEST_F(luo, contended_memfd)
{
	struct memfd_arg args[NR_THREADS];
	pthread_t threads[NR_THREADS];
	struct memfd_race *race;
	int i, bad_rounds, ret, sfd;

	race = calloc(1, sizeof(*race));
	ASSERT_NE(NULL, race);
	race->luo = self->luo;
	race->mfd = small_memfd();
	ASSERT_FD(race->mfd);
	ASSERT_EQ(0, pthread_barrier_init(&race->barrier, NULL, NR_THREADS));
	for (i = 0; i < NR_THREADS; i++) {
		args[i].race = race;
		args[i].idx = i;
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, memfd_worker, &args[i]));
	}
	for (i = 0; i < NR_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(threads[i], NULL));
	}
	pthread_barrier_destroy(&race->barrier);

	for (i = 0; i < NR_THREADS; i++) {
		EXPECT_EQ(0, race->fail[i].count)
			TH_LOG("thread %d: %d failures, the first: %s", i,
			       race->fail[i].count, race->fail[i].first);
	}

	bad_rounds = bad_race_rounds(_metadata, race->result, MEMFD_ROUNDS, EBUSY);
	EXPECT_EQ(0, bad_rounds)
		TH_LOG("%d of %d rounds went wrong", bad_rounds, MEMFD_ROUNDS);

	/* Every session is closed: the memfd is free to preserve again. */
	sfd = luo_create_session(self->luo, "conc-memfd-after");
	ASSERT_FD(sfd);
	ret = luo_preserve_fd(sfd, race->mfd, 1);
	EXPECT_EQ(0, ret)
		TH_LOG("preserving the memfd after the race: %s", errname(-ret));
	close(sfd);
	close(race->mfd);
	free(race);
}

/*
 * close_vs_ioctl: thread A creates sessions, preserves a memfd in each and
 * closes them, one after the other, publishing each session's descriptor
 * number; thread B meanwhile issues GET_NAME and PRESERVE_FD on whatever
 * number is published, racing with A's close.  By then the number may be
 * closed (EBADF), reused by a memfd (ENOTTY) or by A's next session.
 */

struct close_race {
	int luo;
	atomic_int published;
	atomic_bool done;
	/* A's memfd of its last session, left open for the final checks. */
	int kept_mfd;
	struct failures fail_a;
	struct failures fail_b;
	int b_iters;
	int b_name_ok;
	int b_preserve_ok;
};

/* The results B may see: the call hit a session, or the race lost it. */
static bool close_race_errno_ok(int ret)
{
	switch (ret) {
	case 0:
	case -EBADF:	/* the number is closed */
	case -ENOTTY:	/* the number is a memfd now */
	case -EEXIST:	/* B's token is in that session already */
	case -EBUSY:	/* allowed, not expected: B's memfds are all new */
	case -EINVAL:	/* allowed, not expected: no session is incoming */
		return true;
	default:
		return false;
	}
}

static void *close_worker_a(void *p)
{
	struct close_race *race = p;
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int iter, sfd, mfd, ret;

	for (iter = 0; iter < CLOSE_ITERS; iter++) {
		/*
		 * A name per session: B's ioctl in flight holds a reference
		 * to the file, so A's close may release the session a little
		 * later, with the name still taken meanwhile.
		 */
		snprintf(name, sizeof(name), CLOSE_PREFIX "%d", iter);
		sfd = luo_create_session(race->luo, name);
		if (sfd < 0) {
			note_failure(&race->fail_a, "%s: CREATE_SESSION: %s", name,
				     errname(-sfd));
			continue;
		}
		mfd = memfd_with(name, strlen(name));
		if (mfd < 0) {
			note_failure(&race->fail_a, "%s: memfd: %s", name, errname(-mfd));
			close(sfd);
			continue;
		}
		atomic_store(&race->published, sfd);
		ret = luo_preserve_fd(sfd, mfd, CLOSE_TOKEN_A);
		if (ret)
			note_failure(&race->fail_a, "%s: PRESERVE_FD: %s", name, errname(-ret));
		close(sfd);
		if (iter == CLOSE_ITERS - 1)
			race->kept_mfd = mfd;
		else
			close(mfd);
	}
	atomic_store(&race->published, -1);
	atomic_store(&race->done, true);
	return NULL;
}

static void close_race_b_one(struct close_race *race)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int sfd, mfd, ret;

	mfd = small_memfd();
	if (mfd < 0) {
		note_failure(&race->fail_b, "memfd: %s", errname(-mfd));
		return;
	}
	sfd = atomic_load(&race->published);

	ret = luo_get_name(sfd, name);
	if (!close_race_errno_ok(ret)) {
		note_failure(&race->fail_b, "GET_NAME on fd %d: %s", sfd, errname(-ret));
	} else if (!ret) {
		/* Only A's sessions exist. */
		if (!memchr(name, '\0', sizeof(name)) ||
		    strncmp(name, CLOSE_PREFIX, strlen(CLOSE_PREFIX)))
			note_failure(&race->fail_b, "GET_NAME on fd %d returned \"%.*s\"",
				     sfd, (int)sizeof(name), name);
		race->b_name_ok++;
	}

	ret = luo_preserve_fd(sfd, mfd, CLOSE_TOKEN_B);
	if (!close_race_errno_ok(ret))
		note_failure(&race->fail_b, "PRESERVE_FD on fd %d: %s", sfd, errname(-ret));
	else if (!ret)
		race->b_preserve_ok++;

	/* Preserved or not, B lets go of its memfd; a session holds its own reference. */
	close(mfd);
}

static void *close_worker_b(void *p)
{
	struct close_race *race = p;

	while (!atomic_load(&race->done)) {
		close_race_b_one(race);
		race->b_iters++;
	}
	return NULL;
}

TEST_F(luo, close_vs_ioctl)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	struct close_race *race;
	pthread_t a, b;
	int iter, ret, sfd, mfd, taken = 0;

	race = calloc(1, sizeof(*race));
	ASSERT_NE(NULL, race);
	race->luo = self->luo;
	race->kept_mfd = -1;
	atomic_init(&race->published, -1);
	atomic_init(&race->done, false);
	ASSERT_EQ(0, pthread_create(&b, NULL, close_worker_b, race));
	ASSERT_EQ(0, pthread_create(&a, NULL, close_worker_a, race));
	ASSERT_EQ(0, pthread_join(a, NULL));
	ASSERT_EQ(0, pthread_join(b, NULL));

	TH_LOG("B: %d iterations, GET_NAME succeeded %d times, PRESERVE_FD %d times",
	       race->b_iters, race->b_name_ok, race->b_preserve_ok);
	EXPECT_EQ(0, race->fail_a.count)
		TH_LOG("A: %d failures, the first: %s", race->fail_a.count, race->fail_a.first);
	EXPECT_EQ(0, race->fail_b.count)
		TH_LOG("B: %d failures, the first: %s", race->fail_b.count, race->fail_b.first);

	/* All of A's sessions were released, whoever dropped the last reference. */
	for (iter = 0; iter < CLOSE_ITERS; iter++) {
		snprintf(name, sizeof(name), CLOSE_PREFIX "%d", iter);
		ret = name_is_free(self->luo, name);
		if (ret && !taken++)
			TH_LOG("%s after close: %s", name, errname(-ret));
	}
	EXPECT_EQ(0, taken);

	/* And the subsystem still works: a new session takes memfds. */
	sfd = luo_create_session(self->luo, "conc-close-after");
	ASSERT_FD(sfd);
	mfd = small_memfd();
	ASSERT_FD(mfd);
	ret = luo_preserve_fd(sfd, mfd, 1);
	EXPECT_EQ(0, ret)
		TH_LOG("preserving a new memfd: %s", errname(-ret));
	/* A's last memfd was unpreserved when its session went away. */
	ASSERT_FD(race->kept_mfd);
	ret = luo_preserve_fd(sfd, race->kept_mfd, 2);
	EXPECT_EQ(0, ret)
		TH_LOG("preserving A's last memfd again: %s", errname(-ret));
	close(sfd);
	close(mfd);
	close(race->kept_mfd);
	free(race);
}

TEST_HARNESS_MAIN
