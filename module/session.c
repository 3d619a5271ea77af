// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard sessions: what happens to one session under its lock (see
 * session.h). The table of sessions and their lifetime are table.c's.
 *
 * Each transition takes the session's mutex, reads the monotonic clock
 * under it, calls the core, and reacts to the core's verdict (arm or cancel
 * the deadline, warn, wake waiters). A freeze draws its id from one
 * module-wide counter, under the session's mutex, so ids never repeat and
 * a session's ids increase. The deadline is an hrtimer; the generation it
 * is armed for is written just before it is armed (@armed_gen), and its
 * callback copies that into @fired_gen and queues the timeout worker,
 * which names @fired_gen to the core. That may be an older freeze than the
 * current one: the core ignores it then (a stale worker), and expires a
 * freeze only if it is still open and its deadline has passed. Cancelling
 * the timer on thaw is only an optimisation.
 *
 * A freeze with filesystems is accepted FREEZING; the filesystems are
 * frozen without the lock (fs.c) and the outcome reported to the core
 * under it. Whichever transition the core marks FSM_RELEASE thaws them,
 * under the lock: exactly once per freeze, on every path.
 *
 * This file is proved with Frama-C WP against the kernel's APIs as
 * spec/kernel/ models them (spec/prove.sh), all but fg_freeze_ids_init(),
 * which runs once at load: the lock is held and the clock read
 * under it for every call of the core, every lock taken is released, the
 * worker names the freeze its deadline was armed for, only a live session
 * is re-armed, and nothing overflows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kdev_t.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "session.h"

/*
 * Fault knobs for the tests, in debugfs (freezeguard/ there), not module
 * parameters: thaw and abort leave the deadline armed, as if every cancel
 * lost its race; the timeout worker sleeps this long before taking the
 * session lock; a filesystem freeze waits this long after each filesystem
 * froze before it reports to the core (so that its deadline passes while
 * FREEZING, as a slow sync would make it).
 */
bool fg_fault_skip_cancel;
u32 fg_fault_worker_delay_us;
u32 fg_fault_freeze_delay_us;

/* The last freeze id handed out; seeded with the wall clock at load. */
static atomic64_t fg_last_freeze_id;
DECLARE_WAIT_QUEUE_HEAD(fg_poll_waitq);	/* poll(): any session changed */
atomic64_t fg_events = ATOMIC64_INIT(0);

/*@ assigns \nothing;
  @ ensures \result == 0 || \result == -EBUSY || \result == -EALREADY ||
  @	  \result == -ETIMEDOUT || \result == -ESTALE ||
  @	  \result == -ECANCELED || \result == -EINVAL;
  @ ensures verdict(v) >= 0 ==> (\result == 0 <==> verdict(v) != FSM_EXPIRED);
  @*/
static int verdict_errno(int v)
{
	if (v >= FSM_RELEASE)	/* what was decided, whatever was released */
		v -= FSM_RELEASE;
	switch (v) {
	case FSM_E_BUSY:
		return -EBUSY;
	case FSM_E_NOT_FROZEN:
		return -EALREADY;
	case FSM_EXPIRED:	/* a thaw or abort that found the deadline passed */
	case FSM_E_TIMED_OUT:
		return -ETIMEDOUT;
	case FSM_E_STALE:
		return -ESTALE;
	case FSM_E_ABORTED:
		return -ECANCELED;
	case FSM_E_INVALID:
		return -EINVAL;
	default:
		return 0;
	}
}

/* ---- the lock ----------------------------------------------------------- */

/*
 * Every step of a session runs between these two. fg_lock_acquired() and
 * fg_lock_releasing() are the proof's model of what the lock means
 * (session.h); in the kernel they are empty.
 */
/*@ requires unlocked(s);
  @ assigns s->lock.held, s->fsm, s->fs, s->owner, s->dead, s->armed_gen,
  @	    s->fired_gen, s->pub_state, s->pub_gen, s->deadline_timer,
  @	    s->timeout_work, fg_now, fg_locked, fg_events.counter,
  @	    *(s->fs), fg_fs_claims;
  @ ensures locked(s) && lock_inv(s) && fg_now >= \old(fg_now);
  @ ensures freezing_kept(s);
  @*/
static void session_lock(struct fg_session *s)
{
	mutex_lock(&s->lock);
	fg_lock_acquired(s);
}

/*@ requires locked(s) && lock_inv(s) && freezing_kept(s);
  @ assigns s->lock.held, s->fsm, s->fs, s->owner, s->dead, s->pub_state,
  @	    s->pub_gen, s->armed_gen, s->deadline_timer, s->timeout_work,
  @	    fg_locked;
  @ ensures unlocked(s);
  @ ensures fg_freezing == &s->fsm ==> s->fs == fg_freezing_fs;
  @*/
