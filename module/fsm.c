// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard core: the session state machine. The contracts are in fsm.h;
 * `make prove` proves this very file, the one compiled into the module.
 *
 * Build with -DFSM_KB915331_BUG only to run the negative controls: it gives
 * the timeout worker the bug of Microsoft KB 915331 (once it runs, it fails
 * the session without checking that its own freeze is still the current,
 * unthawed one), which the proof and the tests must then reject.
 * -DFSM_LOST_THAW_BUG is the second negative control: a freeze that timed
 * out while its filesystems were being frozen forgets to release them
 * when that freeze completes (property 7). -DFSM_HUNG_SYNC_BUG is the
 * third: a freeze that ends while FREEZING keeps those of its filesystems
 * frozen so far until the one still syncing completes, which may be
 * never (property 7: the end releases what is held).
 */
#include "fsm.h"

void fsm_init(struct fsm_session *s)
{
	unsigned int i;

	s->state = FSM_STABLE;
	s->last_error = FSM_ERR_NONE;
	s->gen = 0;
	s->freezes = 0;
	s->frozen_at = 0;
	s->deadline = 0;
	s->clock = 0;
	s->thaws = 0;
	s->timeouts = 0;
	s->aborts = 0;
	s->holds = FSM_HOLD_NONE;
	s->fs_frozen = 0;
	s->fs_released = 0;
	s->log_next = 0;
	/*@
	  loop invariant 0 <= i <= FSM_HISTORY;
	  loop invariant \forall integer j; 0 <= j < i ==>
		s->log[j].id == 0 && s->log[j].how == FSM_ERR_NONE;
	  loop assigns i, s->log[0 .. FSM_HISTORY - 1];
	  loop variant FSM_HISTORY - i;
	*/
	for (i = 0; i < FSM_HISTORY; i++) {
		s->log[i].id = 0;
		s->log[i].how = FSM_ERR_NONE;
	}
	//@ assert empty: log_valid(s);
}

/*@
  requires valid: \valid_read(s);
  assigns \nothing;
  ensures \result != 0 <==> is_open(s);
*/
static int fsm_is_open(const struct fsm_session *s)
{
	return s->state == FSM_FREEZING || s->state == FSM_FROZEN;
}

int fsm_freeze(struct fsm_session *s, unsigned long long id,
	       unsigned long long timeout_ns, unsigned long long now,
	       int with_fs)
{
	if (timeout_ns == 0 || timeout_ns > FSM_TIMEOUT_MAX_NS ||
	    now > FSM_U64_MAX - timeout_ns || id <= s->gen)
		return FSM_E_INVALID;
	if (fsm_is_open(s) || s->holds != FSM_HOLD_NONE)
		return FSM_E_BUSY;
	/*@ assert fresh_id: \forall integer i; 0 <= i < FSM_HISTORY ==>
		s->log[i].id < id; */
	s->gen = id;
	s->freezes++;
	s->last_error = FSM_ERR_NONE;
	s->frozen_at = now;
	s->deadline = now + timeout_ns;
	s->clock = now;
	//@ assert new_id: !remembered(s, s->gen);
	if (!with_fs) {
		s->state = FSM_FROZEN;
		//@ assert kept: log_valid(s);
		return FSM_FROZE;
	}
	s->state = FSM_FREEZING;
	s->holds = FSM_HOLD_FREEZING;
	//@ assert kept_fs: log_valid(s);
	//@ assert holds_fs: holds_valid(s);
	return FSM_FREEZE_FS;
}

/*
 * End the open freeze as @how: the one place where a freeze ends, so that
 * each end is counted once, remembered for its late thawer, and releases
 * the filesystems it holds: all of them (FROZEN), or, while FREEZING,
 * those frozen so far (PARTIAL becomes LAST: the one whose freeze is
 * running is released by fsm_frozen() or fsm_frozen_one() when it
 * completes).
 */
