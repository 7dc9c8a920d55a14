// SPDX-License-Identifier: GPL-2.0
/*
 * The tools' modes (luo_mode.h): which BPF programs load on the running
 * kernel, chosen from its BTF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "luo_mode.h"
#include "luo_tools.h"

static const char *const mode_names[] = {
	[LUO_MODE_AUTO] = "auto",
	[LUO_MODE_TRACEPOINT] = "tracepoint",
	[LUO_MODE_FENTRY] = "fentry",
};

/* Mainline's functions without which the fentry mode means nothing. */
static const char *const fentry_needs[] = { "luo_session_create", "luo_preserve_file" };

const char *luo_mode_name(enum luo_mode mode)
{
	return mode_names[mode];
}

int luo_mode_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(name, mode_names[i]))
			return i;
	return -1;
}

enum luo_mode luo_mode_wanted = LUO_MODE_AUTO;

static const struct argp_option mode_options[] = {
	{ "mode", 'm', "MODE", 0, "auto (default), tracepoint or fentry", 0 },
	{},
};

static error_t mode_parse_arg(int key, char *arg, struct argp_state *state)
{
	int mode;

	if (key != 'm')
		return ARGP_ERR_UNKNOWN;
	mode = luo_mode_parse(arg);
	if (mode < 0)
		argp_error(state, "invalid mode: %s (auto, tracepoint or fentry)", arg);
	luo_mode_wanted = mode;
	return 0;
}

const struct argp luo_mode_argp = {
	.options = mode_options,
	.parser = mode_parse_arg,
};

bool luo_mode_sees(enum luo_mode mode, unsigned int op)
{
	if (mode != LUO_MODE_FENTRY)
		return true;
	/* Inlined in mainline's loops, or behind its FLB reference counts. */
	return op != LUO_OP_FILE_FREEZE && op != LUO_OP_FILE_UNFREEZE &&
	       op != LUO_OP_FILE_CAN_FINISH &&
	       (op < LUO_OP_FLB_PRESERVE || op > LUO_OP_FLB_FINISH);
}

bool luo_mode_times(enum luo_mode mode, unsigned int op)
{
	if (op == LUO_OP_REBOOT_END || op == LUO_OP_SERIALIZE)
		return true;
	if (mode == LUO_MODE_FENTRY)
		return op == LUO_OP_FILE_PRESERVE || op == LUO_OP_FILE_RETRIEVE;
	return op < LUO_NR_OPS && (LUO_OPS_TIMED & (1U << op));
}

bool luo_mode_has_ops(const char *tool, enum luo_mode mode, unsigned int ops, bool timed)
{
	unsigned int op;

	for (op = 0; op < LUO_NR_OPS; op++) {
		if (!(ops & (1U << op)))
			continue;
		if (timed ? luo_mode_times(mode, op) : luo_mode_sees(mode, op))
			continue;
		fprintf(stderr, "%s: operation '%s' is not %s in %s mode (see --help)\n", tool,
			luo_op_name(op), timed ? "timed" : "seen", luo_mode_name(mode));
		return false;
	}
	return true;
}

const char *luo_mode_limits(enum luo_mode mode)
{
	if (mode != LUO_MODE_FENTRY)
		return "";
	return "no liveupdate tracepoints: LUO's functions traced; not seen: file_freeze, "
	       "file_unfreeze, file_can_finish, flb_*; a preserve's and a retrieve's latency "
	       "spans LUO's function, an unpreserve's and a finish's is not known";
}

static bool has(const struct btf *btf, const char *name, int kind)
{
	return btf && btf__find_by_name_kind(btf, name, kind) > 0;
}

/* What @btf offers: the liveupdate events, the functions the fentry mode needs. */
static void offers(const struct btf *btf, bool *events, bool *functions)
{
	unsigned int i;

	*events = has(btf, "btf_trace_luo_file_freeze", BTF_KIND_TYPEDEF);
	*functions = true;
	for (i = 0; i < sizeof(fentry_needs) / sizeof(fentry_needs[0]); i++)
		*functions = *functions && has(btf, fentry_needs[i], BTF_KIND_FUNC);
}

