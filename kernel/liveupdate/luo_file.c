// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: file handlers and the files of a session.
 */

/**
 * DOC: LUO files and file handlers
 *
 * A file handler (&struct liveupdate_file_handler) knows how to preserve
 * one kind of file.  To preserve a file, LUO asks each registered handler
 * whether it can_preserve() it and gives it to the first that says yes.
 * The handler's preserve() returns a u64 handle of what it saved; freeze()
 * at the reboot may update it; the handle crosses to the next kernel with
 * the handler's compatible string and the file's token, where the handler
 * of the same compatible string retrieve()s the file and, when the session
 * finishes, finish()es it.
 *
 * The same object cannot be preserved twice, whichever file descriptor and
 * session it comes through: preserved files are indexed by their identity,
 * the handler's get_id() of the file or else the file itself.  A file
 * retrieved from an incoming session is indexed too, until its session
 * finishes: before that it still belongs to the previous kernel's update.
 *
 * A handler cannot be unregistered while files are bound to it.
 *
 * Callbacks return 0 or a negative errno; anything else is the handler's
 * bug, warned about once and turned into -EINVAL (luo_cb_result()).
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "luo_internal.h"
#include <trace/events/liveupdate.h>

static LIST_HEAD(luo_handlers);
DECLARE_RWSEM(luo_handlers_lock);

/* Identity of every preserved file of this kernel -> its struct luo_file */
static DEFINE_XARRAY(luo_file_ids);

#define luo_fh_files(fh)	(&ACCESS_PRIVATE(fh, nr_files))

static struct liveupdate_file_handler *luo_handler_find(const char *compatible)
{
	struct liveupdate_file_handler *fh;

	lockdep_assert_held(&luo_handlers_lock);
	list_for_each_entry(fh, &luo_handlers, list)
		if (!strcmp(fh->compatible, compatible))
			return fh;
	return NULL;
}

/**
 * __luo_cb_result - A handler's or FLB's callback result, made an errno.
 * @ret:        What the callback returned.
 * @compatible: The handler's or FLB's compatible string.
 * @op:         The callback's name.
 *
 * A callback returns 0 or a negative errno.  Anything else is its bug:
 * warned about once and turned into -EINVAL, so that it reaches neither
 * userspace nor reboot(2) as a success or a positive number.
 * luo_cb_result() passes 0 through without calling this.
 *
 * Return: @ret, or -EINVAL.
 */
int __luo_cb_result(int ret, const char *compatible, const char *op)
{
	if (IS_ERR_VALUE((unsigned long)(long)ret))
		return ret;
	WARN_ONCE(1, "luo: %s: %s() returned %d, not 0 or an errno\n",
		  compatible, op, ret);
	return -EINVAL;
}

/**
 * luo_handler_registered - Whether @fh is a registered file handler.
 * @fh: The handler.
 *
 * Return: true when it is; call with luo_handlers_lock held.
 */
bool luo_handler_registered(struct liveupdate_file_handler *fh)
{
	return luo_handler_find(fh->compatible) == fh;
}

/**
 * liveupdate_register_file_handler - Make a kind of file preservable.
 * @fh: The handler, with its ops and a unique compatible string; it must
 *      stay valid until unregistered.
 *
 * Return: 0, -EOPNOTSUPP when live update is disabled, -EINVAL when a
 * required callback or the compatible string is missing, -EEXIST when a
 * handler of that compatible string is registered already.
 */
int liveupdate_register_file_handler(struct liveupdate_file_handler *fh)
{
	const struct liveupdate_file_ops *ops = fh->ops;
	int err = 0;

	if (!luo_configured())
		return -EOPNOTSUPP;
	if (!ops || !ops->can_preserve || !ops->preserve || !ops->unpreserve ||
	    !ops->retrieve || !ops->finish || !fh->compatible[0] ||
	    !memchr(fh->compatible, '\0', LIVEUPDATE_HNDL_COMPAT_LENGTH))
		return -EINVAL;

	down_write(&luo_handlers_lock);
	if (luo_handler_find(fh->compatible)) {
		err = -EEXIST;
	} else {
		INIT_LIST_HEAD(&ACCESS_PRIVATE(fh, flb_list));
		atomic_long_set(luo_fh_files(fh), 0);
		list_add_tail(&ACCESS_PRIVATE(fh, list), &luo_handlers);
	}
	up_write(&luo_handlers_lock);
	return err;
}
EXPORT_SYMBOL_GPL(liveupdate_register_file_handler);

