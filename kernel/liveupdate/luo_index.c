// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the indexes.  Every session of either list
 * (outgoing and incoming) is in luo.names, a red-black tree by name, under
 * luo.lock; each session's files are in its by_token tree, under the
 * session's lock, beside the list that keeps the order the handover lists
 * them in.  Finding a session or a file costs O(log n), whatever the
 * number of sessions or of files in the session.
 */

#include <linux/lockdep.h>
#include <linux/rbtree.h>
#include <linux/string.h>

#include "luo_internal.h"

static int luo_session_cmp_name(const void *name, const struct rb_node *node)
{
	return strcmp(name, rb_entry(node, struct luo_session, node)->name);
}

static bool luo_session_less(struct rb_node *a, const struct rb_node *b)
{
	return luo_session_cmp_name(rb_entry(a, struct luo_session, node)->name, b) < 0;
}

/**
 * luo_session_find - The session of a name.
 * @name: The name.
 *
 * Context: luo.lock held.
 * Return: the session named @name, outgoing or incoming, or NULL.
 */
struct luo_session *luo_session_find(const char *name)
{
	struct rb_node *node;

	lockdep_assert_held(&luo.lock);
	node = rb_find(name, &luo.names, luo_session_cmp_name);
	return node ? rb_entry(node, struct luo_session, node) : NULL;
}

/**
 * luo_session_index - Make a session findable by its name.
 * @session: A session just listed in luo.sessions or luo.incoming, whose
 *           name no other session of either list has.
 *
 * Context: luo.lock held.
 */
void luo_session_index(struct luo_session *session)
{
	lockdep_assert_held(&luo.lock);
	rb_add(&session->node, &luo.names, luo_session_less);
}

/**
 * luo_session_unindex - Make a session unfindable, as it leaves its list.
 * @session: A session luo_session_index() indexed.
 *
 * Context: luo.lock held.
 */
void luo_session_unindex(struct luo_session *session)
{
	lockdep_assert_held(&luo.lock);
	rb_erase(&session->node, &luo.names);
}

static int luo_file_cmp_token(const void *key, const struct rb_node *node)
{
	u64 token = *(const u64 *)key, other = rb_entry(node, struct luo_file, node)->token;

	return token < other ? -1 : token > other;
}

static bool luo_file_less(struct rb_node *a, const struct rb_node *b)
{
	return luo_file_cmp_token(&rb_entry(a, struct luo_file, node)->token, b) < 0;
}

/**
 * luo_file_find - The file of a token in a session.
 * @session: The session.
 * @token:   The token.
 *
 * Context: @session locked.
 * Return: the file, or NULL when @session has none of @token.
 */
struct luo_file *luo_file_find(struct luo_session *session, u64 token)
{
	struct rb_node *node;

	lockdep_assert_held(&session->lock);
	node = rb_find(&token, &session->by_token, luo_file_cmp_token);
	return node ? rb_entry(node, struct luo_file, node) : NULL;
}

/**
 * luo_file_add - Add a file to its session: last in its list, in its index.
 * @session: The session.
 * @lf:      The file, whose token no other file of @session has.
 *
 * Context: @session locked, or not yet visible to anyone else.
 */
void luo_file_add(struct luo_session *session, struct luo_file *lf)
{
	list_add_tail(&lf->list, &session->files);
	rb_add(&lf->node, &session->by_token, luo_file_less);
	session->nr_files++;
}

/**
 * luo_file_del - Take a file out of its session's list and index.
 * @session: The session.
 * @lf:      A file luo_file_add() added to @session.
 *
 * Context: @session locked.
 */
void luo_file_del(struct luo_session *session, struct luo_file *lf)
{
	list_del(&lf->list);
	rb_erase(&lf->node, &session->by_token);
	session->nr_files--;
}
