// SPDX-License-Identifier: GPL-2.0
/*
 * luosnoop's table of strings by kernel address.  An event carries a
 * session name or a compatible string only the first time its BPF program
 * sees the address (luosnoop.bpf.c): this learns the string from that
 * event, and gives it to the later ones.  One entry an address, replaced
 * when an event carries a new string for it (a session born where a freed
 * one was); the table holds as many entries as addresses seen, which the
 * kernel reuses.  A binary tree of libc's tsearch(): O(log n) a lookup.
 */
#define _GNU_SOURCE
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luosnoop_names.h"

struct name {
	__u64 addr;
	char s[LUO_NAME_LEN];
};

static void *names;

static int by_addr(const void *a, const void *b)
{
	const struct name *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Remember @s for @addr; false when out of memory. */
static bool learn(__u64 addr, const char *s, size_t len)
{
	struct name key = { .addr = addr }, *n, **found;

	found = tfind(&key, &names, by_addr);
	if (found) {
		n = *found;
	} else {
		n = calloc(1, sizeof(*n));
		if (!n)
			return false;
		n->addr = addr;
		if (!tsearch(n, &names, by_addr)) {
			free(n);
			return false;
		}
	}
	len = strnlen(s, len < sizeof(n->s) ? len : sizeof(n->s) - 1);
	memcpy(n->s, s, len);
	n->s[len] = '\0';
	return true;
}

/* Copy the string learnt for @addr into @dst; false when there is none. */
static bool recall(__u64 addr, char *dst, size_t len)
{
	struct name key = { .addr = addr }, **found;

	found = tfind(&key, &names, by_addr);
	if (!found)
		return false;
	snprintf(dst, len, "%s", (*found)->s);
	return true;
}

/* One of @e's strings: learnt from it, or given to it. */
static bool resolve(__u64 addr, bool named, char *s, size_t len, bool last)
{
	if (!addr) {
		s[0] = '\0';
		return true;
	}
	if (named) {
		/* Out of memory: this event is named still, later ones "?". */
		learn(addr, s, len);
		return true;
	}
	if (recall(addr, s, len))
		return true;
	if (!last)
		return false;
	snprintf(s, len, "?");
	return true;
}

/**
 * luosnoop_names_resolve() - give @e the strings it names by address
 * @e: an event, in the order of time
 * @last: nothing comes after this drain: a string not learnt by now reads "?"
 *
 * Return: false when @e names an address whose string has not been learnt
 * yet: the event carrying it was published on another CPU after that CPU's
 * ring was read, and comes with the next drain.  @e must wait for it.
 */
bool luosnoop_names_resolve(struct luo_event *e, bool last)
{
	return resolve(e->session_addr, e->named & LUO_EV_SESSION_NAMED, e->session,
		       sizeof(e->session), last) &&
	       resolve(e->handler_addr, e->named & LUO_EV_HANDLER_NAMED, e->handler,
		       sizeof(e->handler), last);
}

/** luosnoop_names_free() - forget every string */
void luosnoop_names_free(void)
{
	tdestroy(names, free);
	names = NULL;
}