static void session_unlock(struct fg_session *s)
{
	fg_lock_releasing(s);
	mutex_unlock(&s->lock);
}

/* ---- the reaction to the core's verdicts -------------------------------- */

/* The timeout of the current or last freeze, in ms (0 before the first). */
/*@ requires \valid_read(s);
  @ assigns \nothing;
  @*/
static u32 freeze_timeout_ms(const struct fg_session *s)
{
	if (s->fsm.deadline <= s->fsm.frozen_at)
		return 0;
	return div_u64(s->fsm.deadline - s->fsm.frozen_at, NSEC_PER_MSEC);
}

/* Something a LIST would show changed: poll() wakes up. */
/*@ assigns fg_events.counter; */
void fg_sessions_changed(void)
{
	atomic64_inc(&fg_events);
	wake_up_all(&fg_poll_waitq);
}

/* @s changed state or is gone: its WAITers and poll() wake up. */
/*@ assigns fg_events.counter; */
void fg_session_wake(struct fg_session *s)
{
	wake_up_all(&s->waitq);
	fg_sessions_changed();
}

/*@ requires locked(s);
  @ assigns s->pub_state.counter, s->pub_gen.counter, fg_events.counter;
  @*/
static void session_publish(struct fg_session *s)
{
	lockdep_assert_held(&s->lock);
	atomic_set(&s->pub_state, s->fsm.state);
	atomic64_set(&s->pub_gen, s->fsm.gen);
	fg_session_wake(s);
}

void fg_freeze_ids_init(u64 seed)
{
	atomic64_set(&fg_last_freeze_id, seed);
}

/* The next freeze id, or 0 when the 64-bit counter is used up. */
/*@ assigns fg_last_freeze_id.counter; */
static u64 freeze_id_next(void)
{
	u64 last = atomic64_fetch_add_unless(&fg_last_freeze_id, 1, -1);

	return last == U64_MAX ? 0 : last + 1;
}

/* Arm the deadline of the open freeze; @armed_gen first: the callback reads it. */
/*@ requires locked(s) && is_open(&s->fsm) && !s->dead;
  @ assigns s->armed_gen.counter, s->deadline_timer.armed,
  @	    s->deadline_timer.expires;
  @ ensures s->armed_gen.counter == (s64)s->fsm.gen;
  @ ensures s->deadline_timer.armed &&
  @	  s->deadline_timer.expires == (ktime_t)s->fsm.deadline;
  @*/
static void deadline_arm(struct fg_session *s)
{
	atomic64_set(&s->armed_gen, s->fsm.gen);
	hrtimer_start(&s->deadline_timer, ns_to_ktime(s->fsm.deadline),
		      HRTIMER_MODE_ABS);
}

/* Without waiting: the timer may be running, the worker may be blocked on our lock. */
/*@ requires locked(s);
  @ assigns s->deadline_timer.armed, s->timeout_work.queued;
  @*/
static void deadline_try_cancel(struct fg_session *s)
{
	if (READ_ONCE(fg_fault_skip_cancel))
		return;
	hrtimer_try_to_cancel(&s->deadline_timer);
	cancel_work(&s->timeout_work);
}

/*
 * Act on what the core decided (@v), when @cause (enum fg_op, enum
 * fg_cause) asked for a step of the session in state @from. Called with
 * s->lock held. It is traced first (freezeguard_transition), then the
 * release: a thaw that expires, or a freeze that completes too late,
 * has thawed the filesystems before anyone is told. Only a verdict that
 * leaves a freeze open arms the deadline.
 */
/*@ requires held: locked(s);
  @ requires core_inv: core_inv(s);
  @ // glue_inv(s), spelled out: each part is its own goal, proved from
  @ // facts asserted after fsm_abort() (whose many behaviours bury the
  @ // provers when they must unfold glue_inv there)
  @ requires glue_dead: s->dead ==> !is_open(&s->fsm);
  @ requires glue_held: s->fsm.holds != FSM_HOLD_NONE ==> s->fs != \null;
  @ requires glue_fs: fs_set_ok(s->fs) &&
  @	     (s->fs != \null ==> \separated(s, s->fs));
  @ requires arming: arms(verdict(v)) ==> is_open(&s->fsm);
  @ requires releasing: releases(v) ==> s->fs != \null;
  @ assigns s->armed_gen.counter, s->deadline_timer.armed,
  @	    s->deadline_timer.expires, s->timeout_work.queued, s->owner,
  @	    s->pub_state.counter, s->pub_gen.counter, fg_events.counter,
  @	    *(s->fs), fg_fs_claims;
  @ ensures held: locked(s);
  @ ensures core_inv: core_inv(s);
  @ ensures glue_inv: glue_inv(s);
  @*/
