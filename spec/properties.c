// SPDX-License-Identifier: GPL-2.0
/*
 * The properties of README.md ("What is proved") as sequences of
 * transitions, each proved by WP from the contracts in module/fsm.h (which
 * `make prove` proves against module/fsm.c in the same run). Nothing here
 * is compiled into the module: these functions exist only to be proved.
 * Every thread's request is one transition under the session lock, so a
 * sequence of transitions is any interleaving of threads; the times are
 * free, but never go backwards, and freeze ids only increase.
 */
#include "../module/fsm.h"

/*
 * Property 1, the KB 915331 race: the requester thaws its freeze g in
 * time, and only then does g's timeout worker start, however late. The
 * worker must change nothing: no failure, no timeout counted.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_FROZEN;
  requires s->clock <= t_thaw <= t_worker;
  assigns *s;
*/
void thaw_before_worker(struct fsm_session *s, unsigned long long t_thaw,
			unsigned long long t_worker)
{
	unsigned long long g = s->gen;
	int thaw = fsm_thaw(s, g, t_thaw);

	/* (with filesystems held, the thaw also orders them released) */
	if (thaw != FSM_THAWED && thaw != FSM_THAWED + FSM_RELEASE)
		return;
	//@ assert thaw_in_time: t_thaw < \at(s->deadline, Pre);
After_thaw:
	;
	int worker = fsm_timeout(s, g, t_worker);
	//@ assert kb915331_no_failure: worker == FSM_IGNORED;
	//@ assert kb915331_stable: s->state == FSM_STABLE && s->last_error == FSM_ERR_NONE;
	//@ assert kb915331_no_timeout: s->timeouts == \at(s->timeouts, After_thaw);
	//@ assert kb915331_nothing_changed: unchanged{After_thaw, Here}(s);
}

/*
 * Property 1, the other ways a freeze ends before its worker starts: an
 * abort in time, and a thaw after the deadline (which expires it). The
 * worker that starts afterwards changes nothing; the timeout is counted
 * once, by the thaw.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_FROZEN;
  requires s->clock <= t_abort <= t_worker;
  assigns *s;
*/
void abort_before_worker(struct fsm_session *s, unsigned long long t_abort,
			 unsigned long long t_worker)
{
	unsigned long long g = s->gen;
	int abort = fsm_abort(s, g, t_abort);

	/* (with filesystems held, the abort also orders them released) */
	if (abort != FSM_ABORTED && abort != FSM_ABORTED + FSM_RELEASE)
		return;
	//@ assert aborted: s->state == FSM_STABLE && s->last_error == FSM_ERR_ABORTED;
Aborted:
	;
	int worker = fsm_timeout(s, g, t_worker);
	//@ assert worker_ignored: worker == FSM_IGNORED;
	//@ assert nothing_changed: unchanged{Aborted, Here}(s);
}

/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_FROZEN;
  requires s->deadline <= t_thaw && s->clock <= t_thaw <= t_worker;
  assigns *s;
*/
void expired_thaw_before_worker(struct fsm_session *s,
				unsigned long long t_thaw,
				unsigned long long t_worker)
{
	unsigned long long g = s->gen;
	int thaw = fsm_thaw(s, g, t_thaw);

	//@ assert thaw_expires: verdict(thaw) == FSM_EXPIRED && shows_timeout(s);
	//@ assert counted: s->timeouts == \at(s->timeouts, Pre) + 1;
Expired:
	;
	int worker = fsm_timeout(s, g, t_worker);
	//@ assert worker_ignored: worker == FSM_IGNORED;
	//@ assert nothing_changed: unchanged{Expired, Here}(s);
}

/*
 * One freeze, two workers (the deadline fired, the timer was re-armed on
 * an early run, both ran late): the first fails the freeze, the second
 * changes nothing; the timeout is counted once.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_FROZEN;
  requires s->deadline <= t1 && s->clock <= t1 <= t2;
  assigns *s;
*/
void two_workers(struct fsm_session *s, unsigned long long t1,
		 unsigned long long t2)
{
	unsigned long long g = s->gen;
	int first = fsm_timeout(s, g, t1);

	//@ assert first_expires: verdict(first) == FSM_EXPIRED && shows_timeout(s);
	//@ assert counted: s->timeouts == \at(s->timeouts, Pre) + 1;
After_first:
	;
	int second = fsm_timeout(s, g, t2);
	//@ assert second_ignored: second == FSM_IGNORED;
	//@ assert nothing_changed: unchanged{After_first, Here}(s);
}

