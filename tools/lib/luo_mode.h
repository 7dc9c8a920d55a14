/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a tool's BPF programs see LUO on the running kernel: this project's
 * liveupdate tracepoints, or, on a kernel without them (mainline's LUO),
 * fentry and fexit programs on LUO's functions (bpf/luo_fentry.bpf.h).
 */
#ifndef LUO_MODE_H
#define LUO_MODE_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>

struct bpf_object;

enum luo_mode {
	LUO_MODE_AUTO,		/* what the kernel has: tracepoints, else fentry */
	LUO_MODE_TRACEPOINT,
	LUO_MODE_FENTRY,
};

/*
 * -m, --mode MODE for a tool's argp, as a child parser: what it parsed
 * (LUO_MODE_AUTO unless given) is in luo_mode_wanted.
 */
extern const struct argp luo_mode_argp;
extern enum luo_mode luo_mode_wanted;

/* "tracepoint", "fentry", "auto". */
const char *luo_mode_name(enum luo_mode mode);
/* The mode named @name, or -1. */
int luo_mode_parse(const char *name);

/*
 * Set which of @obj's programs load (before its load): the tracepoint
 * programs when the kernel has the liveupdate events, else the fentry and
 * fexit ones whose functions its BTF has; @want forces one.  Iterator
 * programs (iter/T) load in either mode when the BTF has the target's
 * bpf_iter_T (our LUO's luo_session and luo_file).  When the
 * kernel offers neither, print "@tool: ..." in one sentence on stderr and
 * exit with LUO_EXIT_NO_EVENTS.  Return: the mode.
 */
enum luo_mode luo_select_mode(const char *tool, struct bpf_object *obj, enum luo_mode want);

/*
 * In tracepoint mode, leave out the programs of the events outside @ops (a
 * mask of 1 << enum luo_op) before @obj's load: a program attached to an
 * event costs its dispatch at every such event, even when it returns at
 * once (under emulation, about as much as a small program's own run).  In
 * fentry mode a program serves several operations: every one is kept.
 * Call it after luo_select_mode() with the mode it returned.
 */
void luo_mode_only_ops(struct bpf_object *obj, enum luo_mode mode, unsigned int ops);

/*
 * The mode luo_select_mode() would pick with LUO_MODE_AUTO, saying nothing:
 * LUO_MODE_AUTO when the kernel offers neither tracepoints nor functions.
 */
enum luo_mode luo_mode_probe(void);

/* Whether an event of @op is seen in @mode (every one with tracepoints). */
bool luo_mode_sees(enum luo_mode mode, unsigned int op);

/*
 * Whether an event of @op carries a duration in @mode: with tracepoints,
 * the file and FLB operations, serialize and reboot_end; in fentry mode,
 * what LUO's functions time (file_preserve and file_retrieve spanning
 * LUO's function, serialize, reboot_end).
 */
bool luo_mode_times(enum luo_mode mode, unsigned int op);

/*
 * Whether every op of the bitmask @ops is seen (or, with @timed, timed) in
 * @mode; if not, "@tool: operation 'OP' is not seen|timed in MODE mode"
 * on stderr.
 */
bool luo_mode_has_ops(const char *tool, enum luo_mode mode, unsigned int ops, bool timed);

/*
 * What @mode does not tell, in one line for a tool's header ("" for the
 * tracepoints): the events it does not see, and what its durations span.
 */
const char *luo_mode_limits(enum luo_mode mode);

#endif /* LUO_MODE_H */