/**
 * liveupdate_unregister_file_handler - Withdraw a file handler.
 * @fh: A registered handler.
 *
 * The FLBs registered with @fh are unregistered from it too: a module's
 * exit path cannot wait.  Files bound to @fh hold its module, so a
 * module's exit never meets them.
 *
 * Return: 0, -EBUSY while files are bound to it, -ENOENT when it is not
 * registered.
 */
int liveupdate_unregister_file_handler(struct liveupdate_file_handler *fh)
{
	int err = 0;

	down_write(&luo_handlers_lock);
	if (!luo_handler_registered(fh)) {
		err = -ENOENT;
	} else if (atomic_long_read(luo_fh_files(fh))) {
		err = -EBUSY;
	} else {
		luo_flb_unlink_all(fh);
		list_del_init(&ACCESS_PRIVATE(fh, list));
	}
	up_write(&luo_handlers_lock);
	return err;
}
EXPORT_SYMBOL_GPL(liveupdate_unregister_file_handler);

/* Bind @lf to @fh: the handler and its module stay while the file is ours. */
static int luo_file_bind(struct luo_file *lf, struct liveupdate_file_handler *fh)
{
	if (!try_module_get(fh->ops->owner))
		return -ENODEV;
	atomic_long_inc(luo_fh_files(fh));
	lf->fh = fh;
	return 0;
}

static void luo_file_unbind(struct luo_file *lf)
{
	struct module *owner = lf->fh->ops->owner;

	atomic_long_dec(luo_fh_files(lf->fh));
	module_put(owner);
	lf->fh = NULL;
}

static void luo_file_args(struct luo_file *lf, struct liveupdate_file_op_args *args)
{
	*args = (struct liveupdate_file_op_args) {
		.handler = lf->fh,
		.retrieve_status = lf->retrieve_status,
		.file = lf->file,
		.serialized_data = lf->serialized_data,
		.private_data = lf->private_data,
	};
}

/*
 * The handler name a file's events carry: its handler's own string while
 * the file is bound to one, at an address that is the same for every file
 * of that handler (tools count by it: see the tracepoints), else the
 * file's copy.
 */
static const char *luo_file_handler(const struct luo_file *lf)
{
	return lf->fh ? lf->fh->compatible : lf->compatible;
}

/**
 * luo_file_preserve - Preserve a file in an outgoing session.
 * @session: The session, locked.
 * @file:    The file.
 * @token:   Userspace's name for it.
 *
 * Return: 0, -EEXIST for a token in use in the session, -ENOENT when no
 * handler takes the file, -EBUSY when it is preserved already, -ENOMEM,
 * or the error of an FLB's or the handler's preserve().  The event is
 * traced while the handler that took the file is still bound.
 */