/*
 * Property 2 after an abort and a reset: freeze g1, abort it, reset,
 * freeze g2; g1's worker runs late. It must not touch g2.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_STABLE && s->holds == FSM_HOLD_NONE;
  requires s->clock <= t1 <= t2 <= t3 <= t4 <= t_worker;
  assigns *s;
*/
void abort_reset_then_refreeze(struct fsm_session *s,
			       unsigned long long g1, unsigned long long g2,
			       unsigned long long timeout1,
			       unsigned long long timeout2,
			       unsigned long long t1, unsigned long long t2,
			       unsigned long long t3, unsigned long long t4,
			       unsigned long long t_worker)
{
	if (fsm_freeze(s, g1, timeout1, t1, 0) != FSM_FROZE)
		return;
	if (fsm_abort(s, g1, t2) != FSM_ABORTED)
		return;
	//@ assert reset_allowed: !is_open(s);
	if (fsm_reset(s, t3) != FSM_RESET)
		return;
	//@ assert reset_clears: s->state == FSM_STABLE && s->last_error == FSM_ERR_NONE;
	if (fsm_freeze(s, g2, timeout2, t4, 0) != FSM_FROZE)
		return;
Refrozen:
	;
	int worker = fsm_timeout(s, g1, t_worker);
	//@ assert stale_ignored: worker == FSM_IGNORED;
	//@ assert second_freeze_intact: s->state == FSM_FROZEN && s->gen == g2 && g2 > g1;
	//@ assert nothing_changed: unchanged{Refrozen, Here}(s);
}

/*
 * Property 2: freeze g1, thaw, freeze again (g2); g1's worker runs late,
 * after the second freeze. It must not fail g2.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_STABLE;
  requires s->clock <= t1 <= t2 <= t3 <= t_worker;
  assigns *s;
*/
void stale_worker_after_refreeze(struct fsm_session *s,
				 unsigned long long g1, unsigned long long g2,
				 unsigned long long timeout1,
				 unsigned long long timeout2,
				 unsigned long long t1, unsigned long long t2,
				 unsigned long long t3,
				 unsigned long long t_worker)
{
	if (fsm_freeze(s, g1, timeout1, t1, 0) != FSM_FROZE)
		return;
	if (fsm_thaw(s, g1, t2) != FSM_THAWED)
		return;
	if (fsm_freeze(s, g2, timeout2, t3, 0) != FSM_FROZE)
		return;
Refrozen:
	;
	int worker = fsm_timeout(s, g1, t_worker);
	//@ assert stale_ignored: worker == FSM_IGNORED;
	//@ assert second_freeze_intact: s->state == FSM_FROZEN && s->gen == g2 && g2 > g1;
	//@ assert second_deadline_kept: s->deadline == \at(s->deadline, Refrozen);
	//@ assert no_timeout: s->timeouts == \at(s->timeouts, Refrozen);
}

