// SPDX-License-Identifier: GPL-2.0
/*
 * luoblackout - the blackout window of live updates, from LUO's record.
 *
 * Reads the live-update record the kernel keeps in debugfs (liveupdate/
 * record.bin, the layout of <linux/liveupdate_record.h>) and shows the
 * last update as a waterfall of its phases, from the first freeze in the
 * old kernel to the last FINISH in the new one: freeze (with what each
 * handler's freeze() cost, from the record's file-freeze events),
 * serialization, shutdown, the jump and boot up to LUO ready, userspace up
 * to its first retrieve (these two cut into the steps of the new kernel's
 * start, with its slowest initcalls, from a version 2 record), the
 * retrieves, the finishes.  Then the history of
 * the last updates and the percentiles of their totals and phases.  Output
 * as text, JSON (--json) or Prometheus text exposition (--prom FILE,
 * written atomically for node_exporter's textfile collector).
 *
 * An update the old kernel refused (result < 0) or one still in progress
 * is shown as far as the record knows it.  No BPF: the record is all.
 * Except for `arm` and `collect` (luoblackout_arm.c), which measure a
 * blackout through LUO itself, on any LUO kernel.
 *
 * Exit: 0, 1 on errors, 2 on a kernel without LUO's events or record.
 *
 * This file is the command line; the model and its views are
 * luoblackout_model.c, _text.c, _json.c and _prom.c (luoblackout.h).
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "luo_tools.h"
#include "luo_record.h"
#include "luoblackout.h"
#include "luoblackout_arm.h"

#define DEBUGFS		"/sys/kernel/debug"
#define DEBUGFS_MAGIC	0x64626720

static struct env {
	const char *command;	/* arm, collect, or NULL: the record */
	const char *session;	/* -s, of arm and collect */
	const char *file;
	const char *prom;
	const char *systemd;	/* --systemd STAMPS */
	const char *unit;
	unsigned int history;
	__u32 khz;		/* --khz: the rate when no kernel knew it */
	bool history_set;	/* -n given */
	bool json;
	bool verbose;
} env = {
	.history = LUO_RECORD_MAX_UPDATES,
};

const char *argp_program_version = TOOL " 1.0";
const char argp_program_doc[] =
"Show the blackout window of the last live update as a waterfall of its\n"
"phases, the history of past updates and its percentiles, from LUO's\n"
"live-update record.\n"
"\n"
"USAGE: luoblackout [-f FILE] [-n N] [-k KHZ] [--json] [--prom FILE]\n"
"       luoblackout --systemd STAMPS [--unit UNIT] [-f FILE] [--json] [--prom FILE]\n"
"       luoblackout arm [-s NAME]\n"
"       luoblackout collect [-s NAME] [-f FILE] [--json]\n"
"\n"
"EXAMPLES:\n"
"    luoblackout                  # the last update and the history\n"
"    luoblackout -n 5             # show only the last 5 updates' history\n"
"    luoblackout -n 0             # the last update only\n"
"    luoblackout --json           # everything as one JSON object\n"
"    luoblackout --prom /var/lib/node_exporter/textfile/luo.prom\n"
"                                 # Prometheus metrics, written atomically\n"
"    luoblackout --prom -         # the metrics on stdout\n"
"    luoblackout -f record.bin    # a record saved from debugfs\n"
"    luoblackout -k 2096000       # a TSC of 2.096 GHz, where no kernel knew\n"
"    luoblackout --systemd /run/luo-svc/fdstore --unit luo-svc-fdstore.service\n"
"                                 # what that service lived through, systemd's\n"
"                                 # shutdown and start-up around LUO's phases\n"
"    luoblackout arm              # before a live update, on any LUO kernel:\n"
"                                 # a session of its own holds its timestamps\n"
"    luoblackout collect          # after it: the blackout from the arm, by LUO\n"
"\n"
"Phases: freeze (every file's freeze()), serialize (handover written),\n"
"shutdown (devices, up to the jump), boot (jump and new kernel up to LUO\n"
"ready), wait (userspace up to its first session retrieve), retrieve\n"
"(sessions and files retrieved), finish (up to the last session finished).\n"
"Under boot and wait: the new kernel's start step by step, and its slowest\n"
"initcalls (a version 2 record).\n"
"Percentiles are nearest-rank over the completed updates shown.\n"
"Exits 2 on a kernel without LUO's events or live-update record.\n"
"\n"
"arm and collect need no record: arm preserves a memfd with its TSC stamps\n"
"(and the LUO events it sees until the kexec) in a session of its own,\n"
"held by a process of its own; collect retrieves it in the next kernel,\n"
"finishes it and shows the blackout from the arm to its retrieve, next to\n"
"the record's figures when the kernel keeps one.\n";

