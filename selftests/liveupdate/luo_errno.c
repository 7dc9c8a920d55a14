// SPDX-License-Identifier: GPL-2.0
/*
 * luo_errno - the exact errno of every refusal of /dev/liveupdate and of its
 * session file descriptors, in one kernel (no kexec): exclusive and
 * privileged open, unknown ioctls, the size/tail rules of the extensible
 * ioctl structures, bad pointers, session names, the files a session can
 * preserve and how often, and the ioctls that only make sense on a session
 * the previous kernel handed over.  It expects a kernel that received no
 * sessions (stage 1 of a fresh boot), and root.
 *
 * Every test opens /dev/liveupdate itself and closes it before it ends:
 * the device allows a single opener.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/liveupdate.h>

#include "luo_harness.h"

#define SESSION_NAME	"errno-session"
#define OTHER_NAME	"errno-session-2"
#define TAIL_LEN	16

/* Exit code of the unprivileged child when it could not drop its capabilities. */
#define CHILD_CAPSET_FAILED	255

/* The arguments of a future, bigger layout: today's structure, then a tail. */
struct create_ext {
	struct liveupdate_ioctl_create_session arg;
	__u8 tail[TAIL_LEN];
};

struct preserve_ext {
	struct liveupdate_session_preserve_fd arg;
	__u8 tail[TAIL_LEN];
};

_Static_assert(sizeof(struct create_ext) ==
	       sizeof(struct liveupdate_ioctl_create_session) + TAIL_LEN, "padded tail");
_Static_assert(sizeof(struct preserve_ext) ==
	       sizeof(struct liveupdate_session_preserve_fd) + TAIL_LEN, "padded tail");

/* Expect a helper's result to be -@err (or success, for @err 0). */
#define EXPECT_ERRNO(err, expr) do {						\
	int __ret = (expr);							\
										\
	EXPECT_EQ(-(err), __ret)						\
		TH_LOG("%s: got %s (%d), expected %s", #expr,			\
		       errname(__ret < 0 ? -__ret : 0), __ret, errname(err));	\
} while (0)

/*
 * CREATE_SESSION of @name with the size field set to @size, in a buffer
 * with room for TAIL_LEN bytes past today's structure, all zero but
 * tail[@tail_byte] when @tail_byte >= 0.
 */
static int create_session_sized(int luo, const char *name, __u32 size, int tail_byte)
{
	struct create_ext ext;

	memset(&ext, 0, sizeof(ext));
	ext.arg.size = size;
	memcpy(ext.arg.name, name, strlen(name));
	if (tail_byte >= 0)
		ext.tail[tail_byte] = 0xa5;
	return luo_ioctl_fd(luo, LIVEUPDATE_IOCTL_CREATE_SESSION, &ext, &ext.arg.fd);
}

/* PRESERVE_FD the same way: 0 or -errno. */
static int preserve_sized(int sfd, int fd, __u64 token, __u32 size, int tail_byte)
{
	struct preserve_ext ext;

	memset(&ext, 0, sizeof(ext));
	ext.arg.size = size;
	ext.arg.fd = fd;
	ext.arg.token = token;
	if (tail_byte >= 0)
		ext.tail[tail_byte] = 0xa5;
	return luo_ioctl(sfd, LIVEUPDATE_SESSION_PRESERVE_FD, &ext);
}

/* A memfd with a little content, for preserving. */
static int small_memfd(void)
{
	return memfd_with("luo", 3);
}

/*
 * In a forked child: drop every capability, then open the device.  Returns
 * the child's exit code: 0 when the open succeeded, its errno otherwise.
 */
static int open_without_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int fd;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data))
		return CHILD_CAPSET_FAILED;
	fd = luo_open();
	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/* The device and one outgoing session, SESSION_NAME, closed at the end. */
FIXTURE(session) {
	int luo;
	int sfd;
};

FIXTURE_SETUP(session)
{
	self->sfd = -1;
	self->luo = luo_open();
	ASSERT_FD(self->luo);
	self->sfd = luo_create_session(self->luo, SESSION_NAME);
	ASSERT_FD(self->sfd);
}

