/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update Orchestrator: the handover ABI between two kernels.
 */

/**
 * DOC: Live Update Orchestrator handover ABI
 *
 * What one kernel hands to the next through KHO (kexec handover) about the
 * sessions and files userspace preserved.  The next kernel may be another
 * build, another version or another LUO altogether, so this layout is a
 * contract: any change to the nodes, properties, compatible strings or the
 * packed structures below needs a new version in the compatible string of
 * the node it touches, and a kernel refuses every version it does not know.
 *
 * All of it hangs off one KHO subtree named "LUO", an FDT::
 *
 *   / {
 *       compatible = "luo-v1";
 *       liveupdate-number = <u64>;
 *
 *       luo-session {
 *           compatible = "luo-session-v3";
 *           luo-session-header = <u64 physical address>;
 *           luo-block-key = <u64>;
 *       };
 *
 *       luo-flb {
 *           compatible = "luo-flb-v2";
 *           luo-flb-header = <u64 physical address>;
 *           luo-block-key = <u64>;
 *       };
 *   };
 *
 * ``liveupdate-number`` counts the live updates this machine went through:
 * the first kernel to hand over writes 1, every next one the number it
 * received plus one.
 *
 * ``luo-session-header`` is the physical address of a
 * &struct luo_session_header_ser, immediately followed by ``count``
 * &struct luo_session_ser, in one block of memory preserved by KHO.  Each
 * session points, through its &struct luo_file_set_ser, at another preserved
 * block: a &struct luo_block_ser followed by ``count`` &struct luo_file_ser.
 * A session without files has a zero address and count.
 *
 * Every block LUO preserves for its handover begins with a
 * &struct luo_block_ser: a magic number, the kind of the block, the
 * handover's block key and the bytes in use.  The key is a random number
 * the sending kernel draws at boot and writes as ``luo-block-key`` into each
 * node.  The receiving kernel reads a block, and gives it back to the page
 * allocator, only when its header names the kind it expects and the node's
 * key: an address that points at another KHO user's memory (a memfd's
 * page, the live-update record) is refused and left to its owner.
 *
 * ``luo-flb`` is this project's addition to the layout of seed ABI v1: the
 * file-lifecycle-bound objects (FLBs) that handlers share between files.
 * ``luo-flb-header`` is the physical address of a &struct luo_flb_header_ser
 * followed by ``count`` &struct luo_flb_ser, one per FLB in use at the
 * reboot.  The node is present only when some FLB is in use; a kernel that
 * does not know it ignores it, and its FLBs are then never retrieved.
 *
 * Every name and compatible string in these structures is NUL-terminated
 * inside its array; every count is bounded by the size of the block that
 * holds it.  The receiving kernel checks both before it uses anything.
 */

#ifndef _LINUX_KHO_ABI_LUO_H
#define _LINUX_KHO_ABI_LUO_H

#include <linux/types.h>
#include <uapi/linux/liveupdate.h>

/* The KHO subtree and the root of the FDT in it */
#define LUO_FDT_SIZE			PAGE_SIZE
#define LUO_FDT_KHO_ENTRY_NAME		"LUO"
#define LUO_FDT_COMPATIBLE		"luo-v1"
#define LUO_FDT_LIVEUPDATE_NUM		"liveupdate-number"

/* Length of a file handler's compatible string, NUL included */
#define LIVEUPDATE_HNDL_COMPAT_LENGTH	48

/**
 * struct luo_file_ser - One preserved file.
 * @compatible: The compatible string of the handler that preserved it.
 * @data:       The handler's own handle for its preserved state.
 * @token:      The token userspace preserved the file with.
 *
 * Changing this structure requires a new %LUO_FDT_SESSION_COMPATIBLE.
 */
struct luo_file_ser {
	char compatible[LIVEUPDATE_HNDL_COMPAT_LENGTH];
	u64 data;
	u64 token;
} __packed;

/**
 * struct luo_file_set_ser - Where the files of one session are.
 * @files: Physical address of the preserved block holding the session's
 *         files: a &struct luo_block_ser of kind %LUO_BLOCK_FILES, then
 *         the array of &struct luo_file_ser; 0 when it has none.
 * @count: Number of entries in that array.
 */
