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
 * freeze succeeds, a thaw at or after it is refused, whether or not the
 * timeout worker has run yet (README.md, "What is proved", property 6).
 *
 * Each freeze carries an id (its "generation") that the caller draws from
 * a counter that never repeats; the core only requires that a session's
 * ids increase. A thaw, abort or timeout step names the freeze it is
 * about, and its answer is about that freeze only: the session remembers
 * how its last FSM_HISTORY freezes ended, so that a late thawer learns
 * what happened to its own freeze even after the next one has started.
 *
 * A freeze may hold filesystems. Freezing them syncs and may take seconds,
 * so the caller does it without the session's lock, in the state FREEZING,
 * one filesystem at a time, and reports each with fsm_frozen_one() (more
 * to come) or fsm_frozen() (the last, or a failure). Whatever the core
 * decides, the filesystems a session froze are released (thawed) exactly
 * once: the transition that must release them returns its verdict plus
 * FSM_RELEASE, and no other does (README.md, "What is proved", property
 * 7). A freeze that ends while FREEZING releases those frozen so far at
 * once, without waiting for the one whose sync is still running, and
 * that one the moment its freeze completes.
 */
#ifndef FREEZEGUARD_FSM_H
#define FREEZEGUARD_FSM_H

/*
 * The proof of the glue (module/session.c, spec/prove.sh) defines this:
 * every transition requires that its caller holds the session's lock. The
 * core's own proof has no lock and requires nothing more.
 */
#if defined(__FRAMAC__) && !defined(FSM_CALLER_LOCKED)
#define FSM_CALLER_LOCKED(s) (\true)
#endif

/**
 * enum fsm_state - state of a session; the values are VSS writer states
 * @FSM_STABLE: VSS_WS_STABLE: no freeze active
 * @FSM_FREEZING: VSS_WS_WAITING_FOR_FREEZE: freeze @gen accepted, its
 *	filesystems being frozen; its deadline runs
 * @FSM_FROZEN: VSS_WS_WAITING_FOR_THAW: freeze @gen active
 * @FSM_FAILED: VSS_WS_FAILED_AT_FREEZE: freeze @gen timed out; shown until
 *	the next freeze or fsm_reset()
 */
enum fsm_state {
	FSM_STABLE = 1,
	FSM_FREEZING = 2,
	FSM_FROZEN = 3,
	FSM_FAILED = 9,
};

/**
 * enum fsm_error - how a freeze ended
 * @FSM_ERR_NONE: thawed in time (or, as last_error: never frozen, reset)
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
 * enum fsm_hold - what a session holds of the filesystems of its freeze
 * @FSM_HOLD_NONE: nothing
 * @FSM_HOLD_FREEZING: the caller is freezing them (it got FSM_FREEZE_FS
 *	and has not yet called fsm_frozen()), none is frozen yet; the freeze
 *	may have ended meanwhile
 * @FSM_HOLD_FROZEN: the session froze them and has not released them
 * @FSM_HOLD_PARTIAL: the caller is freezing them; the session holds those
 *	frozen so far (the freeze is FREEZING)
 * @FSM_HOLD_LAST: the freeze ended while the caller was freezing them:
 *	those frozen so far were released then; the one whose freeze is
 *	running is released the moment it completes
 */
enum fsm_hold {
	FSM_HOLD_NONE = 0,
	FSM_HOLD_FREEZING = 1,
	FSM_HOLD_FROZEN = 2,
	FSM_HOLD_PARTIAL = 3,
	FSM_HOLD_LAST = 4,
};

/**
 * enum fsm_verdict - what a transition decided
 *
 * Non-negative values are verdicts the caller acts on; negative values are
 * refusals, after which the session is unchanged. A verdict of
 * FSM_RELEASE or more is the verdict v - FSM_RELEASE plus an order:
 * release (thaw) the filesystems the session holds, now.
 *
 * @FSM_FROZE: freeze accepted (or, from fsm_frozen(), its filesystems are
 *	frozen in time): arm the deadline of the new freeze
 * @FSM_THAWED: thaw in time: the freeze ended well
 * @FSM_ABORTED: abort in time: the freeze ended as aborted
 * @FSM_EXPIRED: this call ended the freeze by timeout: warn, release
 *	what the freeze held, wake waiters (a thaw or abort that gets it also
 *	reports the timeout to its caller)
 * @FSM_RESET: a STABLE or FAILED session is STABLE again, error cleared
 * @FSM_EARLY: timeout step before the deadline: nothing changed, re-arm
 * @FSM_IGNORED: timeout step for a freeze that is not the frozen one
 *	(already thawed, aborted, expired, or a newer freeze): nothing changed;
 *	from fsm_frozen(): the freeze had already ended
 * @FSM_FREEZE_FS: freeze with filesystems accepted: arm its deadline,
 *	freeze them without the session's lock, one at a time, reporting
 *	each with fsm_frozen_one() and the last with fsm_frozen()
 * @FSM_FREEZE_NEXT: from fsm_frozen_one(): held in time, freeze the next
 * @FSM_E_BUSY: freeze or reset while FREEZING or FROZEN (or while the
 *	filesystems of an ended freeze are still being frozen); thaw of a
 *	freeze that is FREEZING, before its deadline
 * @FSM_E_NOT_FROZEN: thaw or abort of a freeze that was already thawed
 *	(naming none: the session is not frozen)
 * @FSM_E_TIMED_OUT: thaw or abort of a freeze that already timed out
 *	(naming none: the session is FAILED)
 * @FSM_E_STALE: thaw or abort naming a freeze this session does not
 *	remember: never one of its freezes, or more than FSM_HISTORY ago
 * @FSM_E_INVALID: freeze with a timeout of 0, above FSM_TIMEOUT_MAX_NS, or
 *	whose deadline would not fit in 64 bits, or with an id that is not
 *	above the session's last one
 * @FSM_E_ABORTED: thaw or abort of a freeze that was aborted
 */
