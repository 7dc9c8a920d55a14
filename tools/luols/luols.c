// SPDX-License-Identifier: GPL-2.0
/*
 * luols - list the sessions and files LUO holds now.
 *
 * The tracing tools see what happens while they run; luols shows what
 * exists, whenever it starts: every outgoing session (created, not closed)
 * and every incoming one (handed over by the previous kernel, not finished
 * yet), with their files, tokens, handlers and states.  It reads our LUO's
 * BPF iterators (kernel/liveupdate/luo_iter.c) through the programs of
 * luo_iter.bpf.h, once, and exits.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luo_listing.h"
#include "luo_tools.h"
#include "luols.skel.h"

static struct env {
	const char *session;
	bool json;
	bool verbose;
} env;

const char *argp_program_version = "luols 1.0";
const char *argp_program_bug_address = "the LUO project's issue tracker";
static const char argp_program_doc[] =
"List the sessions and files that LUO (Live Update Orchestrator) holds now.\n"
"\n"
"USAGE: luols [-h] [-s NAME] [-j] [-v]\n"
"\n"
"Outgoing sessions (created in this kernel, their files preserved for the\n"
"next one) and incoming sessions (handed over by the previous kernel, not\n"
"finished yet), each with its files: token, handler, state and size.  It\n"
"needs the BPF iterators of this project's LUO (bpf_iter targets\n"
"luo_session and luo_file); mainline's LUO has none, and luols says so and\n"
"exits 2.\n"
"\n"
"EXAMPLES:\n"
"    luols                   # every session, then every file\n"
"    luols -s vm-42          # only the session vm-42\n"
"    luols -j                # the same as one JSON object\n";

static const struct argp_option opts[] = {
	{ "session", 's', "NAME", 0, "Only this session", 0 },
	{ "json", 'j', NULL, 0, "One JSON object", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 's':
		if (!arg[0] || strlen(arg) >= LUO_NAME_LEN)
			argp_error(state, "a session name has 1 to %d bytes", LUO_NAME_LEN - 1);
		env.session = arg;
		break;
	case 'j':
		env.json = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unrecognized argument: %s", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Whether @l holds a record of the session -s names. */
static bool found(const struct luo_iter_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (!strncmp(l->recs[i].session, env.session, LUO_NAME_LEN))
			return true;
	return false;
}

static bool wanted(const struct luo_iter_rec *r)
{
	return !env.session || !strncmp(r->session, env.session, LUO_NAME_LEN);
}

/* Whether @f is a file of session @s (the same session, alive). */
static bool of(const struct luo_iter_rec *f, const struct luo_iter_rec *s)
{
	return f->session_addr == s->session_addr && !strncmp(f->session, s->session, LUO_NAME_LEN);
}

/* Whether @f's session is among @sessions (a read apart, it may be new). */
static bool listed(const struct luo_iter_list *sessions, const struct luo_iter_rec *f)
{
	size_t i;

	for (i = 0; i < sessions->nr; i++)
		if (of(f, &sessions->recs[i]))
			return true;
	return false;
}

static void print_text(const struct luo_iter_list *sessions, const struct luo_iter_list *files)
{
	size_t i, n = 0;

	printf("%-24s %-4s %-14s %8s\n", "SESSION", "DIR", "STATE", "FILES");
	for (i = 0; i < sessions->nr; i++) {
		const struct luo_iter_rec *s = &sessions->recs[i];

		if (!wanted(s))
			continue;
		printf("%-24s %-4s %-14s %8llu\n", s->session, luo_iter_dir(s), luo_iter_state(s),
		       (unsigned long long)s->files);
		n++;
	}
	/* With -s, a session made between the two reads still shows its files. */
	if (!n && !(env.session && found(files))) {
		printf("(no session)\n");
		return;
	}
	printf("\n%-24s %-20s %-20s %-14s %10s\n", "SESSION", "TOKEN", "HANDLER", "STATE",
	       "BYTES");
	n = 0;
	for (i = 0; i < files->nr; i++) {
		const struct luo_iter_rec *f = &files->recs[i];
		char bytes[24] = "-";

		if (!wanted(f))
			continue;
		if (f->flags & LUO_ITER_F_SIZED)
			snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)f->bytes);
		printf("%-24s %-20llu %-20s %-14s %10s", f->session, (unsigned long long)f->token,
		       f->handler, luo_iter_state(f), bytes);
		if (f->flags & LUO_ITER_F_FAILED)
			printf("  (%s)", strerror(-f->error));
		printf("\n");
		n++;
	}
	if (!n)
		printf("(no file)\n");
}

