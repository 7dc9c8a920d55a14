// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: file-lifecycle-bound data (FLB).
 */

/**
 * DOC: LUO file-lifecycle-bound data
 *
 * An FLB is state that many preserved files share, possibly across
 * handlers and sessions.  It is registered with every file handler whose
 * files depend on it, and LUO counts the files that use it:
 *
 * - outgoing: the first file preserved with a handler of the FLB calls the
 *   FLB's preserve(); the last one unpreserved calls unpreserve().  Every
 *   registered FLB has an entry in the outgoing handover, written as its
 *   count of files changes: its name, handle and count while it is in use,
 *   zeroes (free room the next kernel skips) while it is not.  The reboot
 *   has nothing of the FLBs' to write.
 * - incoming: the object is rebuilt by retrieve() the first time someone
 *   asks for it with liveupdate_flb_get_incoming(), or at the latest when a
 *   session with a file using it finishes (so that a failed retrieve()
 *   fails that SESSION_FINISH, which can be retried); when the last file
 *   that used it in the previous kernel finishes, finish() releases it.
 *
 * The two sides have separate state and locks: a kernel may use an FLB for
 * the next update while it still holds the one of the previous update.
 * Each side holds a reference on the FLB's module while it is in use.
 *
 * The table of FLBs handed over (luo.in_flbs) is written once at start-up,
 * before userspace runs; an entry is claimed under the lock of the one
 * registered FLB of its compatible string.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "luo_internal.h"
#include <trace/events/liveupdate.h>

/**
 * struct luo_flb_link - One FLB registered with one file handler.
 * @list: In the handler's flb_list.
 * @flb:  The FLB.
 */
struct luo_flb_link {
	struct list_head list;
	struct liveupdate_flb *flb;
};

/* Every registered FLB, by its private list; under luo_handlers_lock */
static LIST_HEAD(luo_flbs);

#define luo_flb_priv(flb)	(&ACCESS_PRIVATE(flb, private))
#define luo_fh_flbs(fh)		(&ACCESS_PRIVATE(fh, flb_list))

static struct luo_flb_link *luo_flb_link_find(struct liveupdate_file_handler *fh,
					      struct liveupdate_flb *flb)
{
	struct luo_flb_link *link;

	list_for_each_entry(link, luo_fh_flbs(fh), list)
		if (link->flb == flb)
			return link;
	return NULL;
}

/*
 * Remove entry @slot of the outgoing FLBs: the last entry moves into it,
 * and the FLB that owned the last entry (if any: the room left by an FLB
 * unregistered during a reboot has none) owns @slot.
 */
static void luo_flb_slot_remove(unsigned long slot)
{
	unsigned long last = luo.out_flbs.count - 1;
	struct luo_flb_private *priv;

	lockdep_assert_held_write(&luo_handlers_lock);
	luo_chain_remove(&luo.out_flbs, slot);
	if (slot == last)
		return;
	list_for_each_entry(priv, &luo_flbs, list) {
		if (priv->slot == last) {
			priv->slot = slot;
			return;
		}
	}
}

/* Drop @link; the FLB leaves luo_flbs with its last handler. */
static void luo_flb_unlink(struct luo_flb_link *link)
{
	struct luo_flb_private *priv = luo_flb_priv(link->flb);

	lockdep_assert_held_write(&luo_handlers_lock);
	list_del(&link->list);
	kfree(link);
	WRITE_ONCE(priv->users, priv->users - 1);
	if (!priv->users) {
		list_del_init(&priv->list);
		/*
		 * Its entry goes with it (it is not in use: zeroed).  Not
		 * during the reboot, which may have handed the block over
		 * already: the room stays, unused.
		 */
		if (!READ_ONCE(luo.rebooting))
			luo_flb_slot_remove(priv->slot);
	}
}