enum fsm_verdict {
	FSM_FROZE = 0,
	FSM_THAWED = 1,
	FSM_ABORTED = 2,
	FSM_EXPIRED = 3,
	FSM_RESET = 4,
	FSM_EARLY = 5,
	FSM_IGNORED = 6,
	FSM_FREEZE_FS = 7,
	FSM_FREEZE_NEXT = 8,
	FSM_E_BUSY = -1,
	FSM_E_NOT_FROZEN = -2,
	FSM_E_TIMED_OUT = -3,
	FSM_E_STALE = -4,
	FSM_E_INVALID = -5,
	FSM_E_ABORTED = -6,
};

/* Added to a verdict: release the filesystems the session holds. */
#define FSM_RELEASE 16

/* Thaw or abort "whatever freeze is current"; real ids start at 1. */
#define FSM_GEN_ANY 0ULL
#define FSM_U64_MAX 0xffffffffffffffffULL
/* One day: far above any sane freeze, far below 64-bit overflow. */
#define FSM_TIMEOUT_MAX_NS (86400ULL * 1000000000ULL)
/*
 * Ended freezes a session remembers for late thawers. (The interleaving
 * checker builds the core with a smaller ring, so that forgetting is
 * reachable within its depth; the module and the proof use this one.)
 */
#ifndef FSM_HISTORY
#define FSM_HISTORY 8
#endif

/**
 * struct fsm_end - how one freeze ended
 * @id: the freeze; 0 for an empty slot
 * @how: enum fsm_error
 */
struct fsm_end {
	unsigned long long id;
	enum fsm_error how;
};

/**
 * struct fsm_session - the state of one session
 * @state: enum fsm_state
 * @last_error: enum fsm_error: how the last freeze ended (cleared by a
 *	freeze or a reset)
 * @gen: id of the current or last freeze; 0 before the first
 * @freezes: freezes accepted
 * @frozen_at: time the current or last freeze was accepted (ns)
 * @deadline: time at which the current or last freeze times out (ns)
 * @clock: latest time at which a transition changed the session (ns)
 * @thaws: freezes ended by a thaw in time
 * @timeouts: freezes ended by their deadline
 * @aborts: freezes ended by abort (or because its filesystems could not
 *	all be frozen)
 * @holds: enum fsm_hold
 * @fs_frozen: freezes of which this session froze filesystems (one or all)
 * @fs_released: of those, the ones whose filesystems it ordered released
 *	(those frozen by the end; one still freezing then is released when
 *	its freeze completes, FSM_HOLD_LAST)
 * @log_next: the slot of @log the next ended freeze goes to
 * @log: the last FSM_HISTORY ended freezes, a ring
 */
struct fsm_session {
	enum fsm_state state;
	enum fsm_error last_error;
	unsigned long long gen;
	unsigned long long freezes;
	unsigned long long frozen_at;
	unsigned long long deadline;
	unsigned long long clock;
	unsigned long long thaws;
	unsigned long long timeouts;
	unsigned long long aborts;
	enum fsm_hold holds;
	unsigned long long fs_frozen;
	unsigned long long fs_released;
	unsigned int log_next;
	struct fsm_end log[FSM_HISTORY];
};

