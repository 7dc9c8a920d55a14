// SPDX-License-Identifier: GPL-2.0
/*
 * luo_inject_test - LUO undoes a file step that fails, and the step
 * succeeds when tried again; the failures are injected by the BPF fmod_ret
 * programs of luo_inject.bpf.c on LUO's hooks, and what LUO did is read
 * from its luo_file_* tracepoints through tp_btf programs.
 *
 *   luo_inject_test --stage 1 --kernel PATH
 *	Sessions "inj-a" and "inj-b" of 3 memfds of 1 MiB each (tokens 1-3).
 *	Preserve: luo_hook_file_preserve fails inj-a token 2; its PRESERVE_FD
 *	fails with the injected EIO, luo_file_preserve reports it, and nothing
 *	of the file stays: once the program is gone, the same memfd is
 *	preserved under the same token.
 *	Freeze: luo_hook_file_freeze fails the second file frozen by a kexec
 *	into PATH with this boot's own command line (were it not refused, the
 *	guest would run stage 1 again); reboot(2) returns EIO, the first file
 *	was frozen then unfrozen, the record holds the aborted update, and the
 *	sessions work as before.
 *	Then a child holds the sessions, so that the kexec that ends the stage,
 *	without any program, carries them over.
 *   luo_inject_test --stage 2
 *	Retrieve: luo_hook_file_retrieve fails inj-a token 2, twice, since
 *	the error is not latched, and the file is retrieved once the program
 *	is gone.  Every file holds its stage 1 bytes.  Can-finish:
 *	luo_hook_file_can_finish fails inj-b, whose FINISH fails, and whose
 *	close then finishes nothing: inj-b is retrieved again, its file the
 *	same.  Both sessions finish, and the record holds the aborted update
 *	and the one that went through.
 *
 * A kernel without the hooks or their tracepoints fails the test: the
 * programs do not load.  Each check is one TAP line; the exit code is 0
 * only when all pass.
 *
 * This file holds the stages, main and whatever reports to kselftest: the
 * checks, and the loading and attaching of the programs, whose failure
 * bails out with the counts.  kselftest.h keeps its counts per source
 * file, so these must share one.  luo_inject_progs.c holds the skeleton,
 * its ring buffer and the injectors, luo_inject_sys.c the memfds, the
 * kexec and the record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/liveupdate.h>
#include <linux/liveupdate_record.h>
#include <bpf/libbpf.h>

#include "luo_util.h"
#include "kselftest.h"
#include "luo_check.h"
#include "luo_inject.h"
#include "luo_inject.skel.h"
#include "luo_inject_test.h"

/* Tokens of the files of each session: 1 .. NR_TOKENS. */
#define NR_TOKENS	3

/* The file of inj-a whose preserve and retrieve fail. */
#define TARGET_TOKEN	2

/* What the hooks return. */
#define INJECTED	EIO

/* TAP lines of each stage; ksft_finished() fails the run if they differ. */
#define STAGE1_CHECKS	25
#define STAGE2_CHECKS	22

_Static_assert(INJ_NAME_LEN == LIVEUPDATE_SESSION_NAME_LENGTH, "session names differ in size");

static const char *const sessions[] = { "inj-a", "inj-b" };

static const char *const event_names[] = {
	[INJ_EV_PRESERVE] = "preserve",
	[INJ_EV_FREEZE] = "freeze",
	[INJ_EV_UNFREEZE] = "unfreeze",
	[INJ_EV_RETRIEVE] = "retrieve",
};

static struct events_seen seen;

/* The compatible string of the memfd handler. */
#define MEMFD		"memfd-v2"

/* libbpf's warnings, as TAP diagnostics; its debug output is left out. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	printf("# ");
	return vprintf(fmt, ap);
}

static void attach(struct bpf_program *prog, struct bpf_link **link)
{
	*link = bpf_program__attach(prog);
	if (!*link)
		ksft_exit_fail_msg("cannot attach %s: %s\n", bpf_program__name(prog),
				   strerror(errno));
}

/*
 * Load the tracers, attached at once, and the injectors of the hooks that
 * @targets gives an error, aimed at the calls that @targets selects and
 * left unattached.  Failing to is fatal: this kernel cannot run the test.
 */