static bool luo_flb_compatible_taken(const char *compatible)
{
	struct luo_flb_private *priv;

	list_for_each_entry(priv, &luo_flbs, list) {
		struct liveupdate_flb *flb = container_of(priv, struct liveupdate_flb,
							  private);

		if (!strcmp(flb->compatible, compatible))
			return true;
	}
	return false;
}

/**
 * liveupdate_register_flb - Make a file handler's files depend on an FLB.
 * @fh:  A registered file handler with no files bound to it.
 * @flb: The FLB, with its ops and a compatible string unique among FLBs;
 *       it must stay valid until unregistered from every handler.
 *
 * Return: 0, -EOPNOTSUPP when live update is disabled, -EINVAL for missing
 * callbacks or compatible string, -ENOENT when @fh is not registered,
 * -EBUSY when files are bound to @fh, -EEXIST when @flb is registered
 * with @fh already or another FLB has its compatible string, -ENOMEM.
 */
int liveupdate_register_flb(struct liveupdate_file_handler *fh,
			    struct liveupdate_flb *flb)
{
	const struct liveupdate_flb_ops *ops = flb->ops;
	struct luo_flb_private *priv = luo_flb_priv(flb);
	struct luo_flb_link *link;
	int err = 0;

	if (!luo_configured())
		return -EOPNOTSUPP;
	if (!ops || !ops->preserve || !ops->unpreserve || !ops->retrieve ||
	    !ops->finish || !flb->compatible[0] ||
	    !memchr(flb->compatible, '\0', LIVEUPDATE_FLB_COMPAT_LENGTH))
		return -EINVAL;
	link = kzalloc_obj(*link);
	if (!link)
		return -ENOMEM;

	down_write(&luo_handlers_lock);
	if (!luo_handler_registered(fh)) {
		err = -ENOENT;
	} else if (atomic_long_read(&ACCESS_PRIVATE(fh, nr_files))) {
		err = -EBUSY;
	} else if (luo_flb_link_find(fh, flb)) {
		err = -EEXIST;
	} else if (!priv->users) {
		if (luo_flb_compatible_taken(flb->compatible))
			err = -EEXIST;
		else
			/* Its entry in the handover, zeroed until it is in use */
			err = PTR_ERR_OR_ZERO(luo_chain_add(&luo.out_flbs));
		if (!err) {
			priv->slot = luo.out_flbs.count - 1;
			__mutex_init(&priv->outgoing.lock, "flb->outgoing", &priv->out_key);
			__mutex_init(&priv->incoming.lock, "flb->incoming", &priv->in_key);
			list_add_tail(&priv->list, &luo_flbs);
		}
	}
	if (!err) {
		WRITE_ONCE(priv->users, priv->users + 1);
		link->flb = flb;
		list_add_tail(&link->list, luo_fh_flbs(fh));
	}
	up_write(&luo_handlers_lock);
	if (err)
		kfree(link);
	return err;
}
EXPORT_SYMBOL_GPL(liveupdate_register_flb);

/**
 * liveupdate_unregister_flb - Undo liveupdate_register_flb().
 * @fh:  The file handler.
 * @flb: The FLB.
 *
 * Safe on a handler whose registration failed, as a module's exit path
 * calls it.
 *
 * Return: 0, -ENOENT when @fh is not registered or @flb is not registered
 * with it, -EBUSY while files are bound to @fh.
 */
int liveupdate_unregister_flb(struct liveupdate_file_handler *fh,
			      struct liveupdate_flb *flb)
{
	struct luo_flb_link *link = NULL;
	int err = 0;

	down_write(&luo_handlers_lock);
	/*
	 * A handler that was never registered (live update disabled, or its
	 * compatible string taken) has no list of FLBs to look in.
	 */
	if (luo_handler_registered(fh))
		link = luo_flb_link_find(fh, flb);
	if (!link)
		err = -ENOENT;
	else if (atomic_long_read(&ACCESS_PRIVATE(fh, nr_files)))
		err = -EBUSY;
	else
		luo_flb_unlink(link);
	up_write(&luo_handlers_lock);
	return err;
}
EXPORT_SYMBOL_GPL(liveupdate_unregister_flb);

