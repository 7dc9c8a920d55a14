/* SPDX-License-Identifier: GPL-2.0 */
/*
 * luo_fuzz: what its files share (see luo_fuzz.c for the whole picture).
 */
#ifndef LUO_FUZZ_H
#define LUO_FUZZ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#define FZ_SLOTS	48	/* file descriptors a process juggles */
#define FZ_NAMES	8	/* session names: "fz-0" .. "fz-7", so they collide */
#define FZ_TOKENS	12	/* tokens 1 .. 12, so they collide */
#define FZ_SESSIONS	256	/* session objects one run can know */
#define FZ_FILES	64	/* files the ledger keeps per session */
#define FZ_MAX_THREADS	16

/* What a slot's file descriptor is. */
enum fz_kind { FZ_FREE, FZ_DEVICE, FZ_SESSION, FZ_MEMFD, FZ_PIPE, FZ_NULL };

/* A file the ledger says a session holds: its token and contents. */
struct fz_file {
	__u64 token;
	uint32_t content;	/* seed of the bytes, see fz_content() */
	uint32_t len;
};

/* A session this process created (or retrieved), while any slot holds it. */
struct fz_session {
	char name[16];
	int refs;		/* slots of this process that hold it */
	int nfiles;
	struct fz_file files[FZ_FILES];
};

/*
 * One file descriptor of the process.  The slot's rwlock is held for
 * reading while its fd is used and for writing while it is closed or
 * replaced, so that no fd number is reused under a thread's ioctl.
 */
struct fz_slot {
	pthread_rwlock_t lock;
	int fd;
	enum fz_kind kind;
	int obj;		/* FZ_SESSION: index in sessions; FZ_MEMFD: content */
	uint32_t len;		/* FZ_MEMFD: its size */
};

/* The requests. */
enum fz_op {
	FZ_OP_OPEN, FZ_OP_CREATE, FZ_OP_RETRIEVE, FZ_OP_PRESERVE, FZ_OP_RETRIEVE_FD,
	FZ_OP_FINISH, FZ_OP_GET_NAME, FZ_OP_CLOSE, FZ_OP_DUP, FZ_OP_UNKNOWN,
	FZ_OP_MEMFD, FZ_OP_PIPE, FZ_OP_NULL, FZ_NR_OPS
};

/* What the run has counted; atomics, shared by threads (not processes). */
struct fz_stats {
	atomic_ulong ops;
	atomic_ulong ok;
	atomic_ulong errors;		/* documented errnos */
	atomic_ulong violations;	/* anything else */
	atomic_ulong by_op[FZ_NR_OPS];
};

/* The command line. */
struct fz_opts {
	uint64_t seed;
	double seconds;
	unsigned int threads, procs, faults, fail_percent;
	int stage;
	const char *state;
};

#define FZ_CONTENTS	65536	/* memfds one process may create */
#define FZ_BUF		(64 * 1024 + 4096)	/* a thread's ioctl buffer */
#define FZ_NOTES	16	/* violations kept in full */

/* A session of the state file, to be verified in stage 2. */
struct fz_expect {
	char name[16];
	int nfiles;
	struct fz_file files[FZ_FILES];
};

/* One process of the fuzzer: its descriptors and its ledger. */
struct fz_proc {
	const struct fz_opts *o;
	int id;				/* 0: the first process, n: child n */
	pthread_mutex_t lock;		/* the ledger below */
	pthread_mutex_t notes_lock;	/* notes: taken with or without lock */
	struct fz_slot slots[FZ_SLOTS];
	struct fz_session sessions[FZ_SESSIONS];
	int *preserved_in;		/* content -> session index, or -1 */
	atomic_uint next_content;
	struct fz_stats stats;
	char notes[FZ_NOTES][200];
	struct fz_expect *expect;	/* stage 2: the state file */
	int nexpect;
};

/* A fuzzing thread. */
struct fz_thread {
	struct fz_proc *p;
	uint64_t rng;
	double deadline;
	unsigned char *buf;		/* ioctl structures, up to 64 KiB */
	size_t dirty;			/* bytes of buf that may be non-zero */
	bool faulting;			/* its calls may fail by injection now */
};

/* luo_fuzz_table.c: the descriptor table and the ledger */
void fz_proc_init(struct fz_proc *p, const struct fz_opts *o);
int fz_proc_start(struct fz_proc *p);
void fz_proc_forked(struct fz_proc *p, int id);
void fz_proc_drop_device(struct fz_proc *p);
void fz_proc_trim(struct fz_proc *p);
void fz_thread_init(struct fz_thread *t, struct fz_proc *p, uint64_t seed, double deadline);
void fz_thread_done(struct fz_thread *t);
int fz_slot_put(struct fz_proc *p, uint64_t *rng, int fd, enum fz_kind kind,
		int obj, uint32_t len);
void fz_slot_close(struct fz_proc *p, struct fz_slot *s);
struct fz_slot *fz_slot_get(struct fz_thread *t);
struct fz_slot *fz_slot_get_kind(struct fz_thread *t, enum fz_kind kind);
void fz_slot_put_back(struct fz_slot *s);
int fz_session_new(struct fz_proc *p, const char *name);
bool fz_name_held(struct fz_proc *p, const char *name);

/* luo_fuzz_ops.c: the requests and their judgement */
void fz_random_op(struct fz_thread *t);
unsigned long fz_report_violations(struct fz_proc *p, const char *what);
void fz_print_by_op(struct fz_proc *p);
void fz_violation(struct fz_proc *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fz_content(const struct fz_proc *p, uint32_t content, unsigned char *buf, size_t len);
int fz_seeded_memfd(const struct fz_proc *p, uint32_t content, uint32_t len);

/* luo_fuzz.c: one TAP line (kselftest.h counts per file: all count here) */
void fz_tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* luo_fuzz_state.c: the seeded session, the state file, stage 2's checks */
int fz_seed_session(struct fz_proc *p);
int fz_state_write(struct fz_proc *p, const char *path);
int fz_state_read(struct fz_proc *p, const char *path);
int fz_verify_plan(const struct fz_proc *p);
void fz_verify_all(struct fz_proc *p, unsigned int threads);

/* The fault injection of luo_fuzz_fault.c. */
enum fz_fault { FZ_FAULT_SLAB = 1, FZ_FAULT_PAGE = 2, FZ_FAULT_HOOKS = 4 };

int fz_fault_setup(unsigned int faults, unsigned int percent);
void fz_fault_task(bool on);
int fz_fault_rotate(unsigned long tick);
void fz_fault_op_begin(void);
void fz_fault_op_end(void);
void fz_fault_teardown(void);

/* A seeded generator: xorshift64*, one state per thread. */
static inline uint64_t fz_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static inline unsigned int fz_below(uint64_t *s, unsigned int n)
{
	return n ? fz_rand(s) % n : 0;
}

#endif /* LUO_FUZZ_H */