struct luo_file_set_ser {
	u64 files;
	u64 count;
} __packed;

/* Each node's block key: a u64, the same in every block the node reaches */
#define LUO_FDT_BLOCK_KEY		"luo-block-key"

/* struct luo_block_ser's magic ("LUOB" in memory) and kinds */
#define LUO_BLOCK_MAGIC			0x424f554cU
#define LUO_BLOCK_SESSIONS		1
#define LUO_BLOCK_FILES			2
#define LUO_BLOCK_FLBS			3

/**
 * struct luo_block_ser - The header of every block of the handover.
 * @magic: %LUO_BLOCK_MAGIC.
 * @kind:  %LUO_BLOCK_SESSIONS, %LUO_BLOCK_FILES or %LUO_BLOCK_FLBS.
 * @key:   The ``luo-block-key`` of the node that reaches the block.
 * @size:  Bytes in use, this header included: exactly what the block's
 *         count of entries needs, and no more than the block holds.
 *
 * Changing this structure requires a new %LUO_FDT_SESSION_COMPATIBLE and
 * %LUO_FDT_FLB_COMPATIBLE.
 */
struct luo_block_ser {
	u32 magic;
	u32 kind;
	u64 key;
	u64 size;
} __packed;

/* The session node: luo-session-header is the u64 physical address of a
 * struct luo_session_header_ser.
 */
#define LUO_FDT_SESSION_NODE_NAME	"luo-session"
#define LUO_FDT_SESSION_COMPATIBLE	"luo-session-v3"
#define LUO_FDT_SESSION_HEADER		"luo-session-header"

/**
 * struct luo_session_header_ser - Start of the preserved block of sessions.
 * @block: Its header, of kind %LUO_BLOCK_SESSIONS.
 * @count: Number of &struct luo_session_ser following this header.
 *
 * Changing this structure requires a new %LUO_FDT_SESSION_COMPATIBLE.
 */
struct luo_session_header_ser {
	struct luo_block_ser block;
	u64 count;
} __packed;

/**
 * struct luo_session_ser - One preserved session.
 * @name:         The session's name, NUL-terminated.
 * @file_set_ser: The session's files.
 *
 * Changing this structure requires a new %LUO_FDT_SESSION_COMPATIBLE.
 */
struct luo_session_ser {
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	struct luo_file_set_ser file_set_ser;
} __packed;

/* The FLB node (this project's addition): luo-flb-header is the u64
 * physical address of a struct luo_flb_header_ser.
 */
#define LUO_FDT_FLB_NODE_NAME		"luo-flb"
#define LUO_FDT_FLB_COMPATIBLE		"luo-flb-v2"
#define LUO_FDT_FLB_HEADER		"luo-flb-header"

/* Length of an FLB's compatible string, NUL included */
#define LIVEUPDATE_FLB_COMPAT_LENGTH	48

/**
 * struct luo_flb_header_ser - Start of the preserved block of FLBs.
 * @block: Its header, of kind %LUO_BLOCK_FLBS.
 * @count: Number of &struct luo_flb_ser following this header.
 *
 * Changing this structure requires a new %LUO_FDT_FLB_COMPATIBLE.
 */
struct luo_flb_header_ser {
	struct luo_block_ser block;
	u64 count;
} __packed;

/**
 * struct luo_flb_ser - One preserved file-lifecycle-bound object.
 * @compatible: The FLB's compatible string, NUL-terminated.
 * @data:       The handle its preserve() callback returned.
 * @count:      How many preserved files used it at the reboot; the new
 *              kernel finishes it when the last of them finishes.
 *
 * Changing this structure requires a new %LUO_FDT_FLB_COMPATIBLE.
 */
struct luo_flb_ser {
	char compatible[LIVEUPDATE_FLB_COMPAT_LENGTH];
	u64 data;
	u64 count;
} __packed;

#endif /* _LINUX_KHO_ABI_LUO_H */
