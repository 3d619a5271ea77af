/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard core: the freeze/thaw/timeout state machine of one session
 * (one VSS-style writer), with its ACSL contract.
 *
 * This file and fsm.c include no header at all, kernel or libc: the same
 * object is compiled into freezeguard.ko, into the userspace tests, and is
 * what Frama-C WP proves (make prove).
 *
 * Time is a monotonic nanosecond count supplied by the caller, read while
 * the caller holds the session's lock, so that successive calls see time
 * that never goes backwards (the "mono" precondition). The outcome of a
 * freeze is decided by that time alone: a thaw before the deadline of its
 * generation succeeds, a thaw at or after it is refused, whether or not the
 * timeout worker has run yet (DESIGN.md, property 6).
 */
#ifndef FREEZEGUARD_FSM_H
#define FREEZEGUARD_FSM_H

/**
 * enum fsm_state - state of a session; the values are VSS writer states
 * @FSM_STABLE: VSS_WS_STABLE: no freeze active
 * @FSM_FROZEN: VSS_WS_WAITING_FOR_THAW: freeze of generation @gen active
 * @FSM_FAILED: VSS_WS_FAILED_AT_FREEZE: generation @gen timed out; stays
 *	until fsm_reset(), so that the late thawer learns it (property 4)
 */
enum fsm_state {
	FSM_STABLE = 1,
	FSM_FROZEN = 3,
	FSM_FAILED = 9,
};

/**
 * enum fsm_error - how the last freeze ended, when it did not end well
 * @FSM_ERR_NONE: thawed in time, or never frozen, or reset
 * @FSM_ERR_TIMEOUT: the deadline passed before thaw
 *	(VSS_E_WRITERERROR_TIMEOUT, 0x800423F2)
 * @FSM_ERR_ABORTED: the requester aborted the freeze
 */
enum fsm_error {
	FSM_ERR_NONE = 0,
	FSM_ERR_TIMEOUT = 1,
	FSM_ERR_ABORTED = 2,
};

/**
 * enum fsm_verdict - what a transition decided
 *
 * Non-negative values are verdicts the caller acts on; negative values are
 * refusals, after which the session is unchanged.
 *
 * @FSM_FROZE: freeze accepted: arm the deadline of the new generation
 * @FSM_THAWED: thaw in time: the generation ended well
 * @FSM_ABORTED: abort in time: the generation ended as aborted
 * @FSM_EXPIRED: this call ended the generation by timeout: warn, release
 *	what the freeze held, wake waiters (a thaw or abort that gets it also
 *	reports the timeout to its caller)
 * @FSM_RESET: a STABLE or FAILED session is STABLE again, error cleared
 * @FSM_EARLY: timeout step before the deadline: nothing changed, re-arm
 * @FSM_IGNORED: timeout step for a generation that is not the frozen one
 *	(already thawed, aborted, expired, or a newer freeze): nothing changed
 * @FSM_E_BUSY: freeze or reset while frozen, or freeze while FAILED
 * @FSM_E_NOT_FROZEN: thaw or abort of a session that is not frozen
 * @FSM_E_TIMED_OUT: thaw or abort of a generation that already timed out
 * @FSM_E_STALE: thaw or abort naming a generation that is not the current one
 * @FSM_E_INVALID: freeze with a timeout of 0, above FSM_TIMEOUT_MAX_NS, or
 *	whose deadline would not fit in 64 bits
 * @FSM_E_EXHAUSTED: the 64-bit generation counter is used up
 */
enum fsm_verdict {
	FSM_FROZE = 0,
	FSM_THAWED = 1,
	FSM_ABORTED = 2,
	FSM_EXPIRED = 3,
	FSM_RESET = 4,
	FSM_EARLY = 5,
	FSM_IGNORED = 6,
	FSM_E_BUSY = -1,
	FSM_E_NOT_FROZEN = -2,
	FSM_E_TIMED_OUT = -3,
	FSM_E_STALE = -4,
	FSM_E_INVALID = -5,
	FSM_E_EXHAUSTED = -6,
};