/*@
  // Freezes that have ended, each counted once by how it ended.
  logic integer ended(struct fsm_session *s) =
    s->thaws + s->timeouts + s->aborts;

  // A freeze is open from its request until it ends: FREEZING or FROZEN.
  predicate is_open(struct fsm_session *s) =
    s->state == FSM_FREEZING || s->state == FSM_FROZEN;

  logic integer open(struct fsm_session *s) =
    s->state == FSM_FREEZING || s->state == FSM_FROZEN ? 1 : 0;

  logic integer held(struct fsm_session *s) =
    s->holds == FSM_HOLD_FROZEN || s->holds == FSM_HOLD_PARTIAL ? 1 : 0;

  // The caller is freezing the filesystems of the session's freeze.
  predicate freezing(struct fsm_session *s) =
    s->holds == FSM_HOLD_FREEZING || s->holds == FSM_HOLD_PARTIAL ||
    s->holds == FSM_HOLD_LAST;

  // The verdict orders the filesystems released.
  predicate releases(integer v) = v >= FSM_RELEASE;

  // The verdict without the release order.
  logic integer verdict(integer v) = v >= FSM_RELEASE ? v - FSM_RELEASE : v;

  // The verdicts on which the caller arms the deadline: each leaves a
  // freeze open (every transition ensures it: open_if_arms).
  predicate arms(integer v) =
    v == FSM_FROZE || v == FSM_FREEZE_FS || v == FSM_EARLY;

  predicate is_end(integer how) =
    how == FSM_ERR_NONE || how == FSM_ERR_TIMEOUT || how == FSM_ERR_ABORTED;

  // The session remembers that freeze @id ended as @how.
  predicate logged(struct fsm_session *s, unsigned long long id,
		   integer how) =
    \exists integer i; 0 <= i < FSM_HISTORY &&
      s->log[i].id == id && s->log[i].how == how;

  predicate remembered(struct fsm_session *s, unsigned long long id) =
    \exists integer i; 0 <= i < FSM_HISTORY && s->log[i].id == id;

  // The log: only ended freezes of this session, each at most once.
  predicate log_valid(struct fsm_session *s) =
    s->log_next < FSM_HISTORY &&
    (\forall integer i; 0 <= i < FSM_HISTORY ==>
       s->log[i].id <= s->gen && is_end(s->log[i].how)) &&
    (\forall integer i, j; 0 <= i < j < FSM_HISTORY && s->log[i].id != 0 ==>
       s->log[i].id != s->log[j].id) &&
    (is_open(s) ==> !remembered(s, s->gen)) &&
    (s->state == FSM_FAILED ==> logged(s, s->gen, FSM_ERR_TIMEOUT));

  // The session invariant, required and ensured by every transition.
  // "held_once" is property 7: the filesystems of every freeze this
  // session froze are either still held or were released, exactly once.
  // Its last line is property 3, "exactly once": every freeze so far is
  // either the one open freeze or counted in exactly one of thaws,
  // timeouts, aborts.
  predicate holds_valid(struct fsm_session *s) =
    (s->holds == FSM_HOLD_NONE || s->holds == FSM_HOLD_FROZEN ||
     freezing(s)) &&
    (s->state == FSM_FROZEN ==> !freezing(s)) &&
    (s->holds == FSM_HOLD_FROZEN ==> s->state == FSM_FROZEN) &&
    (s->holds == FSM_HOLD_PARTIAL ==> s->state == FSM_FREEZING) &&
    (s->holds == FSM_HOLD_LAST ==> !is_open(s)) &&
    s->fs_frozen <= s->freezes &&
    (s->holds == FSM_HOLD_FREEZING ==> s->fs_frozen < s->freezes) &&
    s->fs_released + held(s) == s->fs_frozen;

  predicate session_valid(struct fsm_session *s) =
    (s->state == FSM_STABLE || s->state == FSM_FREEZING ||
     s->state == FSM_FROZEN || s->state == FSM_FAILED) &&
    (s->state == FSM_STABLE ==>
       s->last_error == FSM_ERR_NONE || s->last_error == FSM_ERR_ABORTED) &&
    (is_open(s) ==>
       s->gen >= 1 && s->last_error == FSM_ERR_NONE &&
       s->frozen_at <= s->clock && s->frozen_at < s->deadline &&
       s->deadline - s->frozen_at <= FSM_TIMEOUT_MAX_NS) &&
    (s->state == FSM_FAILED ==>
       s->gen >= 1 && s->last_error == FSM_ERR_TIMEOUT &&
       s->deadline <= s->clock) &&
    s->freezes <= s->gen &&
    log_valid(s) &&
    holds_valid(s) &&
    ended(s) + open(s) == s->freezes;

  // The request names the open freeze (FSM_GEN_ANY: whichever is open).
  predicate names_open(struct fsm_session *s, unsigned long long g) =
    is_open(s) && (g == FSM_GEN_ANY || g == s->gen);

  predicate names_frozen(struct fsm_session *s, unsigned long long g) =
    s->state == FSM_FROZEN && names_open(s, g);

  // The request names a freeze that is not open: its answer is what the
  // session remembers of it.
  predicate names_ended(struct fsm_session *s, unsigned long long g) =
    g != FSM_GEN_ANY && !names_open(s, g);

  // Property 7 step by step: a transition releases the filesystems
  // exactly when its verdict says so, and only ones the session froze:
  // what it holds, counted once; or, the freeze having ended while the
  // caller froze them, the one that was freezing then (FSM_HOLD_LAST, its
  // freeze's release already counted), once.
  predicate releases_once{L1, L2}(struct fsm_session *s, integer v) =
    (releases(v) && \at(s->holds, L1) != FSM_HOLD_LAST ==>
       \at(s->fs_released, L2) == \at(s->fs_released, L1) + 1 &&
       (\at(s->holds, L2) == FSM_HOLD_NONE ||
	(\at(s->holds, L1) == FSM_HOLD_PARTIAL &&
	 \at(s->holds, L2) == FSM_HOLD_LAST))) &&
    (releases(v) && \at(s->holds, L1) == FSM_HOLD_LAST ==>
       \at(s->fs_released, L2) == \at(s->fs_released, L1) &&
       \at(s->holds, L2) == FSM_HOLD_NONE) &&
    (!releases(v) ==>
       \at(s->fs_released, L2) == \at(s->fs_released, L1));

  // Property 3 step by step: a transition ends at most the one open
  // freeze, counted once, and only a freeze opens one, with a higher id.
  predicate ends_at_most_once{L1, L2}(struct fsm_session *s) =
    ended{L2}(s) == ended{L1}(s) +
      (open{L1}(s) > open{L2}(s) ? 1 : 0) &&
    \at(s->thaws, L1) <= \at(s->thaws, L2) &&
    \at(s->timeouts, L1) <= \at(s->timeouts, L2) &&
    \at(s->aborts, L1) <= \at(s->aborts, L2) &&
    (is_open{L2}(s) && !is_open{L1}(s) ==>
       \at(s->gen, L2) > \at(s->gen, L1) &&
       \at(s->freezes, L2) == \at(s->freezes, L1) + 1) &&
    (is_open{L2}(s) && is_open{L1}(s) ==>
       \at(s->gen, L2) == \at(s->gen, L1));

  // What the session remembers stays remembered, unless evicted by a
  // newer end: a transition that ends no freeze leaves the log as it was.
  predicate log_kept{L1, L2}(struct fsm_session *s) =
    \at(s->log_next, L1) == \at(s->log_next, L2) &&
    \forall integer i; 0 <= i < FSM_HISTORY ==>
      \at(s->log[i].id, L1) == \at(s->log[i].id, L2) &&
      \at(s->log[i].how, L1) == \at(s->log[i].how, L2);

  // An end pushes the ended freeze onto the ring: every other slot, and so
  // every other remembered freeze, stays as it was.
  predicate log_pushed{L1, L2}(struct fsm_session *s) =
    \at(s->log_next, L2) == (\at(s->log_next, L1) + 1) % FSM_HISTORY &&
    \forall integer i; 0 <= i < FSM_HISTORY && i != \at(s->log_next, L1) ==>
      \at(s->log[i].id, L1) == \at(s->log[i].id, L2) &&
      \at(s->log[i].how, L1) == \at(s->log[i].how, L2);

  // A log kept as it was, then pushed, was pushed once: the frame of an
  // end that comes after steps that keep the log (fsm_frozen()'s late
  // end). A lemma, proved by WP like any goal.
  lemma pushed_after_kept{L1, L2, L3}:
    \forall struct fsm_session *s;
      log_kept{L1, L2}(s) && log_pushed{L2, L3}(s) ==> log_pushed{L1, L3}(s);
  // and a freeze logged stays so while the log is kept
  lemma logged_while_kept{L1, L2}:
    \forall struct fsm_session *s, unsigned long long id, integer how;
      log_kept{L1, L2}(s) && \at(logged(s, id, how), L1) ==>
	\at(logged(s, id, how), L2);

  // A refused request, or an ignored worker, leaves the session as it was.
  predicate unchanged{L1, L2}(struct fsm_session *s) =
    \at(s->state, L1) == \at(s->state, L2) &&
    \at(s->last_error, L1) == \at(s->last_error, L2) &&
    \at(s->gen, L1) == \at(s->gen, L2) &&
    \at(s->freezes, L1) == \at(s->freezes, L2) &&
    \at(s->frozen_at, L1) == \at(s->frozen_at, L2) &&
    \at(s->deadline, L1) == \at(s->deadline, L2) &&
    \at(s->clock, L1) == \at(s->clock, L2) &&
    \at(s->thaws, L1) == \at(s->thaws, L2) &&
    \at(s->timeouts, L1) == \at(s->timeouts, L2) &&
    \at(s->aborts, L1) == \at(s->aborts, L2) &&
    \at(s->holds, L1) == \at(s->holds, L2) &&
    \at(s->fs_frozen, L1) == \at(s->fs_frozen, L2) &&
    \at(s->fs_released, L1) == \at(s->fs_released, L2) &&
    log_kept{L1, L2}(s);

  // Property 6 across any interleaving: a freeze open before its
  // deadline (now, the step's clock) stays open -- the same freeze, the
  // same deadline, and FROZEN stays FROZEN -- through every step but a
  // thaw or abort that names it and a failed filesystem freeze: only
  // those may end it in time. Each transition ensures it (time_decides).
  predicate time_decides{L1, L2}(struct fsm_session *s, integer now) =
    is_open{L1}(s) && now < \at(s->deadline, L1) ==>
      is_open{L2}(s) && \at(s->gen, L2) == \at(s->gen, L1) &&
      \at(s->deadline, L2) == \at(s->deadline, L1) &&
      (\at(s->state, L1) == FSM_FROZEN ==> \at(s->state, L2) == FSM_FROZEN);

  // The freeze ended by timeout, and the session says so (property 4).
  predicate shows_timeout(struct fsm_session *s) =
    s->state == FSM_FAILED && s->last_error == FSM_ERR_TIMEOUT;

  // What an end adds to its verdict: the order to release what is held.
  logic integer release_if_held(struct fsm_session *s) =
    held(s) == 1 ? FSM_RELEASE : 0;

  // An end leaves the filesystems as they were, but released if held:
  // all of them (FROZEN), or those frozen so far, the rest to be released
  // as their freeze completes (PARTIAL: LAST).
  predicate end_holds{L1, L2}(struct fsm_session *s) =
    \at(s->fs_frozen, L2) == \at(s->fs_frozen, L1) &&
    (\at(s->holds, L1) == FSM_HOLD_FROZEN ==>
       \at(s->holds, L2) == FSM_HOLD_NONE) &&
    (\at(s->holds, L1) == FSM_HOLD_PARTIAL ==>
       \at(s->holds, L2) == FSM_HOLD_LAST) &&
    (\at(s->holds, L1) != FSM_HOLD_FROZEN &&
     \at(s->holds, L1) != FSM_HOLD_PARTIAL ==>
       \at(s->holds, L2) == \at(s->holds, L1));
*/

