// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the orchestration, start-up and the reboot (the
 * state they share is luo_state.c's).
 */

/**
 * DOC: Live Update Orchestrator
 *
 * LUO lets userspace carry chosen files across a kexec.  An agent opens
 * /dev/liveupdate, creates named sessions and preserves file descriptors in
 * them; each file's handler (memfd, for one) preserves the file's state
 * through KHO.  At the kexec, liveupdate_reboot() freezes every preserved
 * file and serializes the sessions into the "LUO" KHO subtree.  The next
 * kernel validates what it received, and the agent retrieves its sessions
 * by name, its files by token, and finishes each session to let the kernel
 * release what the previous kernel preserved.
 *
 * LUO runs when KHO does and the command line says ``liveupdate=on``.
 */

#define pr_fmt(fmt) "luo: " fmt

#include <linux/init.h>
#include <linux/liveupdate.h>

#include "luo_internal.h"
#include <trace/events/liveupdate.h>

/* Undo luo_file_freeze() on the sessions before @stop (NULL: all). */
static void luo_unfreeze_sessions(struct luo_session *stop)
{
	struct luo_session *session;

	list_for_each_entry(session, &luo.sessions, list) {
		if (session == stop)
			break;
		luo_file_unfreeze(session);
	}
}

/**
 * liveupdate_reboot - Freeze and hand over every preserved file.
 *
 * Called by kexec just before it jumps into the next kernel, with userspace
 * still running.  From here on sessions cannot change.  Every file of every
 * open session is frozen by its handler; if one refuses, those frozen
 * before it are unfrozen, the sessions become usable again and the error
 * aborts the kexec.  Otherwise the sessions are serialized for the next
 * kernel.
 *
 * Return: 0 to go ahead with the kexec, or a negative errno to abort it.
 */
int liveupdate_reboot(void)
{
	unsigned long nr_sessions, nr_files;
	struct luo_session *session;
	int err = 0;
	u64 t0;

	if (!liveupdate_enabled())
		return 0;

	t0 = luo_ns();
	mutex_lock(&luo.lock);
	luo.rebooting = true;
	/*
	 * A preserve that began before the flag was set ends before this;
	 * those after it fail with -EBUSY.  Closes and finishes wait for
	 * luo.lock: every outgoing session's files are the reboot's, and no
	 * session's lock is taken (under lockdep, two lock operations a
	 * session cost more than freezing its file).
	 */
	down_write(&luo.files_sem);
	nr_sessions = luo.out_sessions.count;
	nr_files = atomic_long_read(&luo.out_files);
	trace_luo_reboot_begin(nr_sessions, nr_files);
	luo_record_reboot_begin(nr_sessions, nr_files);
	list_for_each_entry(session, &luo.sessions, list) {
		err = luo_file_freeze(session);
		if (err) {
			luo_unfreeze_sessions(session);
			goto out;
		}
	}
	luo_record_reboot_step(LUO_REC_FREEZE_END, 0, 0);
	err = luo_serialize();
	if (err)
		luo_unfreeze_sessions(NULL);
out:
	if (err) {
		luo_record_reboot_step(LUO_REC_ABORT, err, 0);
		luo.rebooting = false;
	}
	up_write(&luo.files_sem);
	trace_luo_reboot_end(nr_sessions, nr_files, err,
			     luo_ns() - t0);
	mutex_unlock(&luo.lock);
	return err;
}

static int __init luo_init(void)
{
	int err;

	if (!luo_configured()) {
		if (luo_requested())
			pr_info("KHO is off: live update disabled\n");
		return 0;
	}

	/*
	 * Whatever can fail comes first: once the previous kernel's sessions
	 * are taken, nothing may leave them without a way to be retrieved
	 * and finished.  Userspace does not run yet, so the device has no
	 * user before LUO is enabled.
	 */
	err = luo_fdt_init_out();
	if (err) {
		pr_err("cannot set up the handover to the next kernel: %pe\n",
		       ERR_PTR(err));
		return err;
	}
	err = luo_device_init();
	if (err) {
		pr_err("cannot register /dev/liveupdate: %pe\n", ERR_PTR(err));
		luo_fdt_exit_out();
		return err;
	}
	luo_incoming_init();
	luo_fdt_renumber_out();
	luo_record_init();
	WRITE_ONCE(luo.enabled, true);
	return 0;
}
late_initcall(luo_init);
