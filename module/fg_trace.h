/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard's tracepoints, system "freezeguard" in tracefs:
 *   freezeguard_transition  every step of the core that may change a
 *                           session (refusals too), once the glue has its
 *                           verdict
 *   freezeguard_fs_freeze   each filesystem a freeze froze, or failed to
 *   freezeguard_fs_thaw     each filesystem a freeze let go of
 * They are created in trace.c, and reached through its fg_trace_*()
 * functions (session.h, fs.h), so that session.c's proof sees a function
 * with a contract, and the KUnit suite, which compiles the module's files
 * into a module of its own, need not define the same events twice.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM freezeguard

#if !defined(FREEZEGUARD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define FREEZEGUARD_TRACE_H

#include <linux/tracepoint.h>
#include <linux/kdev_t.h>
#include <linux/string.h>

#include "session.h"

#ifndef FREEZEGUARD_TRACE_ENUMS
#define FREEZEGUARD_TRACE_ENUMS
/*
 * A refusal as the printed verdict shows it: FG_TRACE_REFUSED plus its
 * magnitude, since libtraceevent (trace-cmd, perf) reads neither negative
 * numbers in a symbol table nor the sign of an int field. The event's
 * verdict field keeps the core's own value.
 */
#define FG_TRACE_REFUSED 32
enum fg_trace_refusal {
	FG_TRACE_E_BUSY = FG_TRACE_REFUSED - FSM_E_BUSY,
	FG_TRACE_E_NOT_FROZEN = FG_TRACE_REFUSED - FSM_E_NOT_FROZEN,
	FG_TRACE_E_TIMED_OUT = FG_TRACE_REFUSED - FSM_E_TIMED_OUT,
	FG_TRACE_E_STALE = FG_TRACE_REFUSED - FSM_E_STALE,
	FG_TRACE_E_INVALID = FG_TRACE_REFUSED - FSM_E_INVALID,
	FG_TRACE_E_ABORTED = FG_TRACE_REFUSED - FSM_E_ABORTED,
};
#endif

/*
 * The enums' values go into each event's format file, so that trace-cmd,
 * perf and libtraceevent, reading the names raw, can print them.
 */
TRACE_DEFINE_ENUM(FSM_STABLE);
TRACE_DEFINE_ENUM(FSM_FREEZING);
TRACE_DEFINE_ENUM(FSM_FROZEN);
TRACE_DEFINE_ENUM(FSM_FAILED);
TRACE_DEFINE_ENUM(FSM_FROZE);
TRACE_DEFINE_ENUM(FSM_THAWED);
TRACE_DEFINE_ENUM(FSM_ABORTED);
TRACE_DEFINE_ENUM(FSM_EXPIRED);
TRACE_DEFINE_ENUM(FSM_RESET);
TRACE_DEFINE_ENUM(FSM_EARLY);
TRACE_DEFINE_ENUM(FSM_IGNORED);
TRACE_DEFINE_ENUM(FSM_FREEZE_FS);
TRACE_DEFINE_ENUM(FSM_FREEZE_NEXT);
TRACE_DEFINE_ENUM(FG_TRACE_E_BUSY);
TRACE_DEFINE_ENUM(FG_TRACE_E_NOT_FROZEN);
TRACE_DEFINE_ENUM(FG_TRACE_E_TIMED_OUT);
TRACE_DEFINE_ENUM(FG_TRACE_E_STALE);
TRACE_DEFINE_ENUM(FG_TRACE_E_INVALID);
TRACE_DEFINE_ENUM(FG_TRACE_E_ABORTED);
TRACE_DEFINE_ENUM(FG_FREEZE);
TRACE_DEFINE_ENUM(FG_THAW);
TRACE_DEFINE_ENUM(FG_ABORT);
TRACE_DEFINE_ENUM(FG_RESET);
TRACE_DEFINE_ENUM(FG_CAUSE_FROZEN);
TRACE_DEFINE_ENUM(FG_CAUSE_DEADLINE);
TRACE_DEFINE_ENUM(FG_CAUSE_OWNER_GONE);
TRACE_DEFINE_ENUM(FG_CAUSE_UNLOAD);

#define fg_trace_states					\
	{ FSM_STABLE, "STABLE" },			\
	{ FSM_FREEZING, "FREEZING" },			\
	{ FSM_FROZEN, "FROZEN" },			\
	{ FSM_FAILED, "FAILED" }

#define fg_trace_verdicts				\
	{ FSM_FROZE, "FROZE" },				\
	{ FSM_THAWED, "THAWED" },			\
	{ FSM_ABORTED, "ABORTED" },			\
	{ FSM_EXPIRED, "EXPIRED" },			\
	{ FSM_RESET, "RESET" },				\
	{ FSM_EARLY, "EARLY" },				\
	{ FSM_IGNORED, "IGNORED" },			\
	{ FSM_FREEZE_FS, "FREEZE_FS" },			\
	{ FSM_FREEZE_NEXT, "FREEZE_NEXT" },		\
	{ FG_TRACE_E_BUSY, "E_BUSY" },			\
	{ FG_TRACE_E_NOT_FROZEN, "E_NOT_FROZEN" },		\
	{ FG_TRACE_E_TIMED_OUT, "E_TIMED_OUT" },		\
	{ FG_TRACE_E_STALE, "E_STALE" },			\
	{ FG_TRACE_E_INVALID, "E_INVALID" },			\
	{ FG_TRACE_E_ABORTED, "E_ABORTED" }