/* Thaw or abort "whatever generation is current"; real generations start at 1. */
#define FSM_GEN_ANY 0ULL
#define FSM_U64_MAX 0xffffffffffffffffULL
/* One day: far above any sane freeze, far below 64-bit overflow. */
#define FSM_TIMEOUT_MAX_NS (86400ULL * 1000000000ULL)

/**
 * struct fsm_session - the state of one session
 * @state: enum fsm_state
 * @last_error: enum fsm_error: how the last freeze ended
 * @gen: generation of the current or last freeze; 0 before the first.
 *	Also the number of freezes accepted.
 * @frozen_at: time the current or last freeze was accepted (ns)
 * @deadline: time at which the current or last freeze times out (ns)
 * @clock: latest time at which a transition changed the session (ns)
 * @thaws: generations ended by a thaw in time
 * @timeouts: generations ended by their deadline
 * @aborts: generations ended by abort
 */
struct fsm_session {
	enum fsm_state state;
	enum fsm_error last_error;
	unsigned long long gen;
	unsigned long long frozen_at;
	unsigned long long deadline;
	unsigned long long clock;
	unsigned long long thaws;
	unsigned long long timeouts;
	unsigned long long aborts;
};

/*@
  // Generations that have ended, each counted once by how it ended.
  logic integer ended(struct fsm_session *s) =
    s->thaws + s->timeouts + s->aborts;

  logic integer open(struct fsm_session *s) =
    s->state == FSM_FROZEN ? 1 : 0;

  // The session invariant, required and ensured by every transition.
  // Its last line is property 3, "exactly once": every generation so far
  // is either the one open freeze or counted in exactly one of thaws,
  // timeouts, aborts.
  predicate session_valid(struct fsm_session *s) =
    (s->state == FSM_STABLE || s->state == FSM_FROZEN ||
     s->state == FSM_FAILED) &&
    (s->state == FSM_STABLE ==>
       s->last_error == FSM_ERR_NONE || s->last_error == FSM_ERR_ABORTED) &&
    (s->state == FSM_FROZEN ==>
       s->gen >= 1 && s->last_error == FSM_ERR_NONE &&
       s->frozen_at <= s->clock && s->frozen_at < s->deadline &&
       s->deadline - s->frozen_at <= FSM_TIMEOUT_MAX_NS) &&
    (s->state == FSM_FAILED ==>
       s->gen >= 1 && s->last_error == FSM_ERR_TIMEOUT &&
       s->deadline <= s->clock) &&
    ended(s) + open(s) == s->gen;

  predicate gen_matches(struct fsm_session *s, unsigned long long g) =
    g == FSM_GEN_ANY || g == s->gen;

  // Property 3 step by step: a transition ends at most the one open
  // generation, counted once, and only a freeze opens one, numbered next.
  predicate ends_at_most_once{L1, L2}(struct fsm_session *s) =
    ended{L2}(s) == ended{L1}(s) +
      (\at(s->state, L1) == FSM_FROZEN && \at(s->state, L2) != FSM_FROZEN
       ? 1 : 0) &&
    \at(s->thaws, L1) <= \at(s->thaws, L2) &&
    \at(s->timeouts, L1) <= \at(s->timeouts, L2) &&
    \at(s->aborts, L1) <= \at(s->aborts, L2) &&
    (\at(s->state, L2) == FSM_FROZEN && \at(s->state, L1) != FSM_FROZEN ==>
       \at(s->gen, L2) == \at(s->gen, L1) + 1) &&
    (\at(s->state, L2) == FSM_FROZEN && \at(s->state, L1) == FSM_FROZEN ==>
       \at(s->gen, L2) == \at(s->gen, L1));

  // A refused request, or an ignored worker, leaves the session as it was.
  predicate unchanged{L1, L2}(struct fsm_session *s) =
    \at(s->state, L1) == \at(s->state, L2) &&
    \at(s->last_error, L1) == \at(s->last_error, L2) &&
    \at(s->gen, L1) == \at(s->gen, L2) &&
    \at(s->frozen_at, L1) == \at(s->frozen_at, L2) &&
    \at(s->deadline, L1) == \at(s->deadline, L2) &&
    \at(s->clock, L1) == \at(s->clock, L2) &&
    \at(s->thaws, L1) == \at(s->thaws, L2) &&
    \at(s->timeouts, L1) == \at(s->timeouts, L2) &&
    \at(s->aborts, L1) == \at(s->aborts, L2);

  // The generation ended by timeout, and the session says so (property 4).
  predicate shows_timeout(struct fsm_session *s) =
    s->state == FSM_FAILED && s->last_error == FSM_ERR_TIMEOUT;
*/

