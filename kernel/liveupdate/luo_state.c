// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: the state every part of LUO shares, and whether
 * this boot runs LUO at all.  It calls into no other file of LUO: the
 * orchestration (start-up, the reboot) is luo_core.c's.
 */

#include <linux/init.h>
#include <linux/kexec_handover.h>
#include <linux/liveupdate.h>
#include <linux/kstrtox.h>
#include <linux/random.h>

#include "luo_internal.h"

struct luo_global luo = {
	.lock = __MUTEX_INITIALIZER(luo.lock),
	.sessions = LIST_HEAD_INIT(luo.sessions),
	.incoming = LIST_HEAD_INIT(luo.incoming),
	.names = RB_ROOT,
	.files_sem = __RWSEM_INITIALIZER(luo.files_sem),
	.out_sessions = {
		.blocks = XARRAY_INIT(luo.out_sessions.blocks, 0),
		.kind = LUO_BLOCK_SESSIONS,
		.esize = sizeof(struct luo_session_ser),
	},
	.out_flbs = {
		.blocks = XARRAY_INIT(luo.out_flbs.blocks, 0),
		.kind = LUO_BLOCK_FLBS,
		.esize = sizeof(struct luo_flb_ser),
	},
};

static bool luo_param __ro_after_init;

static int __init luo_parse_param(char *buf)
{
	return kstrtobool(buf, &luo_param);
}
early_param("liveupdate", luo_parse_param);

/*
 * The key of every block of the outgoing handover, never 0 (a block of
 * zeroes must not pass for one of ours).  Drawn before any initcall that
 * may register an FLB, whose room in the handover is a block already.
 */
static int __init luo_key_init(void)
{
	luo.block_key = get_random_u64() | 1;
	return 0;
}
early_initcall(luo_key_init);

/**
 * luo_requested - Whether the command line asked for live update.
 *
 * Return: true for ``liveupdate=on``, whether or not KHO is enabled.
 */
bool luo_requested(void)
{
	return luo_param;
}

/**
 * luo_configured - Whether this boot asked for live update.
 *
 * Return: true when the command line enabled LUO and KHO is on.  Handlers
 * and FLBs may register from then on, whatever the order of the initcalls
 * that run them and luo_init(); an FLB's room in the handover is KHO
 * memory, so FLBs register once KHO started (fs_initcall) or later.
 */
bool luo_configured(void)
{
	return luo_param && kho_is_enabled();
}

/**
 * liveupdate_enabled - Whether the Live Update Orchestrator runs.
 *
 * Return: true when the command line enabled LUO, KHO is enabled, and LUO
 * started; file handlers may use it to skip work that only a live update
 * needs.
 */
bool liveupdate_enabled(void)
{
	return luo_configured() && READ_ONCE(luo.enabled);
}
EXPORT_SYMBOL_GPL(liveupdate_enabled);