static void session_react(struct fg_session *s, unsigned int cause,
			  unsigned int from, int v)
{
	bool release = v >= FSM_RELEASE, publish = release;

	lockdep_assert_held(&s->lock);
	fg_trace_transition(s, cause, from, v);
	if (release) {
		/*
		 * ended by a timeout or an abort, not a thaw in time: a
		 * guard's release thaws (a reset between the end and a
		 * late release clears it: a guard's freeze step is only
		 * its claims, and is not late in practice)
		 */
		fg_fs_thaw(s->fs, s->name, s->fsm.gen,
			   s->fsm.last_error == FSM_ERR_NONE);
		v -= FSM_RELEASE;
	}
	/* ended while one syncs: let go of those after it (fs.c decides) */
	fg_fs_ended(s->fs, s->fsm.state, s->fsm.holds);
	switch (v) {
	case FSM_FROZE:		/* arms(v) */
	case FSM_FREEZE_FS:
	case FSM_EARLY:
		if (!s->dead)	/* a dead session is never re-armed */
			deadline_arm(s);
		publish = v != FSM_EARLY;	/* EARLY: nothing else changed */
		break;
	case FSM_EXPIRED:
		pr_warn_ratelimited("session %s: freeze %llu timed out after %u ms\n",
				    s->name, s->fsm.gen, freeze_timeout_ms(s));
		fallthrough;
	case FSM_THAWED:
	case FSM_ABORTED:
		s->owner = NULL;
		deadline_try_cancel(s);
		publish = true;
		break;
	case FSM_RESET:
		publish = true;
		break;
	default:	/* refused, or not ours: nothing changed, but what was released */
		break;
	}
	if (publish)
		session_publish(s);
	//@ assert same: s->dead == \at(s->dead, Pre) && s->fs == \at(s->fs, Pre);
}

/* How many filesystems @set holds: never more than its array. */
/*@ requires fs_set_ok(set);
  @ assigns \nothing;
  @ ensures 0 <= \result <= FREEZEGUARD_FS_MAX;
  @ ensures set != \null ==> \result <= set->nr;
  @ ensures set == \null ==> \result == 0;
  @*/
static u32 fs_count(const struct fg_fs_set *set)
{
	return set ? min_t(u32, set->nr, FREEZEGUARD_FS_MAX) : 0;
}

/* ---- the deadline --------------------------------------------------------- */

/**
 * fg_session_deadline_fired() - the deadline timer's callback, in full
 * @s: the session whose timer fired
 *
 * Runs in hard interrupt context: records which freeze the deadline was
 * armed for (a newer freeze may re-arm the timer later) and queues the
 * worker, nothing else.
 */
/*@ requires \valid(s);
  @ assigns s->fired_gen.counter, s->timeout_work.queued;
  @ ensures s->fired_gen.counter == s->armed_gen.counter;
  @ ensures s->timeout_work.queued;
  @*/
void fg_session_deadline_fired(struct fg_session *s)
{
	atomic64_set(&s->fired_gen, atomic64_read(&s->armed_gen));
	queue_work(fg_wq, &s->timeout_work);
}

/**
 * fg_session_run_worker() - the timeout worker's step, as the work item runs it
 * @s: the session
 *
 * Asks the core to time out the freeze whose deadline fired, which may be
 * older than the current one; the core alone decides whether that changes
 * anything.
 */
/*@ requires idle(s);
  @ ensures idle(s);
  @*/
void fg_session_run_worker(struct fg_session *s)
{
	unsigned int delay_us = READ_ONCE(fg_fault_worker_delay_us);

	if (delay_us)
		fsleep(delay_us);
	session_lock(s);
	if (!s->dead) {
		unsigned int from = s->fsm.state;

		session_react(s, FG_CAUSE_DEADLINE, from,
			      fsm_timeout(&s->fsm, atomic64_read(&s->fired_gen),
					  ktime_get_ns()));
	}
	session_unlock(s);
}

/* ---- the transitions ------------------------------------------------------ */

/**
 * fg_session_step() - one transition, as the core decides it
 * @s: the session
 * @op: what the requester asks
 * @timeout_ms: FG_FREEZE: the timeout, already validated
 * @gen: in: THAW/ABORT: the freeze to end, or FSM_GEN_ANY;
 *	out: the session's generation after the step
 *
 * Return: 0 or the errno of the refusal (-ETIMEDOUT: the freeze timed out;
 * -ENOENT: the session was removed; -EOVERFLOW: freeze ids are used up).
 */
/*@ requires idle(s) && \valid(gen) && \separated(gen, s);
  @ ensures idle(s);
  @*/
