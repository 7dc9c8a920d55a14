// SPDX-License-Identifier: GPL-2.0
/*
 * luosnoop - trace LUO's transitions, one line each.
 *
 * Every liveupdate event of the running kernel (session, file and FLB
 * operations, the reboot, the serialization) reaches luosnoop.bpf.c,
 * which applies the filters and writes what passes into its CPU's ring
 * (luosnoop.h, read by luosnoop_rings.c); this prints it as text or as
 * one JSON object per line.  It stops on SIGINT or SIGTERM, after -d
 * SECONDS, or when the command given after "--" exits.  In the style of
 * bcc's libbpf-tools (opensnoop).
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "luo_filter.h"
#include "luo_mode.h"
#include "luo_tools.h"
#include "luosnoop_names.h"
#include "luosnoop_print.h"
#include "luosnoop_rings.h"
#include "luosnoop.skel.h"

static struct env {
	__u32 ops;
	bool failed;
	bool json;
	bool timestamp;
	bool verbose;
	const char *session;
	const char *handler;
	long duration;
	long interval;		/* seconds between two summaries, 0: none */
	long count;		/* summaries before exiting, 0: no end */
	char **cmd;
	enum luo_mode mode;
} env;

const char *argp_program_version = "luosnoop 1.0";
const char *argp_program_bug_address = "the LUO project's issue tracker";
static const char argp_program_doc[] =
"Trace LUO (Live Update Orchestrator) transitions: one line per session,\n"
"file or FLB operation, reboot and serialization, with its result and the\n"
"time the handler's callback took.  On a kernel without this project's\n"
"liveupdate events (mainline's LUO), LUO's functions are traced instead\n"
"(fentry mode): what they do not tell is shown as unknown (- or null).\n"
"\n"
"USAGE: luosnoop [-h] [-s SESSION] [-H COMPAT] [-o OP[,OP...]] [-x] [-p PID]\n"
"                [--cgroup PATH] [-j] [-T] [-d SECONDS] [-m MODE] [-v]\n"
"                [interval [count]] [-- COMMAND [ARG...]]\n"
"\n"
"OP is an event name with or without its luo_ prefix: session_create,\n"
"session_retrieve, session_release, session_finish, file_preserve,\n"
"file_unpreserve, file_freeze, file_unfreeze, file_retrieve,\n"
"file_can_finish, file_finish, flb_preserve, flb_unpreserve, flb_retrieve,\n"
"flb_finish, reboot_begin, reboot_end, serialize, incoming.\n"
"\n"
"With interval (seconds), a summary follows the events of each interval:\n"
"how many of each operation were shown, and how many were lost; with count,\n"
"luosnoop exits after that many.  The first arguments that are numbers are\n"
"interval and count; the first one that is not starts the command.\n"
"\n"
"EXAMPLES:\n"
"    luosnoop                      # trace every transition until Ctrl-C\n"
"    luosnoop -s vm-1              # only session vm-1 and its files\n"
"    luosnoop -H memfd-v2          # only files of the memfd handler\n"
"    luosnoop -o file_freeze,reboot_end  # the reboot's freezes and outcome\n"
"    luosnoop -x                   # only failed transitions (result < 0)\n"
"    luosnoop -T                   # and the seconds since luosnoop began\n"
"    luosnoop --cgroup /sys/fs/cgroup/vmm  # only what the tasks of a cgroup do\n"
"    luosnoop -j -d 60             # JSON lines for 60 seconds\n"
"    luosnoop 5 12                 # and every 5 s the events per operation, 12 times\n"
"    luosnoop -j -- ./vmm --update # trace while ./vmm runs, exit with its code\n"
"    luosnoop -m fentry            # trace LUO's functions, not its events\n";