/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires open: is_open(s);
  requires how: is_end(how);
  requires time: now >= s->clock;
  requires timely: how == FSM_ERR_TIMEOUT <==> now >= s->deadline;
  assigns s->state, s->last_error, s->thaws, s->timeouts, s->aborts,
	  s->clock, s->log_next, s->log[0 .. FSM_HISTORY - 1], s->holds,
	  s->fs_released;
  ensures inv: session_valid(s);
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures logged: logged(s, s->gen, how);
  ensures pushed: log_pushed{Pre, Post}(s);
  ensures holds: end_holds{Pre, Post}(s);
  ensures release: releases_once{Pre, Post}(s, \result);
  ensures s->last_error == how && s->clock == now;
  ensures how == FSM_ERR_TIMEOUT ==> shows_timeout(s) &&
	\result == FSM_EXPIRED + \old(release_if_held(s)) &&
	s->timeouts == \old(s->timeouts) + 1 &&
	s->thaws == \old(s->thaws) && s->aborts == \old(s->aborts);
  ensures how == FSM_ERR_NONE ==> s->state == FSM_STABLE &&
	\result == FSM_THAWED + \old(release_if_held(s)) &&
	s->thaws == \old(s->thaws) + 1 &&
	s->timeouts == \old(s->timeouts) && s->aborts == \old(s->aborts);
  ensures how == FSM_ERR_ABORTED ==> s->state == FSM_STABLE &&
	\result == FSM_ABORTED + \old(release_if_held(s)) &&
	s->aborts == \old(s->aborts) + 1 &&
	s->timeouts == \old(s->timeouts) && s->thaws == \old(s->thaws);
*/
static int fsm_end(struct fsm_session *s, enum fsm_error how,
		   unsigned long long now)
{
	unsigned int k = s->log_next;
	int verdict, release = 0;

	if (s->holds == FSM_HOLD_FROZEN) {
		s->holds = FSM_HOLD_NONE;
		s->fs_released++;
		release = FSM_RELEASE;
	} else if (s->holds == FSM_HOLD_PARTIAL) {
#ifndef FSM_HUNG_SYNC_BUG
		s->holds = FSM_HOLD_LAST;
		s->fs_released++;
		release = FSM_RELEASE;
#endif
	}
	s->last_error = how;
	s->clock = now;
	if (how == FSM_ERR_TIMEOUT) {
		s->state = FSM_FAILED;
		s->timeouts++;
		verdict = FSM_EXPIRED;
	} else if (how == FSM_ERR_ABORTED) {
		s->state = FSM_STABLE;
		s->aborts++;
		verdict = FSM_ABORTED;
	} else {
		s->state = FSM_STABLE;
		s->thaws++;
		verdict = FSM_THAWED;
	}
	s->log[k].id = s->gen;
	s->log[k].how = how;
	s->log_next = (k + 1) % FSM_HISTORY;
	/* Steps for the provers: the ring holds each ended freeze once. */
	/*@ assert others: \forall integer i; 0 <= i < FSM_HISTORY && i != k ==>
		s->log[i].id == \at(s->log[i].id, Pre) &&
		s->log[i].how == \at(s->log[i].how, Pre); */
	/*@ assert bounded: \forall integer i; 0 <= i < FSM_HISTORY ==>
		s->log[i].id <= s->gen && is_end(s->log[i].how); */
	/*@ assert distinct: \forall integer i, j;
		0 <= i < j < FSM_HISTORY && s->log[i].id != 0 ==>
		s->log[i].id != s->log[j].id; */
	//@ assert now_logged: logged(s, s->gen, how);
	//@ assert log: log_valid(s);
	//@ assert counted: ended(s) + open(s) == s->freezes;
	//@ assert ended_state: s->state == FSM_STABLE || s->state == FSM_FAILED;
	/*@ assert stable_error: s->state == FSM_STABLE ==>
		s->last_error == FSM_ERR_NONE || s->last_error == FSM_ERR_ABORTED; */
	/*@ assert failed_shape: s->state == FSM_FAILED ==> s->gen >= 1 &&
		s->last_error == FSM_ERR_TIMEOUT && s->deadline <= s->clock; */
	//@ assert ids: s->freezes <= s->gen;
	/*@ assert released: s->holds != FSM_HOLD_FROZEN &&
		s->holds != FSM_HOLD_PARTIAL && s->fs_released == s->fs_frozen; */
	//@ assert holds: holds_valid(s);
	return verdict + release;
}

/*@
  requires valid: \valid_read(s);
  requires id: id != 0;
  requires inv: log_valid(s);
  assigns \nothing;
  ensures found: 0 <= \result < FSM_HISTORY ==> s->log[\result].id == id;
  ensures range: -1 <= \result < FSM_HISTORY;
  ensures missing: \result == -1 <==> !remembered(s, id);
*/
static int fsm_log_find(const struct fsm_session *s, unsigned long long id)
{
	int i;

	/*@
	  loop invariant 0 <= i <= FSM_HISTORY;
	  loop invariant \forall integer j; 0 <= j < i ==> s->log[j].id != id;
	  loop assigns i;
	  loop variant FSM_HISTORY - i;
	*/
	for (i = 0; i < FSM_HISTORY; i++)
		if (s->log[i].id == id)
			return i;
	return -1;
}

/*
 * Why a thaw or abort of @gen may not end a freeze, or 0 when it may (it
 * names the open freeze). A freeze that is not open is answered with what
 * the session remembers of how it ended.
 */