int fg_session_step(struct fg_session *s, enum fg_op op, u32 timeout_ms,
		    u64 *gen)
{
	unsigned int from;
	u64 now, after;
	int verdict;

	if (op == FG_FREEZE)
		return fg_session_freeze(s, timeout_ms, NULL, NULL, gen);
	session_lock(s);
	if (s->dead) {
		session_unlock(s);
		return -ENOENT;
	}
	now = ktime_get_ns();	/* under the lock: never behind s->fsm.clock */
	from = s->fsm.state;
	switch (op) {
	case FG_THAW:
		verdict = fsm_thaw(&s->fsm, *gen, now);
		break;
	case FG_ABORT:
		verdict = fsm_abort(&s->fsm, *gen, now);
		break;
	default:
		verdict = fsm_reset(&s->fsm, now);
		break;
	}
	session_react(s, op, from, verdict);
	after = s->fsm.gen;
	session_unlock(s);
	*gen = after;
	return verdict_errno(verdict);
}

/*
 * How freeze @id, which is no longer open, ended: the core's answer to a
 * late thaw of it, which changes nothing (-ECANCELED, -ETIMEDOUT).
 */
/*@ requires locked(s) && lock_inv(s);
  @ requires ended_id: id != FSM_GEN_ANY && !names_open(&s->fsm, id);
  @ assigns s->fsm.state, s->fsm.last_error, s->fsm.thaws, s->fsm.timeouts,
  @	    s->fsm.aborts, s->fsm.clock, s->fsm.log_next,
  @	    s->fsm.log[0 .. FSM_HISTORY - 1], s->fsm.holds,
  @	    s->fsm.fs_released;
  @ ensures unchanged{Pre, Post}(&s->fsm) && locked(s) && lock_inv(s);
  @ ensures errno: \result <= 0;
  @*/
static int freeze_outcome(struct fg_session *s, u64 id)
{
	return verdict_errno(fsm_thaw(&s->fsm, id, s->fsm.clock));
}

/*@
  // What FREEZE is given (fg_session_freeze(), freeze_open()): where its
  // generation goes, and the filesystems to freeze, if any.
  predicate freeze_args(struct fg_session *s, struct fg_fs_set **fsp, u64 *gen) =
    \valid(gen) && \separated(gen, s) &&
    (fsp == \null ||
     (\valid(fsp) && \separated(fsp, s, gen) && fs_set_ok(*fsp) &&
      (*fsp != \null ==> \separated(s, *fsp))));
*/

/* freeze_open(): the filesystems are still to be frozen (freeze_finish()) */
#define FREEZE_PENDING 1

/*
 * FREEZE's first step, under the lock: the core opens the freeze (FREEZING
 * if it has filesystems) and the session takes them. Return: as
 * fg_session_freeze(), or FREEZE_PENDING: this thread must freeze them
 * (freeze_finish()); the ghost fg_freezing* record the hold it let go of.
 */
/*@ requires idle(s) && freeze_args(s, set, gen);
  @ ensures \result != FREEZE_PENDING ==> idle(s);
  @ ensures \result == FREEZE_PENDING ==>
  @	  unlocked(s) && set != \null && \old(*set) != \null &&
  @	  fg_freezing == &s->fsm && fg_freezing_fs == \old(*set) &&
  @	  s->fs == fg_freezing_fs &&
  @	  \valid(gen) && fg_freezing_gen == *gen && *gen != FSM_GEN_ANY &&
  @	  \valid(fg_freezing_fs) && \separated(s, fg_freezing_fs);
  @*/
static int freeze_open(struct fg_session *s, u32 timeout_ms,
		       struct fg_fs_set **set, const void *owner, u64 *gen)
{
	struct fg_fs_set *fs = set ? *set : NULL, *old = NULL;
	unsigned int from;
	u64 id, after;
	int verdict;

	session_lock(s);
	if (s->dead) {
		session_unlock(s);
		return -ENOENT;
	}
	id = freeze_id_next();	/* under the lock: above s->fsm.gen */
	if (!id) {
		session_unlock(s);
		return -EOVERFLOW;
	}
	from = s->fsm.state;
	verdict = fsm_freeze(&s->fsm, id, (u64)timeout_ms * NSEC_PER_MSEC,
			     ktime_get_ns(), fs ? 1 : 0);
	if (verdict >= 0) {
		s->owner = owner;
		/* the last freeze's filesystems are released: forget them */
		old = s->fs;
		s->fs = fs;
		if (fs)
			*set = NULL;
	}
	session_react(s, FG_FREEZE, from, verdict);
	after = s->fsm.gen;
	/*@ ghost
	  @ if (verdict == FSM_FREEZE_FS) {
	  @	fg_freezing = &s->fsm;
	  @	fg_freezing_gen = s->fsm.gen;
	  @	fg_freezing_fs = s->fs;
	  @ }
	  @*/
	session_unlock(s);
	*gen = after;
	fg_fs_free(old);
	return verdict == FSM_FREEZE_FS ? FREEZE_PENDING : verdict_errno(verdict);
}