FIXTURE_TEARDOWN(session)
{
	if (self->sfd >= 0)
		close(self->sfd);
	if (self->luo >= 0)
		close(self->luo);
}

/* Open */

TEST(open_second_opener_ebusy)
{
	int first, second, again;

	first = luo_open();
	ASSERT_FD(first);
	second = luo_open();
	EXPECT_ERRNO(EBUSY, second);
	if (second >= 0)
		close(second);
	close(first);

	/* Closing the first opener frees the device. */
	again = luo_open();
	EXPECT_GE(again, 0)
		TH_LOG("reopen after close: %s", errname(-again));
	if (again >= 0)
		close(again);
}

TEST(open_without_cap_sys_admin_eperm)
{
	int status;
	pid_t pid;

	/* This process does not hold the device while the child tries. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(open_without_caps());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(CHILD_CAPSET_FAILED, WEXITSTATUS(status))
		TH_LOG("the child could not drop its capabilities");
	EXPECT_EQ(EPERM, WEXITSTATUS(status))
		TH_LOG("unprivileged open: got %s, expected EPERM",
		       errname(WEXITSTATUS(status)));
}

/* Unknown ioctls */

TEST_F(luo, unknown_nr_enotty)
{
	struct create_ext arg = { .arg.size = sizeof(arg) };

	EXPECT_ERRNO(ENOTTY, luo_ioctl(self->luo, _IO(LIVEUPDATE_IOCTL_TYPE, 0x05), &arg));
}

TEST_F(luo, other_type_enotty)
{
	struct create_ext arg = { .arg.size = sizeof(arg), .arg.name = "errno-type" };

	EXPECT_ERRNO(ENOTTY, luo_ioctl(self->luo, _IO(0xBB, 0x00), &arg));
}

TEST_F(luo, session_ioctl_on_device_enotty)
{
	struct liveupdate_session_finish arg = { .size = sizeof(arg) };

	EXPECT_ERRNO(ENOTTY, luo_ioctl(self->luo, LIVEUPDATE_SESSION_FINISH, &arg));
}

TEST_F(session, device_ioctl_on_session_enotty)
{
	struct liveupdate_ioctl_create_session arg = {
		.size = sizeof(arg),
		.name = "errno-on-session",
	};

	EXPECT_ERRNO(ENOTTY, luo_ioctl(self->sfd, LIVEUPDATE_IOCTL_CREATE_SESSION, &arg));
	EXPECT_ERRNO(ENOTTY, luo_ioctl(self->sfd, LIVEUPDATE_IOCTL_RETRIEVE_SESSION, &arg));
	EXPECT_ERRNO(ENOTTY, luo_ioctl(self->sfd, _IO(LIVEUPDATE_IOCTL_TYPE,
						      LIVEUPDATE_CMD_SESSION_GET_NAME + 1),
				       &arg));
}

/* The size field and the tail of the extensible structures */

TEST_F(luo, create_size_too_small_einval)
{
	int sfd;

	EXPECT_ERRNO(EINVAL, create_session_sized(self->luo, "errno-small", 0, -1));
	EXPECT_ERRNO(EINVAL, create_session_sized(self->luo, "errno-small", 4, -1));
	EXPECT_ERRNO(EINVAL, create_session_sized(self->luo, "errno-small",
						  offsetof(struct liveupdate_ioctl_create_session,
							   name), -1));
	/* Only the last name byte, a NUL anyway, is missing: still too small. */
	EXPECT_ERRNO(EINVAL, create_session_sized(self->luo, "errno-small",
						  sizeof(struct liveupdate_ioctl_create_session) - 1,
						  -1));

	/* None of them created the session. */
	sfd = luo_create_session(self->luo, "errno-small");
	ASSERT_FD(sfd);
	close(sfd);
}

TEST_F(luo, create_bigger_zero_tail_ok)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];
	int sfd;

	sfd = create_session_sized(self->luo, "errno-big", sizeof(struct create_ext), -1);
	ASSERT_FD(sfd);
	EXPECT_ERRNO(0, luo_get_name(sfd, name));
	EXPECT_STREQ("errno-big", name);
	close(sfd);
}