/*@
  requires valid: \valid(s);
  assigns *s;
  ensures inv: session_valid(s);
  ensures stable: s->state == FSM_STABLE && s->last_error == FSM_ERR_NONE;
  ensures fresh: s->gen == 0 && s->freezes == 0 && s->clock == 0 &&
	  ended(s) == 0 && s->holds == FSM_HOLD_NONE && s->fs_frozen == 0;
  ensures empty_log: \forall unsigned long long g; g != 0 ==>
	  !remembered(s, g);
*/
void fsm_init(struct fsm_session *s);

/*@
  requires valid: \valid(s);
  requires locked: FSM_CALLER_LOCKED(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->gen, s->freezes, s->state, s->last_error, s->frozen_at,
	  s->deadline, s->clock, s->holds;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures open_if_arms: arms(verdict(\result)) ==> is_open(s);
  ensures release_held: releases(\result) ==> \old(s->holds) != FSM_HOLD_NONE;
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures release: releases_once{Pre, Post}(s, \result) &&
	  !releases(\result);
  ensures log: log_kept{Pre, Post}(s);
  ensures time_decides: time_decides{Pre, Post}(s, now);

  behavior bad_request:
    assumes timeout_ns == 0 || timeout_ns > FSM_TIMEOUT_MAX_NS ||
	    now > FSM_U64_MAX - timeout_ns || id <= s->gen;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_INVALID;
  // Open, or the filesystems of an ended freeze are still being frozen.
  behavior busy:
    assumes 0 < timeout_ns <= FSM_TIMEOUT_MAX_NS &&
	    now <= FSM_U64_MAX - timeout_ns && id > s->gen;
    assumes is_open(s) || s->holds != FSM_HOLD_NONE;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_BUSY;
  // A failure never blocks the next freeze: FAILED freezes as STABLE does.
  // The deadline runs from the request, filesystems or not.
  behavior froze:
    assumes 0 < timeout_ns <= FSM_TIMEOUT_MAX_NS &&
	    now <= FSM_U64_MAX - timeout_ns && id > s->gen;
    assumes !is_open(s) && s->holds == FSM_HOLD_NONE;
    ensures with_fs == 0 ==> \result == FSM_FROZE &&
	    s->state == FSM_FROZEN && s->holds == FSM_HOLD_NONE;
    ensures with_fs != 0 ==> \result == FSM_FREEZE_FS &&
	    s->state == FSM_FREEZING && s->holds == FSM_HOLD_FREEZING;
    ensures s->last_error == FSM_ERR_NONE;
    ensures s->gen == id && s->freezes == \old(s->freezes) + 1;
    ensures s->frozen_at == now && s->deadline == now + timeout_ns;
    ensures s->clock == now;
    ensures ended(s) == \old(ended(s));

  complete behaviors;
  disjoint behaviors;
*/
int fsm_freeze(struct fsm_session *s, unsigned long long id,
	       unsigned long long timeout_ns, unsigned long long now,
	       int with_fs);

