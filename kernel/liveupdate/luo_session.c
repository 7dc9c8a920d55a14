// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: sessions.
 */

/**
 * DOC: LUO sessions
 *
 * A session is a named group of preserved files with a file descriptor of
 * its own.  It lives in one of two lists of &struct luo_global:
 *
 * - outgoing (``luo.sessions``): created in this kernel.  Files preserved in
 *   it cross the next live update if its descriptor is still open at the
 *   reboot; closing the descriptor earlier unpreserves them.
 * - incoming (``luo.incoming``): handed over by the previous kernel, until
 *   finished.  Userspace retrieves it once by name, retrieves its files by
 *   token and finishes it; a finished session becomes an empty outgoing
 *   one, ready to preserve files for the next update.  Closing a retrieved
 *   session before finishing it discards whatever it still held.
 *
 * Names are unique across both lists.
 *
 * The descriptor is the ioctl front end's (luo_ioctl.c): it opens the file
 * through the callback it passes to luo_session_create() and
 * luo_session_retrieve(), and calls back here when the file is closed.
 * Nothing in this file calls the front end.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "luo_internal.h"
#include <trace/events/liveupdate.h>

/**
 * luo_session_alloc - Allocate an empty session.
 * @name: Its name, already validated.
 *
 * Return: the session, or NULL when out of memory.
 */
struct luo_session *luo_session_alloc(const char *name)
{
	struct luo_session *session = kzalloc_obj(*session);

	if (!session)
		return NULL;
	strscpy(session->name, name, sizeof(session->name));
	INIT_LIST_HEAD(&session->list);
	INIT_LIST_HEAD(&session->files);
	session->by_token = RB_ROOT;
	luo_chain_init(&session->chain, LUO_BLOCK_FILES, sizeof(struct luo_file_ser));
	session->slot = LUO_NO_SLOT;
	mutex_init(&session->lock);
	return session;
}

/**
 * luo_session_free - Free a session that holds no files any more.
 * @session: The session.
 */
void luo_session_free(struct luo_session *session)
{
	luo_chain_destroy(&session->chain);
	mutex_destroy(&session->lock);
	kfree(session);
}

/* A name from userspace: NUL-terminated within the array, not empty. */
static int luo_session_check_name(const char *name)
{
	if (!memchr(name, '\0', LIVEUPDATE_SESSION_NAME_LENGTH) || !name[0])
		return -EINVAL;
	return 0;
}

/* Take a session off its list and out of luo.names. */
static void luo_session_unlist(struct luo_session *session)
{
	list_del(&session->list);
	luo_session_unindex(session);
}

/**
 * luo_session_create - Create an outgoing session.
 * @name:  Its name, from userspace (LIVEUPDATE_SESSION_NAME_LENGTH bytes).
 * @open:  The front end's: a new file for the session, or an ERR_PTR.
 *         Called under luo.lock, so that the session is listed exactly when
 *         its file exists.
 * @filep: Set to the file @open returned.
 *
 * Return: 0, -EINVAL for a bad name, -EEXIST for a name in use, -EBUSY
 * during the reboot, -ENOMEM.
 */
int luo_session_create(const char *name,
		       struct file *(*open)(struct luo_session *session),
		       struct file **filep)
{
	struct luo_session *session;
	struct file *file;
	int err;

	err = luo_session_check_name(name);
	if (err) {
		trace_luo_session_create("", 0, err);
		return err;
	}
	err = luo_hook_result(luo_hook_session_create(name));
	if (err) {
		trace_luo_session_create(name, 0, err);
		return err;
	}
	session = luo_session_alloc(name);
	if (!session)
		return -ENOMEM;

	mutex_lock(&luo.lock);
	if (luo.rebooting) {
		err = -EBUSY;
	} else if (luo_session_find(name)) {
		err = -EEXIST;
	} else {
		err = luo_session_ser_add(session);
		file = err ? ERR_PTR(err) : open(session);
		if (IS_ERR(file)) {
			err = PTR_ERR(file);
			if (session->slot != LUO_NO_SLOT)
				luo_chain_remove(&luo.out_sessions, session->slot);
		} else {
			list_add_tail(&session->list, &luo.sessions);
			luo_session_index(session);
			luo.nr_sessions++;
			*filep = file;
		}
	}
	mutex_unlock(&luo.lock);
	/* The session's own copy: its address names it while it lives. */
	trace_luo_session_create(err ? name : session->name, 0, err);
	if (err)
		luo_session_free(session);
	return err;
}

/**
 * luo_session_retrieve - Hand an incoming session to userspace.
 * @name:  Its name, from userspace.
 * @open:  As for luo_session_create().
 * @filep: Set to the file @open returned.
 *
 * Return: 0, -EINVAL for a bad name, -ENOENT when the previous kernel
 * handed over no such session (or it is finished), -EBUSY when it was
 * retrieved already.
 */
int luo_session_retrieve(const char *name,
			 struct file *(*open)(struct luo_session *session),
			 struct file **filep)
{
	struct luo_session *session;
	struct file *file;
	int err;

	unsigned long nr_files = 0;

	err = luo_session_check_name(name);
	if (err) {
		trace_luo_session_retrieve("", 0, err);
		return err;
	}

	mutex_lock(&luo.lock);
	session = luo_session_find(name);
	if (!session || !session->incoming) {
		err = -ENOENT;
	} else if (session->retrieved) {
		err = -EBUSY;
	} else {
		err = luo_hook_result(luo_hook_session_retrieve(name));
		file = err ? NULL : open(session);
		if (IS_ERR(file)) {
			err = PTR_ERR(file);
		} else if (!err) {
			session->retrieved = true;
			nr_files = session->nr_files;
			*filep = file;
		}
	}
	mutex_unlock(&luo.lock);
	/* As at create; the session lives on, its file not installed yet. */
	trace_luo_session_retrieve(err ? name : session->name, nr_files, err);
	luo_record_session(LUO_REC_SESSION_RETRIEVE, name, err, false);
	return err;
}