int luo_file_preserve(struct luo_session *session, struct file *file, u64 token)
{
	struct liveupdate_file_handler *fh;
	struct liveupdate_file_op_args args;
	struct luo_file *lf;
	u64 t0, cost = 0;
	int err;

	lockdep_assert_held(&session->lock);
	if (luo_file_find(session, token)) {
		err = -EEXIST;
		goto out_trace;
	}
	lf = kzalloc_obj(*lf);
	if (!lf) {
		err = -ENOMEM;
		goto out_trace;
	}
	/* Its entry for the next kernel first: nothing to undo if that fails. */
	lf->ser = luo_chain_add(&session->chain);
	if (IS_ERR(lf->ser)) {
		err = PTR_ERR(lf->ser);
		kfree(lf);
		goto out_trace;
	}

	down_read(&luo_handlers_lock);
	err = -ENOENT;
	list_for_each_entry(fh, &luo_handlers, list) {
		if (fh->ops->can_preserve(fh, file)) {
			err = luo_file_bind(lf, fh);
			break;
		}
	}
	up_read(&luo_handlers_lock);
	if (err)
		goto out_free;

	lf->id = fh->ops->get_id ? fh->ops->get_id(file) : (unsigned long)file;
	err = xa_insert(&luo_file_ids, lf->id, lf, GFP_KERNEL);
	if (err)
		goto out_unbind;
	err = luo_hook_result(luo_hook_file_preserve(session->name, fh->compatible, token));
	if (err)
		goto out_erase;
	err = luo_flb_file_preserve(fh);
	if (err)
		goto out_erase;

	lf->file = file;
	luo_file_args(lf, &args);
	t0 = luo_ns();
	err = luo_cb_result(fh->ops->preserve(&args), fh->compatible, "preserve");
	cost = luo_ns() - t0;
	if (err)
		goto out_flb;

	lf->file = get_file(file);
	lf->token = token;
	lf->serialized_data = args.serialized_data;
	lf->private_data = args.private_data;
	strscpy(lf->compatible, fh->compatible, sizeof(lf->compatible));
	lf->indexed = true;
	luo_file_add(session, lf);
	memcpy(lf->ser->compatible, lf->compatible, sizeof(lf->ser->compatible));
	lf->ser->token = token;
	lf->ser->data = lf->serialized_data;
	luo_session_ser_files(session);
	trace_luo_file_preserve(session->name, fh->compatible, token, 0, cost);
	return 0;

out_flb:
	luo_flb_file_unpreserve(fh);
out_erase:
	xa_erase(&luo_file_ids, lf->id);
out_unbind:
	trace_luo_file_preserve(session->name, fh->compatible, token, err, cost);
	luo_file_unbind(lf);
	goto out_discard;
out_free:
	trace_luo_file_preserve(session->name, "", token, err, 0);
out_discard:
	luo_chain_remove(&session->chain, session->chain.count - 1);
	kfree(lf);
	return err;
out_trace:
	trace_luo_file_preserve(session->name, "", token, err, 0);
	return err;
}

static void luo_file_free(struct luo_session *session, struct luo_file *lf)
{
	if (lf->indexed)
		xa_erase(&luo_file_ids, lf->id);
	luo_file_del(session, lf);
	if (lf->file)
		fput(lf->file);
	if (lf->fh)
		luo_file_unbind(lf);
	kfree(lf);
}

/**
 * luo_file_unpreserve_all - Release every file of an outgoing session.
 * @session: The session, locked.
 */
void luo_file_unpreserve_all(struct luo_session *session)
{
	struct liveupdate_file_op_args args;
	struct luo_file *lf, *next;

	lockdep_assert_held(&session->lock);
	list_for_each_entry_safe_reverse(lf, next, &session->files, list) {
		struct liveupdate_file_handler *fh = lf->fh;

		u64 t0 = luo_ns();

		luo_file_args(lf, &args);
		fh->ops->unpreserve(&args);
		trace_luo_file_unpreserve(session->name, luo_file_handler(lf), lf->token,
					  0, luo_ns() - t0);
		luo_flb_file_unpreserve(fh);
		luo_file_free(session, lf);
	}
	luo_chain_destroy(&session->chain);
	luo_session_ser_files(session);
}

/**
 * luo_file_unfreeze - Undo the freeze of a session's files.
 * @session: The session, its files held (luo_assert_files_held()).
 */
void luo_file_unfreeze(struct luo_session *session)
{
	struct liveupdate_file_op_args args;
	struct luo_file *lf;

	luo_assert_files_held(session);
	list_for_each_entry_reverse(lf, &session->files, list) {
		u64 t0, cost = 0;

		if (!lf->frozen)
			continue;
		if (lf->fh->ops->unfreeze) {
			t0 = luo_ns();
			luo_file_args(lf, &args);
			lf->fh->ops->unfreeze(&args);
			lf->serialized_data = args.serialized_data;
			lf->ser->data = lf->serialized_data;
			cost = luo_ns() - t0;
		}
		lf->frozen = false;
		trace_luo_file_unfreeze(session->name, luo_file_handler(lf), lf->token,
					0, cost);
	}
}

