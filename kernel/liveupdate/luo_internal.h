/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update Orchestrator: what the parts of LUO share.
 *
 * Locking, outermost first:
 *
 *   luo.lock          the session lists and their index by name, the reboot,
 *                     the shape of the sessions' chain (luo.out_sessions)
 *   luo.files_sem     read by a preserve, which only tries it: held for write
 *                     by the reboot, which then owns every outgoing session's
 *                     files without taking a session's lock
 *   session->lock     one session's files (list and index by token) and state,
 *                     its chain of files and its entry in the sessions' chain
 *                     (in an outgoing session: with luo.lock or luo.files_sem
 *                     for read too; the reboot holds luo.files_sem for write
 *                     instead)
 *   luo_handlers_lock registered file handlers and FLBs (read while used),
 *                     the FLBs' chain (luo.out_flbs)
 *   flb state lock    one FLB's outgoing or incoming state
 *
 * Closing a session moves the last session's entry into its place: under
 * luo.lock and then the last session's lock, never two session locks at
 * once.
 *
 * Files preserved anywhere, and files retrieved from sessions not finished
 * yet, are also indexed by identity in luo_file_ids, an xarray with its own
 * lock.  The table of FLBs handed over (luo.in_flbs)
 * is written once before userspace runs; an entry is claimed under the
 * lock of the one registered FLB of its compatible string.
 */
#ifndef _KERNEL_LIVEUPDATE_LUO_INTERNAL_H
#define _KERNEL_LIVEUPDATE_LUO_INTERNAL_H

#include <linux/err.h>
#include <linux/liveupdate.h>
#include <uapi/linux/liveupdate_record.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/xarray.h>

/* The largest block a previous kernel's record may be (luo_record.c) */
#define LUO_MAX_BLOCK		(PAGE_SIZE << MAX_PAGE_ORDER)

/**
 * struct luo_chain - A table of the outgoing handover (luo_chain.c).
 * @blocks:    Its blocks by number (struct luo_block_ser).
 * @count:     Entries in it.
 * @nr_blocks: Blocks in it.
 * @kind:      The blocks' kind.
 * @esize:     The size of one entry.
 */
struct luo_chain {
	struct xarray blocks;
	unsigned long count;
	unsigned long nr_blocks;
	u32 kind;
	u32 esize;
};

/**
 * struct luo_file - A file preserved in a session, in either kernel.
 * @list:            In the session's list of files.
 * @node:            In the session's @by_token.
 * @fh:              Its handler; for an incoming file, found by @compatible
 *                   on first retrieve (or finish).
 * @file:            The file, with a reference held: the preserved file
 *                   (outgoing) or the retrieved one (incoming).
 * @token:           Userspace's name for it, unique in the session.
 * @id:              Its identity in luo_file_ids, when @indexed.
 * @serialized_data: The handler's handle for its preserved state.
 * @ser:             Outgoing: its entry in the session's chain of files.
 * @private_data:    The handler's runtime state (outgoing only).
 * @retrieve_status: Incoming: 0 not retrieved, 1 retrieved, <0 the error.
 * @frozen:          Outgoing: freeze() succeeded for the coming reboot.
 * @indexed:         In luo_file_ids: preserved (outgoing), or retrieved and
 *                   not finished (incoming).
 * @compatible:      The handler's compatible string (incoming).
 */
struct luo_file {
	struct list_head list;
	struct rb_node node;
	struct liveupdate_file_handler *fh;
	struct file *file;
	u64 token;
	unsigned long id;
	u64 serialized_data;
	struct luo_file_ser *ser;
	void *private_data;
	int retrieve_status;
	bool frozen;
	bool indexed;
	char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];
};

#define LUO_NO_SLOT	ULONG_MAX