static const struct argp_option opts[] = {
	{ "file", 'f', "FILE", 0, "Record to read (default " LUO_RECORD_PATH ")", 0 },
	{ "history", 'n', "N", 0, "Show the last N updates of the history (default all, 0: none)", 0 },
	{ "khz", 'k', "KHZ", 0, "The TSC's rate for updates whose kernels both failed to "
	  "calibrate it (their times are otherwise in cycles)", 0 },
	{ "json", 'j', NULL, 0, "Print JSON instead of text", 0 },
	{ "prom", 'P', "FILE", 0, "Write Prometheus metrics to FILE (atomically; - for stdout) "
	  "instead of the text", 0 },
	{ "systemd", 'S', "STAMPS", 0, "The blackout a service of a systemd host saw: its "
	  "stamp file (stop_tsc, stop_mono, back_tsc, back_mono), systemd's shutdown and "
	  "start-up, LUO's phases from the record (Documentation/systemd-guest.rst)", 0 },
	{ "unit", 'u', "UNIT", 0, "With --systemd: the service's unit, for systemd's start of it",
	  0 },
	{ "session", 's', "NAME", 0, "arm, collect: the session's name (default " LUOB_ARM_SESSION ")",
	  0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;
	long n;

	switch (key) {
	case 'f':
		env.file = arg;
		break;
	case 'n':
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno || *end || end == arg || n < 0 || n > INT_MAX)
			argp_error(state, "invalid history length: %s", arg);
		env.history = n;
		env.history_set = true;
		break;
	case 'k':
		errno = 0;
		n = strtol(arg, &end, 10);
		if (errno || *end || end == arg || n <= 0 || n > UINT32_MAX)
			argp_error(state, "invalid rate in kHz: %s", arg);
		env.khz = n;
		break;
	case 'j':
		env.json = true;
		break;
	case 'P':
		env.prom = arg;
		break;
	case 'S':
		env.systemd = arg;
		break;
	case 'u':
		env.unit = arg;
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 's':
		if (!arg[0] || strlen(arg) >= LUO_NAME_LEN)
			argp_error(state, "a session name has 1 to %d bytes", LUO_NAME_LEN - 1);
		env.session = arg;
		break;
	case ARGP_KEY_ARG:
		if (env.command || (strcmp(arg, "arm") && strcmp(arg, "collect")))
			argp_error(state, "unexpected argument: %s (commands: arm, collect)", arg);
		env.command = arg;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

/* Why the record could not be read, in one sentence; the exit code. */
static int read_failed(const char *path, int err)
{
	struct statfs sfs;

	if (err == -ENOENT && !env.file) {
		if (statfs(DEBUGFS, &sfs) || sfs.f_type != DEBUGFS_MAGIC) {
			fprintf(stderr, "%s: debugfs, which holds the live-update record, is not "
				"mounted on %s (mount -t debugfs none %s)\n", TOOL, DEBUGFS,
				DEBUGFS);
			return 1;
		}
		fprintf(stderr, "%s: this kernel keeps no live-update record (no %s): LUO is "
			"off (boot with liveupdate=1 and kho=on) or could not set it up\n", TOOL,
			path);
		return LUO_EXIT_NO_EVENTS;
	}
	if (err == -EPROTO) {
		fprintf(stderr, "%s: %s is not a live-update record this tool can read (bad "
			"magic, version or sizes)\n", TOOL, path);
		return 1;
	}
	fprintf(stderr, "%s: cannot read %s: %s%s\n", TOOL, path, strerror(-err),
		err == -EACCES || err == -EPERM ? " (debugfs wants root)" : "");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = argp_program_doc,
	};
	const char *path;
	struct latest latest, *l = NULL;
	struct history hist;
	struct luo_rec rec;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 1;
	luo_libbpf_print_setup(env.verbose);
	path = env.file ? env.file : LUO_RECORD_PATH;
	if (env.command && (env.systemd || env.prom || env.unit || env.history_set || env.khz ||
			    (!strcmp(env.command, "arm") && (env.file || env.json)))) {
		fprintf(stderr, "%s: arm takes -s, collect -s, -f and --json\n", TOOL);
		return 1;
	}
	if (env.session && !env.command) {
		fprintf(stderr, "%s: -s goes with arm or collect\n", TOOL);
		return 1;
	}
	if (env.command && !strcmp(env.command, "arm"))
		return luoblackout_arm(env.session ? env.session : LUOB_ARM_SESSION);
	if (env.command)
		return luoblackout_collect(env.session ? env.session : LUOB_ARM_SESSION, env.file,
					   env.json);
	if (env.systemd) {
		const struct luoblackout_systemd_args a = {
			.stamps = env.systemd, .unit = env.unit, .record = env.file,
			.prom = env.prom, .json = env.json,
		};

		/* Any LUO: without a record (mainline's) the kernel is one phase. */
		return luoblackout_systemd(&a);
	}
	if (env.unit) {
		fprintf(stderr, "%s: --unit goes with --systemd\n", TOOL);
		return 1;
	}

	/* The running kernel's record: it must be this project's LUO. */
	if (!env.file)
		luo_require_events(TOOL);
	err = luo_rec_read(env.file, &rec);
	if (err)
		return read_failed(path, err);

	/* The rate given for the updates no kernel knew the rate of. */
	blackout_give_rate(&rec, env.khz);
	if (rec.hdr.nr_updates) {
		blackout_analyze_latest(&rec, &latest);
		l = &latest;
	}
	blackout_analyze_history(&rec, &hist, env.history);

	err = 0;
	if (env.prom)
		err = blackout_write_prom(env.prom, &rec, l, &hist) ? 1 : 0;
	if (env.json)
		blackout_print_json(stdout, path, &rec, l, &hist);
	else if (!env.prom)
		blackout_print_text(path, &rec, l, &hist);
	luo_rec_free(&rec);
	if (fflush(stdout))
		err = 1;
	return err;
}
