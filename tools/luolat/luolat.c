// SPDX-License-Identifier: GPL-2.0
/*
 * luolat - summarize the latency of LUO's callbacks as log2 histograms.
 *
 * lat.bpf.c keeps one histogram of duration_ns per operation and
 * handler (the FLB for FLB events): what each handler's preserve, freeze,
 * retrieve, finish... costs, the reboot's whole freeze and serialize
 * (reboot_end) and the serialization alone.  This prints and empties them
 * every interval, count times, or once on SIGINT, as text in the style of
 * bcc's runqlat or as one JSON object per interval.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "luo_filter.h"
#include "luo_mode.h"
#include "luo_tools.h"
#include "luolat.h"
#include "luolat.skel.h"

static struct env {
	__u32 ops;
	const char *handler;
	bool timestamp;
	bool json;
	bool verbose;
	long interval;
	long times;
	enum luo_mode mode;
} env = {
	.interval = 99999999,
	.times = 99999999,
};

const char *argp_program_version = "luolat 1.0";
const char *argp_program_bug_address = "the LUO project's issue tracker";
static const char argp_program_doc[] =
"Summarize LUO (Live Update Orchestrator) callback latency as log2\n"
"histograms of duration_ns, one per operation and handler.\n"
"\n"
"USAGE: luolat [-h] [-T] [-o OP[,OP...]] [-H COMPAT] [-p PID] [--cgroup PATH]\n"
"              [-j] [-m MODE] [-v]\n"
"              [interval] [count]\n"
"\n"
"Only the events that time something count: the file operations\n"
"(file_preserve, file_unpreserve, file_freeze, file_unfreeze, file_retrieve,\n"
"file_can_finish, file_finish) per handler, the FLB operations (flb_preserve,\n"
"flb_unpreserve, flb_retrieve, flb_finish) per FLB, serialize and\n"
"reboot_end (the whole freeze and serialize of a reboot).  A callback the\n"
"handler does not have counts as 0 ns.  On a kernel without this\n"
"project's liveupdate events (mainline's LUO), LUO's functions are traced\n"
"instead (fentry mode): only file_preserve and file_retrieve (the whole of\n"
"LUO's function, the callback in it), serialize and reboot_end are timed.\n"
"\n"
"EXAMPLES:\n"
"    luolat                      # summarize until Ctrl-C\n"
"    luolat 1 10                 # print 1 second summaries, 10 times\n"
"    luolat -T 5                 # 5 second summaries with timestamps\n"
"    luolat -o file_freeze       # the freeze cost of each handler\n"
"    luolat -H memfd-v2          # every operation of the memfd handler\n"
"    luolat -p 1234              # only what process 1234 does\n"
"    luolat -j 10 1              # one JSON summary after 10 seconds\n"
"    luolat -m fentry            # time LUO's functions, not its events\n";

static const struct argp_option opts[] = {
	{ "timestamp", 'T', NULL, 0, "Include a timestamp on output", 0 },
	{ "op", 'o', "OP[,OP...]", 0, "Only these operations (repeatable)", 0 },
	{ "handler", 'H', "COMPAT", 0, "Only this handler (or FLB) compatible string", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per interval", 0 },
	{ "verbose", 'v', NULL, 0, "Verbose debug output (libbpf)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

/* The ops whose events carry a duration, as lat.bpf.c counts them. */
static bool timed(int op)
{
	return (op >= LUO_OP_FILE_PRESERVE && op <= LUO_OP_FLB_FINISH) ||
	       op == LUO_OP_REBOOT_END || op == LUO_OP_SERIALIZE;
}

static bool is_flb(__u32 op)
{
	return op >= LUO_OP_FLB_PRESERVE && op <= LUO_OP_FLB_FINISH;
}