/*
 * Close a retrieved session that was not finished: finish it by the rules
 * of SESSION_FINISH (seeds 000 and 001: every file's can_finish() first,
 * all or nothing).  When a file cannot finish (or its handler is missing,
 * or an FLB cannot be retrieved), nothing is finished and the session
 * returns to the incoming ones, to be retrieved and finished later, its
 * retrieved files as they are; what nobody finishes stays reserved until
 * the next live update.  Returns 0 when the session is gone, else why it
 * stays.
 */
static int luo_session_close_incoming(struct luo_session *session)
{
	unsigned long nr_files = session->nr_files;
	int err;

	err = luo_file_finish_all(session);
	if (err)
		session->retrieved = false;
	else
		luo_session_unlist(session);
	trace_luo_session_release(session->name, nr_files, err);
	/* Ended by a close, not a FINISH: -ECANCELED in the record. */
	luo_record_session(LUO_REC_SESSION_FINISH, session->name,
			   err ?: -ECANCELED, !err && list_empty(&luo.incoming));
	return err;
}

/**
 * luo_session_close - The session's file was closed for the last time.
 * @session: The session.
 *
 * An outgoing session unpreserves its files and goes; a retrieved one is
 * finished if it can be (see luo_session_close_incoming()); during the
 * reboot the session stays as the handover describes it.
 */
void luo_session_close(struct luo_session *session)
{
	int err = 0;

	mutex_lock(&luo.lock);
	if (luo.rebooting) {
		/*
		 * The handover to the next kernel describes this session
		 * already: its files must stay preserved as they are.
		 */
		trace_luo_session_release(session->name, session->nr_files, 0);
		mutex_unlock(&luo.lock);
		return;
	}
	mutex_lock(&session->lock);
	if (session->incoming) {
		err = luo_session_close_incoming(session);
		mutex_unlock(&session->lock);
	} else {
		trace_luo_session_release(session->name, session->nr_files, 0);
		luo_file_unpreserve_all(session);
		mutex_unlock(&session->lock);
		luo_session_ser_remove(session);
		luo_session_unindex(session);
	}
	if (!err)
		luo.nr_sessions--;
	mutex_unlock(&luo.lock);
	if (!err)
		luo_session_free(session);
}

/**
 * luo_session_preserve - Preserve a file in an outgoing session.
 * @session: The session.
 * @file:    The file to preserve (the caller holds a reference).
 * @token:   Userspace's name for it.
 *
 * Return: 0, -EINVAL on an unfinished incoming session, -EBUSY during the
 * reboot, or an error of luo_file_preserve().
 */
int luo_session_preserve(struct luo_session *session, struct file *file,
			 u64 token)
{
	int err;

	/* Only the reboot takes it for write: it froze the files, or will. */
	if (!down_read_trylock(&luo.files_sem))
		return -EBUSY;
	mutex_lock(&session->lock);
	if (session->incoming)
		err = -EINVAL;
	else if (READ_ONCE(luo.rebooting))
		err = -EBUSY;
	else
		err = luo_file_preserve(session, file, token);
	mutex_unlock(&session->lock);
	up_read(&luo.files_sem);
	return err;
}

/**
 * luo_session_retrieve_file - Restore a file of a retrieved session.
 * @session: The session.
 * @token:   The token the file was preserved with.
 * @filep:   Set to a new reference of the restored file.
 *
 * Return: 0, -EINVAL when the session holds no previous kernel's files, or
 * an error of luo_file_retrieve().
 */
int luo_session_retrieve_file(struct luo_session *session, u64 token,
			      struct file **filep)
{
	int err;

	mutex_lock(&session->lock);
	if (!session->incoming)
		err = -EINVAL;
	else
		err = luo_file_retrieve(session, token, filep);
	mutex_unlock(&session->lock);
	return err;
}

/**
 * luo_session_finish - Finish a retrieved session.
 * @session: The session.
 *
 * On success the session is an empty outgoing session.
 *
 * Return: 0, -EINVAL when the session holds no previous kernel's files,
 * -EBUSY when a file cannot finish yet or during the reboot, -ENOMEM when
 * it cannot have its entry in the next handover (nothing finished then).
 */
int luo_session_finish(struct luo_session *session)
{
	unsigned long nr_files;
	bool was_incoming;
	int err;

	mutex_lock(&luo.lock);
	mutex_lock(&session->lock);
	nr_files = session->nr_files;
	was_incoming = session->incoming;
	if (!session->incoming)
		err = -EINVAL;
	else if (luo.rebooting)
		err = -EBUSY;
	else
		err = luo_session_ser_add(session);
	if (!err) {
		err = luo_file_finish_all(session);
		if (err) {
			/* The last entry: nothing moves. */
			luo_chain_remove(&luo.out_sessions, session->slot);
			session->slot = LUO_NO_SLOT;
		}
	}
	if (!err) {
		session->incoming = false;
		list_move_tail(&session->list, &luo.sessions);
	}
	trace_luo_session_finish(session->name, nr_files, err);
	if (was_incoming)
		luo_record_session(LUO_REC_SESSION_FINISH, session->name, err,
				   !err && list_empty(&luo.incoming));
	mutex_unlock(&session->lock);
	mutex_unlock(&luo.lock);
	return err;
}