/*
 * The set of a freeze that ended or failed while FREEZING, under the lock:
 * it stays the session's, but holds nothing; let go of its files. A
 * function of its own for the proof: its contract carries s->fs across
 * fg_fs_let_go() in a small context, which freeze_next()'s could not.
 */
/*@ requires \valid(s) && \valid(fs) && \separated(s, fs) && s->fs == fs;
  @ assigns fs->fs[0 .. FREEZEGUARD_FS_MAX - 1].file, fg_fs_claims;
  @ ensures s->fs == fs;
  @*/
static void freeze_let_go(struct fg_session *s, struct fg_fs_set *fs)
{
	fg_fs_let_go(fs);
}

/*@
  // The FREEZE of @fs, freeze @id, is still freezing its filesystems,
  // without the lock (freeze_open() recorded the hold it let go of).
  predicate still_freezing(struct fg_session *s, struct fg_fs_set *fs,
			   u64 id) =
    unlocked(s) && fg_freezing == &s->fsm && fg_freezing_fs == fs &&
    fg_freezing_gen == id && id != FSM_GEN_ANY && s->fs == fs &&
    \valid(fs) && \separated(s, fs);
*/

/*
 * FREEZE's second step, once per filesystem, in order: freeze filesystem
 * @i without the lock (the freeze stays FREEZING meanwhile; no other step
 * ends the hold of the one freezing, though an end may release those
 * frozen before it), then, under the lock, the session holds it and the
 * core says what now. Return: FREEZE_PENDING: freeze the next one; or as
 * fg_session_freeze(): the freeze is complete, or it ended.
 */
/*@ requires still_freezing(s, fs, id) && i < FREEZEGUARD_FS_MAX;
  @ assigns *s, *fs, fg_now, fg_locked, fg_events.counter, fg_fs_claims,
  @	    fg_freezing;
  @ ensures \result == FREEZE_PENDING ==> still_freezing(s, fs, id);
  @ ensures \result != FREEZE_PENDING ==> idle(s);
  @ ensures last ==> \result != FREEZE_PENDING;
  @*/
static int freeze_next(struct fg_session *s, struct fg_fs_set *fs, u64 id,
		       u32 i, bool last)
{
	unsigned int delay_us, from;
	int verdict, err;
	u64 now;

	err = fg_fs_freeze_one(fs, i, s->name, id);	/* syncs: may take seconds */
	delay_us = READ_ONCE(fg_fault_freeze_delay_us);
	if (delay_us)
		fsleep(delay_us);

	session_lock(s);
	//@ assert kept: s->fs == fs && freezing(&s->fsm) && s->fsm.gen == id;
	//@ assert not_frozen: s->fsm.state != FSM_FROZEN;
	from = s->fsm.state;
	now = ktime_get_ns();
	if (err) {
		verdict = fsm_frozen(&s->fsm, 0, now);
	} else {
		fg_fs_hold(fs, i);	/* any release the core orders includes it */
		verdict = last ? fsm_frozen(&s->fsm, 1, now) :
				 fsm_frozen_one(&s->fsm, now);
	}
	//@ assert ended: verdict != FSM_FREEZE_NEXT && verdict != FSM_FROZE ==> !is_open(&s->fsm);
	/*@ ghost
	  @ if (verdict != FSM_FREEZE_NEXT)
	  @	fg_freezing = (struct fsm_session *)0;
	  @*/
	//@ assert same_fs: s->fs == fs && fs != \null;
	session_react(s, FG_CAUSE_FROZEN, from, verdict);
	if (verdict == FSM_FREEZE_NEXT) {
		session_unlock(s);
		return FREEZE_PENDING;
	}
	if (verdict != FSM_FROZE)	/* nothing held: the rest are let go */
		freeze_let_go(s, fs);
	if (!err && verdict != FSM_FROZE)
		err = freeze_outcome(s, id);
	session_unlock(s);
	return err;
}

/*
 * FREEZE's second step for all the filesystems: one freeze_next() each,
 * until the core says the freeze is complete or ended.
 */
/*@ requires still_freezing(s, fs, id);
  @ ensures idle(s);
  @*/
static int freeze_finish(struct fg_session *s, struct fg_fs_set *fs, u64 id)
{
	u32 i, nr = fs_count(fs);
	int rc;

	/*@ loop invariant 0 <= i < FREEZEGUARD_FS_MAX && (i < nr || i == 0);
	  @ loop invariant still_freezing(s, fs, id);
	  @ loop assigns i, rc, *s, *fs, fg_now, fg_locked, fg_events.counter,
	  @	    fg_fs_claims, fg_freezing;
	  @ loop variant nr - i;
	  @*/
	for (i = 0; ; i++) {
		rc = freeze_next(s, fs, id, i, i + 1 >= nr);
		if (rc != FREEZE_PENDING)
			return rc;
	}
}