/*@
  requires valid: \valid(s);
  assigns *s;
  ensures inv: session_valid(s);
  ensures stable: s->state == FSM_STABLE && s->last_error == FSM_ERR_NONE;
  ensures fresh: s->gen == 0 && s->clock == 0 && ended(s) == 0;
*/
void fsm_init(struct fsm_session *s);

/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->gen, s->state, s->last_error, s->frozen_at, s->deadline,
	  s->clock;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures once: ends_at_most_once{Pre, Post}(s);

  behavior bad_timeout:
    assumes timeout_ns == 0 || timeout_ns > FSM_TIMEOUT_MAX_NS ||
	    now > FSM_U64_MAX - timeout_ns;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_INVALID;
  behavior busy:
    assumes 0 < timeout_ns <= FSM_TIMEOUT_MAX_NS &&
	    now <= FSM_U64_MAX - timeout_ns;
    assumes s->state != FSM_STABLE;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_BUSY;
  behavior exhausted:
    assumes 0 < timeout_ns <= FSM_TIMEOUT_MAX_NS &&
	    now <= FSM_U64_MAX - timeout_ns;
    assumes s->state == FSM_STABLE && s->gen == FSM_U64_MAX;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_EXHAUSTED;
  behavior froze:
    assumes 0 < timeout_ns <= FSM_TIMEOUT_MAX_NS &&
	    now <= FSM_U64_MAX - timeout_ns;
    assumes s->state == FSM_STABLE && s->gen < FSM_U64_MAX;
    ensures \result == FSM_FROZE;
    ensures s->state == FSM_FROZEN && s->last_error == FSM_ERR_NONE;
    ensures s->gen == \old(s->gen) + 1;
    ensures s->frozen_at == now && s->deadline == now + timeout_ns;
    ensures s->clock == now;
    ensures ended(s) == \old(ended(s));

  complete behaviors;
  disjoint behaviors;
*/
int fsm_freeze(struct fsm_session *s, unsigned long long timeout_ns,
	       unsigned long long now);

/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->state, s->last_error, s->thaws, s->timeouts, s->clock;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures same_gen: s->gen == \old(s->gen);

  behavior stale:
    assumes !gen_matches(s, gen);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_STALE;
  behavior already_timed_out:
    assumes gen_matches(s, gen) && s->state == FSM_FAILED;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_TIMED_OUT;
    ensures shows_timeout(s);
  behavior not_frozen:
    assumes gen_matches(s, gen) && s->state == FSM_STABLE;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_NOT_FROZEN;
  // Property 6: time decides. Before the deadline, thaw wins.
  behavior thaw_in_time:
    assumes gen_matches(s, gen) && s->state == FSM_FROZEN;
    assumes now < s->deadline;
    ensures \result == FSM_THAWED;
    ensures s->state == FSM_STABLE && s->last_error == FSM_ERR_NONE;
    ensures s->thaws == \old(s->thaws) + 1;
    ensures s->timeouts == \old(s->timeouts);
    ensures s->clock == now;
  // Properties 4 and 6: at or after the deadline, thaw loses and learns.
  behavior thaw_after_timeout:
    assumes gen_matches(s, gen) && s->state == FSM_FROZEN;
    assumes now >= s->deadline;
    ensures \result == FSM_EXPIRED;
    ensures shows_timeout(s);
    ensures s->timeouts == \old(s->timeouts) + 1;
    ensures s->thaws == \old(s->thaws);
    ensures s->clock == now;

  complete behaviors;
  disjoint behaviors;