static void bpf_setup(const struct inj_target targets[INJ_NR_HOOKS])
{
	struct bpf_program *prog;
	unsigned int i;
	int err;

	libbpf_set_print(libbpf_print);
	skel = luo_inject__open();
	if (!skel)
		ksft_exit_fail_msg("cannot open the BPF object: %s\n", strerror(errno));
	for (i = 0; i < INJ_NR_HOOKS; i++) {
		injector(i, &prog);
		skel->rodata->targets[i] = targets[i];
		bpf_program__set_autoload(prog, targets[i].error != 0);
	}
	err = luo_inject__load(skel);
	if (err) {
		ksft_print_msg("needs LUO's hooks luo_hook_file_* and tracepoints luo_file_*\n");
		ksft_exit_fail_msg("cannot load the BPF programs: %s\n", strerror(-err));
	}
	attach(skel->progs.on_preserve, &skel->links.on_preserve);
	attach(skel->progs.on_freeze, &skel->links.on_freeze);
	attach(skel->progs.on_unfreeze, &skel->links.on_unfreeze);
	attach(skel->progs.on_retrieve, &skel->links.on_retrieve);
	ring = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &seen, NULL);
	if (!ring)
		ksft_exit_fail_msg("cannot open the ring buffer: %s\n", strerror(errno));
}

/* Attach the injector of @hook. */
static void inject_start(enum inj_hook hook)
{
	struct bpf_program *prog;
	struct bpf_link **link = injector(hook, &prog);

	attach(prog, link);
	ksft_print_msg("%s attached\n", bpf_program__name(prog));
}

/* One TAP line: the injector of @hook matched @matched calls, failed @injected. */
static void check_injector(enum inj_hook hook, __u32 matched, __u32 injected)
{
	struct bpf_program *prog;

	injector(hook, &prog);
	ksft_test_result(skel->bss->matched[hook] == matched &&
			 skel->bss->injected[hook] == injected,
			 "%s matched %u calls (expected %u) and failed %u (expected %u)\n",
			 bpf_program__name(prog), skel->bss->matched[hook], matched,
			 skel->bss->injected[hook], injected);
}

/*
 * One TAP line: the events of the test's sessions since the last call are
 * exactly the @n of @exp, in that order.  Each is printed when they are not.
 */
static void check_events(const struct expect *exp, unsigned int n, const char *what)
{
	unsigned int i;
	bool pass;
	int ret;

	seen.nr = 0;
	ret = ring_buffer__consume(ring);
	pass = ret >= 0 && seen.nr == n && !skel->bss->lost;
	for (i = 0; pass && i < n; i++)
		pass = same_event(&seen.ev[i], &exp[i]);
	if (!pass) {
		ksft_print_msg("%d events consumed, %u lost; expected:\n", ret, skel->bss->lost);
		for (i = 0; i < n; i++)
			ksft_print_msg("  %s %s token %llu result %d handler '%s'\n",
				       event_names[exp[i].type], exp[i].session,
				       (unsigned long long)exp[i].token, exp[i].result,
				       exp[i].handler);
		ksft_print_msg("seen:\n");
		for (i = 0; i < seen.nr && i < MAX_EVENTS; i++)
			ksft_print_msg("  %s %s token %llu result %d handler '%s'\n",
				       seen.ev[i].type < ARRAY_SIZE(event_names) ?
				       event_names[seen.ev[i].type] : "?", seen.ev[i].session,
				       (unsigned long long)seen.ev[i].token, seen.ev[i].result,
				       seen.ev[i].handler);
	}
	ksft_test_result(pass, "tracepoints: %s\n", what);
}

/* struct luo_record_update fields checked, as one update should have them. */
struct want_update {
	__u64 number;
	int result;
	__u32 marks;
	__u32 nr_sessions;
	__u32 nr_files;
};

/*
 * One TAP line: the latest @n updates of the history of record @hdr are
 * those of @want, oldest first.  The history is printed.
 */