/*@
  requires valid: \valid_read(s);
  requires inv: session_valid(s);
  assigns \nothing;
  ensures names_open(s, gen) ==> \result == 0;
  ensures only_open: \result == 0 ==> names_open(s, gen);
  ensures gen == FSM_GEN_ANY && s->state == FSM_FAILED ==>
	\result == FSM_E_TIMED_OUT;
  ensures gen == FSM_GEN_ANY && s->state == FSM_STABLE ==>
	\result == FSM_E_NOT_FROZEN;
  ensures names_ended(s, gen) && logged(s, gen, FSM_ERR_TIMEOUT) ==>
	\result == FSM_E_TIMED_OUT;
  ensures names_ended(s, gen) && logged(s, gen, FSM_ERR_NONE) ==>
	\result == FSM_E_NOT_FROZEN;
  ensures names_ended(s, gen) && logged(s, gen, FSM_ERR_ABORTED) ==>
	\result == FSM_E_ABORTED;
  ensures names_ended(s, gen) && !remembered(s, gen) ==>
	\result == FSM_E_STALE;
*/
static int fsm_end_refusal(const struct fsm_session *s, unsigned long long gen)
{
	int i;

	if (fsm_is_open(s) && (gen == FSM_GEN_ANY || gen == s->gen))
		return 0;
	if (gen == FSM_GEN_ANY)
		return s->state == FSM_FAILED ? FSM_E_TIMED_OUT : FSM_E_NOT_FROZEN;
	i = fsm_log_find(s, gen);
	if (i < 0)
		return FSM_E_STALE;
	if (s->log[i].how == FSM_ERR_TIMEOUT)
		return FSM_E_TIMED_OUT;
	if (s->log[i].how == FSM_ERR_ABORTED)
		return FSM_E_ABORTED;
	return FSM_E_NOT_FROZEN;
}

int fsm_thaw(struct fsm_session *s, unsigned long long gen,
	     unsigned long long now)
{
	int refusal = fsm_end_refusal(s, gen);

	if (refusal)
		return refusal;
	if (s->state == FSM_FREEZING && now < s->deadline)
		return FSM_E_BUSY;	/* not all are frozen yet */
	return fsm_end(s, now < s->deadline ? FSM_ERR_NONE : FSM_ERR_TIMEOUT,
		       now);
}

int fsm_abort(struct fsm_session *s, unsigned long long gen,
	      unsigned long long now)
{
	int refusal = fsm_end_refusal(s, gen);

	if (refusal)
		return refusal;
	return fsm_end(s, now < s->deadline ? FSM_ERR_ABORTED : FSM_ERR_TIMEOUT,
		       now);
}

/*
 * A filesystem froze after its freeze ended (aborted, timed out): release
 * it at once. Those frozen before the end were released then (LAST); if
 * none was (FREEZING), this is the freeze's one release.
 */
/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires ended: !is_open(s);
  requires freezing: freezing(s);
  assigns s->holds, s->fs_frozen, s->fs_released;
  ensures inv: session_valid(s);
  ensures \result == FSM_IGNORED + FSM_RELEASE && s->holds == FSM_HOLD_NONE;
  ensures release: releases_once{Pre, Post}(s, \result);
  ensures counted: s->fs_frozen == \old(s->fs_frozen) +
	  (\old(s->holds) == FSM_HOLD_FREEZING ? 1 : 0);
*/
static int fsm_release_late(struct fsm_session *s)
{
	if (s->holds == FSM_HOLD_FREEZING) {
		s->fs_frozen++;
		s->fs_released++;
	}
#ifdef FSM_HUNG_SYNC_BUG	/* the end left those frozen before held */
	if (s->holds == FSM_HOLD_PARTIAL)
		s->fs_released++;
#endif
	s->holds = FSM_HOLD_NONE;
	//@ assert undone: holds_valid(s);
	return FSM_IGNORED + FSM_RELEASE;
}

/*
 * The caller stops freezing the filesystems of the open freeze, which it
 * is about to end: those it froze so far are released now, counted once.
 * Returns the release order to add to the end's verdict.
 */
/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires freezing: s->state == FSM_FREEZING &&
	   (s->holds == FSM_HOLD_FREEZING || s->holds == FSM_HOLD_PARTIAL);
  assigns s->holds, s->fs_released;
  ensures inv: session_valid(s);
  ensures log: log_kept{Pre, Post}(s);
  ensures s->holds == FSM_HOLD_NONE;
  ensures \result == \old(release_if_held(s));
  ensures s->fs_released == \old(s->fs_released) + \old(held(s));
