/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What luo_inject.bpf.c and its loader luo_inject_test.c share: which
 * call of which LUO hook the BPF programs fail, and the events they
 * record from LUO's file tracepoints.
 */
#ifndef LUO_INJECT_H
#define LUO_INJECT_H

/* Only sessions whose name begins so are the test's: others are ignored. */
#define INJ_SESSION_PREFIX	"inj-"

/* LIVEUPDATE_SESSION_NAME_LENGTH and LIVEUPDATE_HNDL_COMPAT_LENGTH. */
#define INJ_NAME_LEN		64
#define INJ_HANDLER_LEN		48

/* The hooks an fmod_ret program can fail: index of struct inj_target. */
enum inj_hook {
	INJ_HOOK_PRESERVE,	/* luo_hook_file_preserve */
	INJ_HOOK_FREEZE,	/* luo_hook_file_freeze */
	INJ_HOOK_RETRIEVE,	/* luo_hook_file_retrieve */
	INJ_HOOK_CAN_FINISH,	/* luo_hook_file_can_finish */
	INJ_NR_HOOKS
};

/**
 * struct inj_target - The calls of one hook that fail.
 * @session: Name of the session whose files fail, or "" for any of the
 *           test's sessions.
 * @token:   Token of the file that fails, or 0 for any.
 * @nth:     Fail only the nth call that matches @session and @token,
 *           counted from 1 since the load; 0 fails every one.
 * @error:   What the hook returns: a negative errno.
 */
struct inj_target {
	char session[INJ_NAME_LEN];
	__u64 token;
	__u32 nth;
	__s32 error;
};

/* The tracepoints recorded: enum value of struct inj_event's type. */
enum inj_event_type {
	INJ_EV_PRESERVE,	/* luo_file_preserve */
	INJ_EV_FREEZE,		/* luo_file_freeze */
	INJ_EV_UNFREEZE,	/* luo_file_unfreeze */
	INJ_EV_RETRIEVE,	/* luo_file_retrieve */
};

/**
 * struct inj_event - One file event of a test's session, in the ring buffer.
 * @token:   The file's token.
 * @result:  The event's result: 0 or a negative errno.
 * @type:    &enum inj_event_type.
 * @session: The session's name.
 * @handler: The handler's compatible string, "" when no handler took it.
 */
struct inj_event {
	__u64 token;
	__s32 result;
	__u32 type;
	char session[INJ_NAME_LEN];
	char handler[INJ_HANDLER_LEN];
};

#endif /* LUO_INJECT_H */
