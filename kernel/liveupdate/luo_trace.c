// SPDX-License-Identifier: GPL-2.0
/*
 * Live Update Orchestrator: tracepoints, BPF hooks and the record's clock.
 */

/**
 * DOC: LUO BPF hooks
 *
 * Each fallible step of LUO first calls a hook, an empty function that
 * returns 0.  The hooks are noinline and weak (so the compiler can neither
 * inline them nor assume their result), visible in BTF, and on the
 * error-injection list: a BPF ``fmod_ret`` program, or fail_function, can
 * make one return a negative errno, and LUO then handles that step as if
 * it had failed there with that errno.  The step's handler or FLB callback
 * is not called, the failure is rolled back like a real one, and the
 * step's tracepoint reports the injected error.  Errors outside
 * [-MAX_ERRNO, -1] are ignored.  Documentation/liveupdate-tracing.rst
 * says, for each hook, when it runs and what an error there undoes.
 */

#include <linux/error-injection.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#ifdef CONFIG_X86
#include <asm/tsc.h>
#endif

#include "luo_internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/liveupdate.h>

/**
 * luo_hook_session_create - Hook before a session is created.
 * @session: The requested name.
 *
 * An error fails LIVEUPDATE_IOCTL_CREATE_SESSION with it; nothing exists
 * yet, so nothing is undone.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_session_create(const char *session)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_session_create, ERRNO);

/**
 * luo_hook_session_retrieve - Hook before an incoming session is retrieved.
 * @session: The requested name.
 *
 * An error fails LIVEUPDATE_IOCTL_RETRIEVE_SESSION with it; the session
 * stays unretrieved and can be retrieved again.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_session_retrieve(const char *session)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_session_retrieve, ERRNO);

/**
 * luo_hook_file_preserve - Hook before a handler preserves a file.
 * @session: The session's name.
 * @handler: The compatible string of the handler that took the file.
 * @token:   The file's token.
 *
 * Runs after a handler accepted the file, before the FLBs and the
 * handler's preserve().  An error fails LIVEUPDATE_SESSION_PRESERVE_FD
 * with it; the file is not preserved and the handler is released.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_file_preserve(const char *session,
					   const char *handler, u64 token)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_file_preserve, ERRNO);

/**
 * luo_hook_file_freeze - Hook before a handler freezes a file at reboot.
 * @session: The session's name.
 * @handler: The file's handler.
 * @token:   The file's token.
 *
 * An error counts as the handler's freeze() failing: the files frozen
 * before are unfrozen, and the kexec is refused with the error.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_file_freeze(const char *session,
					 const char *handler, u64 token)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_file_freeze, ERRNO);

/**
 * luo_hook_file_retrieve - Hook before a handler restores a file.
 * @session: The session's name.
 * @handler: The file's handler.
 * @token:   The file's token.
 *
 * An error fails LIVEUPDATE_SESSION_RETRIEVE_FD with it.  Unlike an error
 * of the handler's retrieve(), it is not remembered: the file stays as
 * the previous kernel left it and a later retrieve may succeed.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_file_retrieve(const char *session,
					   const char *handler, u64 token)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_file_retrieve, ERRNO);

/**
 * luo_hook_file_can_finish - Hook before a handler is asked can_finish().
 * @session: The session's name.
 * @handler: The file's handler.
 * @token:   The file's token.
 *
 * An error fails LIVEUPDATE_SESSION_FINISH with it before any file is
 * finished; the session stays retrieved and unfinished.  At the close of
 * an unfinished session it finishes nothing either: the session returns
 * to the incoming ones.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_file_can_finish(const char *session,
					     const char *handler, u64 token)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_file_can_finish, ERRNO);

/**
 * luo_hook_flb_preserve - Hook before an FLB's preserve().
 * @flb:     The FLB's compatible string.
 * @handler: The handler of the file being preserved.
 *
 * Runs when the first file using the FLB is preserved.  An error fails
 * that file's preserve: the FLBs taken before are released, the file is
 * not preserved.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_flb_preserve(const char *flb, const char *handler)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_flb_preserve, ERRNO);

/**
 * luo_hook_flb_retrieve - Hook before an incoming FLB's retrieve().
 * @flb: The FLB's compatible string.
 *
 * An error is returned by liveupdate_flb_get_incoming(), or fails the
 * SESSION_FINISH that needed the FLB before any file is finished; the FLB
 * stays unretrieved and a later call may succeed.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_flb_retrieve(const char *flb)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_flb_retrieve, ERRNO);

/**
 * luo_hook_serialize - Hook before the handover is completed at the reboot.
 * @nr_sessions: Sessions to hand over.
 * @nr_files:    Files in them.
 *
 * Runs with every file frozen.  An error unfreezes every file and refuses
 * the kexec with it; the sessions are usable again.
 *
 * Return: 0 (or what BPF makes it return).
 */
