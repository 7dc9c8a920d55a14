/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Live Update Orchestrator: the user API of /dev/liveupdate and of the
 * session file descriptors it hands out.
 */

#ifndef _UAPI_LIVEUPDATE_H
#define _UAPI_LIVEUPDATE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: General ioctl format
 *
 * Every ioctl takes a pointer to a structure whose first member is a __u32
 * @size: the size of the structure as userspace knows it.  Structures only
 * ever grow at their end, so an old program keeps working with a new kernel
 * and a new program with an old kernel, as long as it leaves the fields the
 * kernel does not know zeroed.  The kernel reads min(@size, its own size)
 * bytes, treats missing bytes as zero, and refuses non-zero bytes beyond
 * what it understands.  A @size above the page size (4096 on x86) is
 * refused with E2BIG whatever the bytes, as clone3() and openat2() do: no
 * structure here will grow that far, and the kernel does not scan more
 * memory than that for a zero tail.
 *
 * The common errno values mean:
 *
 * - ENOTTY: the ioctl number is not known at all.
 * - E2BIG: the ioctl is known, but the structure has non-zero bytes past the
 *   part this kernel understands, or @size is above the page size.
 * - EOPNOTSUPP: the structure is understood, but a known field holds a value
 *   this kernel does not support.
 * - EINVAL: everything was understood, but a field is not valid: a size
 *   smaller than the ioctl's first version (for every ioctl here, the
 *   structure as defined in this header), an empty or unterminated name, a
 *   non-zero reserved field, or an operation the session's state does not
 *   allow.
 * - ENOENT: the named session, the token or a handler for the file does not
 *   exist.
 * - ENOMEM: out of memory.
 * - EOVERFLOW: arithmetic on the supplied values overflowed.
 * - EFAULT: the structure is not readable or writable memory.
 *
 * Individual ioctls document further values.  Opening /dev/liveupdate
 * needs CAP_SYS_ADMIN (EPERM) and succeeds for one opener at a time
 * (EBUSY); a session file descriptor needs no privilege to use.  An ioctl
 * of the device issued on a session descriptor, or the reverse, is ENOTTY.
 */

/* ioctl type of /dev/liveupdate, see ioctl-number.rst */
#define LIVEUPDATE_IOCTL_TYPE		0xBA

/* Maximum length of a session name, the terminating NUL included */
#define LIVEUPDATE_SESSION_NAME_LENGTH	64

/* Commands of /dev/liveupdate */
enum {
	LIVEUPDATE_CMD_BASE = 0x00,
	LIVEUPDATE_CMD_CREATE_SESSION = LIVEUPDATE_CMD_BASE,
	LIVEUPDATE_CMD_RETRIEVE_SESSION = 0x01,
};

/* Commands of a session file descriptor */
enum {
	LIVEUPDATE_CMD_SESSION_BASE = 0x40,
	LIVEUPDATE_CMD_SESSION_PRESERVE_FD = LIVEUPDATE_CMD_SESSION_BASE,
	LIVEUPDATE_CMD_SESSION_RETRIEVE_FD = 0x41,
	LIVEUPDATE_CMD_SESSION_FINISH = 0x42,
	LIVEUPDATE_CMD_SESSION_GET_NAME = 0x43,
};

/**
 * struct liveupdate_ioctl_create_session - LIVEUPDATE_IOCTL_CREATE_SESSION
 * @size: Input; sizeof(struct liveupdate_ioctl_create_session).
 * @fd:   Output; the file descriptor of the new session.
 * @name: Input; the session's name, NUL-terminated within
 *        %LIVEUPDATE_SESSION_NAME_LENGTH bytes, not empty.
 *
 * Creates a session on /dev/liveupdate: a named group of file descriptors
 * to carry over the next live update.  Everything preserved in the session
 * is carried over only if the session's file descriptor is still open when
 * the kexec happens; closing it earlier releases what it preserved.
 *
 * Errors: EINVAL for an empty or unterminated name, EEXIST when a session of
 * that name exists already, EBUSY while the reboot is under way, ENOMEM.
 * The number of sessions has no limit but memory; a name holds at most
 * LIVEUPDATE_SESSION_NAME_LENGTH bytes, its NUL included.
 */
struct liveupdate_ioctl_create_session {
	__u32		size;
	__s32		fd;
	__u8		name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_IOCTL_CREATE_SESSION					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_CREATE_SESSION)