static void json_file(const struct luo_iter_rec *f, bool first)
{
	printf("%s{\"token\": %llu, \"handler\": ", first ? "" : ", ",
	       (unsigned long long)f->token);
	luo_json_str(stdout, f->handler);
	printf(", \"state\": \"%s\", \"bytes\": ", luo_iter_state(f));
	if (f->flags & LUO_ITER_F_SIZED)
		printf("%llu", (unsigned long long)f->bytes);
	else
		printf("null");
	if (f->flags & LUO_ITER_F_FAILED)
		printf(", \"error\": %d", f->error);
	printf("}");
}

static void json_session(const struct luo_iter_rec *s, const char *state, unsigned long long nr,
			 const struct luo_iter_list *files, bool first)
{
	bool any = false;
	size_t i;

	printf("%s\n    {\"name\": ", first ? "" : ",");
	luo_json_str(stdout, s->session);
	printf(", \"direction\": \"%s\", \"state\": \"%s\", \"files\": %llu,\n     \"file_list\": [",
	       luo_iter_dir(s), state, nr);
	for (i = 0; i < files->nr; i++) {
		if (!of(&files->recs[i], s))
			continue;
		json_file(&files->recs[i], !any);
		any = true;
	}
	printf("]}");
}

static void print_json(const struct luo_iter_list *sessions, const struct luo_iter_list *files)
{
	bool first = true;
	size_t i, j, nr;

	printf("{\"sessions\": [");
	for (i = 0; i < sessions->nr; i++) {
		if (!wanted(&sessions->recs[i]))
			continue;
		json_session(&sessions->recs[i], luo_iter_state(&sessions->recs[i]),
			     sessions->recs[i].files, files, first);
		first = false;
	}
	/* Files of a session created between the two reads: theirs, unknown state. */
	for (i = 0; i < files->nr; i++) {
		const struct luo_iter_rec *f = &files->recs[i];

		if (!wanted(f) || listed(sessions, f))
			continue;
		for (j = 0; j < i && !of(&files->recs[j], f); j++)
			;
		if (j < i)
			continue;
		for (nr = 0, j = i; j < files->nr; j++)
			nr += of(&files->recs[j], f);
		json_session(f, "?", nr, files, first);
		first = false;
	}
	printf("%s]}\n", first ? "" : "\n");
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = argp_program_doc,
	};
	struct luo_iter_list sessions = {}, files = {};
	struct luols *skel;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 1;
	luo_libbpf_print_setup(env.verbose);
	if (!luo_iter_present()) {
		fprintf(stderr, "luols: this kernel has no LUO iterators (no bpf_iter_luo_session in its BTF): only this project's LUO can list its sessions\n");
		return LUO_EXIT_NO_EVENTS;
	}
	skel = luols__open_and_load();
	if (!skel) {
		fprintf(stderr, "luols: cannot load the iterators' programs: %s\n", strerror(errno));
		return 1;
	}
	err = luo_iter_read(skel->progs.luo_iter_sessions, &sessions);
	if (!err)
		err = luo_iter_read(skel->progs.luo_iter_files, &files);
	if (err) {
		fprintf(stderr, "luols: cannot read the LUO iterators: %s\n", strerror(-err));
	} else if (env.session && !found(&sessions) && !found(&files)) {
		fprintf(stderr, "luols: no session %s\n", env.session);
		err = -ENOENT;
	} else {
		if (env.json)
			print_json(&sessions, &files);
		else
			print_text(&sessions, &files);
	}
	luo_iter_free(&sessions);
	luo_iter_free(&files);
	luols__destroy(skel);
	return err ? 1 : 0;
}
