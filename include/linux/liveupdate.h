/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update Orchestrator: the in-kernel API for file handlers and
 * file-lifecycle-bound data.
 */
#ifndef _LINUX_LIVEUPDATE_H
#define _LINUX_LIVEUPDATE_H

#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/kho/abi/luo.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <uapi/linux/liveupdate.h>

struct liveupdate_file_handler;
struct liveupdate_flb;
struct file;
struct module;

/**
 * struct liveupdate_file_op_args - What a file handler's callback works on.
 * @handler:         The handler called.
 * @retrieve_status: For can_finish() and finish(): 0 when the file was never
 *                   retrieved, a positive value when it was, a negative errno
 *                   when retrieve() failed with it.
 * @file:            The file.  retrieve() sets it to the restored file; every
 *                   other callback receives it (finish() receives NULL for a
 *                   file that was never retrieved).
 * @serialized_data: The handler's u64 handle for its preserved state:
 *                   preserve() sets it, freeze() may change it, and the next
 *                   kernel's retrieve(), can_finish() and finish() receive it.
 * @private_data:    Runtime state of the handler in this kernel, not handed
 *                   over: set by preserve(), to be freed by unpreserve().
 */
struct liveupdate_file_op_args {
	struct liveupdate_file_handler *handler;
	int retrieve_status;
	struct file *file;
	u64 serialized_data;
	void *private_data;
};

/**
 * struct liveupdate_file_ops - The callbacks of a file handler.
 * @can_preserve: Required.  Whether this handler can preserve @file; cheap,
 *                no side effects.
 * @preserve:     Required.  Preserve the file; may fail.
 * @unpreserve:   Required.  Undo preserve(): the file's session was closed
 *                before a live update.
 * @freeze:       Optional.  Last chance to save state, at the reboot, with
 *                userspace still running; may fail, which aborts the reboot.
 * @unfreeze:     Optional.  Undo freeze() when the reboot is aborted.
 * @retrieve:     Required.  In the new kernel, rebuild the file from
 *                @serialized_data and set @file.
 * @can_finish:   Optional.  Whether the file may finish now; the session's
 *                finish is all-or-nothing.
 * @finish:       Required.  Release what the previous kernel preserved; for
 *                a file never retrieved, discard it.
 * @get_id:       Optional.  A value identifying the object behind the file,
 *                so that the same object is not preserved twice through two
 *                different files; without it the file itself is the identity.
 * @owner:        The module the callbacks live in.
 *
 * All callbacks but can_preserve() and get_id() receive a &struct
 * liveupdate_file_op_args.  LUO calls them for one file at a time.
 */
struct liveupdate_file_ops {
	bool (*can_preserve)(struct liveupdate_file_handler *handler,
			     struct file *file);
	int (*preserve)(struct liveupdate_file_op_args *args);
	void (*unpreserve)(struct liveupdate_file_op_args *args);
	int (*freeze)(struct liveupdate_file_op_args *args);
	void (*unfreeze)(struct liveupdate_file_op_args *args);
	int (*retrieve)(struct liveupdate_file_op_args *args);
	bool (*can_finish)(struct liveupdate_file_op_args *args);
	void (*finish)(struct liveupdate_file_op_args *args);
	unsigned long (*get_id)(struct file *file);
	struct module *owner;
};

/**
 * struct liveupdate_file_handler - A kind of file LUO can preserve.
 * @ops:        Its callbacks.
 * @compatible: The name of its serialized format, e.g. "memfd-v2": the next
 *              kernel gives a preserved file to the handler of the same
 *              compatible string.
 *
 * A subsystem registers one with liveupdate_register_file_handler().
 */
struct liveupdate_file_handler {
	const struct liveupdate_file_ops *ops;
	const char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];

	/* private: */
	/* In the list of registered handlers */
	struct list_head __private list;
	/* The FLBs this handler's files depend on (struct luo_flb_link) */
	struct list_head __private flb_list;
	/* Files of either kernel bound to this handler */
	atomic_long_t __private nr_files;
};

/**
 * struct liveupdate_flb_op_args - What an FLB callback works on.
 * @flb:  The FLB called.
 * @data: The u64 handle of the preserved state: preserve() sets it,
 *        unpreserve() and the next kernel's retrieve() receive it.
 * @obj:  The live object: preserve() and retrieve() set it, unpreserve()
 *        and finish() receive it.
 */
struct liveupdate_flb_op_args {
	struct liveupdate_flb *flb;
	u64 data;
	void *obj;
};

