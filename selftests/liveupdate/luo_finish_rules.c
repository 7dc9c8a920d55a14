// SPDX-License-Identifier: GPL-2.0
/*
 * luo_finish_rules - what a retrieved session allows before and after
 * LIVEUPDATE_SESSION_FINISH, across one live update.
 *
 *   luo_finish_rules --stage 1
 *	Create the sessions "fin-a" (memfds of tokens 1 and 2), "fin-b"
 *	(token 7) and "fin-c" (token 9), each memfd of known contents, and
 *	leave a child holding the session file descriptors, so that the next
 *	kexec carries them over.
 *   luo_finish_rules --stage 2
 *	In the new kernel: an incoming name cannot be created again; a session
 *	is retrieved once; RETRIEVE_FD finds preserved tokens only; an
 *	unfinished session preserves nothing; FINISH discards the files never
 *	retrieved, leaves the retrieved ones alone and turns the session into
 *	an ordinary one; a retrieved file counts as preserved until FINISH
 *	(it cannot go into an outgoing session before, and can after);
 *	closing a retrieved session without FINISH is allowed; a second
 *	FINISH is refused.
 *
 * Each check is one TAP line; the exit code is 0 only when all pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/liveupdate.h>

#include "luo_util.h"
#include "kselftest.h"
#include "luo_check.h"

/* Bytes of each preserved memfd: a few pages and a partial one. */
#define CONTENT_LEN	(3 * 4096 + 123)

/* A token never preserved. */
#define MISSING_TOKEN	99

/* TAP lines of stage 2; ksft_finished() fails the run if they differ. */
#define STAGE2_CHECKS	23

static const struct {
	const char *name;
	unsigned int nr_tokens;
	__u64 tokens[2];
} sessions[] = {
	{ "fin-a", 2, { 1, 2 } },
	{ "fin-b", 1, { 7 } },
	{ "fin-c", 1, { 9 } },
};

/* The contents of the memfd of @token in session @name. */
static void content(char *buf, const char *name, __u64 token)
{
	unsigned int seed = token * 17;
	size_t i, n;

	for (i = 0; name[i]; i++)
		seed = seed * 31 + (unsigned char)name[i];
	n = snprintf(buf, CONTENT_LEN, "luo_finish_rules session %s token %llu\n",
		     name, (unsigned long long)token);
	for (i = n; i < CONTENT_LEN; i++)
		buf[i] = (char)(i * 131 + seed);
}

/* close(): 0 or -errno, and -EBADF for a descriptor never obtained. */
static int close_fd(int fd)
{
	if (fd < 0)
		return -EBADF;
	return close(fd) ? -errno : 0;
}

/* Whether @fd holds what stage 1 wrote for @token of session @name. */
static int holds_content(int fd, const char *name, __u64 token)
{
	char expected[CONTENT_LEN];
	int ret;

	if (fd < 0)
		return fd;
	content(expected, name, token);
	ret = fd_holds(fd, expected, sizeof(expected));
	if (ret == -EILSEQ)
		ksft_print_msg("%s token %llu: size or contents differ from stage 1\n", name,
			       (unsigned long long)token);
	return ret;
}

/* Retrieve @token of @sfd and check its contents; keep the fd in *@fdp. */
static int retrieve_and_verify(int sfd, const char *name, __u64 token, int *fdp)
{
	int fd = luo_retrieve_fd(sfd, token);

	*fdp = fd;
	return holds_content(fd, name, token);
}

/* Create session @i and preserve its memfds: one TAP line per step. */
static int stage1_session(int luo, unsigned int i)
{
	char buf[CONTENT_LEN];
	unsigned int t;
	int sfd, mfd;

	sfd = luo_create_session(luo, sessions[i].name);
	check(sfd, 0, "create session %s", sessions[i].name);
	for (t = 0; t < sessions[i].nr_tokens; t++) {
		content(buf, sessions[i].name, sessions[i].tokens[t]);
		mfd = memfd_with(buf, sizeof(buf));
		check(mfd < 0 ? mfd : luo_preserve_fd(sfd, mfd, sessions[i].tokens[t]), 0,
		      "preserve %s token %llu", sessions[i].name,
		      (unsigned long long)sessions[i].tokens[t]);
		/* The session holds its own reference. */
		if (mfd >= 0)
			close(mfd);
	}
	return sfd;
}

static void stage1(void)
{
	unsigned int i, plan = 2;
	int luo, sfds[ARRAY_SIZE(sessions)];

	for (i = 0; i < ARRAY_SIZE(sessions); i++)
		plan += 1 + sessions[i].nr_tokens;
	ksft_set_plan(plan);

	luo = luo_open();
	check(luo, 0, "open %s", LUO_DEVICE);
	for (i = 0; i < ARRAY_SIZE(sessions); i++)
		sfds[i] = stage1_session(luo, i);
	/* Neither the child nor this process keeps the device open. */
	if (luo >= 0)
		close(luo);

	/* Leave no process behind for a stage 2 that cannot pass anyway. */
	if (ksft_get_fail_cnt())
		ksft_test_result_fail("a child holds the sessions: not started after failures\n");
	else
		check(luo_hold_fds(), 0, "a child holds the sessions");
	for (i = 0; i < ARRAY_SIZE(sessions); i++)
		if (sfds[i] >= 0)
			close(sfds[i]);
}