static int parse_ops(char *arg, __u32 *ops)
{
	char *tok, *save;
	int op;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		op = luo_op_parse(tok);
		if (op < 0) {
			fprintf(stderr, "luolat: unknown operation '%s' (see --help)\n", tok);
			return -1;
		}
		if (!timed(op)) {
			fprintf(stderr, "luolat: operation '%s' times nothing (see --help)\n", tok);
			return -1;
		}
		*ops |= 1U << op;
	}
	return 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static int pos_args;
	char *end;
	long v;

	switch (key) {
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case 'T':
		env.timestamp = true;
		break;
	case 'o':
		if (parse_ops(arg, &env.ops))
			argp_usage(state);
		break;
	case 'H':
		if (strlen(arg) >= LUO_COMPAT_LEN)
			argp_error(state, "a compatible string has at most %d bytes",
				   LUO_COMPAT_LEN - 1);
		env.handler = arg;
		break;
	case 'j':
		env.json = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case ARGP_KEY_ARG:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v <= 0 || v > INT_MAX)
			argp_error(state, "invalid %s: %s", pos_args ? "count" : "interval", arg);
		if (pos_args == 0)
			env.interval = v;
		else if (pos_args == 1)
			env.times = v;
		else
			argp_error(state, "unrecognized positional argument: %s", arg);
		pos_args++;
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

/* One histogram to show: an operation and a name, every CPU's counts. */
struct entry {
	__u32 op;
	char name[LUO_COMPAT_LEN];
	struct luolat_val val;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->op != y->op)
		return x->op < y->op ? -1 : 1;
	return strncmp(x->name, y->name, LUO_COMPAT_LEN);
}

/* Add @v's counts to @sum. */
static void add_val(struct luolat_val *sum, const struct luolat_val *v)
{
	int i;

	for (i = 0; i < LUO_HIST_SLOTS; i++)
		sum->slots[i] += v->slots[i];
	sum->count += v->count;
	sum->sum_ns += v->sum_ns;
	sum->failed += v->failed;
}

/* The entry of @op and @name in @out[0, *@n), made if new (room: @max). */
static struct entry *entry_of(struct entry *out, int *n, int max, __u32 op, const char *name)
{
	int i;

	for (i = 0; i < *n; i++)
		if (out[i].op == op && !strncmp(out[i].name, name, LUO_COMPAT_LEN))
			return &out[i];
	if (*n == max)
		return NULL;
	memset(&out[*n], 0, sizeof(out[*n]));
	out[*n].op = op;
	memcpy(out[*n].name, name, LUO_COMPAT_LEN);
	return &out[(*n)++];
}

/* The name at kernel address @addr ("" for none, "?" if not known). */
static void name_at(int names_fd, __u64 addr, struct luolat_name *nm)
{
	memset(nm, 0, sizeof(*nm));
	if (addr && bpf_map_lookup_elem(names_fd, &addr, nm))
		snprintf(nm->name, sizeof(nm->name), "?");
	nm->name[sizeof(nm->name) - 1] = '\0';
}

/* Subtract @b's counts from @a's. */
static void sub_val(struct luolat_val *a, const struct luolat_val *b)
{
	int i;

	for (i = 0; i < LUO_HIST_SLOTS; i++)
		a->slots[i] -= b->slots[i];
	a->count -= b->count;
	a->sum_ns -= b->sum_ns;
	a->failed -= b->failed;
}

/* The maps luolat reads, and what the slots held at the last interval. */
struct maps {
	int hists, slots, names, ncpus;
	struct luolat_slot *cur;	/* ncpus of one slot */
	struct luolat_val *seen;	/* [slot][cpu] */
	struct luolat_val *vals;	/* ncpus of one hash key */
};

/*
 * The growth of every slot of every CPU since the last interval, added to
 * its entry in @out: a slot keeps its key once taken, and its counts only
 * grow.
 */
static void read_slots(struct maps *m, struct entry *out, int *got, int max)
{
	struct luolat_name nm;
	struct luolat_val d;
	struct entry *e;
	__u32 i;
	int c;

	for (i = 0; i < LUOLAT_SLOTS; i++) {
		if (bpf_map_lookup_elem(m->slots, &i, m->cur))
			continue;
		for (c = 0; c < m->ncpus; c++) {
			const struct luolat_slot *s = &m->cur[c];
			struct luolat_val *seen = &m->seen[i * m->ncpus + c];

			if (!s->key.used || s->val.count == seen->count)
				continue;
			d = s->val;
			sub_val(&d, seen);
			*seen = s->val;
			name_at(m->names, s->key.name, &nm);
			e = entry_of(out, got, max, s->key.op, nm.name);
			if (e)
				add_val(&e->val, &d);
		}
	}
}

