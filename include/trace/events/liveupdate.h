/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live Update Orchestrator tracepoints.
 *
 * One event per transition, fired when the transition is over, with its
 * result and, for the transitions that call a file handler or an FLB, the
 * time that callback took.  Documentation/liveupdate-tracing.rst lists
 * them and says why they are single events rather than enter/exit pairs.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM liveupdate

#if !defined(_TRACE_LIVEUPDATE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_LIVEUPDATE_H

#include <linux/tracepoint.h>

/**
 * DOC: liveupdate session events
 *
 * luo_session_create, luo_session_retrieve, luo_session_release and
 * luo_session_finish carry the session name, the number of files the
 * session holds after the transition (for release: the files it held) and
 * the result, 0 or a negative errno.  Once a session exists, every event
 * of it (and its files' events) passes the session's own copy of its name:
 * a BPF program may key the session by that address while it lives (from
 * create or retrieve to release), without reading the string.
 */
DECLARE_EVENT_CLASS(luo_session_class,
		    TP_PROTO(const char *session, unsigned long nr_files, int result),
		    TP_ARGS(session, nr_files, result),
		    TP_STRUCT__entry(__string(session, session)
				     __field(unsigned long, nr_files)
				     __field(int, result)),
		    TP_fast_assign(__assign_str(session);
				   __entry->nr_files = nr_files;
				   __entry->result = result;),
		    TP_printk("session=%s files=%lu result=%d",
			      __get_str(session), __entry->nr_files, __entry->result)
);

/**
 * luo_session_create - A session was created, or creation failed.
 * @session:  The session name ("" when the name given was invalid).
 * @nr_files: Always 0.
 * @result:   0 or the negative errno returned to userspace.
 */
DEFINE_EVENT(luo_session_class, luo_session_create,
	     TP_PROTO(const char *session, unsigned long nr_files, int result),
	     TP_ARGS(session, nr_files, result));

/**
 * luo_session_retrieve - An incoming session was retrieved, or not.
 * @session:  The session name ("" when the name given was invalid).
 * @nr_files: Files it holds.
 * @result:   0 or the negative errno returned to userspace.
 */
DEFINE_EVENT(luo_session_class, luo_session_retrieve,
	     TP_PROTO(const char *session, unsigned long nr_files, int result),
	     TP_ARGS(session, nr_files, result));

/**
 * luo_session_release - A session's last file descriptor was closed.
 * @session:  The session name ("" when the name given was invalid).
 * @nr_files: Files it held (unpreserved, or discarded if incoming; kept when
 *            the reboot froze it).
 * @result:   Always 0.
 */
DEFINE_EVENT(luo_session_class, luo_session_release,
	     TP_PROTO(const char *session, unsigned long nr_files, int result),
	     TP_ARGS(session, nr_files, result));

/**
 * luo_session_finish - LIVEUPDATE_SESSION_FINISH ended.
 * @session:  The session name ("" when the name given was invalid).
 * @nr_files: Files it held before.
 * @result:   0 or the negative errno returned to userspace.
 */
DEFINE_EVENT(luo_session_class, luo_session_finish,
	     TP_PROTO(const char *session, unsigned long nr_files, int result),
	     TP_ARGS(session, nr_files, result));

/**
 * DOC: liveupdate file events
 *
 * luo_file_preserve, luo_file_unpreserve, luo_file_freeze,
 * luo_file_unfreeze, luo_file_retrieve, luo_file_can_finish and
 * luo_file_finish carry the session name, the handler's compatible string
 * (empty when no handler took the file), the file's token, the result (for
 * can_finish: 1 yes, 0 not yet, or an injected errno) and duration_ns, the
 * time the handler's callback took (0 when it was not called).
 */
DECLARE_EVENT_CLASS(luo_file_class,
		    TP_PROTO(const char *session, const char *handler, u64 token,
			     int result, u64 duration_ns),
		    TP_ARGS(session, handler, token, result, duration_ns),
		    TP_STRUCT__entry(__string(session, session)
				     __string(handler, handler)
				     __field(u64, token)
				     __field(u64, duration_ns)
				     __field(int, result)),
		    TP_fast_assign(__assign_str(session);
				   __assign_str(handler);
				   __entry->token = token;
				   __entry->duration_ns = duration_ns;
				   __entry->result = result;),
		    TP_printk("session=%s handler=%s token=%llu result=%d duration_ns=%llu",
			      __get_str(session), __get_str(handler), __entry->token,
			      __entry->result, __entry->duration_ns)
);