*/
int fsm_thaw(struct fsm_session *s, unsigned long long gen,
	     unsigned long long now);

/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->state, s->last_error, s->aborts, s->timeouts, s->clock;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures same_gen: s->gen == \old(s->gen);

  behavior stale:
    assumes !gen_matches(s, gen);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_STALE;
  behavior already_timed_out:
    assumes gen_matches(s, gen) && s->state == FSM_FAILED;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_TIMED_OUT;
  behavior not_frozen:
    assumes gen_matches(s, gen) && s->state == FSM_STABLE;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_NOT_FROZEN;
  behavior abort_in_time:
    assumes gen_matches(s, gen) && s->state == FSM_FROZEN;
    assumes now < s->deadline;
    ensures \result == FSM_ABORTED;
    ensures s->state == FSM_STABLE && s->last_error == FSM_ERR_ABORTED;
    ensures s->aborts == \old(s->aborts) + 1;
    ensures s->timeouts == \old(s->timeouts);
    ensures s->clock == now;
  behavior abort_after_timeout:
    assumes gen_matches(s, gen) && s->state == FSM_FROZEN;
    assumes now >= s->deadline;
    ensures \result == FSM_EXPIRED;
    ensures shows_timeout(s);
    ensures s->timeouts == \old(s->timeouts) + 1;
    ensures s->aborts == \old(s->aborts);
    ensures s->clock == now;

  complete behaviors;
  disjoint behaviors;
*/
int fsm_abort(struct fsm_session *s, unsigned long long gen,
	      unsigned long long now);

/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->state, s->last_error, s->clock;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures same_gen: s->gen == \old(s->gen);

  behavior busy:
    assumes s->state == FSM_FROZEN;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_BUSY;
  behavior reset:
    assumes s->state != FSM_FROZEN;
    ensures \result == FSM_RESET;
    ensures s->state == FSM_STABLE && s->last_error == FSM_ERR_NONE;
    ensures ended(s) == \old(ended(s));
    ensures s->clock == now;

  complete behaviors;
  disjoint behaviors;
*/
int fsm_reset(struct fsm_session *s, unsigned long long now);

/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->state, s->last_error, s->timeouts, s->clock;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures same_gen: s->gen == \old(s->gen);

  // Property 1 (KB 915331): the freeze this worker was armed for has ended
  // -- thawed, aborted, expired -- so the worker changes nothing.
  behavior after_end:
    assumes s->state != FSM_FROZEN;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_IGNORED;
  // Property 2: a worker of an older generation meets a newer freeze and
  // changes nothing.
  behavior stale_worker:
    assumes s->state == FSM_FROZEN && gen != s->gen;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_IGNORED;
  behavior early:
    assumes s->state == FSM_FROZEN && gen == s->gen && now < s->deadline;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_EARLY;
  behavior expired:
    assumes s->state == FSM_FROZEN && gen == s->gen && now >= s->deadline;
    ensures \result == FSM_EXPIRED;
    ensures shows_timeout(s);
    ensures s->timeouts == \old(s->timeouts) + 1;
    ensures s->clock == now;

  complete behaviors;
  disjoint behaviors;
*/
int fsm_timeout(struct fsm_session *s, unsigned long long gen,
		unsigned long long now);

/*@
  requires valid: \valid_read(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns \nothing;
  ensures s->state == FSM_FROZEN && now < s->deadline ==>
	    \result == s->deadline - now;
  ensures !(s->state == FSM_FROZEN && now < s->deadline) ==> \result == 0;
*/
unsigned long long fsm_time_left(const struct fsm_session *s,
				 unsigned long long now);

/*@
  requires valid: \valid_read(s);
  assigns \nothing;
  ensures \result != 0 <==> s->state != FSM_FROZEN;
*/
int fsm_may_remove(const struct fsm_session *s);

#endif /* FREEZEGUARD_FSM_H */