static void check_history(const struct luo_record_header *hdr,
			  const struct want_update *want, unsigned int n, const char *what)
{
	const struct luo_record_update *u;
	const struct want_update *w;
	unsigned int i, first;
	bool pass;

	if (!hdr) {
		ksft_test_result_fail("record: %s\n", what);
		return;
	}
	pass = hdr->nr_updates >= n;
	first = pass ? hdr->nr_updates - n : 0;
	ksft_print_msg("record: %u updates, oldest first:\n", hdr->nr_updates);
	for (i = 0; i < hdr->nr_updates; i++) {
		u = (const void *)hdr + hdr->header_size + i * hdr->update_size;
		ksft_print_msg("  update %llu: result %d marks %#x sessions %u files %u\n",
			       (unsigned long long)u->number, u->result, u->marks,
			       u->nr_sessions, u->nr_files);
		if (!pass || i < first)
			continue;
		w = &want[i - first];
		pass = u->number == w->number && u->result == w->result &&
		       u->marks == w->marks && u->nr_sessions == w->nr_sessions &&
		       u->nr_files == w->nr_files;
	}
	ksft_test_result(pass, "record: %s\n", what);
}

/*
 * Preserve: inj-a token 2 fails while the injector is attached, and goes
 * in once it is gone; then the other files.  @mfds[s][t] gets the memfd of
 * token t + 1 of session s.
 */
static void stage1_preserve(int luo, int sfds[2], int mfds[2][NR_TOKENS])
{
	const struct expect failed[] = {
		{ INJ_EV_PRESERVE, "inj-a", 1, 0, MEMFD },
		{ INJ_EV_PRESERVE, "inj-a", TARGET_TOKEN, -INJECTED, MEMFD },
	};
	const struct expect exists[] = {
		{ INJ_EV_PRESERVE, "inj-a", 1, -EEXIST, "" },
	};
	const struct expect rest[] = {
		{ INJ_EV_PRESERVE, "inj-a", TARGET_TOKEN, 0, MEMFD },
		{ INJ_EV_PRESERVE, "inj-a", 3, 0, MEMFD },
		{ INJ_EV_PRESERVE, "inj-b", 1, 0, MEMFD },
		{ INJ_EV_PRESERVE, "inj-b", 2, 0, MEMFD },
		{ INJ_EV_PRESERVE, "inj-b", 3, 0, MEMFD },
	};
	unsigned int s, t;

	for (s = 0; s < ARRAY_SIZE(sessions); s++) {
		sfds[s] = luo_create_session(luo, sessions[s]);
		check(sfds[s], 0, "create session %s", sessions[s]);
		for (t = 0; t < NR_TOKENS; t++)
			mfds[s][t] = make_memfd(sessions[s], t + 1);
	}

	inject_start(INJ_HOOK_PRESERVE);
	check(luo_preserve_fd(sfds[0], mfds[0][0], 1), 0, "preserve inj-a token 1");
	check(luo_preserve_fd(sfds[0], mfds[0][1], TARGET_TOKEN), INJECTED,
	      "preserve inj-a token %d fails with the injected error", TARGET_TOKEN);
	check_events(failed, ARRAY_SIZE(failed), "inj-a token 1 preserved, token 2 failed");
	check_injector(INJ_HOOK_PRESERVE, 1, 1);
	check(luo_preserve_fd(sfds[0], mfds[0][0], 1), EEXIST, "inj-a still holds token 1");
	check_events(exists, ARRAY_SIZE(exists), "inj-a token 1 refused before any handler");
	inject_stop(INJ_HOOK_PRESERVE);

	check(luo_preserve_fd(sfds[0], mfds[0][1], TARGET_TOKEN), 0,
	      "preserve the same memfd as inj-a token %d again, without the program",
	      TARGET_TOKEN);
	for (s = 0; s < ARRAY_SIZE(sessions); s++)
		for (t = s ? 0 : TARGET_TOKEN; t < NR_TOKENS; t++)
			check(luo_preserve_fd(sfds[s], mfds[s][t], t + 1), 0, "preserve %s token %u",
			      sessions[s], t + 1);
	check_events(rest, ARRAY_SIZE(rest), "every other file preserved");
}

/*
 * Freeze: the second file frozen fails, and with it the kexec; the first
 * is unfrozen, and the sessions work as before.
 */
