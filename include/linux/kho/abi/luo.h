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
 *           compatible = "luo-session-v4";
 *           luo-session-header = <u64 physical address>;
 *           luo-block-key = <u64>;
 *       };
 *
 *       luo-flb {
 *           compatible = "luo-flb-v3";
 *           luo-flb-header = <u64 physical address>;
 *           luo-block-key = <u64>;
 *       };
 *   };
 *
 * ``liveupdate-number`` counts the live updates this machine went through:
 * the first kernel to hand over writes 1, every next one the number it
 * received plus one.
 *
 * Every table of the handover is a chain of blocks, each one page preserved
 * by KHO: a &struct luo_block_ser, then ``count`` entries of the table,
 * then unused space.  ``next`` is the physical address of the chain's next
 * block, 0 in the last.  A block holds at least one entry.  Chains let the
 * sending kernel write the handover as userspace changes it, a page at a
 * time, so that the reboot allocates nothing and no table has a size limit.
 *
 * ``luo-session-header`` is the physical address of the first block of the
 * sessions' chain (entries &struct luo_session_ser).  Each session points,
 * through its &struct luo_file_set_ser, at the first block of its own chain
 * of &struct luo_file_ser, in the order the files were preserved; a session
 * without files has a zero address and count.  The order of the sessions
 * carries no meaning.
 *
 * The header of every block names the kind of the block, the handover's
 * block key and the bytes in use.  The key is a random number the sending
 * kernel draws at boot and writes as ``luo-block-key`` into each node.  The
 * receiving kernel reads a block, and gives it back to the page allocator,
 * only when its header names the kind it expects and the node's key: an
 * address that points at another KHO user's memory (a memfd's page, the
 * live-update record) is refused and left to its owner.
 *
 * ``luo-flb`` is this project's addition to the layout of seed ABI v1: the
 * file-lifecycle-bound objects (FLBs) that handlers share between files.
 * ``luo-flb-header`` is the physical address of the first block of a chain
 * of &struct luo_flb_ser, at least one per FLB registered, in no
 * particular order: those of the FLBs in use at the reboot, and free room
 * (entries of zeroes, which every luo-flb-v3 receiver skips wherever it
 * lies).  The node is present when some FLB is registered; a kernel that
 * does not know it ignores it, and its FLBs are then never retrieved.
 *
 * Versions: "luo-session-v3" and "luo-flb-v2" held each table in one block
 * of up to 4 MiB with a count in front of it; the chains replaced them.  A
 * kernel reads only the versions it was built for and refuses the others,
 * with one log line per node and nothing taken from it.
 *
 * Every name and compatible string in these structures is NUL-terminated
 * inside its array; every block's count is bounded by the size of the
 * block, and every session's count of files by its chain.  The receiving
 * kernel checks both before it uses anything.
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
 * @files: Physical address of the first block of the session's chain of
 *         files (kind %LUO_BLOCK_FILES); 0 when it has none.
 * @count: Number of files in the whole chain.
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

/* Every block of the handover is one page */
#define LUO_BLOCK_SIZE			PAGE_SIZE

/**
 * struct luo_block_ser - The header of every block of the handover.
 * @magic: %LUO_BLOCK_MAGIC.
 * @kind:  %LUO_BLOCK_SESSIONS, %LUO_BLOCK_FILES or %LUO_BLOCK_FLBS.
 * @key:   The ``luo-block-key`` of the node that reaches the block.
 * @size:  Bytes in use, this header included: exactly what @count entries
 *         need, and no more than the block holds (%LUO_BLOCK_SIZE when
 *         this kernel writes it).
 * @next:  Physical address of the next block of the chain, or 0.
 * @count: Entries in this block, at least one.
 *
 * Changing this structure requires a new %LUO_FDT_SESSION_COMPATIBLE and
 * %LUO_FDT_FLB_COMPATIBLE.
 */
struct luo_block_ser {
	u32 magic;
	u32 kind;
	u64 key;
	u64 size;
	u64 next;
	u64 count;
} __packed;

/* The session node: luo-session-header is the u64 physical address of the
 * first block of the sessions' chain.
 */
#define LUO_FDT_SESSION_NODE_NAME	"luo-session"
#define LUO_FDT_SESSION_COMPATIBLE	"luo-session-v4"
#define LUO_FDT_SESSION_HEADER		"luo-session-header"

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
 * physical address of the first block of the FLBs' chain.
 */
#define LUO_FDT_FLB_NODE_NAME		"luo-flb"
#define LUO_FDT_FLB_COMPATIBLE		"luo-flb-v3"
#define LUO_FDT_FLB_HEADER		"luo-flb-header"

/* Length of an FLB's compatible string, NUL included */
#define LIVEUPDATE_FLB_COMPAT_LENGTH	48

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