/**
 * fg_session_freeze() - FREEZE, with filesystems or without
 * @s: the session
 * @timeout_ms: the timeout, already validated
 * @set: in: the filesystems to freeze (fg_fs_collect()), or a NULL *@set;
 *	out: NULL once the session has taken them (else the caller frees)
 * @owner: the file that owns the freeze (FREEZEGUARD_FLAG_OWNED), or NULL
 * @gen: out: the session's generation after the step
 *
 * With filesystems, the freeze is FREEZING while they are frozen, without
 * the session's lock; its deadline runs from the request.
 *
 * Return: 0 once frozen; the errno of a refusal as for fg_session_step();
 * the error of the filesystem that could not freeze (the freeze ended,
 * nothing held); -ETIMEDOUT when the deadline passed during the freeze,
 * -ECANCELED when it was aborted meanwhile (the filesystems were thawed
 * again at once, in both cases).
 */
/*@ requires idle(s) && freeze_args(s, set, gen);
  @ ensures idle(s);
  @*/
int fg_session_freeze(struct fg_session *s, u32 timeout_ms,
		      struct fg_fs_set **set, const void *owner, u64 *gen)
{
	struct fg_fs_set *fs = set ? *set : NULL;
	int rc = freeze_open(s, timeout_ms, set, owner, gen);

	if (rc != FREEZE_PENDING)
		return rc;
	return freeze_finish(s, fs, *gen);
}

/**
 * fg_session_owner_gone() - the owner of a freeze of @s closed the device
 * @s: the session
 * @owner: the file being released
 *
 * If @owner owns the freeze of @s, and it is still open, it is aborted (or
 * ends timed out, if its deadline has passed).
 */
/*@ requires idle(s);
  @ ensures idle(s);
  @*/
void fg_session_owner_gone(struct fg_session *s, const void *owner)
{
	session_lock(s);
	if (s->owner == owner && !s->dead) {
		unsigned int from = s->fsm.state;
		int verdict;

		pr_info("session %s: the owner of freeze %llu is gone: aborting it\n",
			s->name, s->fsm.gen);
		//@ assert held_has_fs: s->fsm.holds != FSM_HOLD_NONE ==> s->fs != \null;
		/*@ assert fs_ok: fs_set_ok(s->fs) &&
		  @	(s->fs != \null ==> \separated(s, s->fs));
		  @*/
		verdict = fsm_abort(&s->fsm, s->fsm.gen, ktime_get_ns());
		//@ assert still_alive: !s->dead;
		//@ assert still_has_fs: s->fsm.holds != FSM_HOLD_NONE ==> s->fs != \null;
		/*@ assert still_fs_ok: fs_set_ok(s->fs) &&
		  @	(s->fs != \null ==> \separated(s, s->fs));
		  @*/
		//@ assert releases_fs: releases(verdict) ==> s->fs != \null;
		session_react(s, FG_CAUSE_OWNER_GONE, from, verdict);
		//@ assert alive: !s->dead;
		s->owner = NULL;
	}
	session_unlock(s);
}

/**
 * fg_session_kill() - end @s for unloading: its open freeze is aborted (or
 * ends timed out) and it is dead, so that its worker no longer re-arms
 * @s: the session
 */
/*@ requires idle(s);
  @ ensures idle(s);
  @*/
void fg_session_kill(struct fg_session *s)
{
	unsigned int from;
	int verdict;

	session_lock(s);
	from = s->fsm.state;
	//@ assert held_has_fs: s->fsm.holds != FSM_HOLD_NONE ==> s->fs != \null;
	verdict = fsm_abort(&s->fsm, FSM_GEN_ANY, ktime_get_ns());
	//@ assert ended: !is_open(&s->fsm);
	//@ assert still_has_fs: s->fsm.holds != FSM_HOLD_NONE ==> s->fs != \null;
	//@ assert releases_fs: releases(verdict) ==> s->fs != \null;
	session_react(s, FG_CAUSE_UNLOAD, from, verdict);
	//@ assert still_ended: !is_open(&s->fsm);
	WRITE_ONCE(s->dead, true);
	session_unlock(s);
}

/* ---- what the session shows ------------------------------------------------ */

/*
 * Before a report, under the lock: each filesystem the session holds that
 * someone else thawed meanwhile is remembered as lost; and is the session
 * freezing them (one of them syncing now)? The report itself only reads
 * the filesystems (fg_fs_flags()), so what it writes for userspace need
 * not be told apart from them.
 */
/*@ requires locked(s) && lock_inv(s);
  @ assigns s->fs->fs[0 .. FREEZEGUARD_FS_MAX - 1].lost;
  @ ensures locked(s) && lock_inv(s);
  @ ensures \result <==> freezing(&s->fsm);
  @*/