/**
 * luo_file_freeze - Freeze every file of an outgoing session for the reboot.
 * @session: The session, its files held: by the reboot's luo.files_sem, or
 *           by the session's lock in a KUnit test's session.
 *
 * Return: 0, or the error of the first handler's freeze() that failed,
 * after the files frozen before it were unfrozen.
 */
int luo_file_freeze(struct luo_session *session)
{
	struct liveupdate_file_op_args args;
	struct luo_file *lf;
	int err;

	luo_assert_files_held(session);
	list_for_each_entry(lf, &session->files, list) {
		struct luo_watch w;
		u64 cost = 0;

		err = luo_hook_result(luo_hook_file_freeze(session->name,
							   lf->compatible, lf->token));
		if (!err && lf->fh->ops->freeze) {
			luo_file_args(lf, &args);
			luo_watch_start(&w);
			err = luo_cb_result(lf->fh->ops->freeze(&args),
					    lf->compatible, "freeze");
			cost = luo_watch_stop(&w);
			if (!err) {
				lf->serialized_data = args.serialized_data;
				lf->ser->data = lf->serialized_data;
			}
		} else {
			w.clock = luo_clock();
		}
		trace_luo_file_freeze(session->name, luo_file_handler(lf), lf->token,
				      err, cost);
		/* Stamped when the handler returned: its last clock reading. */
		luo_record_freeze(session->name, lf->compatible, lf->token, err,
				  cost, w.clock);
		if (err) {
			luo_file_unfreeze(session);
			return err;
		}
		lf->frozen = true;
	}
	return 0;
}

/* Find the handler of an incoming file by its compatible string. */
static int luo_file_bind_incoming(struct luo_file *lf)
{
	struct liveupdate_file_handler *fh;
	int err = -ENOENT;

	if (lf->fh)
		return 0;
	down_read(&luo_handlers_lock);
	fh = luo_handler_find(lf->compatible);
	if (fh)
		err = luo_file_bind(lf, fh);
	up_read(&luo_handlers_lock);
	return err;
}

/*
 * Index a retrieved file by its identity, as the preserved ones are: until
 * its session finishes, the object cannot be preserved again (EBUSY), and
 * a FINISH never finishes an object that is preserved again.
 */
static int luo_file_index(struct luo_file *lf)
{
	const struct liveupdate_file_ops *ops = lf->fh->ops;
	int err;

	if (lf->indexed)
		return 0;
	lf->id = ops->get_id ? ops->get_id(lf->file) : (unsigned long)lf->file;
	err = xa_insert(&luo_file_ids, lf->id, lf, GFP_KERNEL);
	if (err)
		return err;
	lf->indexed = true;
	return 0;
}

/* Restore @lf on its first retrieve; @cost gets the handler's cycles. */
static int luo_file_do_retrieve(struct luo_session *session, struct luo_file *lf,
				u64 *cost)
{
	struct liveupdate_file_op_args args;
	u64 t0;
	int err;

	if (lf->retrieve_status < 0)
		return lf->retrieve_status;
	if (lf->retrieve_status)
		return luo_file_index(lf);
	err = luo_file_bind_incoming(lf);
	if (err)
		return err;
	err = luo_hook_result(luo_hook_file_retrieve(session->name, lf->compatible,
						     lf->token));
	if (err)
		return err;
	luo_file_args(lf, &args);
	t0 = luo_ns();
	err = luo_cb_result(lf->fh->ops->retrieve(&args), lf->compatible,
			    "retrieve");
	*cost = luo_ns() - t0;
	if (!err && WARN_ONCE(!args.file, "luo: %s: retrieve() gave no file\n",
			      lf->compatible))
		err = -EINVAL;
	if (err) {
		lf->retrieve_status = err;
		return err;
	}
	lf->file = args.file;
	lf->retrieve_status = 1;
	/* Not indexed (no memory): the file stays ours, a retry indexes it. */
	return luo_file_index(lf);
}