TEST_F(luo, create_bigger_nonzero_tail_e2big)
{
	int sfd;

	EXPECT_ERRNO(E2BIG, create_session_sized(self->luo, "errno-tail",
						 sizeof(struct create_ext), 0));
	EXPECT_ERRNO(E2BIG, create_session_sized(self->luo, "errno-tail",
						 sizeof(struct create_ext), TAIL_LEN - 1));

	/* The refused calls created nothing: the name is free. */
	sfd = luo_create_session(self->luo, "errno-tail");
	ASSERT_FD(sfd);
	close(sfd);
}

/*
 * A size above the page size is refused whatever the bytes: the kernel does
 * not scan megabytes of user memory for a zero tail.  A page is the most it
 * accepts.
 */
TEST_F(luo, create_size_above_page_e2big)
{
	long page = sysconf(_SC_PAGESIZE);
	struct liveupdate_ioctl_create_session *arg;
	char *buf;
	int sfd;

	/* Room for size + 1 bytes, and size + 4096 to try a far bigger one. */
	buf = calloc(1, 2 * page + 1);
	ASSERT_NE(NULL, buf);
	arg = (void *)buf;
	memcpy(arg->name, "errno-huge", strlen("errno-huge"));

	arg->size = page + 1;
	EXPECT_ERRNO(E2BIG, luo_ioctl_fd(self->luo, LIVEUPDATE_IOCTL_CREATE_SESSION, arg,
					 &arg->fd));
	arg->size = 2 * page;
	EXPECT_ERRNO(E2BIG, luo_ioctl_fd(self->luo, LIVEUPDATE_IOCTL_CREATE_SESSION, arg,
					 &arg->fd));
	arg->size = UINT32_MAX;
	EXPECT_ERRNO(E2BIG, luo_ioctl_fd(self->luo, LIVEUPDATE_IOCTL_CREATE_SESSION, arg,
					 &arg->fd));

	/* Exactly a page, its tail zero: accepted. */
	arg->size = page;
	sfd = luo_ioctl_fd(self->luo, LIVEUPDATE_IOCTL_CREATE_SESSION, arg, &arg->fd);
	ASSERT_FD(sfd);
	close(sfd);
	free(buf);
}

TEST_F(session, preserve_size_too_small_einval)
{
	int mfd = small_memfd();

	ASSERT_FD(mfd);
	EXPECT_ERRNO(EINVAL, preserve_sized(self->sfd, mfd, 1, 0, -1));
	EXPECT_ERRNO(EINVAL, preserve_sized(self->sfd, mfd, 1, 4, -1));
	/* Without the token, which a zero would make a valid one. */
	EXPECT_ERRNO(EINVAL, preserve_sized(self->sfd, mfd, 1,
					    offsetof(struct liveupdate_session_preserve_fd,
						     token), -1));
	EXPECT_ERRNO(EINVAL, preserve_sized(self->sfd, mfd, 1,
					    sizeof(struct liveupdate_session_preserve_fd) - 1,
					    -1));

	/* None of them preserved the file. */
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, mfd, 1));
	close(mfd);
}

TEST_F(session, preserve_nonzero_tail_e2big)
{
	int mfd = small_memfd();

	ASSERT_FD(mfd);
	EXPECT_ERRNO(E2BIG, preserve_sized(self->sfd, mfd, 1, sizeof(struct preserve_ext), 0));
	EXPECT_ERRNO(E2BIG, preserve_sized(self->sfd, mfd, 1, sizeof(struct preserve_ext),
					   TAIL_LEN - 1));

	/* The same bigger layout with a zero tail is fine, and nothing was preserved. */
	EXPECT_ERRNO(0, preserve_sized(self->sfd, mfd, 1, sizeof(struct preserve_ext), -1));
	close(mfd);
}