*/
static int fsm_freezer_stops(struct fsm_session *s)
{
	int release = 0;

	if (s->holds == FSM_HOLD_PARTIAL) {
		s->fs_released++;
		release = FSM_RELEASE;
	}
	s->holds = FSM_HOLD_NONE;
	//@ assert released: holds_valid(s);
	return release;
}

/*
 * The caller, freezing the filesystems of the open freeze, holds one more:
 * the session holds those frozen so far (PARTIAL), counted once per freeze.
 */
/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires freezing: s->state == FSM_FREEZING && freezing(s);
  assigns s->holds, s->fs_frozen;
  ensures inv: session_valid(s);
  ensures log: log_kept{Pre, Post}(s);
  ensures s->holds == FSM_HOLD_PARTIAL;
  ensures counted: s->fs_frozen == \old(s->fs_frozen) +
	  (\old(s->holds) == FSM_HOLD_FREEZING ? 1 : 0);
*/
static void fsm_hold_one(struct fsm_session *s)
{
	if (s->holds == FSM_HOLD_FREEZING)
		s->fs_frozen++;
	s->holds = FSM_HOLD_PARTIAL;
	//@ assert holding: holds_valid(s);
}

int fsm_frozen_one(struct fsm_session *s, unsigned long long now)
{
	int release;

	if (s->state != FSM_FREEZING)	/* it ended meanwhile */
		return fsm_release_late(s);
	fsm_hold_one(s);
	if (now < s->deadline) {
		s->clock = now;
		return FSM_FREEZE_NEXT;
	}
	/* the sync outlived the deadline: release all, freeze no more */
	release = fsm_freezer_stops(s);
	//@ assert log_as_before: log_kept{Pre, Here}(s);
	return fsm_end(s, FSM_ERR_TIMEOUT, now) + release;
}

int fsm_frozen(struct fsm_session *s, int ok, unsigned long long now)
{
	int release;

	if (!ok) {	/* this one did not freeze: release those before it */
		if (s->state != FSM_FREEZING) {	/* they were, at the end */
			s->holds = FSM_HOLD_NONE;
			//@ assert done: holds_valid(s);
			return FSM_IGNORED;
		}
		release = fsm_freezer_stops(s);
		//@ assert log_as_before: log_kept{Pre, Here}(s);
		return fsm_end(s, now < s->deadline ? FSM_ERR_ABORTED :
			       FSM_ERR_TIMEOUT, now) + release;
	}
	if (s->state != FSM_FREEZING) {	/* it ended meanwhile: undo at once */
#ifdef FSM_LOST_THAW_BUG
		if (s->state == FSM_FAILED) {
			s->holds = FSM_HOLD_NONE;
			return FSM_IGNORED;
		}
#endif
		return fsm_release_late(s);
	}
	fsm_hold_one(s);
	s->state = FSM_FROZEN;
	s->holds = FSM_HOLD_FROZEN;
	//@ assert holding: holds_valid(s);
	//@ assert still_open: !remembered(s, s->gen) && log_valid(s);
	//@ assert ready: session_valid(s);
	//@ assert log_as_before: log_kept{Pre, Here}(s);
	if (now >= s->deadline)	/* the sync outlived the deadline */
		return fsm_end(s, FSM_ERR_TIMEOUT, now);
	s->clock = now;
	return FSM_FROZE;
}

int fsm_reset(struct fsm_session *s, unsigned long long now)
{
	if (fsm_is_open(s))
		return FSM_E_BUSY;
	s->state = FSM_STABLE;
	s->last_error = FSM_ERR_NONE;
	s->clock = now;
	return FSM_RESET;
}

int fsm_timeout(struct fsm_session *s, unsigned long long gen,
		unsigned long long now)
{
#ifdef FSM_KB915331_BUG
	/*
	 * The KB 915331 worker: its timer fired, so it fails the session,
	 * whatever happened since it was armed.
	 */
	(void)gen;
	return fsm_end(s, FSM_ERR_TIMEOUT, now);
#else
	/* Only the freeze this worker was armed for may time out. */
	if (!fsm_is_open(s) || s->gen != gen)
		return FSM_IGNORED;
	if (now < s->deadline)
		return FSM_EARLY;
	return fsm_end(s, FSM_ERR_TIMEOUT, now);
#endif
}

unsigned long long fsm_time_left(const struct fsm_session *s,
				 unsigned long long now)
{
	if (fsm_is_open(s) && now < s->deadline)
		return s->deadline - now;
	return 0;
}

int fsm_may_remove(const struct fsm_session *s)
{
	return !fsm_is_open(s) && s->holds == FSM_HOLD_NONE;
}