/*@
  requires valid: \valid(s);
  requires locked: FSM_CALLER_LOCKED(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  requires freezing: freezing(s);
  assigns s->state, s->last_error, s->thaws, s->timeouts, s->aborts,
	  s->clock, s->log_next, s->log[0 .. FSM_HISTORY - 1], s->holds,
	  s->fs_frozen, s->fs_released;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures open_if_arms: arms(verdict(\result)) ==> is_open(s);
  ensures release_held: releases(\result) ==> \old(s->holds) != FSM_HOLD_NONE;
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures release: releases_once{Pre, Post}(s, \result);
  ensures same_gen: s->gen == \old(s->gen) && s->freezes == \old(s->freezes);
  ensures done: !freezing(s);
  ensures counted: s->fs_frozen == \old(s->fs_frozen) +
	  (ok != 0 && \old(s->holds) == FSM_HOLD_FREEZING ? 1 : 0);
  ensures time_decides: ok != 0 ==> time_decides{Pre, Post}(s, now);

  behavior frozen_in_time:
    assumes ok != 0 && s->state == FSM_FREEZING && now < s->deadline;
    ensures \result == FSM_FROZE;
    ensures s->state == FSM_FROZEN && s->holds == FSM_HOLD_FROZEN;
    ensures s->clock == now && ended(s) == \old(ended(s));
    ensures log_kept{Pre, Post}(s);
  // The deadline passed during the sync: thawed the moment it completes.
  behavior frozen_too_late:
    assumes ok != 0 && s->state == FSM_FREEZING && now >= s->deadline;
    ensures \result == FSM_EXPIRED + FSM_RELEASE;
    ensures shows_timeout(s) && logged(s, s->gen, FSM_ERR_TIMEOUT);
    ensures too_late_pushed: log_pushed{Pre, Post}(s);
    ensures s->timeouts == \old(s->timeouts) + 1;
    ensures s->thaws == \old(s->thaws) && s->aborts == \old(s->aborts);
  // Aborted or timed out during the sync: those frozen before the end
  // were released then; this one is released the moment it completes.
  behavior frozen_after_end:
    assumes ok != 0 && s->state != FSM_FREEZING;
    ensures \result == FSM_IGNORED + FSM_RELEASE;
    ensures s->state == \old(s->state) && s->clock == \old(s->clock);
    ensures ended(s) == \old(ended(s)) && log_kept{Pre, Post}(s);
  // One could not be frozen: the freeze ends as aborted, or timed out if
  // its deadline has passed, and those frozen before it are released.
  behavior failed:
    assumes ok == 0 && s->state == FSM_FREEZING;
    ensures now < \old(s->deadline) ==>
	    \result == FSM_ABORTED + \old(release_if_held(s)) &&
	    s->state == FSM_STABLE && logged(s, s->gen, FSM_ERR_ABORTED) &&
	    s->aborts == \old(s->aborts) + 1 && s->timeouts == \old(s->timeouts);
    ensures now >= \old(s->deadline) ==>
	    \result == FSM_EXPIRED + \old(release_if_held(s)) &&
	    shows_timeout(s) && logged(s, s->gen, FSM_ERR_TIMEOUT) &&
	    s->timeouts == \old(s->timeouts) + 1 && s->aborts == \old(s->aborts);
    ensures s->thaws == \old(s->thaws);
    ensures log_pushed{Pre, Post}(s);
  behavior failed_after_end:
    assumes ok == 0 && s->state != FSM_FREEZING;
    ensures \result == FSM_IGNORED;
    ensures s->state == \old(s->state) && s->clock == \old(s->clock);
    ensures ended(s) == \old(ended(s)) && log_kept{Pre, Post}(s);

  complete behaviors;
  disjoint behaviors;
*/
int fsm_frozen(struct fsm_session *s, int ok, unsigned long long now);