static void stage1_freeze(int luo, int inj_a, int mfd1, const char *kernel)
{
	const struct expect aborted[] = {
		{ INJ_EV_FREEZE, "inj-a", 1, 0, MEMFD },
		{ INJ_EV_FREEZE, "inj-a", 2, -INJECTED, MEMFD },
		{ INJ_EV_UNFREEZE, "inj-a", 1, 0, MEMFD },
	};
	const struct expect usable[] = {
		{ INJ_EV_PRESERVE, "inj-c", 1, 0, MEMFD },
		{ INJ_EV_PRESERVE, "inj-a", 1, -EEXIST, "" },
	};
	const struct want_update history[] = {
		{ 1, -INJECTED, 1 << LUO_MARK_FREEZE_BEGIN, 2, 6 },
	};
	int sfd, mfd;

	inject_start(INJ_HOOK_FREEZE);
	/* Were the kexec to go through, the guest would run stage 1 again. */
	if (ksft_get_fail_cnt())
		ksft_test_result_fail("kexec into %s: not attempted after failures\n", kernel);
	else
		check(kexec_self(kernel), INJECTED,
		      "kexec into %s with this boot's command line fails with the injected error",
		      kernel);
	check_events(aborted, ARRAY_SIZE(aborted),
		     "inj-a token 1 frozen, token 2 failed, token 1 unfrozen");
	check_injector(INJ_HOOK_FREEZE, 2, 1);
	inject_stop(INJ_HOOK_FREEZE);
	check_history(read_record(), history, ARRAY_SIZE(history),
		      "update 1 aborted with the injected error");

	sfd = luo_create_session(luo, "inj-c");
	check(sfd, 0, "create session inj-c after the aborted kexec");
	mfd = make_memfd("inj-c", 1);
	check(mfd < 0 ? mfd : luo_preserve_fd(sfd, mfd, 1), 0, "preserve inj-c token 1");
	if (mfd >= 0)
		close(mfd);
	check(close_fd(sfd), 0, "close session inj-c");
	check(luo_preserve_fd(inj_a, mfd1, 1), EEXIST, "inj-a still holds token 1");
	check_events(usable, ARRAY_SIZE(usable), "inj-c preserved, inj-a unchanged");
}

static void stage1(const char *kernel)
{
	const struct inj_target targets[INJ_NR_HOOKS] = {
		[INJ_HOOK_PRESERVE] = { "inj-a", TARGET_TOKEN, 0, -INJECTED },
		/* The second file frozen, whichever it is: the events say. */
		[INJ_HOOK_FREEZE] = { "", 0, 2, -INJECTED },
	};
	int luo, sfds[2], mfds[2][NR_TOKENS];
	unsigned int s, t;

	ksft_set_plan(STAGE1_CHECKS);
	bpf_setup(targets);
	luo = luo_open();
	check(luo, 0, "open %s", LUO_DEVICE);

	stage1_preserve(luo, sfds, mfds);
	stage1_freeze(luo, sfds[0], mfds[0][0], kernel);

	/* The child inherits neither the programs nor the device or memfds. */
	bpf_teardown();
	for (s = 0; s < ARRAY_SIZE(sessions); s++)
		for (t = 0; t < NR_TOKENS; t++)
			if (mfds[s][t] >= 0)
				close(mfds[s][t]);
	if (luo >= 0)
		close(luo);
	/* Leave no process behind for a stage 2 that cannot pass anyway. */
	if (ksft_get_fail_cnt())
		ksft_test_result_fail("a child holds the sessions: not started after failures\n");
	else
		check(luo_hold_fds(), 0, "a child holds the sessions");
	for (s = 0; s < ARRAY_SIZE(sessions); s++)
		if (sfds[s] >= 0)
			close(sfds[s]);
}

