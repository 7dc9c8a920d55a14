// SPDX-License-Identifier: GPL-2.0
/*
 * What the LUO tools share: operation names, probing the running kernel,
 * time formatting, log2 histograms, JSON output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "luo_tools.h"

#define OP_NAME_FN(x, name, ...)	[LUO_OP_##x] = #name,

/* The names of bpf/luo_ops.h's LUO_OP_MAPPER. */
static const char *const op_names[LUO_NR_OPS] = {
	LUO_OP_MAPPER(OP_NAME_FN)
};

const char *luo_op_name(unsigned int op)
{
	return op < LUO_NR_OPS ? op_names[op] : NULL;
}

int luo_op_parse(const char *name)
{
	int op;

	if (!strncmp(name, "luo_", 4))
		name += 4;
	for (op = 0; op < LUO_NR_OPS; op++)
		if (!strcmp(name, op_names[op]))
			return op;
	return -1;
}

static bool luo_verbose;

static int luo_libbpf_print(enum libbpf_print_level level, const char *fmt,
			    va_list ap)
{
	if (level == LIBBPF_DEBUG && !luo_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void luo_libbpf_print_setup(bool verbose)
{
	luo_verbose = verbose;
	libbpf_set_print(luo_libbpf_print);
}

static int luo_quiet(enum libbpf_print_level level __attribute__((unused)),
		     const char *fmt __attribute__((unused)),
		     va_list ap __attribute__((unused)))
{
	return 0;
}

struct btf *luo_vmlinux_btf(void)
{
	libbpf_print_fn_t old = libbpf_set_print(luo_quiet);
	struct btf *btf = btf__load_vmlinux_btf();

	libbpf_set_print(old);
	return btf;
}

void luo_require_events(const char *tool)
{
	struct btf *btf = luo_vmlinux_btf();
	bool found = false;

	if (btf) {
		found = btf__find_by_name_kind(btf, "btf_trace_luo_file_freeze",
					       BTF_KIND_TYPEDEF) > 0;
		btf__free(btf);
	}
	if (found)
		return;
	fprintf(stderr, "%s: this kernel has no liveupdate events (%s): it does not run this project's LUO\n",
		tool, btf ? "no luo_file_freeze tracepoint in its BTF" :
		"no BTF in /sys/kernel/btf/vmlinux");
	exit(LUO_EXIT_NO_EVENTS);
}

const char *luo_fmt_ns(char *buf, size_t len, __u64 ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

const char *luo_fmt_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	strftime(buf, len, "%H:%M:%S", localtime_r(&t, &tm));
	return buf;
}

__u64 luo_hist_total(const struct luo_hist *h)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < LUO_HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

__u64 luo_hist_percentile(const struct luo_hist *h, double pct)
{
	__u64 total = luo_hist_total(h), seen = 0;
	int i;

	if (!total)
		return 0;
	for (i = 0; i < LUO_HIST_SLOTS; i++) {
		seen += h->slots[i];
		if (seen * 100.0 >= pct * total)
			return (1ULL << (i + 1)) - 1;
	}
	return (1ULL << LUO_HIST_SLOTS) - 1;
}

void luo_hist_print(FILE *f, const struct luo_hist *h, const char *unit_label)
{
	int i, first = -1, last = -1, width = 40;
	__u64 max = 0;

	for (i = 0; i < LUO_HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h->slots[i] > max)
			max = h->slots[i];
	}
	if (first < 0)
		return;
	fprintf(f, "%24s : count    distribution\n", unit_label);
	for (i = first; i <= last; i++) {
		__u64 low = i ? 1ULL << i : 0, high = (1ULL << (i + 1)) - 1;
		int bar = max ? (int)(h->slots[i] * width / max) : 0, j;

		fprintf(f, "%10llu -> %-10llu : %-8llu |", (unsigned long long)low,
			(unsigned long long)high, (unsigned long long)h->slots[i]);
		for (j = 0; j < width; j++)
			fputc(j < bar ? '*' : ' ', f);
		fprintf(f, "|\n");
	}
}

void luo_hist_json(FILE *f, const struct luo_hist *h)
{
	bool first = true;
	int i;

	fprintf(f, "{\"unit\":\"ns\",\"total\":%llu,\"slots\":[",
		(unsigned long long)luo_hist_total(h));
	for (i = 0; i < LUO_HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		fprintf(f, "%s{\"low\":%llu,\"high\":%llu,\"count\":%llu}",
			first ? "" : ",", i ? 1ULL << i : 0ULL,
			(1ULL << (i + 1)) - 1, (unsigned long long)h->slots[i]);
		first = false;
	}
	fprintf(f, "]}");
}

void luo_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int luo_write_atomic(const char *tool, const char *path, void (*fill)(FILE *f, void *arg),
		     void *arg)
{
	char *tmp;
	FILE *f;
	int fd, err = 0;

	if (!strcmp(path, "-")) {
		fill(stdout, arg);
		return fflush(stdout) ? -errno : 0;
	}
	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		goto out;
	}
	fill(f, arg);
	if (fflush(f) || ferror(f) || fsync(fileno(f)))
		err = -(errno ? errno : EIO);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
out:
	if (err)
		fprintf(stderr, "%s: cannot write %s: %s\n", tool, path, strerror(-err));
	free(tmp);
	return err;
}