/*
 * The stale thawer joins the stale worker (properties 2 and 4): freeze g1
 * times out, and the next freeze (g2) is accepted although the session
 * was FAILED: a failure never blocks the next freeze. The late thawer of
 * g1 then learns that its own freeze timed out, and its thaw changes
 * nothing of g2.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_FROZEN;
  requires s->clock <= t_worker <= t2 <= t_thaw;
  requires s->deadline <= t_worker;
  requires 0 < timeout2 <= FSM_TIMEOUT_MAX_NS && t2 <= FSM_U64_MAX - timeout2;
  requires g2 > s->gen;
  assigns *s;
*/
void late_thawer_after_refreeze(struct fsm_session *s, unsigned long long g2,
				unsigned long long timeout2,
				unsigned long long t_worker,
				unsigned long long t2,
				unsigned long long t_thaw)
{
	unsigned long long g1 = s->gen;
	int worker = fsm_timeout(s, g1, t_worker);
	//@ assert expired: verdict(worker) == FSM_EXPIRED && shows_timeout(s);
	int refreeze = fsm_freeze(s, g2, timeout2, t2, 0);
	//@ assert failure_does_not_block: refreeze == FSM_FROZE;
Refrozen:
	;
	//@ assert older: 1 <= g1 < s->gen && s->state == FSM_FROZEN;
	//@ assert still_logged: logged(s, g1, FSM_ERR_TIMEOUT);
	int late = fsm_thaw(s, g1, t_thaw);
	//@ assert late_thawer_learns: late == FSM_E_TIMED_OUT;
	//@ assert second_freeze_intact: s->state == FSM_FROZEN && s->gen == g2;
	//@ assert nothing_changed: unchanged{Refrozen, Here}(s);
}

/*
 * Never success for someone else's thaw: an administrator ends the freeze
 * ("whatever is current"), then its requester's thaw arrives. The
 * requester hears that its freeze was already thawed, not success.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_FROZEN;
  requires s->clock <= t_admin <= t_thaw && t_admin < s->deadline;
  assigns *s;
*/
void thawed_by_another(struct fsm_session *s, unsigned long long t_admin,
		       unsigned long long t_thaw)
{
	unsigned long long g = s->gen;
	int admin = fsm_thaw(s, FSM_GEN_ANY, t_admin);
	int mine = fsm_thaw(s, g, t_thaw);
	//@ assert admin_won: verdict(admin) == FSM_THAWED;
	//@ assert released_by_the_winner: releases(admin) <==> \at(s->holds, Pre) == FSM_HOLD_FROZEN;
	//@ assert not_twice: !releases(mine) && s->fs_released == s->fs_frozen;
	//@ assert requester_told: mine == FSM_E_NOT_FROZEN;
	//@ assert ended_once: s->thaws == \at(s->thaws, Pre) + 1;
}

/*
 * Properties 4 and 6: the worker may run at any time (early, on time or
 * late) before the thaw; the thaw's outcome depends on the thaw's time only.
 * Before the deadline it succeeds; at or after it, it is refused as timed
 * out and the session shows FAILED / TIMEOUT.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_FROZEN;
  requires s->clock <= t_worker <= t_thaw;
  assigns *s;
*/
void worker_before_thaw(struct fsm_session *s, unsigned long long t_worker,
			unsigned long long t_thaw)
{
	unsigned long long g = s->gen;
	unsigned long long deadline = s->deadline;

	fsm_timeout(s, g, t_worker);
	int thaw = fsm_thaw(s, g, t_thaw);
	//@ assert time_decides_in_time: t_thaw < deadline ==> verdict(thaw) == FSM_THAWED;
	//@ assert time_decides_late: t_thaw >= deadline ==> verdict(thaw) == FSM_EXPIRED || thaw == FSM_E_TIMED_OUT;
	//@ assert loser_learns: t_thaw >= deadline ==> shows_timeout(s);
	//@ assert ended_once: s->thaws + s->timeouts == \at(s->thaws + s->timeouts, Pre) + 1;
}

/*
 * Property 4: a thaw that lost to the deadline is refused, and so is every
 * later thaw of that freeze, named or not, while the session shows it.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_FROZEN;
  requires s->clock <= t_thaw <= t_again && s->deadline <= t_thaw;
  assigns *s;
*/
void thaw_after_deadline_twice(struct fsm_session *s,
			       unsigned long long t_thaw,
			       unsigned long long t_again)
{
	unsigned long long g = s->gen;
	int first = fsm_thaw(s, g, t_thaw);
	int again = fsm_thaw(s, g, t_again);
	int any = fsm_thaw(s, FSM_GEN_ANY, t_again);
	//@ assert first_refused: verdict(first) == FSM_EXPIRED;
	//@ assert again_refused: again == FSM_E_TIMED_OUT && any == FSM_E_TIMED_OUT;
	//@ assert shows_failed: shows_timeout(s);
	//@ assert counted_once: s->timeouts == \at(s->timeouts, Pre) + 1;
}