/**
 * struct luo_session - A named group of preserved files.
 * @name:      Its name, NUL-terminated.
 * @list:      In luo.sessions (outgoing) or luo.incoming (incoming).
 * @node:      In luo.names, either way.
 * @lock:      Protects the fields below and the files (see the top of
 *             this file for the reboot).
 * @files:     Its &struct luo_file, in the order they were preserved.
 * @by_token:  The same files by token: a lookup costs O(log @nr_files).
 * @nr_files:  How many.
 * @chain:     Outgoing: the files' entries for the next kernel.
 * @slot:      Outgoing: its entry's index in luo.out_sessions; changed
 *             under luo.lock and @lock.  %LUO_NO_SLOT when it has none.
 * @incoming:  Holds files of the previous kernel, not finished yet.
 * @retrieved: Incoming: handed to userspace already.
 */
struct luo_session {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	struct list_head list;
	struct rb_node node;
	struct mutex lock;		/* see the top of this file */
	struct list_head files;
	struct rb_root by_token;
	unsigned long nr_files;
	struct luo_chain chain;
	unsigned long slot;
	bool incoming;
	bool retrieved;
};

/**
 * struct luo_in_flb - An FLB the previous kernel handed over.
 * @compatible: Its compatible string.
 * @data:       The handle its preserve() returned.
 * @count:      Files that used it.
 * @claimed:    A registered FLB of this kernel took it over.
 */
struct luo_in_flb {
	char compatible[LIVEUPDATE_FLB_COMPAT_LENGTH];
	u64 data;
	u64 count;
	bool claimed;
};

/**
 * struct luo_incoming - What the previous kernel handed over, validated.
 * @number:      Its liveupdate-number; 0 when nothing was handed over.
 * @sessions:    The sessions that passed validation (struct luo_session).
 * @nr_sessions: How many.
 * @nr_files:    Files in them.
 * @dropped:     Sessions refused by validation.
 * @flbs:        FLB entries that passed validation.
 * @nr_flbs:     How many.
 */
struct luo_incoming {
	u64 number;
	struct list_head sessions;
	unsigned long nr_sessions;
	unsigned long nr_files;
	unsigned long dropped;
	struct luo_in_flb *flbs;
	unsigned long nr_flbs;
};

/**
 * struct luo_in_mem - How the parser reaches memory the previous kernel
 * preserved: KHO in the kernel, a table of buffers in the KUnit test.
 * @peek:  Return the first @len bytes at @phys, to be read without taking
 *         the block, or NULL when they are not memory of this machine.
 * @map:   Take the block preserved at @phys and return it, its size in
 *         *@size, or NULL when nothing (or nothing any more) is preserved
 *         there.
 * @unmap: Give back a block @map returned.
 * @ctx:   The accessor's own data.
 * @origin: Whose handover this is, for the messages ("previous kernel").
 *
 * The parser peeks at a block's &struct luo_block_ser and maps it only when
 * the header says the block is LUO's: another KHO user's block is never
 * taken, so never freed under its owner.
 */
struct luo_in_mem {
	const void *(*peek)(void *ctx, u64 phys, size_t len);
	void *(*map)(void *ctx, u64 phys, size_t *size);
	void (*unmap)(void *ctx, void *block);
	void *ctx;
	const char *origin;
};

/**
 * struct luo_global - LUO's state in this kernel.
 * @lock:      See the top of this file.
 * @sessions:  Outgoing sessions, in the order of their entries in
 *             @out_sessions.
 * @incoming:  Incoming sessions not finished yet.
 * @names:     The sessions of both lists by name: a lookup costs
 *             O(log @nr_sessions).
 * @in_flbs:   FLBs handed over by the previous kernel.
 * @nr_in_flbs: How many.
 * @number:    liveupdate-number received (0 for none).
 * @nr_sessions: Length of @sessions.
 * @out_files: Files in @sessions: the sum of their entries' counts, kept
 *             by luo_session_ser_files(), so that the reboot need not
 *             visit every session to know it.
 * @files_sem: See the top of this file.
 * @rebooting: The reboot froze the sessions: no more changes.
 * @fdt_out:   The KHO subtree the next kernel will read.
 * @out_sessions: The outgoing sessions' entries for the next kernel.
 * @out_flbs:  An entry per registered FLB (at least), written while
 *             the FLB is in use; under luo_handlers_lock.
 * @out_flbs_used: FLBs in use, whose entries the next kernel takes.
 * @block_key: The key of every block of the outgoing handover, drawn at
 *             start-up (see include/linux/kho/abi/luo.h).
 * @enabled:   LUO runs (liveupdate=on and KHO enabled).
 */