/*@
  requires valid: \valid(s);
  requires locked: FSM_CALLER_LOCKED(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  requires freezing: freezing(s);
  assigns s->state, s->last_error, s->thaws, s->timeouts, s->aborts,
	  s->clock, s->log_next, s->log[0 .. FSM_HISTORY - 1], s->holds,
	  s->fs_frozen, s->fs_released;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures open_if_arms: arms(verdict(\result)) ==> is_open(s);
  ensures release_held: releases(\result) ==> \old(s->holds) != FSM_HOLD_NONE;
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures release: releases_once{Pre, Post}(s, \result);
  ensures same_gen: s->gen == \old(s->gen) && s->freezes == \old(s->freezes);
  ensures go_on: \result == FSM_FREEZE_NEXT <==> freezing(s);
  ensures counted: s->fs_frozen == \old(s->fs_frozen) +
	  (\old(s->holds) == FSM_HOLD_FREEZING ? 1 : 0);
  ensures time_decides: time_decides{Pre, Post}(s, now);

  behavior next_in_time:
    assumes s->state == FSM_FREEZING && now < s->deadline;
    ensures \result == FSM_FREEZE_NEXT;
    ensures s->state == FSM_FREEZING && s->holds == FSM_HOLD_PARTIAL;
    ensures s->clock == now && ended(s) == \old(ended(s));
    ensures log_kept{Pre, Post}(s);
  // The deadline passed during the sync: all frozen so far are released.
  behavior next_too_late:
    assumes s->state == FSM_FREEZING && now >= s->deadline;
    ensures \result == FSM_EXPIRED + FSM_RELEASE;
    ensures shows_timeout(s) && logged(s, s->gen, FSM_ERR_TIMEOUT);
    ensures log_pushed{Pre, Post}(s);
    ensures s->timeouts == \old(s->timeouts) + 1;
    ensures s->thaws == \old(s->thaws) && s->aborts == \old(s->aborts);
  // Ended meanwhile: this one is released at once, and no more frozen.
  behavior next_after_end:
    assumes s->state != FSM_FREEZING;
    ensures \result == FSM_IGNORED + FSM_RELEASE;
    ensures s->state == \old(s->state) && s->clock == \old(s->clock);
    ensures ended(s) == \old(ended(s)) && log_kept{Pre, Post}(s);

  complete behaviors;
  disjoint behaviors;
*/
int fsm_frozen_one(struct fsm_session *s, unsigned long long now);