__weak noinline int luo_hook_serialize(unsigned long nr_sessions,
				       unsigned long nr_files)
{
	return 0;
}
ALLOW_ERROR_INJECTION(luo_hook_serialize, ERRNO);

/**
 * DOC: LUO record clock
 *
 * On x86 the record is timed with rdtsc: kexec does not reset the TSC (nor
 * does QEMU on a guest kexec), so timestamps of both kernels lie on one
 * time line.  Each update stores tsc_khz to turn cycles into ns, 0 when
 * the kernel could not calibrate the TSC (as happens under emulation); the
 * other kernel's rate then serves.  Elsewhere the record uses
 * CLOCK_MONOTONIC, which restarts at each boot.
 *
 * Durations of callbacks (the events' duration_ns, the record's costs) are
 * in ns: from the TSC when its rate is known, else from CLOCK_MONOTONIC.
 */
static bool luo_clock_tsc(void)
{
#ifdef CONFIG_X86
	return boot_cpu_has(X86_FEATURE_TSC);
#else
	return false;
#endif
}

/* The reading itself, inlined into the watch's two calls a file. */
static __always_inline u64 __luo_clock(void)
{
#ifdef CONFIG_X86
	if (luo_clock_tsc())
		return rdtsc_ordered();
#endif
	return ktime_get_ns();
}

/**
 * luo_clock - Read the record's clock.
 *
 * Return: TSC cycles, or ns of CLOCK_MONOTONIC without a TSC.
 */
u64 luo_clock(void)
{
	return __luo_clock();
}

/**
 * luo_clock_id - Which clock luo_clock() reads.
 *
 * Return: LUO_RECORD_CLOCK_TSC or LUO_RECORD_CLOCK_MONO.
 */
u32 luo_clock_id(void)
{
	return luo_clock_tsc() ? LUO_RECORD_CLOCK_TSC : LUO_RECORD_CLOCK_MONO;
}

/**
 * luo_clock_khz - The rate of luo_clock().
 *
 * Return: kHz, 0 when the TSC's rate is unknown.
 */
u32 luo_clock_khz(void)
{
#ifdef CONFIG_X86
	if (luo_clock_tsc())
		return tsc_khz;
#endif
	return NSEC_PER_MSEC;
}

/* Whether a span of luo_clock() converts to ns: no TSC, or its rate known. */
static bool luo_clock_rated(void)
{
#ifdef CONFIG_X86
	return !luo_clock_tsc() || tsc_khz;
#else
	return true;
#endif
}

/**
 * luo_watch_start - Start timing a callback.
 * @w: The watch.
 */
void luo_watch_start(struct luo_watch *w)
{
	w->clock = __luo_clock();
	if (!luo_clock_rated())
		w->ns = ktime_get_ns();
}

/**
 * luo_watch_stop - Stop timing a callback.
 * @w: The watch: its @clock becomes this luo_clock() reading.
 *
 * Return: ns since luo_watch_start(), as luo_ns() would time them: from
 * the TSC's rate, or CLOCK_MONOTONIC when that is unknown (or no TSC).
 */
u64 luo_watch_stop(struct luo_watch *w)
{
	u64 t0 = w->clock;

	w->clock = __luo_clock();
	if (!luo_clock_rated())
		return ktime_get_ns() - w->ns;
#ifdef CONFIG_X86
	if (luo_clock_tsc())
		return mul_u64_u32_div(w->clock - t0, NSEC_PER_MSEC, tsc_khz);
#endif
	return w->clock - t0;
}

/**
 * luo_ns - A time in ns for measuring durations.
 *
 * Return: ns from the TSC when its rate is known, else CLOCK_MONOTONIC.
 */
u64 luo_ns(void)
{
#ifdef CONFIG_X86
	u32 khz = tsc_khz;

	if (luo_clock_tsc() && khz)
		return mul_u64_u32_div(rdtsc_ordered(), NSEC_PER_MSEC, khz);
#endif
	return ktime_get_ns();
}