/*
 * Every histogram's counts since the last interval into @out (at most
 * @max), each CPU's added up, one entry per operation and name: those of
 * the slots, and those of the hash map, which are moved out of it.  How
 * many.
 */
static int drain(struct maps *m, struct entry *out, int max)
{
	static struct luolat_key keys[LUOLAT_MAX_KEYS];
	struct luolat_key *prev = NULL;
	int n = 0, i, c, got = 0;
	struct luolat_name nm;
	struct entry *e;

	read_slots(m, out, &got, max);
	while (n < LUOLAT_MAX_KEYS && !bpf_map_get_next_key(m->hists, prev, &keys[n])) {
		prev = &keys[n];
		n++;
	}
	for (i = 0; i < n; i++) {
		/*
		 * Atomic per key; an event counting at that moment on another
		 * CPU may be lost (rare: only keys whose slot is taken are here).
		 */
		if (bpf_map_lookup_and_delete_elem(m->hists, &keys[i], m->vals))
			continue;
		name_at(m->names, keys[i].name, &nm);
		e = entry_of(out, &got, max, keys[i].op, nm.name);
		for (c = 0; e && c < m->ncpus; c++)
			add_val(&e->val, &m->vals[c]);
	}
	qsort(out, got, sizeof(*out), cmp_entry);
	return got;
}

static void hist_of(const struct luolat_val *v, struct luo_hist *h)
{
	memcpy(h->slots, v->slots, sizeof(h->slots));
}

static void print_text(const struct entry *ents, int n)
{
	char avg[32], p50[32], p99[32];
	struct luo_hist h;
	int i;

	for (i = 0; i < n; i++) {
		const struct entry *e = &ents[i];
		const char *op = luo_op_name(e->op);

		hist_of(&e->val, &h);
		printf("\nop = %s", op ? op : "?");
		if (e->name[0])
			printf(", %s = %.*s", is_flb(e->op) ? "flb" : "handler",
			       LUO_COMPAT_LEN, e->name);
		printf(": %llu calls, %llu failed, avg %s, p50 <= %s, p99 <= %s\n",
		       (unsigned long long)e->val.count, (unsigned long long)e->val.failed,
		       luo_fmt_ns(avg, sizeof(avg), e->val.count ? e->val.sum_ns / e->val.count : 0),
		       luo_fmt_ns(p50, sizeof(p50), luo_hist_percentile(&h, 50)),
		       luo_fmt_ns(p99, sizeof(p99), luo_hist_percentile(&h, 99)));
		luo_hist_print(stdout, &h, "nsecs");
	}
}

