/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update Orchestrator: a valid handover in fake preserved memory, for
 * the KUnit tests of the incoming parser (luo_incoming_test.c) and its
 * fuzzer (luo_handover_fuzz_test.c).
 */

#ifndef _LUO_TEST_HANDOVER_H
#define _LUO_TEST_HANDOVER_H

#include <kunit/test.h>

#include "luo_internal.h"

#define FAKE_BLOCKS	8
#define FAKE_BASE	0x40000000ULL
#define FAKE_KEY	0x6b65792d6b756e69ULL

/**
 * struct fake_block - A page-sized buffer posing as a preserved block.
 * @phys:   The address the handover names it by.
 * @buf:    Its contents.
 * @size:   Its size.
 * @mapped: The parser holds it now.
 * @taken:  How often the parser took it (luo_in_mem.map).
 */
struct fake_block {
	u64 phys;
	void *buf;
	size_t size;
	bool mapped;
	int taken;
};

/**
 * struct fake_mem - Preserved memory, as the parser sees it.
 * @b:      The blocks.
 * @n:      How many.
 * @mapped: Blocks mapped and not given back.
 */
struct fake_mem {
	struct fake_block b[FAKE_BLOCKS];
	int n;
	int mapped;
};

/**
 * struct luo_test_ho - A handover: sessions "alpha" (tokens 1, 2) and
 * "beta" (token 3), one FLB, each table a chain of one block.
 * @mem:       The fake memory.
 * @in_mem:    The parser's accessor of @mem.
 * @in:        What the parser took.
 * @fdt:       The "LUO" blob, written by luo_test_ho_write().
 * @fdt_size:  Its size.
 * @hdr:       The header of the sessions' block.
 * @ser:       Its sessions.
 * @files:     The two sessions' files (after their block headers).
 * @files_hdr: The headers of their blocks.
 * @flb_hdr:   The header of the FLBs' block.
 * @flb:       Its entries.
 * @hdr_phys:  Where the blocks are: the sessions...
 * @files_phys: ...the files...
 * @flb_phys:  ...and the FLBs.
 * @root_compat: What luo_test_ho_write() writes: root compatible,
 * @session_compat: the session node's,
 * @flb_compat: the FLB node's (NULL: none),
 * @number_len: bytes of liveupdate-number (0: none),
 * @session_node: whether the session node is there,
 * @flb_node:  whether the FLB node is there,
 * @header_prop: whether luo-session-header is there,
 * @key_prop:  whether the nodes have luo-block-key,
 * @session_header: the session table address it names,
 * @key:       and the block key.
 */
struct luo_test_ho {
	struct fake_mem mem;
	struct luo_in_mem in_mem;
	struct luo_incoming in;
	void *fdt;
	size_t fdt_size;
	struct luo_block_ser *hdr;
	struct luo_session_ser *ser;
	struct luo_file_ser *files[2];
	struct luo_block_ser *files_hdr[2];
	struct luo_block_ser *flb_hdr;
	struct luo_flb_ser *flb;
	u64 hdr_phys, files_phys[2], flb_phys;
	const char *root_compat;
	const char *session_compat;
	const char *flb_compat;
	int number_len;
	bool session_node, flb_node, header_prop, key_prop;
	u64 session_header;
	u64 key;
};

struct luo_test_ho *luo_test_ho_new(struct kunit *test);
u64 luo_test_ho_add_block(struct kunit *test, struct luo_test_ho *c, void **buf);
u64 luo_test_ho_add_chain_block(struct kunit *test, struct luo_test_ho *c,
				u32 kind, struct luo_block_ser **hdr);
void luo_test_ho_write(struct kunit *test, struct luo_test_ho *c);
struct fake_block *luo_test_ho_block(struct luo_test_ho *c, u64 phys);
void luo_test_ho_set_sizes(struct luo_test_ho *c);
void luo_test_ho_fdt_defaults(struct luo_test_ho *c);

#endif /* _LUO_TEST_HANDOVER_H */
