// SPDX-License-Identifier: GPL-2.0
/*
 * luo_bench - the guest side of the live-update benchmarks (make bench).
 *
 * Each workload has two halves, one on each side of a kexec: stage 1
 * preserves, times what it does and leaves a child holding the sessions so
 * that the kexec carries them; stage 2, in the new kernel, retrieves and
 * finishes them, prints "@@LUOVM resumed" (the end of the blackout as the
 * host sees it) and checks what it got.  Every result is one line
 *
 *	luobench: workload=W stage=N key=value ...
 *
 * on stdout, for tools/testing/luobench/luobench.py; times are in ns.  A request
 * LUO refuses (a limit on sessions or files, say) is a result, not a
 * failure: the line then carries error=ERRNO error_op=OP at=COUNT and the
 * exit code is 0.  Anything else that goes wrong is reported on stderr and
 * exits 1.
 *
 * The usage text (luo_bench --help) describes the subcommands.  This file
 * holds it, the options and main(); each workload has a file of its own
 * (luo_bench_size.c, luo_bench_scale.c, luo_bench_probe.c), and what they
 * share is in luo_bench_util.c, declared in luo_bench.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/liveupdate.h>

#include "luo_bench.h"

static const char usage_text[] =
"usage: " PROG " size --stage 1 --mib S [--reps R] [--session NAME]\n"
"       " PROG " size --stage 2 --mib S [--session NAME]\n"
"       " PROG " scale --stage 1 --sessions N --files M [--reps R] [--session PREFIX]\n"
"                  [--budget SECONDS]\n"
"       " PROG " scale --stage 2 --sessions N --files M [--session PREFIX]\n"
"       " PROG " probe\n"
"\n"
"The guest side of the live-update benchmarks of make bench: one half of a\n"
"workload on each side of a kexec.  Results are \"luobench: key=value ...\"\n"
"lines on stdout, times in ns.\n"
"\n"
"  size      One memfd of S MiB, every page written with a known pattern.\n"
"            Stage 1 times LIVEUPDATE_SESSION_PRESERVE_FD R times (preserve,\n"
"            then close the session to unpreserve), preserves the memfd once\n"
"            more in session NAME (default bench-size) as token 1 and leaves\n"
"            a child holding it for the kexec.  Stage 2 times the retrieve of\n"
"            the session and of the fd, finishes the session, prints\n"
"            \"@@LUOVM resumed\", then checks every page.\n"
"  scale     N sessions of M one-page memfds each (PREFIX-0 .. PREFIX-N-1,\n"
"            default prefix bench-scale, tokens 1..M).  Stage 1 times the\n"
"            session creates and the preserves, R times (closing everything\n"
"            in between), and keeps the last round for the kexec.  Stage 2\n"
"            retrieves every session and file, finishes the sessions, prints\n"
"            \"@@LUOVM resumed\" and checks every file.  A create or preserve\n"
"            LUO refuses is reported as error=ERRNO error_op=OP at=COUNT\n"
"            (exit 0); so is a stage 2 that finds no session at all.  With\n"
"            --budget, a stage 1 whose creates and preserves have taken more\n"
"            than SECONDS stops there as error=ETIMEDOUT, carrying nothing\n"
"            over: a workload that would not end (a flavor's cost growing as\n"
"            the square of the files) is a result, not a hung run.\n"
"  probe     Attach an fentry and an fexit BPF program to liveupdate_reboot()\n"
"            and pin them in /sys/fs/bpf until the kexec: once it returns,\n"
"            'luobench: reboot_ns=N ret=R' is printed with bpf_printk() (boot\n"
"            with tp_printk to see it on the console).  Before, the same pair\n"
"            around getppid() 5 times prints 'luobench: calib_ns=N': what\n"
"            the programs add to a window.\n"
"\n"
"Options:\n"
"  -s, --stage N        1 (before the kexec) or 2 (after it)\n"
"  -m, --mib S          size of the memfd in MiB (size)\n"
"  -r, --reps R         timed repetitions in stage 1 (default 5 for size,\n"
"                       3 for scale)\n"
"  -S, --sessions N     number of sessions (scale)\n"
"  -f, --files M        memfds per session (scale)\n"
"  -n, --session NAME   session name, or name prefix for scale\n"
"  -h, --help           this text\n"
"\n"
"Examples:\n"
"  " PROG " size --stage 1 --mib 256 --reps 5\n"
"  " PROG " size --stage 2 --mib 256\n"
"  " PROG " scale --stage 1 --sessions 100 --files 10\n"
"  " PROG " scale --stage 2 --sessions 100 --files 10\n"
"  " PROG " probe\n"
"\n"
"Exit: 0 on success and on a refusal by LUO, 1 on errors, 2 on bad usage.\n";

struct bench_opt opt;

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(" PROG " --help for usage)\n");
	exit(2);
}

static long parse_number(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 0)
		usage_error("not a number: '%s'", arg);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "mib", required_argument, NULL, 'm' },
		{ "reps", required_argument, NULL, 'r' },
		{ "sessions", required_argument, NULL, 'S' },
		{ "files", required_argument, NULL, 'f' },
		{ "session", required_argument, NULL, 'n' },
		{ "budget", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *cmd;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage_error("a subcommand is needed: size, scale or probe");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	/* The options follow the subcommand. */
	argv++;
	argc--;
	opt.reps = -1;
	while ((c = getopt_long(argc, argv, "s:m:r:S:f:n:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			opt.stage = parse_number(optarg);
			break;
		case 'm':
			opt.mib = parse_number(optarg);
			break;
		case 'r':
			opt.reps = parse_number(optarg);
			break;
		case 'S':
			opt.sessions = parse_number(optarg);
			break;
		case 'f':
			opt.files = parse_number(optarg);
			break;
		case 'n':
			opt.name = optarg;
			break;
		case 'b':
			opt.budget_s = parse_number(optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			usage_error("bad option");
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);

	if (!strcmp(cmd, "probe"))
		return cmd_probe();
	if (strcmp(cmd, "size") && strcmp(cmd, "scale"))
		usage_error("unknown subcommand '%s'", cmd);
	if (opt.stage != 1 && opt.stage != 2)
		usage_error("--stage 1 or --stage 2 is needed");
	if (!strcmp(cmd, "size")) {
		if (!opt.mib || opt.mib > (1UL << 20))
			usage_error("--mib S is needed, 1 to 1048576");
		if (opt.reps < 0)
			opt.reps = 5;
		if (opt.stage == 1 && opt.reps < 1)
			usage_error("size needs --reps 1 or more");
		if (!opt.name)
			opt.name = "bench-size";
		if (!*opt.name || strlen(opt.name) >= LIVEUPDATE_SESSION_NAME_LENGTH)
			usage_error("the session name must have 1 to %d characters",
				    LIVEUPDATE_SESSION_NAME_LENGTH - 1);
		return opt.stage == 1 ? size_stage1() : size_stage2();
	}
	if (opt.sessions < 1 || opt.files < 1 || opt.sessions > 1000000 ||
	    opt.files > 1000000 || opt.sessions * opt.files > 10000000)
		usage_error("--sessions N and --files M are needed (N x M at most 10000000)");
	if (opt.reps < 0)
		opt.reps = 3;
	if (opt.stage == 1 && opt.reps < 1)
		usage_error("scale needs --reps 1 or more: the last round is carried over");
	if (!opt.name)
		opt.name = "bench-scale";
	if (!*opt.name || strlen(opt.name) + 12 >= LIVEUPDATE_SESSION_NAME_LENGTH)
		usage_error("the session name prefix must have 1 to %d characters",
			    LIVEUPDATE_SESSION_NAME_LENGTH - 13);
	return opt.stage == 1 ? scale_stage1() : scale_stage2();
}