/*@
  requires valid: \valid(s);
  requires locked: FSM_CALLER_LOCKED(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->state, s->last_error, s->thaws, s->timeouts, s->aborts,
	  s->clock, s->log_next, s->log[0 .. FSM_HISTORY - 1], s->holds,
	  s->fs_released;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures open_if_arms: arms(verdict(\result)) ==> is_open(s);
  ensures release_held: releases(\result) ==> \old(s->holds) != FSM_HOLD_NONE;
  ensures holds_kept: \old(s->holds) == FSM_HOLD_NONE ==> s->holds == FSM_HOLD_NONE;
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures release: releases_once{Pre, Post}(s, \result);
  ensures same_gen: s->gen == \old(s->gen) && s->freezes == \old(s->freezes);
  ensures late: names_ended{Pre}(s, gen) ==> unchanged{Pre, Post}(s);
  ensures time_decides: names_ended{Pre}(s, gen) ==>
	  time_decides{Pre, Post}(s, now);

  // Property 6: time decides. Before the deadline, the thaw wins.
  behavior thaw_in_time:
    assumes names_frozen(s, gen) && now < s->deadline;
    ensures \result == FSM_THAWED + \old(release_if_held(s));
    ensures s->state == FSM_STABLE && s->last_error == FSM_ERR_NONE;
    ensures logged(s, s->gen, FSM_ERR_NONE);
    ensures log_pushed{Pre, Post}(s) && end_holds{Pre, Post}(s);
    ensures s->thaws == \old(s->thaws) + 1;
    ensures s->timeouts == \old(s->timeouts) && s->aborts == \old(s->aborts);
    ensures s->clock == now;
  // Nothing is frozen yet: a thaw cannot be in time.
  behavior thaw_while_freezing:
    assumes names_open(s, gen) && s->state == FSM_FREEZING &&
	    now < s->deadline;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_BUSY;
  // Properties 4 and 6: at or after the deadline, the thaw loses and learns.
  behavior thaw_after_timeout:
    assumes names_open(s, gen) && now >= s->deadline;
    ensures \result == FSM_EXPIRED + \old(release_if_held(s));
    ensures shows_timeout(s) && logged(s, s->gen, FSM_ERR_TIMEOUT);
    ensures log_pushed{Pre, Post}(s) && end_holds{Pre, Post}(s);
    ensures s->timeouts == \old(s->timeouts) + 1;
    ensures s->thaws == \old(s->thaws) && s->aborts == \old(s->aborts);
    ensures s->clock == now;
  // Naming no freeze, on a session that is not frozen.
  behavior current_timed_out:
    assumes gen == FSM_GEN_ANY && s->state == FSM_FAILED;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_TIMED_OUT;
  behavior current_not_frozen:
    assumes gen == FSM_GEN_ANY && s->state == FSM_STABLE;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_NOT_FROZEN;
  // The late thawer: its freeze timed out, perhaps with newer freezes since.
  behavior late_thawer:
    assumes names_ended(s, gen) && logged(s, gen, FSM_ERR_TIMEOUT);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_TIMED_OUT;
  behavior ended_by_thaw:
    assumes names_ended(s, gen) && logged(s, gen, FSM_ERR_NONE);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_NOT_FROZEN;
  behavior ended_by_abort:
    assumes names_ended(s, gen) && logged(s, gen, FSM_ERR_ABORTED);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_ABORTED;
  // Not a freeze of this session, or too old to be remembered.
  behavior forgotten:
    assumes names_ended(s, gen) && !remembered(s, gen);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_STALE;

  complete behaviors;
  disjoint behaviors;
*/
int fsm_thaw(struct fsm_session *s, unsigned long long gen,
	     unsigned long long now);

/*@
  requires valid: \valid(s);
  requires locked: FSM_CALLER_LOCKED(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->state, s->last_error, s->thaws, s->timeouts, s->aborts,
	  s->clock, s->log_next, s->log[0 .. FSM_HISTORY - 1], s->holds,
	  s->fs_released;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures open_if_arms: arms(verdict(\result)) ==> is_open(s);
  ensures release_held: releases(\result) ==> \old(s->holds) != FSM_HOLD_NONE;
  ensures holds_kept: \old(s->holds) == FSM_HOLD_NONE ==> s->holds == FSM_HOLD_NONE;
  ensures ends_any: gen == FSM_GEN_ANY ==> !is_open(s);
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures release: releases_once{Pre, Post}(s, \result);
  ensures same_gen: s->gen == \old(s->gen) && s->freezes == \old(s->freezes);
  ensures time_decides: names_ended{Pre}(s, gen) ==>
	  time_decides{Pre, Post}(s, now);

  // Property 6: time decides. Before the deadline, the abort wins.
  behavior abort_in_time:
    assumes names_open(s, gen) && now < s->deadline;
    ensures \result == FSM_ABORTED + \old(release_if_held(s));
    ensures s->state == FSM_STABLE && s->last_error == FSM_ERR_ABORTED;
    ensures logged(s, s->gen, FSM_ERR_ABORTED);
    ensures log_pushed{Pre, Post}(s) && end_holds{Pre, Post}(s);
    ensures s->aborts == \old(s->aborts) + 1;
    ensures s->timeouts == \old(s->timeouts) && s->thaws == \old(s->thaws);
    ensures s->clock == now;
  // Properties 4 and 6: at or after the deadline, the abort loses and learns.
  behavior abort_after_timeout:
    assumes names_open(s, gen) && now >= s->deadline;
    ensures \result == FSM_EXPIRED + \old(release_if_held(s));
    ensures shows_timeout(s) && logged(s, s->gen, FSM_ERR_TIMEOUT);
    ensures log_pushed{Pre, Post}(s) && end_holds{Pre, Post}(s);
    ensures s->timeouts == \old(s->timeouts) + 1;
    ensures s->aborts == \old(s->aborts) && s->thaws == \old(s->thaws);
    ensures s->clock == now;
  // Naming no freeze, on a session that is not frozen.
  behavior current_timed_out:
    assumes gen == FSM_GEN_ANY && s->state == FSM_FAILED;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_TIMED_OUT;
  behavior current_not_frozen:
    assumes gen == FSM_GEN_ANY && s->state == FSM_STABLE;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_NOT_FROZEN;
  // The late thawer: its freeze timed out, perhaps with newer freezes since.
  behavior late_thawer:
    assumes names_ended(s, gen) && logged(s, gen, FSM_ERR_TIMEOUT);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_TIMED_OUT;
  behavior ended_by_thaw:
    assumes names_ended(s, gen) && logged(s, gen, FSM_ERR_NONE);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_NOT_FROZEN;
  behavior ended_by_abort:
    assumes names_ended(s, gen) && logged(s, gen, FSM_ERR_ABORTED);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_ABORTED;
  // Not a freeze of this session, or too old to be remembered.
  behavior forgotten:
    assumes names_ended(s, gen) && !remembered(s, gen);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_STALE;

  complete behaviors;
  disjoint behaviors;
*/
int fsm_abort(struct fsm_session *s, unsigned long long gen,
	      unsigned long long now);