/**
 * luo_flb_unlink_all - Unregister every FLB of a handler going away.
 * @fh: A registered handler with no files bound to it.
 *
 * Called with luo_handlers_lock held for writing.
 */
void luo_flb_unlink_all(struct liveupdate_file_handler *fh)
{
	struct luo_flb_link *link, *next;

	lockdep_assert_held_write(&luo_handlers_lock);
	list_for_each_entry_safe(link, next, luo_fh_flbs(fh), list)
		luo_flb_unlink(link);
}

/*
 * Write @flb's entry in the outgoing handover from its state: the next
 * kernel takes it while files use the FLB, skips it (zeroed) otherwise.
 * Called with the state's lock and luo_handlers_lock held.
 */
static void luo_flb_ser_write(struct liveupdate_flb *flb,
			      const struct luo_flb_state *state)
{
	struct luo_flb_ser *ser = luo_chain_entry(&luo.out_flbs,
						  luo_flb_priv(flb)->slot);

	lockdep_assert_held(&state->lock);
	if (!state->count) {
		memset(ser, 0, sizeof(*ser));
		return;
	}
	strscpy_pad(ser->compatible, flb->compatible, sizeof(ser->compatible));
	ser->data = state->data;
	ser->count = state->count;
}

static int luo_flb_get(struct liveupdate_flb *flb,
		       struct liveupdate_file_handler *fh)
{
	struct luo_flb_state *state = &luo_flb_priv(flb)->outgoing;
	struct liveupdate_flb_op_args args = { .flb = flb };
	u64 t0, cost = 0;
	int err = 0;

	mutex_lock(&state->lock);
	if (!state->count) {
		/* The FLB's module stays while files of this kernel use it. */
		err = luo_hook_result(luo_hook_flb_preserve(flb->compatible,
							    fh->compatible));
		if (!err && !try_module_get(flb->ops->owner))
			err = -ENODEV;
		if (!err) {
			t0 = luo_ns();
			err = luo_cb_result(flb->ops->preserve(&args),
					    flb->compatible, "preserve");
			cost = luo_ns() - t0;
			if (err)
				module_put(flb->ops->owner);
		}
		if (!err) {
			state->data = args.data;
			state->obj = args.obj;
			state->preserved = true;
		}
		trace_luo_flb_preserve(flb->compatible, fh->compatible,
				       state->count + !err, err, cost);
	}
	if (!err) {
		if (!state->count++)
			atomic_long_inc(&luo.out_flbs_used);
		luo_flb_ser_write(flb, state);
	}
	mutex_unlock(&state->lock);
	return err;
}

static void luo_flb_put(struct liveupdate_flb *flb,
			struct liveupdate_file_handler *fh)
{
	struct luo_flb_state *state = &luo_flb_priv(flb)->outgoing;
	struct liveupdate_flb_op_args args = { .flb = flb };
	u64 t0;

	mutex_lock(&state->lock);
	if (!--state->count) {
		args.data = state->data;
		args.obj = state->obj;
		t0 = luo_ns();
		flb->ops->unpreserve(&args);
		trace_luo_flb_unpreserve(flb->compatible, fh->compatible, 0, 0,
					 luo_ns() - t0);
		state->data = 0;
		state->obj = NULL;
		state->preserved = false;
		module_put(flb->ops->owner);
		atomic_long_dec(&luo.out_flbs_used);
	}
	luo_flb_ser_write(flb, state);
	mutex_unlock(&state->lock);
}

/**
 * luo_flb_file_preserve - A file of @fh is being preserved: take its FLBs.
 * @fh: The file's handler.
 *
 * Return: 0, or the error of an FLB's preserve(), with the FLBs taken
 * before it released.
 */