/**
 * luo_file_preserve - A file preserve ended.
 * @session:     The session name.
 * @handler:     The handler's compatible string ("" when none).
 * @token:       The file's token.
 * @result:      0 or the negative errno.
 * @duration_ns: Time the handler's callback took, 0 when not called.
 */
DEFINE_EVENT(luo_file_class, luo_file_preserve,
	     TP_PROTO(const char *session, const char *handler, u64 token,
		      int result, u64 duration_ns),
	     TP_ARGS(session, handler, token, result, duration_ns));

/**
 * luo_file_unpreserve - A file was unpreserved (its session closed).
 * @session:     The session name.
 * @handler:     The handler's compatible string ("" when none).
 * @token:       The file's token.
 * @result:      Always 0.
 * @duration_ns: Time the handler's callback took, 0 when not called.
 */
DEFINE_EVENT(luo_file_class, luo_file_unpreserve,
	     TP_PROTO(const char *session, const char *handler, u64 token,
		      int result, u64 duration_ns),
	     TP_ARGS(session, handler, token, result, duration_ns));

/**
 * luo_file_freeze - A file was frozen for the reboot, or refused.
 * @session:     The session name.
 * @handler:     The handler's compatible string ("" when none).
 * @token:       The file's token.
 * @result:      0 or the errno that refuses the kexec.
 * @duration_ns: Time the handler's callback took, 0 when not called.
 */
DEFINE_EVENT(luo_file_class, luo_file_freeze,
	     TP_PROTO(const char *session, const char *handler, u64 token,
		      int result, u64 duration_ns),
	     TP_ARGS(session, handler, token, result, duration_ns));

/**
 * luo_file_unfreeze - A frozen file was thawed after a refused reboot.
 * @session:     The session name.
 * @handler:     The handler's compatible string ("" when none).
 * @token:       The file's token.
 * @result:      Always 0.
 * @duration_ns: Time the handler's callback took, 0 when not called.
 */
DEFINE_EVENT(luo_file_class, luo_file_unfreeze,
	     TP_PROTO(const char *session, const char *handler, u64 token,
		      int result, u64 duration_ns),
	     TP_ARGS(session, handler, token, result, duration_ns));

/**
 * luo_file_retrieve - A file retrieve ended.
 * @session:     The session name.
 * @handler:     The handler's compatible string ("" when none).
 * @token:       The file's token.
 * @result:      0 or the negative errno.
 * @duration_ns: Time the handler's callback took, 0 when not called.
 */
DEFINE_EVENT(luo_file_class, luo_file_retrieve,
	     TP_PROTO(const char *session, const char *handler, u64 token,
		      int result, u64 duration_ns),
	     TP_ARGS(session, handler, token, result, duration_ns));

/**
 * luo_file_can_finish - A handler was asked whether a file can finish.
 * @session:     The session name.
 * @handler:     The handler's compatible string ("" when none).
 * @token:       The file's token.
 * @result:      1 yes, 0 not yet, or an injected negative errno.
 * @duration_ns: Time the handler's callback took, 0 when not called.
 */
DEFINE_EVENT(luo_file_class, luo_file_can_finish,
	     TP_PROTO(const char *session, const char *handler, u64 token,
		      int result, u64 duration_ns),
	     TP_ARGS(session, handler, token, result, duration_ns));

/**
 * luo_file_finish - An incoming file was finished.
 * @session:     The session name.
 * @handler:     The handler's compatible string ("" when none).
 * @token:       The file's token.
 * @result:      0, or -ENOENT when dropped for want of a handler.
 * @duration_ns: Time the handler's callback took, 0 when not called.
 */
DEFINE_EVENT(luo_file_class, luo_file_finish,
	     TP_PROTO(const char *session, const char *handler, u64 token,
		      int result, u64 duration_ns),
	     TP_ARGS(session, handler, token, result, duration_ns));

