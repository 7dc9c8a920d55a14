// SPDX-License-Identifier: GPL-2.0
/*
 * luotop - a top-like dashboard of the Live Update Orchestrator.
 *
 * Refreshed every second, it shows:
 *  - LUO's state: the liveupdate-number of the running kernel, what it
 *    received at boot (the kernel log), the sessions created or retrieved
 *    and the files per handler since luotop started (from the events: LUO
 *    has no other interface that lists sessions);
 *  - per operation x handler, the rate, the total, the errors and the p50
 *    and p99 of the handler callback's duration, from top.bpf.c
 *    (a per-CPU hash of counts and log2 histograms);
 *  - the waterfall of the last live update's phases, from the live-update
 *    record in debugfs (tools/lib/luo_record.h).
 *
 * Interactive with ncurses (q quit, h help, s sort, p pause; any size,
 * redrawn on resize), or plain text with -b for scripts, like top's batch
 * mode.  The terminal is restored on q, on SIGINT/SIGTERM/SIGHUP and on
 * any exit.
 *
 * This file is the command line and the refresh loops; the model is
 * luotop_model.c, the view luotop_view.c (luotop_model.h).
 */
#include <argp.h>
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "luo_filter.h"
#include "luo_mode.h"
#include "luo_tools.h"
#include "luo_record.h"
#include "luotop_model.h"
#include "luotop.skel.h"

const char *const sort_names[NR_SORTS] = { "rate", "p99", "name" };

struct env env = {
	.delay = 1.0,
	.sort = SORT_RATE,
	.record = LUO_RECORD_PATH,
};

const char *argp_program_version = "luotop 1.0";
const char *argp_program_bug_address = "the LUO project's issue tracker";
static const char argp_program_doc[] =
"A top-like dashboard of LUO (Live Update Orchestrator): its sessions and\n"
"files per handler, the rate and latency (p50/p99 of the handler callback)\n"
"of every operation x handler, and the phases of the last live update.\n"
"\n"
"USAGE: luotop [-b] [-n ITERATIONS] [-d SECONDS] [-s rate|p99|name]\n"
"              [-r RECORD] [-p PID] [--cgroup PATH] [-m MODE] [-v]\n"
"\n"
"Keys: q quit, h help, s cycle the sort (rate, p99, name), p pause.\n"
"Sessions, files and rates count what happened since luotop started.  On a\n"
"kernel without this project's liveupdate events (mainline's LUO), LUO's\n"
"functions are traced instead (fentry mode, shown in the title): the\n"
"operations they do not show are named under it.\n"
"\n"
"EXAMPLES:\n"
"    luotop                 # the dashboard, refreshed every second\n"
"    luotop -d 0.5 -s p99   # twice a second, slowest operations first\n"
"    luotop -b -n 5         # five plain-text reports a second apart, then exit\n"
"    luotop -b -n 1 -d 0    # one report at once, e.g. the last update's phases\n"
"    luotop -b -d 10 > luo.log &  # a report every 10 s until SIGTERM\n";