struct luo_global {
	struct mutex lock;		/* see the top of this file */
	struct list_head sessions;
	struct list_head incoming;
	struct rb_root names;
	struct luo_in_flb *in_flbs;
	unsigned long nr_in_flbs;
	u64 number;
	unsigned long nr_sessions;
	atomic_long_t out_files;
	struct rw_semaphore files_sem;
	bool rebooting;
	void *fdt_out;
	struct luo_chain out_sessions;
	struct luo_chain out_flbs;
	atomic_long_t out_flbs_used;
	u64 block_key;
	bool enabled;
};

extern struct luo_global luo;

/*
 * An outgoing session's files do not change under the caller: it holds the
 * session's lock, or the reboot's luo.files_sem.
 */
#define luo_assert_files_held(session)					\
	lockdep_assert(lockdep_is_held_type(&luo.files_sem, 0) ||	\
		       lockdep_is_held(&(session)->lock))
extern struct rw_semaphore luo_handlers_lock;

/* luo_state.c */
bool luo_requested(void);
bool luo_configured(void);

/* luo_ioctl.c */
int luo_device_init(void);

/* luo_session.c */
int luo_session_create(const char *name,
		       struct file *(*open)(struct luo_session *session),
		       struct file **filep);
int luo_session_retrieve(const char *name,
			 struct file *(*open)(struct luo_session *session),
			 struct file **filep);
void luo_session_close(struct luo_session *session);
int luo_session_preserve(struct luo_session *session, struct file *file,
			 u64 token);
int luo_session_retrieve_file(struct luo_session *session, u64 token,
			      struct file **filep);
int luo_session_finish(struct luo_session *session);
struct luo_session *luo_session_alloc(const char *name);
void luo_session_free(struct luo_session *session);

/* luo_index.c */
struct luo_session *luo_session_find(const char *name);
void luo_session_index(struct luo_session *session);
void luo_session_unindex(struct luo_session *session);
struct luo_file *luo_file_find(struct luo_session *session, u64 token);
void luo_file_add(struct luo_session *session, struct luo_file *lf);
void luo_file_del(struct luo_session *session, struct luo_file *lf);

/* luo_file.c */
int luo_file_preserve(struct luo_session *session, struct file *file, u64 token);
void luo_file_unpreserve_all(struct luo_session *session);
int luo_file_freeze(struct luo_session *session);
void luo_file_unfreeze(struct luo_session *session);
int luo_file_retrieve(struct luo_session *session, u64 token, struct file **filep);
int luo_file_finish_all(struct luo_session *session);
bool luo_handler_registered(struct liveupdate_file_handler *fh);
int __luo_cb_result(int ret, const char *compatible, const char *op);

/* The common case, 0, without a call: the reboot checks every freeze. */
static inline int luo_cb_result(int ret, const char *compatible, const char *op)
{
	return likely(!ret) ? 0 : __luo_cb_result(ret, compatible, op);
}

/* luo_flb.c */
int luo_flb_file_preserve(struct liveupdate_file_handler *fh);
void luo_flb_file_unpreserve(struct liveupdate_file_handler *fh);
int luo_flb_file_prepare_finish(struct liveupdate_file_handler *fh);
void luo_flb_file_finish(struct liveupdate_file_handler *fh);
void luo_flb_unlink_all(struct liveupdate_file_handler *fh);
unsigned long luo_flb_serialize(u64 *phys);

/* luo_chain.c */
void luo_chain_init(struct luo_chain *c, u32 kind, size_t esize);
void *luo_chain_entry(struct luo_chain *c, unsigned long i);
void *luo_chain_add(struct luo_chain *c);
void luo_chain_remove(struct luo_chain *c, unsigned long i);
u64 luo_chain_phys(struct luo_chain *c);
void luo_chain_destroy(struct luo_chain *c);
u64 luo_chain_bytes(void);