/**
 * DOC: liveupdate FLB events
 *
 * luo_flb_preserve, luo_flb_unpreserve, luo_flb_retrieve and
 * luo_flb_finish carry the FLB's compatible string, the compatible string
 * of the handler whose file caused the transition, the number of files
 * using the FLB after it, the result and the FLB callback's duration_ns.
 * They fire only when the FLB's callback runs (first file in, last out).
 * The handler is empty for a retrieve that a handler asked for through
 * liveupdate_flb_get_incoming(), which does not say who calls.
 */
DECLARE_EVENT_CLASS(luo_flb_class,
		    TP_PROTO(const char *flb, const char *handler, u64 count, int result,
			     u64 duration_ns),
		    TP_ARGS(flb, handler, count, result, duration_ns),
		    TP_STRUCT__entry(__string(flb, flb)
				     __string(handler, handler)
				     __field(u64, count)
				     __field(u64, duration_ns)
				     __field(int, result)),
		    TP_fast_assign(__assign_str(flb);
				   __assign_str(handler);
				   __entry->count = count;
				   __entry->duration_ns = duration_ns;
				   __entry->result = result;),
		    TP_printk("flb=%s handler=%s count=%llu result=%d duration_ns=%llu",
			      __get_str(flb), __get_str(handler), __entry->count,
			      __entry->result, __entry->duration_ns)
);

/**
 * luo_flb_preserve - An FLB's preserve() ran for its first file.
 * @flb:         The FLB's compatible string.
 * @handler:     The handler whose file caused it ("" when none).
 * @count:       Files using the FLB after it.
 * @result:      0 or the negative errno.
 * @duration_ns: Time the FLB's callback took.
 */
DEFINE_EVENT(luo_flb_class, luo_flb_preserve,
	     TP_PROTO(const char *flb, const char *handler, u64 count, int result,
		      u64 duration_ns),
	     TP_ARGS(flb, handler, count, result, duration_ns));

/**
 * luo_flb_unpreserve - An FLB's unpreserve() ran after its last file.
 * @flb:         The FLB's compatible string.
 * @handler:     The handler whose file caused it ("" when none).
 * @count:       Files using the FLB after it.
 * @result:      Always 0.
 * @duration_ns: Time the FLB's callback took.
 */
DEFINE_EVENT(luo_flb_class, luo_flb_unpreserve,
	     TP_PROTO(const char *flb, const char *handler, u64 count, int result,
		      u64 duration_ns),
	     TP_ARGS(flb, handler, count, result, duration_ns));

/**
 * luo_flb_retrieve - An incoming FLB's retrieve() ran.
 * @flb:         The FLB's compatible string.
 * @handler:     The handler whose file caused it ("" when none).
 * @count:       Incoming files still using it.
 * @result:      0 or the negative errno.
 * @duration_ns: Time the FLB's callback took.
 */
DEFINE_EVENT(luo_flb_class, luo_flb_retrieve,
	     TP_PROTO(const char *flb, const char *handler, u64 count, int result,
		      u64 duration_ns),
	     TP_ARGS(flb, handler, count, result, duration_ns));

/**
 * luo_flb_finish - An incoming FLB's last file finished.
 * @flb:         The FLB's compatible string.
 * @handler:     The handler whose file caused it ("" when none).
 * @count:       Always 0.
 * @result:      0, or the retrieve() error that kept finish() from running.
 * @duration_ns: Time the FLB's callback took.
 */
DEFINE_EVENT(luo_flb_class, luo_flb_finish,
	     TP_PROTO(const char *flb, const char *handler, u64 count, int result,
		      u64 duration_ns),
	     TP_ARGS(flb, handler, count, result, duration_ns));

/**
 * luo_reboot_begin - The kexec reboot starts freezing the sessions.
 * @nr_sessions: Outgoing sessions.
 * @nr_files:    Files preserved in them.
 */
TRACE_EVENT(luo_reboot_begin,
	    TP_PROTO(unsigned long nr_sessions, unsigned long nr_files),
	    TP_ARGS(nr_sessions, nr_files),
	    TP_STRUCT__entry(__field(unsigned long, nr_sessions)
			     __field(unsigned long, nr_files)),
	    TP_fast_assign(__entry->nr_sessions = nr_sessions;
			   __entry->nr_files = nr_files;),
	    TP_printk("sessions=%lu files=%lu",
		      __entry->nr_sessions, __entry->nr_files)
);