int luo_flb_file_preserve(struct liveupdate_file_handler *fh)
{
	struct luo_flb_link *link;
	int err = 0;

	down_read(&luo_handlers_lock);
	list_for_each_entry(link, luo_fh_flbs(fh), list) {
		err = luo_flb_get(link->flb, fh);
		if (err) {
			list_for_each_entry_continue_reverse(link, luo_fh_flbs(fh), list)
				luo_flb_put(link->flb, fh);
			break;
		}
	}
	up_read(&luo_handlers_lock);
	return err;
}

/**
 * luo_flb_file_unpreserve - A file of @fh was unpreserved: drop its FLBs.
 * @fh: The file's handler.
 */
void luo_flb_file_unpreserve(struct liveupdate_file_handler *fh)
{
	struct luo_flb_link *link;

	down_read(&luo_handlers_lock);
	list_for_each_entry_reverse(link, luo_fh_flbs(fh), list)
		luo_flb_put(link->flb, fh);
	up_read(&luo_handlers_lock);
}

/**
 * luo_flb_serialize - Where the FLBs' entries are, for the handover.
 * @phys: Set to where the next kernel finds them, 0 when no FLB is
 *        registered.
 *
 * Called at the reboot, with the sessions frozen: the entries are written
 * already (luo_flb_ser_write()), and no file is preserved or unpreserved
 * until the reboot ends, so none changes.  Every block stays reachable,
 * the free room with it, and is given back in the next kernel.
 *
 * Return: the number of FLBs in use, that the next kernel will receive.
 */
unsigned long luo_flb_serialize(u64 *phys)
{
	down_read(&luo_handlers_lock);
	*phys = luo_chain_phys(&luo.out_flbs);
	up_read(&luo_handlers_lock);
	return atomic_long_read(&luo.out_flbs_used);
}

/* Take over what the previous kernel handed over for @flb, once. */
static void luo_flb_claim_incoming(struct liveupdate_flb *flb)
{
	struct luo_flb_state *state = &luo_flb_priv(flb)->incoming;
	unsigned long i;

	lockdep_assert_held(&state->lock);
	for (i = 0; i < luo.nr_in_flbs; i++) {
		struct luo_in_flb *in = &luo.in_flbs[i];

		if (in->claimed || strcmp(in->compatible, flb->compatible))
			continue;
		/* The FLB's module stays until its last file finishes. */
		if (!try_module_get(flb->ops->owner))
			return;
		in->claimed = true;
		state->data = in->data;
		state->count = in->count;
		state->preserved = true;
		return;
	}
}

static int luo_flb_retrieve_locked(struct liveupdate_flb *flb,
				   const char *handler)
{
	struct luo_flb_state *state = &luo_flb_priv(flb)->incoming;
	struct liveupdate_flb_op_args args = { .flb = flb };
	u64 t0, cost = 0;
	int err;

	if (state->retrieved)
		return 0;
	args.data = state->data;
	err = luo_hook_result(luo_hook_flb_retrieve(flb->compatible));
	if (!err) {
		t0 = luo_ns();
		err = luo_cb_result(flb->ops->retrieve(&args), flb->compatible,
				    "retrieve");
		cost = luo_ns() - t0;
	}
	trace_luo_flb_retrieve(flb->compatible, handler, state->count, err,
			       cost);
	if (err)
		return err;
	state->obj = args.obj;
	state->retrieved = true;
	return 0;
}

/**
 * liveupdate_flb_get_incoming - The FLB object the previous kernel handed over.
 * @flb:  An FLB its caller keeps registered for the duration of the call.
 * @objp: Set to the live object, rebuilt by retrieve() on first use.
 *
 * May be called from another FLB's callbacks: it takes no lock but @flb's
 * own (see &struct luo_flb_private).
 *
 * Return: 0, -ENOENT when @flb is not registered or the previous kernel
 * handed over no such FLB (or it is finished), or the error of retrieve().
 */