static void stage2(void)
{
	const struct inj_target targets[INJ_NR_HOOKS] = {
		[INJ_HOOK_RETRIEVE] = { "inj-a", TARGET_TOKEN, 0, -INJECTED },
		[INJ_HOOK_CAN_FINISH] = { "inj-b", 0, 0, -INJECTED },
	};
	const struct expect failed[] = {
		{ INJ_EV_RETRIEVE, "inj-a", TARGET_TOKEN, -INJECTED, MEMFD },
		{ INJ_EV_RETRIEVE, "inj-a", TARGET_TOKEN, -INJECTED, MEMFD },
	};
	const struct expect rest[] = {
		{ INJ_EV_RETRIEVE, "inj-a", TARGET_TOKEN, 0, MEMFD },
		{ INJ_EV_RETRIEVE, "inj-a", 1, 0, MEMFD },
		{ INJ_EV_RETRIEVE, "inj-a", 3, 0, MEMFD },
		{ INJ_EV_RETRIEVE, "inj-b", 1, 0, MEMFD },
		{ INJ_EV_RETRIEVE, "inj-b", 2, 0, MEMFD },
		{ INJ_EV_RETRIEVE, "inj-b", 3, 0, MEMFD },
	};
	const struct want_update history[] = {
		{ 1, -INJECTED, 1 << LUO_MARK_FREEZE_BEGIN, 2, 6 },
		{ 1, 0, (1 << LUO_RECORD_NR_MARKS) - 1, 2, 6 },
	};
	const struct luo_record_header *hdr;
	unsigned int s, t;
	int luo, sfds[2];

	ksft_set_plan(STAGE2_CHECKS);
	bpf_setup(targets);
	luo = luo_open();
	check(luo, 0, "open %s", LUO_DEVICE);
	for (s = 0; s < ARRAY_SIZE(sessions); s++) {
		sfds[s] = luo_retrieve_session(luo, sessions[s]);
		check(sfds[s], 0, "retrieve session %s", sessions[s]);
	}

	inject_start(INJ_HOOK_RETRIEVE);
	check(luo_retrieve_fd(sfds[0], TARGET_TOKEN), INJECTED,
	      "retrieve inj-a token %d fails with the injected error", TARGET_TOKEN);
	check(luo_retrieve_fd(sfds[0], TARGET_TOKEN), INJECTED,
	      "retrieve inj-a token %d fails again while the program is attached",
	      TARGET_TOKEN);
	check_events(failed, ARRAY_SIZE(failed), "inj-a token 2 failed twice");
	check_injector(INJ_HOOK_RETRIEVE, 2, 2);
	inject_stop(INJ_HOOK_RETRIEVE);

	check(retrieve_verify(sfds[0], "inj-a", TARGET_TOKEN), 0,
	      "retrieve inj-a token %d without the program, with its stage 1 bytes",
	      TARGET_TOKEN);
	for (s = 0; s < ARRAY_SIZE(sessions); s++)
		for (t = 1; t <= NR_TOKENS; t++)
			if (s || t != TARGET_TOKEN)
				check(retrieve_verify(sfds[s], sessions[s], t), 0,
				      "retrieve %s token %u with its stage 1 bytes",
				      sessions[s], t);
	check_events(rest, ARRAY_SIZE(rest), "every file retrieved");

	/*
	 * A close is a finish: when a file cannot finish, nothing is, and the
	 * session returns to the incoming ones, its retrieved files intact.
	 */
	inject_start(INJ_HOOK_CAN_FINISH);
	check(luo_finish(sfds[1]), INJECTED, "finish inj-b fails with the injected error");
	check(close_fd(sfds[1]), 0, "close inj-b while it cannot finish");
	sfds[1] = luo_retrieve_session(luo, "inj-b");
	check(sfds[1], 0, "retrieve inj-b again: the close did not finish it");
	check(retrieve_verify(sfds[1], "inj-b", 1), 0,
	      "inj-b token 1 again, the same stage 1 bytes");
	check_injector(INJ_HOOK_CAN_FINISH, 2, 2);
	inject_stop(INJ_HOOK_CAN_FINISH);
	for (s = 0; s < ARRAY_SIZE(sessions); s++)
		check(luo_finish(sfds[s]), 0, "finish %s", sessions[s]);
	hdr = read_record();
	check_history(hdr, history, ARRAY_SIZE(history),
		      "update 1 aborted with the injected error, then done");

	bpf_teardown();
	for (s = 0; s < ARRAY_SIZE(sessions); s++)
		if (sfds[s] >= 0)
			close(sfds[s]);
	if (luo >= 0)
		close(luo);
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "kernel", required_argument, NULL, 'k' },
		{}
	};
	const char *kernel = NULL;
	int stage = 0, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			stage = atoi(optarg);
			break;
		case 'k':
			kernel = optarg;
			break;
		default:
			stage = 0;
			break;
		}
	}
	if (optind != argc || !((stage == 1 && kernel) || (stage == 2 && !kernel))) {
		fprintf(stderr, "usage: %s --stage 1 --kernel PATH | --stage 2\n", argv[0]);
		return KSFT_FAIL;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (stage == 1)
		stage1(kernel);
	else
		stage2();
	ksft_finished();
}
