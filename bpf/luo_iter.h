/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the LUO iterators' programs (luo_iter.bpf.h) write, one record per
 * session or file that LUO holds now, for the tools to read
 * (tools/lib/luo_listing.c).
 */
#ifndef LUO_ITER_H
#define LUO_ITER_H

#include "luo_ops.h"

enum luo_iter_kind {
	LUO_ITER_SESSION = 1,
	LUO_ITER_FILE = 2,
};

/* Flags of a record. */
#define LUO_ITER_F_INCOMING	0x1	/* of the previous kernel, not finished */
#define LUO_ITER_F_RETRIEVED	0x2	/* session or file handed to userspace */
#define LUO_ITER_F_FROZEN	0x4	/* outgoing file frozen for the reboot */
#define LUO_ITER_F_FAILED	0x8	/* incoming file whose retrieve failed */
#define LUO_ITER_F_SIZED	0x10	/* @bytes is its file's size */

struct luo_iter_rec {
	__u32 kind;			/* enum luo_iter_kind */
	__u32 flags;			/* LUO_ITER_F_* */
	__u64 session_addr;		/* kernel address of its session's name */
	__u64 files;			/* session: the files it holds */
	__u64 token;			/* file: its token */
	__u64 bytes;			/* file: its file's size (LUO_ITER_F_SIZED) */
	__s32 error;			/* file: the retrieve's (LUO_ITER_F_FAILED) */
	__u32 pad;
	char session[LUO_NAME_LEN];	/* the session's name */
	char handler[LUO_COMPAT_LEN];	/* file: its handler's compatible */
};

#endif /* LUO_ITER_H */