int liveupdate_flb_get_incoming(struct liveupdate_flb *flb, void **objp)
{
	struct luo_flb_state *state = &luo_flb_priv(flb)->incoming;
	int err = -ENOENT;

	if (!READ_ONCE(luo_flb_priv(flb)->users))
		return err;
	mutex_lock(&state->lock);
	luo_flb_claim_incoming(flb);
	if (state->preserved) {
		err = luo_flb_retrieve_locked(flb, "");
		if (!err)
			*objp = state->obj;
	}
	mutex_unlock(&state->lock);
	return err;
}
EXPORT_SYMBOL_GPL(liveupdate_flb_get_incoming);

/**
 * liveupdate_flb_get_outgoing - The FLB object preserved for the next kernel.
 * @flb:  An FLB its caller keeps registered for the duration of the call.
 * @objp: Set to the object preserve() returned.
 *
 * May be called from another FLB's callbacks: it takes no lock but @flb's
 * own (see &struct luo_flb_private).
 *
 * Return: 0, or -ENOENT when @flb is not registered or no preserved file
 * uses it.
 */
int liveupdate_flb_get_outgoing(struct liveupdate_flb *flb, void **objp)
{
	struct luo_flb_state *state = &luo_flb_priv(flb)->outgoing;
	int err = -ENOENT;

	if (!READ_ONCE(luo_flb_priv(flb)->users))
		return err;
	mutex_lock(&state->lock);
	if (state->preserved) {
		*objp = state->obj;
		err = 0;
	}
	mutex_unlock(&state->lock);
	return err;
}
EXPORT_SYMBOL_GPL(liveupdate_flb_get_outgoing);

static void luo_flb_finish_one(struct liveupdate_flb *flb,
			       struct liveupdate_file_handler *fh)
{
	struct luo_flb_state *state = &luo_flb_priv(flb)->incoming;
	struct liveupdate_flb_op_args args = { .flb = flb };
	u64 t0;
	int err;

	mutex_lock(&state->lock);
	luo_flb_claim_incoming(flb);
	if (state->preserved && --state->count <= 0) {
		err = luo_flb_retrieve_locked(flb, fh->compatible);
		t0 = luo_ns();
		if (!err) {
			args.data = state->data;
			args.obj = state->obj;
			flb->ops->finish(&args);
		}
		trace_luo_flb_finish(flb->compatible, fh->compatible, 0, err,
				     err ? 0 : luo_ns() - t0);
		state->preserved = false;
		state->retrieved = false;
		state->obj = NULL;
		state->data = 0;
		module_put(flb->ops->owner);
	}
	mutex_unlock(&state->lock);
}

/**
 * luo_flb_file_prepare_finish - Before an incoming file of @fh finishes.
 * @fh: The file's handler.
 *
 * Retrieves every incoming FLB of @fh not retrieved yet, so that the
 * finish of its last file cannot fail on the retrieve: SESSION_FINISH
 * reports such a failure, finishes nothing and can be tried again, where
 * the last finish would have had to drop the FLB.
 *
 * Return: 0, or the error of an FLB's retrieve().
 */
int luo_flb_file_prepare_finish(struct liveupdate_file_handler *fh)
{
	struct luo_flb_link *link;
	int err = 0;

	down_read(&luo_handlers_lock);
	list_for_each_entry(link, luo_fh_flbs(fh), list) {
		struct luo_flb_state *state = &luo_flb_priv(link->flb)->incoming;

		mutex_lock(&state->lock);
		luo_flb_claim_incoming(link->flb);
		if (state->preserved)
			err = luo_flb_retrieve_locked(link->flb, fh->compatible);
		mutex_unlock(&state->lock);
		if (err)
			break;
	}
	up_read(&luo_handlers_lock);
	return err;
}

/**
 * luo_flb_file_finish - An incoming file of @fh finished: release its FLBs.
 * @fh: The file's handler.
 */
void luo_flb_file_finish(struct liveupdate_file_handler *fh)
{
	struct luo_flb_link *link;

	down_read(&luo_handlers_lock);
	list_for_each_entry(link, luo_fh_flbs(fh), list)
		luo_flb_finish_one(link->flb, fh);
	up_read(&luo_handlers_lock);
}