static bool fs_report(struct fg_session *s)
{
	fg_fs_mark_lost(s->fs);
	return s->fsm.holds == FSM_HOLD_FREEZING ||
	       s->fsm.holds == FSM_HOLD_PARTIAL ||
	       s->fsm.holds == FSM_HOLD_LAST;
}

/**
 * fg_session_status() - a session as STATUS reports it
 * @s: the session
 * @st: filled, every byte, so nothing of the kernel's leaks
 */
/*@ requires idle(s) && \valid(st) && \separated(st, s);
  @ requires s->fs != \null ==> \separated(st, s->fs);
  @ ensures idle(s);
  @ ensures status_filled(st);
  @*/
void fg_session_status(struct fg_session *s, struct freezeguard_status *st)
{
	u64 now, gen, freezes, thaws, timeouts, aborts, frozen_ns, time_left_ns;
	u32 state, last_error, timeout_ms, nr, i, fs_flags = 0;
	bool freezing;

	session_lock(s);
	now = ktime_get_ns();
	freezing = fs_report(s);
	nr = fs_count(s->fs);
	/*@ loop invariant 0 <= i <= nr;
	  @ loop assigns i, fs_flags;
	  @ loop variant nr - i;
	  @*/
	for (i = 0; i < nr; i++)
		fs_flags |= fg_fs_flags(s->fs, i, freezing);
	state = s->fsm.state;
	last_error = s->fsm.last_error;
	gen = s->fsm.gen;
	freezes = s->fsm.freezes;
	thaws = s->fsm.thaws;
	timeouts = s->fsm.timeouts;
	aborts = s->fsm.aborts;
	frozen_ns = state == FSM_FROZEN ? now - s->fsm.frozen_at : 0;
	time_left_ns = fsm_time_left(&s->fsm, now);
	timeout_ms = freeze_timeout_ms(s);
	session_unlock(s);
	/*
	 * Written after the unlock, field by field (status_filled()): the
	 * proof then need not tell @st apart from what the lock guards.
	 */
	strscpy_pad(st->name, s->name, sizeof(st->name));	/* set at creation */
	st->flags = 0;
	st->state = state;
	st->last_error = last_error;
	st->hresult = last_error == FSM_ERR_TIMEOUT ? FREEZEGUARD_HRESULT_TIMEOUT : 0;
	st->generation = gen;
	st->timeout_ms = timeout_ms;
	st->reserved0 = 0;
	st->frozen_ns = frozen_ns;
	st->time_left_ns = time_left_ns;
	st->thaws = thaws;
	st->timeouts = timeouts;
	st->aborts = aborts;
	st->freezes = freezes;
	st->nr_fs = nr;
	st->fs_flags = fs_flags;
	st->reserved[0] = 0;
	st->reserved[1] = 0;
}

/* What FILESYSTEMS reports of one filesystem: read under the lock. */
struct fs_seen {
	u32 flags;
	dev_t dev;
	char type[16];
};

/*
 * @seen[0 .. @nr - 1]: the first @nr filesystems of @s, as FILESYSTEMS
 * reports them. Its own function so that the proof carries the lock's
 * invariant over these writes in a small context.
 */
/*@ requires locked(s) && lock_inv(s) && nr <= FREEZEGUARD_FS_MAX;
  @ requires nr > 0 ==> s->fs != \null;
  @ requires \valid(seen + (0 .. FREEZEGUARD_FS_MAX - 1));
  @ requires \separated(seen + (0 .. FREEZEGUARD_FS_MAX - 1), s);
  @ requires s->fs != \null ==>
  @	     \separated(seen + (0 .. FREEZEGUARD_FS_MAX - 1), s->fs);
  @ assigns seen[0 .. FREEZEGUARD_FS_MAX - 1];
  @ ensures locked(s) && lock_inv(s);
  @*/
static void fs_seen_all(struct fs_seen *seen, struct fg_session *s, u32 nr,
			bool freezing)
{
	u32 i;

	/*@ loop invariant 0 <= i <= nr;
	  @ loop assigns i, seen[0 .. FREEZEGUARD_FS_MAX - 1];
	  @ loop variant nr - i;
	  @*/
	for (i = 0; i < nr; i++) {
		const struct fg_fs *fs = &s->fs->fs[i];

		seen[i].flags = fg_fs_flags(s->fs, i, freezing);
		seen[i].dev = fs->dev;
		strscpy_pad(seen[i].type, fs->type, sizeof(seen[i].type));
	}
}

/*
 * Entry @i of FILESYSTEMS, every field written, from @fs. It keeps the
 * entries before it filled, so the proof of the loop that calls it needs
 * no frame of its own.
 */