#define fg_trace_causes					\
	{ FG_FREEZE, "freeze" },			\
	{ FG_THAW, "thaw" },				\
	{ FG_ABORT, "abort" },				\
	{ FG_RESET, "reset" },				\
	{ FG_CAUSE_FROZEN, "frozen" },			\
	{ FG_CAUSE_DEADLINE, "deadline" },		\
	{ FG_CAUSE_OWNER_GONE, "owner_gone" },		\
	{ FG_CAUSE_UNLOAD, "unload" }

/*
 * @gen is the session's freeze after the step (a refused freeze leaves the
 * last one); @deadline and @clock are the core's, in CLOCK_MONOTONIC ns:
 * @clock is the time of the session's last change, the step's own if it
 * changed anything (a refusal, EARLY or IGNORED leaves it; the event's
 * timestamp is the step's time); @late_ns is how long after the deadline a
 * step that ended the freeze by timeout (EXPIRED) ran, else 0; @release:
 * the step ordered the freeze's filesystems thawed; @verdict: the core's
 * (enum fsm_verdict, without FSM_RELEASE); @shown: the same, as printed.
 * Only the steps that may change a session are traced: not the look a
 * FREEZE that ended early takes at how its freeze ended, which changes
 * nothing.
 */
TRACE_EVENT(freezeguard_transition,
	TP_PROTO(const struct fg_session *s, unsigned int cause,
		 unsigned int from, int verdict),
	TP_ARGS(s, cause, from, verdict),
	TP_STRUCT__entry(
		__array(char, name, FREEZEGUARD_NAME_LEN)
		__field(u64, gen)
		__field(u64, deadline)
		__field(u64, clock)
		__field(u64, late_ns)
		__field(int, verdict)
		__field(u8, shown)
		__field(u8, cause)
		__field(u8, from)
		__field(u8, to)
		__field(u8, release)
	),
	TP_fast_assign(
		memcpy(__entry->name, s->name, FREEZEGUARD_NAME_LEN);
		__entry->gen = s->fsm.gen;
		__entry->deadline = s->fsm.deadline;
		__entry->clock = s->fsm.clock;
		__entry->release = verdict >= FSM_RELEASE;
		__entry->verdict = __entry->release ? verdict - FSM_RELEASE : verdict;
		__entry->shown = __entry->verdict < 0 ?
				 FG_TRACE_REFUSED - __entry->verdict :
				 __entry->verdict;
		__entry->late_ns = __entry->verdict == FSM_EXPIRED &&
				   s->fsm.clock > s->fsm.deadline ?
				   s->fsm.clock - s->fsm.deadline : 0;
		__entry->cause = cause;
		__entry->from = from;
		__entry->to = s->fsm.state;
	),
	TP_printk("session=%s gen=%llu cause=%s from=%s to=%s verdict=%s release=%u deadline=%llu clock=%llu late_ns=%llu",
		  __entry->name, __entry->gen,
		  __print_symbolic(__entry->cause, fg_trace_causes),
		  __print_symbolic(__entry->from, fg_trace_states),
		  __print_symbolic(__entry->to, fg_trace_states),
		  __print_symbolic(__entry->shown, fg_trace_verdicts),
		  __entry->release, __entry->deadline, __entry->clock,
		  __entry->late_ns)
);

/*
 * @err: 0, or the error of the freeze (fs_freeze) or thaw (fs_thaw); for
 * fs_thaw, 1 (FG_THAW_LOST): the session's freeze had been thawed by
 * someone else, and nothing was thawed (a guard's: it was not frozen by
 * userspace, or its freeze was thawed in time); @stuck (fs_thaw): the
 * thaw failed and the filesystem stays frozen, to be thawed again in a
 * second; @guard_thawed (fs_thaw): a guard's end thawed userspace's freeze
 */
DECLARE_EVENT_CLASS(freezeguard_fs,
	TP_PROTO(const char *session, u64 gen, const struct fg_fs *fs, int err),
	TP_ARGS(session, gen, fs, err),
	TP_STRUCT__entry(
		__array(char, name, FREEZEGUARD_NAME_LEN)
		__array(char, type, sizeof(((struct fg_fs *)0)->type))
		__field(u64, gen)
		__field(dev_t, dev)
		__field(int, err)
		__field(u8, stuck)
		__field(u8, guard_thawed)
	),
	TP_fast_assign(
		strscpy(__entry->name, session, FREEZEGUARD_NAME_LEN);
		memcpy(__entry->type, fs->type, sizeof(__entry->type));
		__entry->gen = gen;
		__entry->dev = fs->dev;
		__entry->err = err;
		__entry->stuck = err < 0 && fs->stuck;
		__entry->guard_thawed = fs->guard_thawed;
	),
	TP_printk("session=%s gen=%llu dev=%u:%u type=%s err=%d stuck=%u guard_thawed=%u",
		  __entry->name, __entry->gen, MAJOR(__entry->dev),
		  MINOR(__entry->dev), __entry->type, __entry->err,
		  __entry->stuck, __entry->guard_thawed)
);

DEFINE_EVENT(freezeguard_fs, freezeguard_fs_freeze,
	TP_PROTO(const char *session, u64 gen, const struct fg_fs *fs, int err),
	TP_ARGS(session, gen, fs, err)
);

DEFINE_EVENT(freezeguard_fs, freezeguard_fs_thaw,
	TP_PROTO(const char *session, u64 gen, const struct fg_fs *fs, int err),
	TP_ARGS(session, gen, fs, err)
);

#endif /* FREEZEGUARD_TRACE_H */

/* (outside the guard: define_trace.h reads this file again) */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE fg_trace
#include <trace/define_trace.h>