/*
 * Property 7 meets the race: a freeze with filesystems whose deadline
 * passes during their sync. The worker ends it timed out but orders no
 * release (nothing is frozen yet); the sync completes later and the
 * filesystems are released at once -- exactly once: the late thawer hears
 * "timed out" and releases nothing more.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_STABLE && s->holds == FSM_HOLD_NONE;
  requires s->clock <= t1 <= t_worker <= t_done <= t_thaw;
  assigns *s;
*/
void timeout_while_freezing(struct fsm_session *s, unsigned long long g,
			    unsigned long long timeout, unsigned long long t1,
			    unsigned long long t_worker,
			    unsigned long long t_done,
			    unsigned long long t_thaw)
{
	if (fsm_freeze(s, g, timeout, t1, 1) != FSM_FREEZE_FS)
		return;
	if (t_worker < s->deadline)
		return;
Requested:
	;
	int worker = fsm_timeout(s, g, t_worker);
	//@ assert expired_unreleased: worker == FSM_EXPIRED && s->holds == FSM_HOLD_FREEZING;
	//@ assert nothing_released_yet: s->fs_released == \at(s->fs_released, Requested);
	int done = fsm_frozen(s, 1, t_done);
	//@ assert released_at_completion: done == FSM_IGNORED + FSM_RELEASE;
	//@ assert released_once: s->fs_released == s->fs_frozen && s->holds == FSM_HOLD_NONE;
	//@ assert still_logged: logged(s, g, FSM_ERR_TIMEOUT) && names_ended(s, g);
	int thaw = fsm_thaw(s, g, t_thaw);
	//@ assert late_thawer_told: thaw == FSM_E_TIMED_OUT;
	//@ assert releases_nothing: !releases(thaw);
	//@ assert no_second_release: s->fs_released == s->fs_frozen;
}

/*
 * Property 7 when a sync hangs: a freeze of two filesystems whose second
 * one's sync outlasts the deadline. The worker ends it timed out and
 * releases the first at once -- it does not wait for the second, whose
 * sync may never return -- and the second is released the moment its
 * freeze completes: each once, nothing more for the late thawer.
 */
/*@
  requires \valid(s) && session_valid(s);
  requires s->state == FSM_STABLE && s->holds == FSM_HOLD_NONE;
  requires s->clock <= t1 <= t_first <= t_worker <= t_second <= t_thaw;
  assigns *s;
*/
void deadline_while_one_syncs(struct fsm_session *s, unsigned long long g,
			      unsigned long long timeout,
			      unsigned long long t1,
			      unsigned long long t_first,
			      unsigned long long t_worker,
			      unsigned long long t_second,
			      unsigned long long t_thaw)
{
	if (fsm_freeze(s, g, timeout, t1, 1) != FSM_FREEZE_FS)
		return;
	if (t_first >= s->deadline || t_worker < s->deadline)
		return;
	int first = fsm_frozen_one(s, t_first);
	//@ assert first_held: first == FSM_FREEZE_NEXT && s->holds == FSM_HOLD_PARTIAL;
Held:
	;
	int worker = fsm_timeout(s, g, t_worker);
	//@ assert released_at_deadline: worker == FSM_EXPIRED + FSM_RELEASE;
	//@ assert first_released: s->fs_released == \at(s->fs_released, Held) + 1;
	//@ assert second_pending: s->holds == FSM_HOLD_LAST;
	//@ assert timed_out: !is_open(s) && logged(s, g, FSM_ERR_TIMEOUT);
	int second = fsm_frozen(s, 1, t_second);
	//@ assert second_released: second == FSM_IGNORED + FSM_RELEASE;
	//@ assert all_released: s->fs_released == s->fs_frozen && s->holds == FSM_HOLD_NONE;
	//@ assert still_timed_out: names_ended(s, g) && logged(s, g, FSM_ERR_TIMEOUT);
	int thaw = fsm_thaw(s, g, t_thaw);
	//@ assert late_told: thaw == FSM_E_TIMED_OUT && !releases(thaw);
	//@ assert nothing_more: s->fs_released == s->fs_frozen;
}