static const struct argp_option opts[] = {
	{ "batch", 'b', NULL, 0, "Batch mode: plain text on stdout, no curses", 0 },
	{ "iterations", 'n', "N", 0, "Stop after N refreshes (default: never)", 0 },
	{ "delay", 'd', "SECONDS", 0, "Seconds between refreshes (default 1)", 0 },
	{ "sort", 's', "KEY", 0, "Sort operations by rate (default), p99 or name", 0 },
	{ "record", 'r', "PATH", 0, "The live-update record (default " LUO_RECORD_PATH ")", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;
	int i;

	switch (key) {
	case 'b':
		env.batch = true;
		break;
	case 'n':
		errno = 0;
		env.iterations = strtol(arg, &end, 10);
		if (errno || *end || env.iterations < 1)
			argp_error(state, "invalid number of iterations: %s", arg);
		break;
	case 'd':
		errno = 0;
		env.delay = strtod(arg, &end);
		if (errno || *end || end == arg || !(env.delay >= 0 && env.delay <= 3600))
			argp_error(state, "invalid delay (0 to 3600 s): %s", arg);
		break;
	case 's':
		for (i = 0; i < NR_SORTS; i++)
			if (!strcmp(arg, sort_names[i]))
				break;
		if (i == NR_SORTS)
			argp_error(state, "invalid sort key (rate, p99, name): %s", arg);
		env.sort = i;
		break;
	case 'r':
		env.record = arg;
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		argp_usage(state);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The bytes of the mapped sessions table: its slots, whole pages. */
static size_t sslots_size(void)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (LUOTOP_SESSION_SLOTS * sizeof(struct luotop_sslot) + page - 1) / page * page;
}

/*
 * Signals.  The handler only raises the flag, which the loops check at
 * least every 100 ms; the main path then ends curses.  Should the loop be
 * stuck, a second signal restores the terminal from the handler itself.
 */

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t curses_on;

static void sig_handler(int sig)
{
	if (exiting && curses_on) {
		endwin();
		_exit(128 + sig);
	}
	exiting = sig;
}

static void restore_terminal(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_batch(struct luotop *skel)
{
	struct timespec ts;
	long i;

	for (i = 1; !exiting && (!env.iterations || i <= env.iterations); i++) {
		if (i > 1) {
			ts.tv_sec = (time_t)env.delay;
			ts.tv_nsec = (long)((env.delay - ts.tv_sec) * 1e9);
			/* A signal ends the sleep and the loop. */
			while (nanosleep(&ts, &ts) && errno == EINTR && !exiting)
				;
			if (exiting)
				break;
		}
		if (collect(skel))
			return 1;
		show_batch();
	}
	return 0;
}

static int run_curses(struct luotop *skel)
{
	double delay = env.delay < 0.1 ? 0.1 : env.delay, next;
	bool paused = false, help = false, dirty = true;
	long refreshes = 0;
	int ch;

	if (!initscr()) {
		fprintf(stderr, "luotop: cannot initialize the terminal\n");
		return 1;
	}
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(100);

	collect(skel);
	refreshes++;
	next = now_s() + delay;
	while (!exiting) {
		if (!paused && now_s() >= next) {
			if (env.iterations && refreshes >= env.iterations)
				break;
			collect(skel);
			refreshes++;
			next += delay;
			if (next < now_s())
				next = now_s() + delay;
			dirty = true;
		}
		if (dirty) {
			show_screen(paused, help, delay);
			dirty = false;
		}
		ch = getch();
		if (ch == ERR)
			continue;
		dirty = true;
		if (ch == KEY_RESIZE) {
			clear();
			continue;
		}
		if (help && ch != 'q' && ch != 'Q') {
			help = false;
			continue;
		}
		switch (ch) {
		case 'q':
		case 'Q':
			exiting = -1;
			break;
		case 'h':
		case 'H':
		case '?':
			help = true;
			break;
		case 's':
		case 'S':
			env.sort = (env.sort + 1) % NR_SORTS;
			break;
		case 'p':
		case 'P':
		case ' ':
			paused = !paused;
			if (!paused)
				next = now_s();
			break;
		case 12:	/* ^L */
			clear();
			break;
		}
	}
	restore_terminal();
	return 0;
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
	struct luotop *skel;
	struct sigaction sa = { .sa_handler = sig_handler };
	struct utsname uts;
	time_t t;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return err;
	setlocale(LC_ALL, "");
	luo_libbpf_print_setup(env.verbose);

	S.ncpus = libbpf_num_possible_cpus();
	if (S.ncpus <= 0) {
		fprintf(stderr, "luotop: cannot count the CPUs: %s\n", strerror(-S.ncpus));
		return 1;
	}
	S.percpu = calloc(S.ncpus, sizeof(struct luotop_stat));
	S.percpu_slots = calloc(S.ncpus, sizeof(struct luotop_slot));
	if (!S.percpu || !S.percpu_slots)
		return 1;

	skel = luotop__open();
	if (!skel) {
		fprintf(stderr, "luotop: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	env.mode = luo_select_mode("luotop", skel->obj, luo_mode_wanted);
	/* Of the iterators' programs luotop reads the files' (and seeds its own). */
	bpf_program__set_autoload(skel->progs.luo_iter_sessions, false);
	skel->rodata->luo_targ_tgid = luo_filter.pid;
	skel->rodata->luo_filter_cgroup = luo_filter.cgroup;
	err = luotop__load(skel);
	if (err) {
		fprintf(stderr, "luotop: cannot load the BPF programs: %s\n", strerror(-err));
		goto out;
	}
	/* The sessions table, read in place: no syscall a slot. */
	S.sslots = mmap(NULL, sslots_size(), PROT_READ, MAP_SHARED,
			bpf_map__fd(skel->maps.sslots), 0);
	if (S.sslots == MAP_FAILED) {
		fprintf(stderr, "luotop: cannot map the sessions table: %s\n", strerror(errno));
		return 1;
	}
	err = luo_filter_cgroup_set("luotop", bpf_map__fd(skel->maps.luo_cgroup_map));
	if (err)
		goto out;
	err = luotop__attach(skel);
	if (err) {
		fprintf(stderr, "luotop: cannot attach the BPF programs: %s\n", strerror(-err));
		goto out;
	}
	err = seed_sessions(skel);
	if (err) {
		fprintf(stderr, "luotop: cannot read the sessions LUO holds: %s\n", strerror(-err));
		goto out;
	}
	/*
	 * Its own programs' cost, from the kernel's bpf_stats: on only while
	 * luotop holds this fd (bpftop's rule), off again when it exits.
	 */
	S.stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (S.stats_fd < 0)
		S.stats_fd = -errno;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(restore_terminal);

	if (!uname(&uts))
		snprintf(S.release, sizeof(S.release), "%s", uts.release);
	read_boot_info();
	S.start = S.last = now_s();
	t = time(NULL);
	strftime(S.since, sizeof(S.since), "%H:%M:%S", localtime(&t));

	err = env.batch ? run_batch(skel) : run_curses(skel);
out:
	if (S.stats_fd >= 0)
		close(S.stats_fd);
	luotop__destroy(skel);
	luo_rec_free(&S.rec);
	luo_iter_free(&S.files);
	return err ? 1 : 0;
}