/**
 * struct liveupdate_flb_ops - Callbacks of a file-lifecycle-bound object.
 * @preserve:   When the first file that uses the FLB is preserved.
 * @unpreserve: When the last such file is unpreserved before a reboot.
 * @retrieve:   In the new kernel, the first time the object is asked for
 *              (or when its last file finishes without anyone asking).
 * @finish:     In the new kernel, when the last file that used it finishes.
 * @owner:      The module the callbacks live in.
 *
 * An FLB is state shared by many preserved files, across sessions: for
 * example the IOMMU domain of many device files.  Its life is bound to the
 * files that use it, counted across all handlers it is registered with.
 */
struct liveupdate_flb_ops {
	int (*preserve)(struct liveupdate_flb_op_args *argp);
	void (*unpreserve)(struct liveupdate_flb_op_args *argp);
	int (*retrieve)(struct liveupdate_flb_op_args *argp);
	void (*finish)(struct liveupdate_flb_op_args *argp);
	struct module *owner;
};

/*
 * struct luo_flb_state - One kernel's view of an FLB, owned by LUO.
 * @lock:      Serializes the FLB's callbacks and the fields below.
 * @count:     Files using the FLB (outgoing), or files still to finish that
 *             used it in the previous kernel (incoming).
 * @data:      The preserved handle.
 * @obj:       The live object.
 * @retrieved: Incoming only: retrieve() ran and succeeded.
 * @preserved: Outgoing: preserve() ran; incoming: the previous kernel
 *             handed this FLB over.
 */
struct luo_flb_state {
	struct mutex lock;	/* serializes the FLB's callbacks */
	long count;
	u64 data;
	void *obj;
	bool retrieved;
	bool preserved;
};

/*
 * struct luo_flb_private - LUO's private part of a struct liveupdate_flb.
 * @list:     In the list of registered FLBs.
 * @outgoing: State for the next live update (preserve / unpreserve).
 * @incoming: State handed over by the previous kernel (retrieve / finish).
 * @users:    Number of handlers it is registered with.
 * @slot:     Its entry in the outgoing handover, while it has users.
 * @out_key:  The lockdep class of @outgoing's lock, and ...
 * @in_key:   ... of @incoming's: one per FLB, so that an FLB callback may
 *            use another FLB (lockdep then watches the order between them).
 */
struct luo_flb_private {
	struct list_head list;
	struct luo_flb_state outgoing;
	struct luo_flb_state incoming;
	int users;
	unsigned long slot;
	struct lock_class_key out_key;
	struct lock_class_key in_key;
};

/**
 * struct liveupdate_flb - A file-lifecycle-bound object type.
 * @ops:        Its callbacks.
 * @compatible: The name of its serialized format, e.g. "iommu-core-v1".
 *
 * Defined statically by a subsystem (its lockdep classes live in it) and
 * registered with each file handler whose files depend on it, with
 * liveupdate_register_flb().
 */
struct liveupdate_flb {
	const struct liveupdate_flb_ops *ops;
	const char compatible[LIVEUPDATE_FLB_COMPAT_LENGTH];

	/* private: */
	struct luo_flb_private __private private;
};

#ifdef CONFIG_LIVEUPDATE

bool liveupdate_enabled(void);
int liveupdate_reboot(void);

int liveupdate_register_file_handler(struct liveupdate_file_handler *fh);
int liveupdate_unregister_file_handler(struct liveupdate_file_handler *fh);

int liveupdate_register_flb(struct liveupdate_file_handler *fh,
			    struct liveupdate_flb *flb);
int liveupdate_unregister_flb(struct liveupdate_file_handler *fh,
			      struct liveupdate_flb *flb);

int liveupdate_flb_get_incoming(struct liveupdate_flb *flb, void **objp);
int liveupdate_flb_get_outgoing(struct liveupdate_flb *flb, void **objp);

#else /* CONFIG_LIVEUPDATE */

static inline bool liveupdate_enabled(void)
{
	return false;
}

static inline int liveupdate_reboot(void)
{
	return 0;
}

static inline int liveupdate_register_file_handler(struct liveupdate_file_handler *fh)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_unregister_file_handler(struct liveupdate_file_handler *fh)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_register_flb(struct liveupdate_file_handler *fh,
					  struct liveupdate_flb *flb)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_unregister_flb(struct liveupdate_file_handler *fh,
					    struct liveupdate_flb *flb)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_flb_get_incoming(struct liveupdate_flb *flb,
					      void **objp)
{
	return -EOPNOTSUPP;
}

static inline int liveupdate_flb_get_outgoing(struct liveupdate_flb *flb,
					      void **objp)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_LIVEUPDATE */
#endif /* _LINUX_LIVEUPDATE_H */