TEST_F(session, bad_pointer_efault)
{
	static const struct {
		const char *name;
		unsigned long cmd;
		bool on_session;
	} cmds[] = {
		{ "CREATE_SESSION", LIVEUPDATE_IOCTL_CREATE_SESSION, false },
		{ "RETRIEVE_SESSION", LIVEUPDATE_IOCTL_RETRIEVE_SESSION, false },
		{ "PRESERVE_FD", LIVEUPDATE_SESSION_PRESERVE_FD, true },
		{ "RETRIEVE_FD", LIVEUPDATE_SESSION_RETRIEVE_FD, true },
		{ "FINISH", LIVEUPDATE_SESSION_FINISH, true },
		{ "GET_NAME", LIVEUPDATE_SESSION_GET_NAME, true },
	};
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ret = luo_ioctl(cmds[i].on_session ? self->sfd : self->luo, cmds[i].cmd,
				(void *)8);
		EXPECT_EQ(-EFAULT, ret)
			TH_LOG("%s with arg 8: got %s, expected EFAULT", cmds[i].name,
			       errname(ret < 0 ? -ret : 0));
	}
}

/* Session names */

TEST_F(luo, create_empty_name_einval)
{
	EXPECT_ERRNO(EINVAL, luo_create_session(self->luo, ""));
}

TEST_F(luo, create_unterminated_name_einval)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];

	memset(name, 'u', sizeof(name));
	EXPECT_ERRNO(EINVAL, luo_create_session_raw(self->luo, name, sizeof(name)));
}

TEST_F(session, create_duplicate_name_eexist)
{
	EXPECT_ERRNO(EEXIST, luo_create_session(self->luo, SESSION_NAME));
}

TEST_F(session, create_name_free_after_close)
{
	close(self->sfd);
	self->sfd = luo_create_session(self->luo, SESSION_NAME);
	ASSERT_FD(self->sfd);
}

TEST_F(luo, create_name_63_chars_ok)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH], got[LIVEUPDATE_SESSION_NAME_LENGTH];
	int i, sfd;

	for (i = 0; i < LIVEUPDATE_SESSION_NAME_LENGTH - 1; i++)
		name[i] = 'a' + i % 26;
	name[i] = '\0';
	sfd = luo_create_session(self->luo, name);
	ASSERT_FD(sfd);
	EXPECT_ERRNO(0, luo_get_name(sfd, got));
	EXPECT_STREQ(name, got);
	close(sfd);
}

/* Which files a session preserves, and how often */

TEST_F(session, preserve_bad_fd_ebadf)
{
	int mfd;

	EXPECT_ERRNO(EBADF, luo_preserve_fd(self->sfd, -1, 1));

	mfd = small_memfd();
	ASSERT_FD(mfd);
	close(mfd);
	EXPECT_ERRNO(EBADF, luo_preserve_fd(self->sfd, mfd, 2));
}

TEST_F(session, preserve_unsupported_file_enoent)
{
	int pipefd[2], null, status, mfd;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	EXPECT_ERRNO(ENOENT, luo_preserve_fd(self->sfd, pipefd[0], 1));
	close(pipefd[0]);
	close(pipefd[1]);

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_GE(null, 0);
	EXPECT_ERRNO(ENOENT, luo_preserve_fd(self->sfd, null, 2));
	close(null);

	status = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(status, 0);
	EXPECT_ERRNO(ENOENT, luo_preserve_fd(self->sfd, status, 3));
	close(status);

	/* The refusals left token 1 free. */
	mfd = small_memfd();
	ASSERT_FD(mfd);
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, mfd, 1));
	close(mfd);
}

TEST_F(session, preserve_duplicate_token_eexist)
{
	int a = small_memfd(), b = small_memfd();

	ASSERT_FD(a);
	ASSERT_FD(b);
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, a, 1));
	EXPECT_ERRNO(EEXIST, luo_preserve_fd(self->sfd, b, 1));
	/* b was not taken by the refused call. */
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, b, 2));
	close(a);
	close(b);
}

TEST_F(session, preserve_same_file_twice_ebusy)
{
	int mfd = small_memfd();

	ASSERT_FD(mfd);
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, mfd, 1));
	EXPECT_ERRNO(EBUSY, luo_preserve_fd(self->sfd, mfd, 2));
	close(mfd);
}