/**
 * luo_file_retrieve - Restore a file of an incoming session.
 * @session: The session, locked.
 * @token:   The file's token.
 * @filep:   Set to a new reference of the restored file.
 *
 * The first call restores the file through its handler; later calls return
 * the same file again, or the error the handler's restore failed with.
 * From then until its session finishes, the file counts as preserved.
 *
 * Return: 0, -ENOENT when no file has @token or no handler of its kind is
 * registered, -ENOMEM when the file could not be indexed (a later call
 * retries), or the handler's error.
 */
int luo_file_retrieve(struct luo_session *session, u64 token, struct file **filep)
{
	struct luo_file *lf;
	bool first;
	u64 cost = 0;
	int err;

	lockdep_assert_held(&session->lock);
	lf = luo_file_find(session, token);
	if (!lf) {
		trace_luo_file_retrieve(session->name, "", token, -ENOENT, 0);
		return -ENOENT;
	}
	first = !lf->retrieve_status;
	err = luo_file_do_retrieve(session, lf, &cost);
	trace_luo_file_retrieve(session->name, luo_file_handler(lf), token, err,
				cost);
	if (first)
		luo_record_retrieve(session->name, lf->compatible, token, err,
				    cost);
	if (!err)
		*filep = get_file(lf->file);
	return err;
}

/* Ask @lf's handler whether it can finish: 1 yes, 0 not yet, or an errno. */
static int luo_file_can_finish(struct luo_session *session, struct luo_file *lf)
{
	struct liveupdate_file_op_args args;
	u64 t0, cost = 0;
	int ret;

	ret = luo_hook_result(luo_hook_file_can_finish(session->name,
						       lf->compatible, lf->token));
	if (!ret) {
		ret = 1;
		if (lf->fh->ops->can_finish) {
			luo_file_args(lf, &args);
			t0 = luo_ns();
			ret = lf->fh->ops->can_finish(&args);
			cost = luo_ns() - t0;
		}
	}
	trace_luo_file_can_finish(session->name, luo_file_handler(lf), lf->token, ret,
				  cost);
	return ret;
}

/**
 * luo_file_finish_all - Finish every file of an incoming session.
 * @session: The session, locked.
 *
 * Every file's can_finish() is asked first and one refusal finishes
 * nothing; a file whose handler is not registered in this kernel fails the
 * finish too, since nothing could release what it holds.  Then the FLBs of
 * the files are retrieved, if nobody asked for them yet: one that fails
 * finishes nothing either.  Files that were never retrieved are finished
 * as well, so that their handlers discard what the previous kernel
 * preserved.
 *
 * Return: 0, -EBUSY when a file cannot finish yet, -ENOENT (or -ENODEV)
 * when a file's handler is missing, an error injected at can_finish, or
 * the error of an FLB's retrieve().
 */
int luo_file_finish_all(struct luo_session *session)
{
	struct liveupdate_file_op_args args;
	struct luo_file *lf, *next;
	int err;

	lockdep_assert_held(&session->lock);
	list_for_each_entry(lf, &session->files, list) {
		err = luo_file_bind_incoming(lf);
		if (err)
			return err;
		err = luo_file_can_finish(session, lf);
		if (err < 0)
			return err;
		if (!err)
			return -EBUSY;
	}
	list_for_each_entry(lf, &session->files, list) {
		err = luo_flb_file_prepare_finish(lf->fh);
		if (err)
			return err;
	}
	list_for_each_entry_safe(lf, next, &session->files, list) {
		u64 t0 = luo_ns();

		luo_file_args(lf, &args);
		lf->fh->ops->finish(&args);
		trace_luo_file_finish(session->name, luo_file_handler(lf), lf->token, 0,
				      luo_ns() - t0);
		luo_flb_file_finish(lf->fh);
		luo_file_free(session, lf);
	}
	return 0;
}
