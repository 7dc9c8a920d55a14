/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of luotop share: the model (luotop_model.c: the events'
 * counts and histograms read from the BPF maps, the sessions, the boot's
 * and the record's view of the last update), the view (luotop_view.c:
 * the dashboard, in curses or as batch text) and the command line
 * (luotop.c), as bpftop keeps its state apart from its UI.  luotop.h is
 * the BPF program's and this tool's shared record.
 */
#ifndef LUOTOP_MODEL_H
#define LUOTOP_MODEL_H

#include <stdbool.h>
#include <linux/types.h>

#include "luo_record.h"
#include "luo_listing.h"
#include "luo_mode.h"
#include "luotop.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

enum sort_by { SORT_RATE, SORT_P99, SORT_NAME, NR_SORTS };
extern const char *const sort_names[NR_SORTS];

/* The command line. */
struct env {
	bool batch;
	long iterations;	/* 0: until q or a signal */
	double delay;		/* seconds between refreshes */
	enum sort_by sort;
	const char *record;
	bool verbose;
	enum luo_mode mode;	/* how the programs see LUO (luo_mode.h) */
};
extern struct env env;

/* What a row is of: an operation and a handler's name ("" for none). */
struct row_key {
	__u32 op;			/* enum luo_op */
	char handler[LUO_COMPAT_LEN];
};

/* One operation x handler, summed over the CPUs and the keys of the name. */
struct row {
	struct row_key key;
	struct luotop_stat st;
	__u64 prev_count;
	double rate;		/* per second over the last refresh */
	__u64 p50, p99;		/* ns; 0 without timed samples */
};

/* Files per handler, derived from the rows. */
struct handler {
	char name[LUO_COMPAT_LEN];
	__u64 preserved;	/* file_preserve - file_unpreserve */
	__u64 retrieved;
	__u64 finished;
	__u64 errors;		/* of all its operations */
};

/* A session followed: its direction and name, and what it holds. */
struct sess_key {
	__u32 dir;			/* enum luotop_dir */
	char name[LUO_NAME_LEN];
};

struct sess {
	struct sess_key key;
	struct luotop_session val;
};

/* What the kernel log said at boot: "luo: live update #N: ...". */
struct boot_info {
	bool found;
	unsigned long long number;
	unsigned long sessions, files, dropped, flbs;
};

struct state {
	struct row *rows;
	int nr_rows, cap_rows;
	struct handler *handlers;
	int nr_handlers;
	struct sess *sess;
	int nr_sess;
	struct luo_rec rec;
	int rec_err;		/* luo_rec_read()'s */
	struct boot_info boot;
	char release[65];
	double start, last;	/* now_s() at attach and at the last refresh */
	char since[16];		/* wall clock at attach */
	long iteration;
	int ncpus;
	void *percpu;		/* lookup buffer of the stats hash */
	void *percpu_slots;	/* lookup buffer of the slots table */
	const struct luotop_sslot *sslots;	/* the sessions table, mapped */
	int stats_fd;		/* BPF_ENABLE_STATS, held while luotop runs; < 0: -errno */
	__u64 self_runs, self_ns;	/* luotop's own programs, since it started */
	bool listing;		/* our LUO's iterators: the sessions held at start, the files */
	bool filtered;		/* -p or --cgroup: what LUO holds is not listed */
	int listing_err;	/* the last read of the files' listing: 0 or -errno */
	struct luo_iter_list files;	/* the files LUO holds, at the last refresh (-b) */
};

/* Everything luotop knows, refreshed by collect(). */
extern struct state S;

struct luotop;

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);

/* luotop_model.c */
void read_boot_info(void);
bool liveupdate_number(unsigned long long *nr);
/* Follow the sessions LUO holds now (after the attach): 0 or -errno. */
int seed_sessions(struct luotop *skel);
/* Read the maps and the record into S: 0 or -errno. */
int collect(struct luotop *skel);
/* qsort() order of S.rows for env.sort. */
int cmp_row(const void *a, const void *b);

/* luotop_view.c */
void show_batch(void);
void show_screen(bool paused, bool help, double delay);

#endif /* LUOTOP_MODEL_H */
