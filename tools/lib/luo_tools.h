/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the LUO tools share: operation names, probing the running kernel,
 * time formatting, log2 histograms, JSON output.
 */
#ifndef LUO_TOOLS_H
#define LUO_TOOLS_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "luo_ops.h"

/* Exit code of a tool on a kernel without the liveupdate events. */
#define LUO_EXIT_NO_EVENTS	2

/* "file_freeze" for LUO_OP_FILE_FREEZE; NULL out of range. */
const char *luo_op_name(unsigned int op);
/* The op named @name ("file_freeze" or "luo_file_freeze"), or -1. */
int luo_op_parse(const char *name);

/*
 * Whether the running kernel has LUO's events: its BTF names the
 * tracepoint luo_file_freeze.  When not, print "@tool: ..." in one sentence
 * on stderr and exit with LUO_EXIT_NO_EVENTS.
 */
void luo_require_events(const char *tool);

struct btf;
/* The running kernel's BTF, loaded without libbpf's messages; NULL without one. */
struct btf *luo_vmlinux_btf(void);

/* libbpf's messages on stderr, its debug ones only when @verbose. */
void luo_libbpf_print_setup(bool verbose);

/* @ns as "123 ns", "4.56 us", "7.89 ms" or "1.23 s" into @buf. */
const char *luo_fmt_ns(char *buf, size_t len, __u64 ns);
/* Wall-clock "HH:MM:SS" of now into @buf. */
const char *luo_fmt_now(char *buf, size_t len);

/*
 * A log2 histogram of ns, filled by the BPF side's luo_log2_slot()
 * (bpf/luo_helpers.bpf.h): LUO_HIST_SLOTS of luo_ops.h.
 */
struct luo_hist {
	__u64 slots[LUO_HIST_SLOTS];
};

__u64 luo_hist_total(const struct luo_hist *h);
/* The value below which @pct % of the samples fall (slot upper bound). */
__u64 luo_hist_percentile(const struct luo_hist *h, double pct);
/* The histogram in the style of bcc's print_log2_hist (slot bounds in ns). */
void luo_hist_print(FILE *f, const struct luo_hist *h, const char *unit_label);
/* {"unit":"ns","slots":[{"low":..,"high":..,"count":..},...]} */
void luo_hist_json(FILE *f, const struct luo_hist *h);

/* @s as a JSON string, quotes included. */
void luo_json_str(FILE *f, const char *s);

/*
 * Write what @fill prints to @path atomically (a temporary file, fsync,
 * rename: a reader such as node_exporter's textfile collector never sees
 * half of it), or to stdout when @path is "-".  Says why it failed, as
 * @tool, on stderr.  Return: 0 or -errno.
 */
int luo_write_atomic(const char *tool, const char *path, void (*fill)(FILE *f, void *arg),
		     void *arg);

#endif /* LUO_TOOLS_H */