/*@ requires \valid(out + (0 .. FREEZEGUARD_FS_MAX - 1));
  @ requires 0 <= i < FREEZEGUARD_FS_MAX && \valid_read(fs);
  @ requires \separated(out + (0 .. FREEZEGUARD_FS_MAX - 1), fs);
  @ requires \forall integer k; 0 <= k < i ==> fs_entry_filled(&out[k]);
  @ assigns out[i];
  @ ensures \forall integer k; 0 <= k < i ==> fs_entry_filled(&out[k]);
  @ ensures fs_entry_filled(&out[i]);
  @*/
static void fs_entry_fill(struct freezeguard_fs *out, u32 i,
			  const struct fs_seen *fs)
{
	struct freezeguard_fs *o = &out[i];

	strscpy_pad(o->type, fs->type, sizeof(o->type));	/* first: */
	//@ assert before: \forall integer k; 0 <= k < i ==> fs_entry_filled(&out[k]);
	o->dev_major = MAJOR(fs->dev);	/* the proof follows plain writes */
	o->dev_minor = MINOR(fs->dev);	/* after a range's more easily than */
	o->flags = fs->flags;		/* before it */
	o->reserved0 = 0;
	o->reserved[0] = 0;
	o->reserved[1] = 0;
}

/* Every entry of FILESYSTEMS: @seen[0 .. @nr - 1], then @seen's zeroes. */
/*@ requires \valid(out + (0 .. FREEZEGUARD_FS_MAX - 1));
  @ requires \valid_read(seen + (0 .. FREEZEGUARD_FS_MAX - 1));
  @ requires \separated(out + (0 .. FREEZEGUARD_FS_MAX - 1),
  @		       seen + (0 .. FREEZEGUARD_FS_MAX - 1));
  @ assigns out[0 .. FREEZEGUARD_FS_MAX - 1];
  @ ensures \forall integer k; 0 <= k < FREEZEGUARD_FS_MAX ==>
  @	  fs_entry_filled(&out[k]);
  @*/
static void fs_entries_fill(struct freezeguard_fs *out,
			    const struct fs_seen *seen)
{
	u32 i;

	/*@ loop invariant 0 <= i <= FREEZEGUARD_FS_MAX;
	  @ loop invariant \forall integer k; 0 <= k < i ==>
	  @	fs_entry_filled(&out[k]);
	  @ loop assigns i, out[0 .. FREEZEGUARD_FS_MAX - 1];
	  @ loop variant FREEZEGUARD_FS_MAX - i;
	  @*/
	for (i = 0; i < FREEZEGUARD_FS_MAX; i++)
		fs_entry_fill(out, i, &seen[i]);
}

/**
 * fg_session_filesystems() - the filesystems of the current or last freeze
 * @s: the session
 * @out: filled, every byte (the name is the session's, the one asked for)
 *
 * What FILESYSTEMS reports is copied out of the session's set under the
 * lock, and @out is written after the unlock, as fg_session_status()
 * writes its @st: the proof then need not tell @out apart from what the
 * lock guards.
 */
/*@ requires idle(s) && \valid(out) && \separated(out, s);
  @ ensures idle(s);
  @ ensures filesystems_filled(out);
  @*/
void fg_session_filesystems(struct fg_session *s,
			    struct freezeguard_filesystems *out)
{
	/* zeroed: only its first nr are written; the rest are the zeroed
	 * entries FILESYSTEMS reports past the count, and no stack leaks
	 * (the proof shows @out written, not what this copy holds) */
	struct fs_seen seen[FREEZEGUARD_FS_MAX] = { { 0 } };
	u32 nr;
	bool freezing;
	u64 gen;

	session_lock(s);
	freezing = fs_report(s);
	nr = fs_count(s->fs);
	gen = s->fsm.gen;
	fs_seen_all(seen, s, nr, freezing);
	session_unlock(s);
	strscpy_pad(out->name, s->name, sizeof(out->name));
	out->generation = gen;
	out->count = nr;
	out->flags = 0;
	out->reserved[0] = 0;
	out->reserved[1] = 0;
	fs_entries_fill(out->fs, seen);
}

/* The session's (state, generation), read together under its lock. */
/*@ requires idle(s) && \valid(state) && \valid(gen);
  @ requires \separated(state, gen, s);
  @ ensures idle(s);
  @*/
void fg_session_observe(struct fg_session *s, u32 *state, u64 *gen)
{
	u32 st;
	u64 g;

	session_lock(s);
	st = s->fsm.state;
	g = s->fsm.gen;
	session_unlock(s);
	*state = st;
	*gen = g;
}

/* Has @s left (@state, @gen), or gone? For waiters, without the lock. */
/*@ requires \valid_read(s);
  @ assigns \nothing;
  @*/
bool fg_session_changed(struct fg_session *s, u32 state, u64 gen)
{
	return READ_ONCE(s->dead) || atomic_read(&s->pub_state) != state ||
	       atomic64_read(&s->pub_gen) != gen;
}
