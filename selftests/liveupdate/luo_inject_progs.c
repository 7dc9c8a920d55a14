// SPDX-License-Identifier: GPL-2.0
/*
 * luo_inject_test's handles on its BPF programs: the skeleton and its ring
 * buffer, the events taken from it and matched against those expected,
 * which program and link inject into a hook, the detaching of an injector,
 * and the teardown.  The loading and attaching stay in luo_inject_test.c,
 * with whatever reports to kselftest (see there).
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "kselftest.h"
#include "luo_inject.h"
#include "luo_inject.skel.h"
#include "luo_inject_test.h"

struct luo_inject *skel;
struct ring_buffer *ring;

int on_event(void *ctx, void *data, size_t len)
{
	struct events_seen *s = ctx;

	if (s->nr < MAX_EVENTS && len >= sizeof(s->ev[0]))
		memcpy(&s->ev[s->nr], data, sizeof(s->ev[0]));
	s->nr++;
	return 0;
}

/* The program that injects into @hook, and where its link is kept. */
struct bpf_link **injector(enum inj_hook hook, struct bpf_program **prog)
{
	switch (hook) {
	case INJ_HOOK_PRESERVE:
		*prog = skel->progs.inject_preserve;
		return &skel->links.inject_preserve;
	case INJ_HOOK_FREEZE:
		*prog = skel->progs.inject_freeze;
		return &skel->links.inject_freeze;
	case INJ_HOOK_CAN_FINISH:
		*prog = skel->progs.inject_can_finish;
		return &skel->links.inject_can_finish;
	default:
		*prog = skel->progs.inject_retrieve;
		return &skel->links.inject_retrieve;
	}
}

void bpf_teardown(void)
{
	ring_buffer__free(ring);
	luo_inject__destroy(skel);
}

/* Destroy the link of the injector of @hook: LUO runs without it again. */
void inject_stop(enum inj_hook hook)
{
	struct bpf_program *prog;
	struct bpf_link **link = injector(hook, &prog);

	bpf_link__destroy(*link);
	*link = NULL;
	ksft_print_msg("%s detached\n", bpf_program__name(prog));
}

bool same_event(const struct inj_event *e, const struct expect *x)
{
	return e->type == x->type && !strcmp(e->session, x->session) &&
	       e->token == x->token && e->result == x->result &&
	       !strcmp(e->handler, x->handler);
}
