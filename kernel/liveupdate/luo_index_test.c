// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test of LUO's indexes: a session's files by token and the sessions
 * by name.  Keys in scrambled order must each find exactly their own
 * object, a key never added finds nothing, a key removed finds nothing and
 * can be used again, and the files keep the order they were added in (the
 * order the handover lists them).
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>

#include "luo_internal.h"

#define NR_FILES	4096
#define NR_SESSIONS	64

/* Key @i, scrambled: multiplication by an odd constant permutes the u64s. */
static u64 key(u64 i)
{
	return i * 0x9e3779b97f4a7c15ULL;
}

static void luo_index_tokens(struct kunit *test)
{
	struct luo_file *files = kunit_kcalloc(test, NR_FILES, sizeof(*files), GFP_KERNEL);
	struct luo_session *s = luo_session_alloc("kunit-index");
	struct luo_file *lf;
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, files);
	KUNIT_ASSERT_NOT_NULL(test, s);
	mutex_lock(&s->lock);
	for (i = 0; i < NR_FILES; i++) {
		files[i].token = key(i);
		luo_file_add(s, &files[i]);
	}
	KUNIT_EXPECT_EQ(test, s->nr_files, NR_FILES);
	for (i = 0; i < NR_FILES; i++)
		KUNIT_EXPECT_PTR_EQ(test, luo_file_find(s, key(i)), &files[i]);
	/* The extremes of the key space, and keys never added. */
	KUNIT_EXPECT_PTR_EQ(test, luo_file_find(s, 0), &files[0]);
	KUNIT_EXPECT_NULL(test, luo_file_find(s, U64_MAX));
	for (i = NR_FILES; i < NR_FILES + 256; i++)
		KUNIT_EXPECT_NULL(test, luo_file_find(s, key(i)));
	/* The list keeps the order of adding. */
	i = 0;
	list_for_each_entry(lf, &s->files, list)
		KUNIT_EXPECT_PTR_EQ(test, lf, &files[i++]);
	KUNIT_EXPECT_EQ(test, i, NR_FILES);
	/* Every other one taken out: it finds nothing, the rest still do. */
	for (i = 0; i < NR_FILES; i += 2)
		luo_file_del(s, &files[i]);
	KUNIT_EXPECT_EQ(test, s->nr_files, NR_FILES / 2);
	for (i = 0; i < NR_FILES; i++)
		KUNIT_EXPECT_PTR_EQ(test, luo_file_find(s, key(i)), i % 2 ? &files[i] : NULL);
	/* Their tokens can be used again. */
	for (i = 0; i < NR_FILES; i += 2)
		luo_file_add(s, &files[i]);
	for (i = 0; i < NR_FILES; i++)
		KUNIT_EXPECT_PTR_EQ(test, luo_file_find(s, key(i)), &files[i]);
	mutex_unlock(&s->lock);
	/* The files are the test's memory: the session only lets go of them. */
	luo_session_free(s);
}

static const struct file_operations index_fops = {
	.owner = THIS_MODULE,
};

static struct file *index_open(struct luo_session *session)
{
	return anon_inode_getfile("luo-kunit-index", &index_fops, session, O_RDWR);
}

static int create(struct kunit *test, u64 i, struct file **filep)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH] = {};

	snprintf(name, sizeof(name), "kunit-index-%016llx", key(i));
	return luo_session_create(name, index_open, filep);
}

static struct luo_session *find(u64 i)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH] = {};
	struct luo_session *session;

	snprintf(name, sizeof(name), "kunit-index-%016llx", key(i));
	mutex_lock(&luo.lock);
	session = luo_session_find(name);
	mutex_unlock(&luo.lock);
	return session;
}

static void close_session(struct file **filep)
{
	luo_session_close((*filep)->private_data);
	fput(*filep);
	*filep = NULL;
}

static void luo_index_names(struct kunit *test)
{
	struct file **files = kunit_kcalloc(test, NR_SESSIONS, sizeof(*files), GFP_KERNEL);
	struct file *again = NULL;
	u64 i;

	KUNIT_ASSERT_NOT_NULL(test, files);
	for (i = 0; i < NR_SESSIONS; i++)
		KUNIT_ASSERT_EQ(test, create(test, i, &files[i]), 0);
	for (i = 0; i < NR_SESSIONS; i++) {
		KUNIT_EXPECT_PTR_EQ(test, find(i), files[i]->private_data);
		KUNIT_EXPECT_EQ(test, create(test, i, &again), -EEXIST);
	}
	KUNIT_EXPECT_NULL(test, find(NR_SESSIONS));
	/* Every other one closed: gone from the index, its name free again. */
	for (i = 0; i < NR_SESSIONS; i += 2)
		close_session(&files[i]);
	for (i = 0; i < NR_SESSIONS; i++) {
		if (i % 2)
			KUNIT_EXPECT_PTR_EQ(test, find(i), files[i]->private_data);
		else
			KUNIT_EXPECT_NULL(test, find(i));
	}
	for (i = 0; i < NR_SESSIONS; i += 2)
		KUNIT_EXPECT_EQ(test, create(test, i, &files[i]), 0);
	for (i = 0; i < NR_SESSIONS; i++) {
		if (files[i]) {
			KUNIT_EXPECT_PTR_EQ(test, find(i), files[i]->private_data);
			close_session(&files[i]);
		}
		KUNIT_EXPECT_NULL(test, find(i));
	}
}

static struct kunit_case luo_index_cases[] = {
	KUNIT_CASE(luo_index_tokens),
	KUNIT_CASE(luo_index_names),
	{}
};

static struct kunit_suite luo_index_suite = {
	.name = "luo_index",
	.test_cases = luo_index_cases,
};

kunit_test_suite(luo_index_suite);