/*
 * fin-a: retrieval, RETRIEVE_FD, PRESERVE_FD before and after FINISH, into
 * fin-a and, of its retrieved file, into the outgoing session fin-out.
 */
static void stage2_fin_a(int luo)
{
	int sfd, fd1, mfd, out;
	char buf[CONTENT_LEN];

	check(luo_create_session(luo, "fin-a"), EEXIST, "create fin-a while it is incoming");

	sfd = luo_retrieve_session(luo, "fin-a");
	check(sfd, 0, "retrieve fin-a");
	check(luo_retrieve_session(luo, "fin-a"), EBUSY, "retrieve fin-a again");

	check(retrieve_and_verify(sfd, "fin-a", 1, &fd1), 0,
	      "retrieve fin-a token 1 with its stage 1 contents");
	check(luo_retrieve_fd(sfd, MISSING_TOKEN), ENOENT, "retrieve fin-a token %d",
	      MISSING_TOKEN);

	content(buf, "fin-a", 100);
	mfd = memfd_with(buf, sizeof(buf));
	check(mfd < 0 ? mfd : luo_preserve_fd(sfd, mfd, 100), EINVAL,
	      "preserve into fin-a before finish");
	out = luo_create_session(luo, "fin-out");
	check(out, 0, "create the outgoing session fin-out");
	check(out < 0 || fd1 < 0 ? -EBADF : luo_preserve_fd(out, fd1, 1), EBUSY,
	      "preserve fin-a token 1 into fin-out before finish");

	check(luo_finish(sfd), 0, "finish fin-a, token 2 never retrieved");
	check(luo_retrieve_fd(sfd, 2), EINVAL, "retrieve fin-a token 2 after finish");
	check(luo_retrieve_session(luo, "fin-a"), ENOENT, "retrieve fin-a after finish");
	check(holds_content(fd1, "fin-a", 1), 0,
	      "fin-a token 1 keeps its contents after finish");
	check(mfd < 0 ? mfd : luo_preserve_fd(sfd, mfd, 100), 0, "preserve into fin-a after finish");
	check(out < 0 || fd1 < 0 ? -EBADF : luo_preserve_fd(out, fd1, 1), 0,
	      "preserve fin-a token 1 into fin-out after finish");

	if (out >= 0)
		close(out);
	if (mfd >= 0)
		close(mfd);
	if (fd1 >= 0)
		close(fd1);
	if (sfd >= 0)
		close(sfd);
}

/* fin-b: closing a retrieved session without FINISH. */
static void stage2_fin_b(int luo)
{
	int sfd, fd7;

	sfd = luo_retrieve_session(luo, "fin-b");
	check(sfd, 0, "retrieve fin-b");
	check(retrieve_and_verify(sfd, "fin-b", 7, &fd7), 0,
	      "retrieve fin-b token 7 with its stage 1 contents");
	check(close_fd(sfd), 0, "close fin-b without finish");
	check(luo_retrieve_session(luo, "fin-b"), ENOENT, "retrieve fin-b after its close");
	if (fd7 >= 0)
		close(fd7);
}

/* fin-c: FINISH refuses a reserved field and a second call. */
static void stage2_fin_c(int luo)
{
	int sfd;

	sfd = luo_retrieve_session(luo, "fin-c");
	check(sfd, 0, "retrieve fin-c");
	check(luo_finish_reserved(sfd, 1), EINVAL, "finish fin-c with reserved 1");
	check(luo_finish(sfd), 0, "finish fin-c");
	check(luo_finish(sfd), EINVAL, "finish fin-c again");
	if (sfd >= 0)
		close(sfd);
}

static void stage2(void)
{
	int luo;

	ksft_set_plan(STAGE2_CHECKS);
	luo = luo_open();
	check(luo, 0, "open %s", LUO_DEVICE);
	stage2_fin_a(luo);
	stage2_fin_b(luo);
	stage2_fin_c(luo);
	if (luo >= 0)
		close(luo);
}

int main(int argc, char *argv[])
{
	const char *stage = argc == 3 && !strcmp(argv[1], "--stage") ? argv[2] : "";

	if (strcmp(stage, "1") && strcmp(stage, "2")) {
		fprintf(stderr, "usage: %s --stage 1|2\n", argv[0]);
		return KSFT_FAIL;
	}
	ksft_print_header();
	if (*stage == '1')
		stage1();
	else
		stage2();
	ksft_finished();
}
