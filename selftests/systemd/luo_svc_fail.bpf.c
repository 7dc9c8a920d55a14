// SPDX-License-Identifier: GPL-2.0
/*
 * luo_svc_fail.bpf.c - fail the preserve of one file, chosen by its inode
 * number or, for a memfd, its name, whoever preserves it: systemd-shutdown
 * preserving the fd stores, say.  (A memfd LUO restored has no name: after
 * one update, only the inode tells it.)
 *
 * LUO's hook luo_hook_file_preserve() knows the session, the handler and
 * the token, not the file.  The file is the one PRESERVE_FD was asked
 * for: the fd in the ioctl's argument (the third syscall argument, in the
 * user registers of the task), looked up in the task's file table; a memfd's
 * dentry is named "memfd:NAME".
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "luo_helpers.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define NAME_LEN	64

/* Set by the loader before the load. */
const volatile char target[NAME_LEN] = {};	/* "memfd:NAME", or "" */
const volatile __u64 target_ino;		/* or the inode, or 0 */
const volatile int error = -5;			/* -EIO */

/* What was failed: read back through the pinned map. */
__u64 failed;
__u64 failed_token;

struct preserve_arg {		/* struct liveupdate_session_preserve_fd */
	__u32 size;
	__s32 fd;
	__u64 token;
};

SEC("fmod_ret/luo_hook_file_preserve")
int BPF_PROG(fail_named, const char *session, const char *handler, __u64 token, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	struct file **fds, *file;
	struct preserve_arg arg;
	char name[NAME_LEN];
	unsigned int max;

	if (ret)
		return ret;
	if (bpf_probe_read_user(&arg, sizeof(arg), (void *)BPF_CORE_READ(regs, dx)) ||
	    arg.token != token || arg.fd < 0)
		return 0;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	max = BPF_CORE_READ(task, files, fdt, max_fds);
	if ((unsigned int)arg.fd >= max ||
	    bpf_probe_read_kernel(&file, sizeof(file), &fds[arg.fd]) || !file)
		return 0;
	if (target_ino) {
		if (BPF_CORE_READ(file, f_inode, i_ino) != target_ino)
			return 0;
	} else if (bpf_probe_read_kernel_str(name, sizeof(name),
					     BPF_CORE_READ(file, f_path.dentry, d_name.name)) < 0 ||
		   !luo_str_eq(name, target, NAME_LEN)) {
		return 0;
	}
	failed++;
	failed_token = token;
	return error;
}