static const struct argp_option opts[] = {
	{ "session", 's', "SESSION", 0, "Only this session's events (session and file events)", 0 },
	{ "handler", 'H', "COMPAT", 0, "Only files of this handler, or the FLB of this compatible string", 0 },
	{ "op", 'o', "OP[,OP...]", 0, "Only these operations (repeatable)", 0 },
	{ "failed", 'x', NULL, 0, "Only failed transitions (result < 0)", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per line", 0 },
	{ "timestamp", 'T', NULL, 0,
	  "Include the seconds since tracing began (TIME(s) column; JSON: elapsed_ns)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

/* Add the comma-separated ops of @arg to @ops; -1 on an unknown name. */
static int parse_ops(char *arg, __u32 *ops)
{
	char *tok, *save;
	int op;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		op = luo_op_parse(tok);
		if (op < 0) {
			fprintf(stderr, "luosnoop: unknown operation '%s' (see --help)\n", tok);
			return -1;
		}
		*ops |= 1U << op;
	}
	return 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	long v;
	char *end;

	switch (key) {
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 's':
		if (strlen(arg) >= LUO_NAME_LEN)
			argp_error(state, "a session name has at most %d bytes", LUO_NAME_LEN - 1);
		env.session = arg;
		break;
	case 'H':
		if (strlen(arg) >= LUO_COMPAT_LEN)
			argp_error(state, "a compatible string has at most %d bytes",
				   LUO_COMPAT_LEN - 1);
		env.handler = arg;
		break;
	case 'o':
		if (parse_ops(arg, &env.ops))
			argp_usage(state);
		break;
	case 'x':
		env.failed = true;
		break;
	case 'j':
		env.json = true;
		break;
	case 'T':
		env.timestamp = true;
		break;
	case 'd':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v <= 0)
			argp_error(state, "invalid duration: %s", arg);
		env.duration = v;
		break;
	case 'v':
		env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		if (!env.count && arg[0] && strspn(arg, "0123456789") == strlen(arg)) {
			errno = 0;
			v = strtol(arg, &end, 10);
			if (errno || v <= 0 || v > INT_MAX)
				argp_error(state, "invalid %s: %s", env.interval ? "count" : "interval",
					   arg);
			if (env.interval)
				env.count = v;
			else
				env.interval = v;
			break;
		}
		/* The command and its arguments: everything from here on. */
		env.cmd = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static volatile sig_atomic_t exiting;

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

/* The events shown in the current interval, per operation. */
static __u64 shown[LUO_NR_OPS];

static bool handle_event(struct luo_event *e, bool last)
{
	const char *op = luo_op_name(e->op);

	if (!luosnoop_names_resolve(e, last))
		return false;
	if (!op)
		return true;
	shown[e->op]++;
	luosnoop_print_event(e, op);
	return true;
}

/* The wakeup ring buffer's records carry nothing: the rings hold the events. */
static int on_wakeup(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

/* Run env.cmd in a child; its pid, or -1. */
static pid_t run_command(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "luosnoop: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(env.cmd[0], env.cmd);
		fprintf(stderr, "luosnoop: %s: %s\n", env.cmd[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * The events whose programs load for -o @ops (0: every one).  An event
 * that names a session needs the programs of the session's birth too
 * (create, retrieve): they clear what luosnoop knows of a name's address,
 * which a new session may reuse (luosnoop.bpf.c).
 */
static unsigned int programs_for(unsigned int ops)
{
	const unsigned int named = (1U << (LUO_OP_FILE_FINISH + 1)) - 1;

	if (!ops)
		return ~0U;
	if (ops & named)
		ops |= (1U << LUO_OP_SESSION_CREATE) | (1U << LUO_OP_SESSION_RETRIEVE);
	return ops;
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &luo_filter_argp, 0, NULL, 0 },
		{ &luo_mode_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = argp_program_doc,
		.children = children,
	};
	struct luosnoop_rings *rings = NULL;
	struct ring_buffer *rb = NULL;
	struct luosnoop *obj;
	__u64 deadline = 0, tick = 0, lost, lost_before = 0;
	long ticks = 0;
	pid_t child = 0;
	int err, status, ret = 0;

	/* In order: the first non-option begins the command. */
	err = argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL);
	if (err)
		return err;
	luo_libbpf_print_setup(env.verbose);
	/*
	 * Written a drain at a time (see below), in writes of whole lines
	 * (luosnoop_print.c): one write for many lines, not one a line, so
	 * that a slow output does not hold the rings full.
	 */
	if (luosnoop_print_init()) {
		fprintf(stderr, "luosnoop: %s\n", strerror(errno));
		return 1;
	}

	obj = luosnoop__open();
	if (!obj) {
		fprintf(stderr, "luosnoop: failed to open the BPF object\n");
		return 1;
	}
	env.mode = luo_select_mode("luosnoop", obj->obj, luo_mode_wanted);
	if (!luo_mode_has_ops("luosnoop", env.mode, env.ops, false)) {
		ret = 1;
		goto cleanup;
	}
	luo_mode_only_ops(obj->obj, env.mode, programs_for(env.ops));
	obj->rodata->targ_ops = env.ops;
	obj->rodata->luo_targ_tgid = luo_filter.pid;
	obj->rodata->luo_filter_cgroup = luo_filter.cgroup;
	obj->rodata->targ_failed = env.failed;
	if (env.session) {
		obj->rodata->filter_session = true;
		strncpy((char *)obj->rodata->targ_session, env.session, LUO_NAME_LEN - 1);
	}
	if (env.handler) {
		obj->rodata->filter_handler = true;
		strncpy((char *)obj->rodata->targ_handler, env.handler, LUO_COMPAT_LEN - 1);
	}
	err = luosnoop_rings_size(obj->maps.rings, obj->maps.slots,
				  (__u32 *)&obj->rodata->ring_shift);
	if (err) {
		fprintf(stderr, "luosnoop: cannot size the rings: %s\n", strerror(-err));
		ret = 1;
		goto cleanup;
	}
	err = luosnoop__load(obj);
	if (err) {
		fprintf(stderr, "luosnoop: failed to load the BPF programs: %s\n", strerror(-err));
		ret = 1;
		goto cleanup;
	}
	err = luo_filter_cgroup_set("luosnoop", bpf_map__fd(obj->maps.luo_cgroup_map));
	if (err) {
		ret = 1;
		goto cleanup;
	}
	/* -T counts from here: no event can be much older. */
	luosnoop_out.start_ns = luosnoop_ns(CLOCK_MONOTONIC);
	err = luosnoop__attach(obj);
	if (err) {
		fprintf(stderr, "luosnoop: failed to attach the BPF programs: %s\n",
			strerror(-err));
		ret = 1;
		goto cleanup;
	}
	rings = luosnoop_rings_open(obj->maps.rings, obj->maps.slots, obj->rodata->ring_shift);
	if (!rings) {
		fprintf(stderr, "luosnoop: failed to map the rings: %s\n", strerror(errno));
		ret = 1;
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(obj->maps.wakeup), on_wakeup, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "luosnoop: failed to create the wakeup ring buffer: %s\n",
			strerror(errno));
		ret = 1;
		goto cleanup;
	}
	if (signal(SIGINT, sig_handler) == SIG_ERR || signal(SIGTERM, sig_handler) == SIG_ERR) {
		fprintf(stderr, "luosnoop: can't set a signal handler: %s\n", strerror(errno));
		ret = 1;
		goto cleanup;
	}
	luosnoop_out.json = env.json;
	luosnoop_out.mode = env.mode;
	luosnoop_out.interval = env.interval;
	luosnoop_out.elapsed = env.timestamp;
	luosnoop_print_start();
	if (env.duration)
		deadline = luosnoop_ns(CLOCK_MONOTONIC) + env.duration * 1000000000ULL;
	if (env.interval)
		tick = luosnoop_ns(CLOCK_MONOTONIC) + env.interval * 1000000000ULL;

	/* On stderr, so that JSON output stays clean: scripts may wait for it. */
	fprintf(stderr, "Tracing LUO transitions (mode: %s%s%s)... Hit Ctrl-C to end.\n",
		luo_mode_name(env.mode), env.mode == LUO_MODE_FENTRY ? "; " : "",
		luo_mode_limits(env.mode));
	if (!env.json)
		luosnoop_print_header();
	fflush(stdout);
	if (env.cmd) {
		child = run_command();
		if (child < 0) {
			ret = 1;
			goto cleanup;
		}
	}

	while (!exiting) {
		/* Woken early, or every 100 ms (see luosnoop.bpf.c). */
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "luosnoop: waiting for events: %s\n", strerror(-err));
			ret = 1;
			break;
		}
		luosnoop_rings_drain(rings, handle_event, false);
		fflush(stdout);
		if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
			ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			child = 0;
			break;
		}
		if (tick && luosnoop_ns(CLOCK_MONOTONIC) >= tick) {
			/* The last one after what the rings still hold, below. */
			if (env.count && ticks + 1 >= env.count)
				break;
			lost = luosnoop_rings_lost(rings) + obj->bss->lost_nocpu;
			luosnoop_print_summary(++ticks, shown, lost - lost_before);
			lost_before = lost;
			fflush(stdout);
			tick += env.interval * 1000000000ULL;
		}
		if (deadline && luosnoop_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
	/* What is left in the rings, and what was held back. */
	luosnoop_rings_drain(rings, handle_event, true);
	lost = luosnoop_rings_lost(rings) + obj->bss->lost_nocpu;
	/* The last interval's summary (maybe cut short: a signal, -d, the command's end). */
	if (env.interval)
		luosnoop_print_summary(++ticks, shown, lost - lost_before);
	if (lost)
		fprintf(stderr, "luosnoop: %llu events lost (a ring was full)\n",
			(unsigned long long)lost);

cleanup:
	luosnoop_print_fini();
	ring_buffer__free(rb);
	luosnoop_rings_close(rings);
	luosnoop__destroy(obj);
	luosnoop_names_free();
	return ret;
}