/**
 * struct liveupdate_ioctl_retrieve_session - LIVEUPDATE_IOCTL_RETRIEVE_SESSION
 * @size: Input; sizeof(struct liveupdate_ioctl_retrieve_session).
 * @fd:   Output; the file descriptor of the retrieved session.
 * @name: Input; the name the session had in the previous kernel.
 *
 * After a live update, hands the session of that name, as the previous
 * kernel preserved it, to the caller.  A session can be retrieved once.
 * Closing its descriptor without LIVEUPDATE_SESSION_FINISH discards what
 * it still holds, as a finish would, and the name is gone (ENOENT).
 *
 * Errors: EINVAL for an empty or unterminated name, ENOENT when the previous
 * kernel preserved no session of that name, EBUSY when it has been
 * retrieved already.
 */
struct liveupdate_ioctl_retrieve_session {
	__u32		size;
	__s32		fd;
	__u8		name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_IOCTL_RETRIEVE_SESSION				\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_RETRIEVE_SESSION)

/**
 * struct liveupdate_session_preserve_fd - LIVEUPDATE_SESSION_PRESERVE_FD
 * @size:  Input; sizeof(struct liveupdate_session_preserve_fd).
 * @fd:    Input; the file descriptor to preserve (a memfd, for example).
 * @token: Input; the caller's name for it, unique within the session, used
 *         to retrieve it after the live update.
 *
 * Asks the handler of the file's type to preserve it.  The handler saves
 * what it can now; the rest is saved when the reboot freezes the file.
 *
 * Errors: EBADF for a bad @fd, ENOENT when no handler can preserve this kind
 * of file, EEXIST when @token is in use in this session, EBUSY when the
 * object is preserved already, in any session, through any descriptor, or
 * was retrieved from a session not finished yet (the handler decides what
 * "the same object" is: for a memfd, its inode), EINVAL on a session that
 * holds a previous kernel's files not finished yet, EBUSY while the reboot
 * is under way, ENODEV when the handler's module is going away, ENOMEM.
 * The number of files in a session has no limit but memory.
 */
struct liveupdate_session_preserve_fd {
	__u32		size;
	__s32		fd;
	__aligned_u64	token;
};

#define LIVEUPDATE_SESSION_PRESERVE_FD					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_PRESERVE_FD)

/**
 * struct liveupdate_session_retrieve_fd - LIVEUPDATE_SESSION_RETRIEVE_FD
 * @size:  Input; sizeof(struct liveupdate_session_retrieve_fd).
 * @fd:    Output; a file descriptor of the restored file.
 * @token: Input; the token the file was preserved with.
 *
 * In the new kernel, restores the file preserved with @token in a retrieved
 * session and returns a file descriptor for it.  Retrieving the same token
 * again returns a new descriptor of the same file.
 *
 * Errors: ENOENT when the session holds no file of that token, EINVAL on a
 * session that is not a retrieved one, or the handler's error when the
 * restore failed (and fails again the same way).
 */
struct liveupdate_session_retrieve_fd {
	__u32		size;
	__s32		fd;
	__aligned_u64	token;
};

#define LIVEUPDATE_SESSION_RETRIEVE_FD					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_RETRIEVE_FD)

/**
 * struct liveupdate_session_finish - LIVEUPDATE_SESSION_FINISH
 * @size:     Input; sizeof(struct liveupdate_session_finish).
 * @reserved: Input; must be zero.
 *
 * Ends the restoration of a retrieved session: the kernel lets go of what
 * the previous kernel preserved for it.  Files that were never retrieved are
 * discarded.  Either every file of the session finishes or none does: when
 * a handler says one of its files cannot finish yet, the call fails with
 * EBUSY and can be repeated later.  Afterwards the session is an ordinary,
 * empty session of this kernel, which may preserve files for the next live
 * update.
 *
 * Errors: EINVAL for a session that holds no previous kernel's files,
 * EBUSY when a file cannot finish yet, ENOENT when no handler for one of
 * its files is registered in this kernel.  Closing the session finishes it
 * the same way; when that fails, the session can be retrieved again, and
 * what its files hold stays reserved until they finish or the next update.
 */
struct liveupdate_session_finish {
	__u32		size;
	__u32		reserved;
};

#define LIVEUPDATE_SESSION_FINISH					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_FINISH)

/**
 * struct liveupdate_session_get_name - LIVEUPDATE_SESSION_GET_NAME
 * @size:     Input; sizeof(struct liveupdate_session_get_name).
 * @reserved: Input; must be zero.
 * @name:     Output; the session's name, NUL-terminated.
 *
 * Returns the name of the session behind a session file descriptor, for
 * example one inherited from another process.
 *
 * Errors: EINVAL for a non-zero @reserved.
 */
struct liveupdate_session_get_name {
	__u32		size;
	__u32		reserved;
	__u8		name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_SESSION_GET_NAME					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_GET_NAME)

#endif /* _UAPI_LIVEUPDATE_H */