TEST_F(session, preserve_same_file_other_session_ebusy)
{
	int mfd = small_memfd(), other;

	ASSERT_FD(mfd);
	other = luo_create_session(self->luo, OTHER_NAME);
	ASSERT_FD(other);
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, mfd, 1));
	EXPECT_ERRNO(EBUSY, luo_preserve_fd(other, mfd, 1));
	close(other);
	close(mfd);
}

TEST_F(session, preserve_dup_fd_ebusy)
{
	int mfd = small_memfd(), dupfd;

	ASSERT_FD(mfd);
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, mfd, 1));
	dupfd = dup(mfd);
	ASSERT_GE(dupfd, 0);
	EXPECT_ERRNO(EBUSY, luo_preserve_fd(self->sfd, dupfd, 2));
	close(dupfd);
	close(mfd);
}

TEST_F(session, preserve_after_session_closed_ok)
{
	int mfd = small_memfd(), other;

	ASSERT_FD(mfd);
	other = luo_create_session(self->luo, OTHER_NAME);
	ASSERT_FD(other);
	EXPECT_ERRNO(0, luo_preserve_fd(other, mfd, 1));
	/* Closing a session unpreserves its files. */
	close(other);
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, mfd, 1));
	close(mfd);
}

/* Retrieving, in a kernel that received no sessions */

TEST_F(session, retrieve_outgoing_name_enoent)
{
	EXPECT_ERRNO(ENOENT, luo_retrieve_session(self->luo, SESSION_NAME));
}

TEST_F(luo, retrieve_unknown_name_enoent)
{
	EXPECT_ERRNO(ENOENT, luo_retrieve_session(self->luo, "errno-never-created"));
}

TEST_F(luo, retrieve_empty_name_einval)
{
	EXPECT_ERRNO(EINVAL, luo_retrieve_session(self->luo, ""));
}

TEST_F(luo, retrieve_unterminated_name_einval)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];

	memset(name, 'u', sizeof(name));
	EXPECT_ERRNO(EINVAL, luo_retrieve_session_raw(self->luo, name, sizeof(name)));
}

/* Ioctls for retrieved sessions, on an outgoing one */

TEST_F(session, retrieve_fd_outgoing_einval)
{
	int mfd = small_memfd();

	ASSERT_FD(mfd);
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, mfd, 1));
	/* Whether or not the token exists in the session. */
	EXPECT_ERRNO(EINVAL, luo_retrieve_fd(self->sfd, 1));
	EXPECT_ERRNO(EINVAL, luo_retrieve_fd(self->sfd, 2));
	close(mfd);
}

TEST_F(session, finish_outgoing_einval)
{
	int mfd = small_memfd();

	ASSERT_FD(mfd);
	EXPECT_ERRNO(EINVAL, luo_finish(self->sfd));
	EXPECT_ERRNO(0, luo_preserve_fd(self->sfd, mfd, 1));
	EXPECT_ERRNO(EINVAL, luo_finish(self->sfd));
	/* The refused finish let go of nothing: the file is still preserved. */
	EXPECT_ERRNO(EBUSY, luo_preserve_fd(self->sfd, mfd, 2));
	close(mfd);
}

TEST_F(session, finish_reserved_nonzero_einval)
{
	EXPECT_ERRNO(EINVAL, luo_finish_reserved(self->sfd, 1));
}

/* GET_NAME */

TEST_F(session, get_name_returns_name)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];

	EXPECT_ERRNO(0, luo_get_name(self->sfd, name));
	ASSERT_NE(NULL, memchr(name, '\0', sizeof(name)))
		TH_LOG("the name is not NUL-terminated");
	EXPECT_STREQ(SESSION_NAME, name);
}

TEST_F(session, get_name_reserved_nonzero_einval)
{
	char name[LIVEUPDATE_SESSION_NAME_LENGTH];

	EXPECT_ERRNO(EINVAL, luo_get_name_reserved(self->sfd, 1, name));
}

TEST_HARNESS_MAIN