/* Whether @prog traces a function ("fentry/F", "fexit/F"), and which. */
static const char *traced_function(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (!strncmp(sec, "fentry/", 7))
		return sec + 7;
	if (!strncmp(sec, "fexit/", 6))
		return sec + 6;
	return NULL;
}

enum luo_mode luo_mode_probe(void)
{
	struct btf *btf = luo_vmlinux_btf();
	bool events, functions;

	offers(btf, &events, &functions);
	btf__free(btf);
	if (events)
		return LUO_MODE_TRACEPOINT;
	return functions ? LUO_MODE_FENTRY : LUO_MODE_AUTO;
}

enum luo_mode luo_select_mode(const char *tool, struct bpf_object *obj, enum luo_mode want)
{
	struct btf *btf = luo_vmlinux_btf();
	struct bpf_program *prog;
	struct bpf_map *ctx_map;
	bool events, functions;
	enum luo_mode mode;

	offers(btf, &events, &functions);
	if (want == LUO_MODE_AUTO)
		mode = events ? LUO_MODE_TRACEPOINT : LUO_MODE_FENTRY;
	else
		mode = want;
	if ((mode == LUO_MODE_TRACEPOINT && !events) || (mode == LUO_MODE_FENTRY && !functions)) {
		if (!btf)
			fprintf(stderr, "%s: this kernel has no BTF (/sys/kernel/btf/vmlinux): LUO cannot be traced\n",
				tool);
		else if (mode == LUO_MODE_TRACEPOINT)
			fprintf(stderr, "%s: this kernel has no liveupdate events (no luo_file_freeze tracepoint in its BTF): it does not run this project's LUO\n",
				tool);
		else
			fprintf(stderr, "%s: this kernel has %s LUO functions to trace (no luo_session_create or luo_preserve_file in its BTF)\n",
				tool, events ? "no" : "neither liveupdate events nor");
		btf__free(btf);
		exit(LUO_EXIT_NO_EVENTS);
	}
	bpf_object__for_each_program(prog, obj) {
		const char *fn = traced_function(prog);
		const char *sec = bpf_program__section_name(prog);
		char iter[64];

		/* An iterator (iter/T): when the kernel has the target, either mode. */
		if (!strncmp(sec, "iter/", 5)) {
			snprintf(iter, sizeof(iter), "bpf_iter_%s", sec + 5);
			bpf_program__set_autoload(prog, has(btf, iter, BTF_KIND_FUNC));
			/* Run by the tool when it reads, not by the skeleton's attach. */
			bpf_program__set_autoattach(prog, false);
			continue;
		}
		if (mode == LUO_MODE_TRACEPOINT)
			bpf_program__set_autoload(prog, !fn);
		else
			bpf_program__set_autoload(prog, fn && has(btf, fn, BTF_KIND_FUNC));
	}
	/* The fentry programs' per-task context: no room for it with the tracepoints. */
	ctx_map = bpf_object__find_map_by_name(obj, "luo_fx_ctx");
	if (ctx_map && mode == LUO_MODE_TRACEPOINT)
		bpf_map__set_max_entries(ctx_map, 1);
	btf__free(btf);
	return mode;
}

void luo_mode_only_ops(struct bpf_object *obj, enum luo_mode mode, unsigned int ops)
{
	struct bpf_program *prog;
	const char *sec;
	int op;

	if (mode != LUO_MODE_TRACEPOINT)
		return;
	bpf_object__for_each_program(prog, obj) {
		sec = bpf_program__section_name(prog);
		if (strncmp(sec, "tp_btf/luo_", 11))
			continue;
		op = luo_op_parse(sec + 11);
		if (op >= 0 && !(ops & (1U << op)))
			bpf_program__set_autoload(prog, false);
	}
}