/*@
  requires valid: \valid(s);
  requires locked: FSM_CALLER_LOCKED(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->state, s->last_error, s->clock;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures open_if_arms: arms(verdict(\result)) ==> is_open(s);
  ensures release_held: releases(\result) ==> \old(s->holds) != FSM_HOLD_NONE;
  ensures holds_kept: \old(s->holds) == FSM_HOLD_NONE ==> s->holds == FSM_HOLD_NONE;
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures release: releases_once{Pre, Post}(s, \result) &&
	  !releases(\result);
  ensures same_gen: s->gen == \old(s->gen) && s->freezes == \old(s->freezes);
  ensures log: log_kept{Pre, Post}(s);
  ensures time_decides: time_decides{Pre, Post}(s, now);

  behavior busy:
    assumes is_open(s);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_E_BUSY;
  behavior reset:
    assumes !is_open(s);
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
  requires locked: FSM_CALLER_LOCKED(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns s->state, s->last_error, s->thaws, s->timeouts, s->aborts,
	  s->clock, s->log_next, s->log[0 .. FSM_HISTORY - 1], s->holds,
	  s->fs_released;
  ensures clock: \old(s->clock) <= s->clock <= now;
  ensures inv: session_valid(s);
  ensures open_if_arms: arms(verdict(\result)) ==> is_open(s);
  ensures release_held: releases(\result) ==> \old(s->holds) != FSM_HOLD_NONE;
  ensures holds_kept: \old(s->holds) == FSM_HOLD_NONE ==> s->holds == FSM_HOLD_NONE;
  ensures once: ends_at_most_once{Pre, Post}(s);
  ensures release: releases_once{Pre, Post}(s, \result);
  ensures same_gen: s->gen == \old(s->gen) && s->freezes == \old(s->freezes);
  ensures time_decides: time_decides{Pre, Post}(s, now);

  // Property 1 (KB 915331): the freeze this worker was armed for has ended
  // -- thawed, aborted, expired -- so the worker changes nothing.
  behavior after_end:
    assumes !is_open(s);
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_IGNORED;
  // Property 2: a worker of an older freeze meets a newer freeze and
  // changes nothing.
  behavior stale_worker:
    assumes is_open(s) && gen != s->gen;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_IGNORED;
  behavior early:
    assumes is_open(s) && gen == s->gen && now < s->deadline;
    assigns \nothing;
    ensures unchanged{Pre, Post}(s);
    ensures \result == FSM_EARLY;
  // FROZEN: release now; FREEZING: the moment the freeze completes.
  behavior expired:
    assumes is_open(s) && gen == s->gen && now >= s->deadline;
    ensures \result == FSM_EXPIRED + \old(release_if_held(s));
    ensures shows_timeout(s) && logged(s, s->gen, FSM_ERR_TIMEOUT);
    ensures log_pushed{Pre, Post}(s) && end_holds{Pre, Post}(s);
    ensures s->timeouts == \old(s->timeouts) + 1;
    ensures s->thaws == \old(s->thaws) && s->aborts == \old(s->aborts);
    ensures s->clock == now;

  complete behaviors;
  disjoint behaviors;
*/
int fsm_timeout(struct fsm_session *s, unsigned long long gen,
		unsigned long long now);

/*@
  requires valid: \valid_read(s);
  requires locked: FSM_CALLER_LOCKED(s);
  requires inv: session_valid(s);
  requires mono: now >= s->clock;
  assigns \nothing;
  ensures is_open(s) && now < s->deadline ==> \result == s->deadline - now;
  ensures !(is_open(s) && now < s->deadline) ==> \result == 0;
*/
unsigned long long fsm_time_left(const struct fsm_session *s,
				 unsigned long long now);

/* Removable: no freeze open, no filesystem held or being frozen. */
/*@
  requires valid: \valid_read(s);
  requires locked: FSM_CALLER_LOCKED(s);
  assigns \nothing;
  ensures \result != 0 <==> !is_open(s) && s->holds == FSM_HOLD_NONE;
*/
int fsm_may_remove(const struct fsm_session *s);

#endif /* FREEZEGUARD_FSM_H */