/* luo_outgoing.c */
int luo_session_ser_add(struct luo_session *session);
void luo_session_ser_remove(struct luo_session *session);
void luo_session_ser_files(struct luo_session *session);
int luo_fdt_write(void *fdt, size_t size, u64 sessions, u64 flbs, u32 at[2]);
void luo_fdt_put(void *fdt, u64 sessions, u64 flbs);
int luo_fdt_init_out(void);
void luo_fdt_renumber_out(void);
void luo_fdt_exit_out(void);
int luo_serialize(void);

/* luo_incoming.c */
int luo_incoming_parse(const void *fdt, size_t fdt_size,
		       const struct luo_in_mem *mem, struct luo_incoming *in);
void luo_incoming_free(struct luo_incoming *in);
void luo_incoming_init(void);
bool luo_phys_online(phys_addr_t phys, size_t size);

/* luo_trace.c: the BPF hooks (see there) and the record's clock */
/*
 * A hook's result: an errno, or 0 for anything else a buggy program might
 * return, so that LUO never acts on a positive or out-of-range value.
 */
static inline int luo_hook_result(int ret)
{
	return IS_ERR_VALUE((unsigned long)(long)ret) ? ret : 0;
}

int luo_hook_session_create(const char *session);
int luo_hook_session_retrieve(const char *session);
int luo_hook_file_preserve(const char *session, const char *handler, u64 token);
int luo_hook_file_freeze(const char *session, const char *handler, u64 token);
int luo_hook_file_retrieve(const char *session, const char *handler, u64 token);
int luo_hook_file_can_finish(const char *session, const char *handler, u64 token);
int luo_hook_flb_preserve(const char *flb, const char *handler);
int luo_hook_flb_retrieve(const char *flb);
int luo_hook_serialize(unsigned long nr_sessions, unsigned long nr_files);
u64 luo_clock(void);
u32 luo_clock_id(void);
u32 luo_clock_khz(void);
u64 luo_ns(void);

/**
 * struct luo_watch - Times a callback on the record's clock.
 * @clock: luo_clock() at luo_watch_start(), then at luo_watch_stop().
 * @ns:    CLOCK_MONOTONIC at the start, only while the TSC's rate is unknown.
 *
 * A path that stamps its record entry after the callback reuses @clock,
 * one reading instead of a second (luo_file_freeze()).
 */
struct luo_watch {
	u64 clock;
	u64 ns;
};

void luo_watch_start(struct luo_watch *w);
u64 luo_watch_stop(struct luo_watch *w);

/* luo_record.c; the record's block is LUO_RECORD_SIZE bytes */
#define LUO_RECORD_SIZE		(256 * 1024)
struct luo_record_header;
void luo_record_init(void);
void luo_record_header_init(struct luo_record_header *rec);
const char *luo_record_take(struct luo_record_header *rec, void *block,
			    size_t size, void (*release)(void *block));
void luo_record_reboot_begin(unsigned long nr_sessions, unsigned long nr_files);
void luo_record_reboot_step(u32 type, int result, u64 bytes);
void luo_record_freeze(const char *session, const char *handler, u64 token,
		       int result, u64 cost, u64 t);
void luo_record_retrieve(const char *session, const char *handler, u64 token,
			 int result, u64 cost);
void luo_record_session(u32 type, const char *session, int result,
			bool all_done);
struct luo_record_initcall;
void luo_record_boot_init(u64 initcalls, u64 init,
			  const struct luo_record_initcall *slow, unsigned int nr);

/* luo_boot.c: the steps of this kernel's start */
void luo_boot_early(u64 *clock, u64 *smp);
void luo_boot_keep(struct luo_record_initcall *slow, unsigned int *nr,
		   u64 t, u64 cycles, void *fn);

#endif /* _KERNEL_LIVEUPDATE_LUO_INTERNAL_H */