static void print_json(const struct entry *ents, int n, const char *ts, __u64 dropped)
{
	struct luo_hist h;
	int i, k;

	printf("{\"time\":\"%s\",\"interval_s\":%ld,\"dropped\":%llu,\"mode\":\"%s\",\"untimed\":[",
	       ts, env.interval, (unsigned long long)dropped, luo_mode_name(env.mode));
	/* The operations luolat times in the tracepoint mode but not in this one. */
	for (i = 0, k = 0; i < LUO_NR_OPS; i++)
		if (timed(i) && !luo_mode_times(env.mode, i))
			printf("%s\"%s\"", k++ ? "," : "", luo_op_name(i));
	printf("],\"histograms\":[");
	for (i = 0; i < n; i++) {
		const struct entry *e = &ents[i];
		char name[LUO_COMPAT_LEN + 1];

		hist_of(&e->val, &h);
		snprintf(name, sizeof(name), "%.*s", LUO_COMPAT_LEN, e->name);
		printf("%s{\"op\":\"%s\",\"handler\":", i ? "," : "",
		       luo_op_name(e->op) ?: "?");
		luo_json_str(stdout, name);
		printf(",\"count\":%llu,\"failed\":%llu,\"sum_ns\":%llu,\"avg_ns\":%llu,"
		       "\"p50_ns\":%llu,\"p99_ns\":%llu,\"hist\":",
		       (unsigned long long)e->val.count, (unsigned long long)e->val.failed,
		       (unsigned long long)e->val.sum_ns,
		       (unsigned long long)(e->val.count ? e->val.sum_ns / e->val.count : 0),
		       (unsigned long long)luo_hist_percentile(&h, 50),
		       (unsigned long long)luo_hist_percentile(&h, 99));
		luo_hist_json(stdout, &h);
		printf("}");
	}
	printf("]}\n");
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
	static struct entry ents[LUOLAT_MAX_KEYS];
	__u64 dropped, dropped_before = 0;
	struct luolat *obj;
	char ts[32];
	struct maps m = {};
	int err, n, ret = 0;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return err;
	luo_libbpf_print_setup(env.verbose);
	setvbuf(stdout, NULL, _IOLBF, 0);

	obj = luolat__open();
	if (!obj) {
		fprintf(stderr, "luolat: failed to open the BPF object\n");
		return 1;
	}
	env.mode = luo_select_mode("luolat", obj->obj, luo_mode_wanted);
	if (!luo_mode_has_ops("luolat", env.mode, env.ops, true)) {
		ret = 1;
		goto cleanup;
	}
	luo_mode_only_ops(obj->obj, env.mode,
			  env.ops ? env.ops & LUO_OPS_TIMED : LUO_OPS_TIMED);
	obj->rodata->targ_ops = env.ops;
	obj->rodata->luo_targ_tgid = luo_filter.pid;
	obj->rodata->luo_filter_cgroup = luo_filter.cgroup;
	if (env.handler) {
		obj->rodata->filter_handler = true;
		strncpy((char *)obj->rodata->targ_handler, env.handler, LUO_COMPAT_LEN - 1);
	}
	err = luolat__load(obj);
	if (err) {
		fprintf(stderr, "luolat: failed to load the BPF programs: %s\n", strerror(-err));
		ret = 1;
		goto cleanup;
	}
	err = luo_filter_cgroup_set("luolat", bpf_map__fd(obj->maps.luo_cgroup_map));
	if (err) {
		ret = 1;
		goto cleanup;
	}
	err = luolat__attach(obj);
	if (err) {
		fprintf(stderr, "luolat: failed to attach the BPF programs: %s\n", strerror(-err));
		ret = 1;
		goto cleanup;
	}
	if (signal(SIGINT, sig_handler) == SIG_ERR || signal(SIGTERM, sig_handler) == SIG_ERR) {
		fprintf(stderr, "luolat: can't set a signal handler: %s\n", strerror(errno));
		ret = 1;
		goto cleanup;
	}
	m.hists = bpf_map__fd(obj->maps.hists);
	m.slots = bpf_map__fd(obj->maps.slots);
	m.names = bpf_map__fd(obj->maps.names);
	m.ncpus = libbpf_num_possible_cpus();
	if (m.ncpus > 0) {
		m.cur = calloc(m.ncpus, sizeof(*m.cur));
		m.seen = calloc((size_t)m.ncpus * LUOLAT_SLOTS, sizeof(*m.seen));
		m.vals = calloc(m.ncpus, sizeof(*m.vals));
	}
	if (!m.cur || !m.seen || !m.vals) {
		fprintf(stderr, "luolat: out of memory for %d CPUs\n", m.ncpus);
		ret = 1;
		goto cleanup;
	}

	/* On stderr, so that JSON output stays clean: scripts may wait for it. */
	fprintf(stderr, "Tracing LUO callback latency (mode: %s%s%s)... Hit Ctrl-C to end.\n",
		luo_mode_name(env.mode), env.mode == LUO_MODE_FENTRY ? "; " : "",
		luo_mode_limits(env.mode));
	while (1) {
		sleep(env.interval);
		luo_fmt_now(ts, sizeof(ts));
		n = drain(&m, ents, LUOLAT_MAX_KEYS);
		dropped = obj->bss->dropped;
		if (env.json) {
			print_json(ents, n, ts, dropped - dropped_before);
		} else {
			printf("\n");
			if (env.timestamp)
				printf("%-8s\n", ts);
			print_text(ents, n);
			if (dropped != dropped_before)
				printf("\n%llu events dropped: more than %d histograms\n",
				       (unsigned long long)(dropped - dropped_before),
				       LUOLAT_MAX_KEYS);
		}
		dropped_before = dropped;
		if (exiting || --env.times == 0)
			break;
	}

cleanup:
	free(m.cur);
	free(m.seen);
	free(m.vals);
	luolat__destroy(obj);
	return ret;
}