/**
 * luo_reboot_end - The reboot froze and serialized everything, or failed.
 * @nr_sessions: Outgoing sessions.
 * @nr_files:    Files preserved in them.
 * @result:      0 (the kexec goes ahead) or the errno that refuses it.
 * @duration_ns: Time since luo_reboot_begin.
 */
TRACE_EVENT(luo_reboot_end,
	    TP_PROTO(unsigned long nr_sessions, unsigned long nr_files, int result,
		     u64 duration_ns),
	    TP_ARGS(nr_sessions, nr_files, result, duration_ns),
	    TP_STRUCT__entry(__field(unsigned long, nr_sessions)
			     __field(unsigned long, nr_files)
			     __field(u64, duration_ns)
			     __field(int, result)),
	    TP_fast_assign(__entry->nr_sessions = nr_sessions;
			   __entry->nr_files = nr_files;
			   __entry->duration_ns = duration_ns;
			   __entry->result = result;),
	    TP_printk("sessions=%lu files=%lu result=%d duration_ns=%llu",
		      __entry->nr_sessions, __entry->nr_files, __entry->result,
		      __entry->duration_ns)
);

/**
 * luo_serialize - The handover for the next kernel was written.
 * @nr_sessions: Sessions in it.
 * @nr_files:    Files in it.
 * @nr_flbs:     FLBs in it.
 * @bytes:       Bytes of descriptors handed over.
 * @result:      0 or a negative errno.
 * @duration_ns: Time it took.
 */
TRACE_EVENT(luo_serialize,
	    TP_PROTO(unsigned long nr_sessions, unsigned long nr_files,
		     unsigned long nr_flbs, u64 bytes, int result, u64 duration_ns),
	    TP_ARGS(nr_sessions, nr_files, nr_flbs, bytes, result, duration_ns),
	    TP_STRUCT__entry(__field(unsigned long, nr_sessions)
			     __field(unsigned long, nr_files)
			     __field(unsigned long, nr_flbs)
			     __field(u64, bytes)
			     __field(u64, duration_ns)
			     __field(int, result)),
	    TP_fast_assign(__entry->nr_sessions = nr_sessions;
			   __entry->nr_files = nr_files;
			   __entry->nr_flbs = nr_flbs;
			   __entry->bytes = bytes;
			   __entry->duration_ns = duration_ns;
			   __entry->result = result;),
	    TP_printk("sessions=%lu files=%lu flbs=%lu bytes=%llu result=%d duration_ns=%llu",
		      __entry->nr_sessions, __entry->nr_files, __entry->nr_flbs,
		      __entry->bytes, __entry->result, __entry->duration_ns)
);

/**
 * luo_incoming - The new kernel read the previous kernel's handover.
 * @number:      The liveupdate-number received (0: none).
 * @nr_sessions: Sessions that passed validation.
 * @nr_files:    Files in them.
 * @dropped:     Sessions refused by validation.
 * @nr_flbs:     FLBs received.
 * @result:      0, or the errno that made the whole handover unusable.
 */
TRACE_EVENT(luo_incoming,
	    TP_PROTO(u64 number, unsigned long nr_sessions, unsigned long nr_files,
		     unsigned long dropped, unsigned long nr_flbs, int result),
	    TP_ARGS(number, nr_sessions, nr_files, dropped, nr_flbs, result),
	    TP_STRUCT__entry(__field(u64, number)
			     __field(unsigned long, nr_sessions)
			     __field(unsigned long, nr_files)
			     __field(unsigned long, dropped)
			     __field(unsigned long, nr_flbs)
			     __field(int, result)),
	    TP_fast_assign(__entry->number = number;
			   __entry->nr_sessions = nr_sessions;
			   __entry->nr_files = nr_files;
			   __entry->dropped = dropped;
			   __entry->nr_flbs = nr_flbs;
			   __entry->result = result;),
	    TP_printk("number=%llu sessions=%lu files=%lu dropped=%lu flbs=%lu result=%d",
		      __entry->number, __entry->nr_sessions, __entry->nr_files,
		      __entry->dropped, __entry->nr_flbs, __entry->result)
);

#endif /* _TRACE_LIVEUPDATE_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
