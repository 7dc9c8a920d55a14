/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sources of luo_inject_test share: the events taken from the
 * ring buffer and those a check expects, and the functions each source
 * gives the others:
 *   luo_inject_test.c   the stages and main, the checks, the loading and
 *                       attaching of the programs
 *   luo_inject_progs.c  the skeleton, its ring buffer and the injectors
 *   luo_inject_sys.c    the memfds, the kexec and the record
 */
#ifndef LUO_INJECT_TEST_H
#define LUO_INJECT_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/liveupdate_record.h>
#include <bpf/libbpf.h>

#include "luo_inject.h"

#define MAX_EVENTS	32

/* Events taken from the ring buffer since the last check_events(). */
struct events_seen {
	struct inj_event ev[MAX_EVENTS];
	unsigned int nr;	/* may exceed MAX_EVENTS: the rest are left out */
};

/* An event check_events() expects. */
struct expect {
	enum inj_event_type type;
	const char *session;
	__u64 token;
	int result;
	const char *handler;
};

/* luo_inject_progs.c */
extern struct luo_inject *skel;
extern struct ring_buffer *ring;
int on_event(void *ctx, void *data, size_t len);
struct bpf_link **injector(enum inj_hook hook, struct bpf_program **prog);
void bpf_teardown(void);
void inject_stop(enum inj_hook hook);
bool same_event(const struct inj_event *e, const struct expect *x);

/* luo_inject_sys.c */
int close_fd(int fd);
int make_memfd(const char *name, __u64 token);
int retrieve_verify(int sfd, const char *name, __u64 token);
int kexec_self(const char *kernel);
const struct luo_record_header *read_record(void);

#endif /* LUO_INJECT_TEST_H */
