// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard core: the session state machine. The contracts are in fsm.h;
 * `make prove` proves this very file, the one compiled into the module.
 *
 * Build with -DFSM_KB915331_BUG only to run the negative controls: it gives
 * the timeout worker the bug of Microsoft KB 915331 (it fails the session
 * without checking that its own freeze is still the current, unthawed one),
 * which the proof and the tests must then reject.
 */
#include "fsm.h"

void fsm_init(struct fsm_session *s)
{
	s->state = FSM_STABLE;
	s->last_error = FSM_ERR_NONE;
	s->gen = 0;
	s->frozen_at = 0;
	s->deadline = 0;
	s->clock = 0;
	s->thaws = 0;
	s->timeouts = 0;
	s->aborts = 0;
}

int fsm_freeze(struct fsm_session *s, unsigned long long timeout_ns,
	       unsigned long long now)
{
	if (timeout_ns == 0 || timeout_ns > FSM_TIMEOUT_MAX_NS ||
	    now > FSM_U64_MAX - timeout_ns)
		return FSM_E_INVALID;
	if (s->state != FSM_STABLE)
		return FSM_E_BUSY;
	if (s->gen == FSM_U64_MAX)
		return FSM_E_EXHAUSTED;
	s->gen++;
	s->state = FSM_FROZEN;
	s->last_error = FSM_ERR_NONE;
	s->frozen_at = now;
	s->deadline = now + timeout_ns;
	s->clock = now;
	return FSM_FROZE;
}

/*@
  requires valid: \valid(s);
  requires inv: session_valid(s);
  requires frozen: s->state == FSM_FROZEN;
  requires late: now >= s->deadline && now >= s->clock;
  assigns s->state, s->last_error, s->timeouts, s->clock;
  ensures inv: session_valid(s);
  ensures shows_timeout(s);
  ensures s->timeouts == \old(s->timeouts) + 1;
  ensures s->clock == now;
  ensures \result == FSM_EXPIRED;
*/
static int fsm_expire(struct fsm_session *s, unsigned long long now)
{
	s->state = FSM_FAILED;
	s->last_error = FSM_ERR_TIMEOUT;
	s->timeouts++;
	s->clock = now;
	return FSM_EXPIRED;
}

/*
 * Why a thaw or abort of @gen may not end the current freeze, or 0 when
 * it may (the session is frozen in that generation).
 */
/*@
  requires valid: \valid_read(s);
  assigns \nothing;
  ensures !gen_matches(s, gen) ==> \result == FSM_E_STALE;
  ensures gen_matches(s, gen) && s->state == FSM_FAILED ==>
	\result == FSM_E_TIMED_OUT;
  ensures gen_matches(s, gen) && s->state != FSM_FAILED &&
	s->state != FSM_FROZEN ==> \result == FSM_E_NOT_FROZEN;
  ensures gen_matches(s, gen) && s->state == FSM_FROZEN ==> \result == 0;
*/
static int fsm_end_refusal(const struct fsm_session *s, unsigned long long gen)
{
	if (gen != FSM_GEN_ANY && gen != s->gen)
		return FSM_E_STALE;
	if (s->state == FSM_FAILED)
		return FSM_E_TIMED_OUT;
	if (s->state != FSM_FROZEN)
		return FSM_E_NOT_FROZEN;
	return 0;
}

int fsm_thaw(struct fsm_session *s, unsigned long long gen,
	     unsigned long long now)
{
	int refusal = fsm_end_refusal(s, gen);

	if (refusal)
		return refusal;
	if (now >= s->deadline)
		return fsm_expire(s, now);
	s->state = FSM_STABLE;
	s->last_error = FSM_ERR_NONE;
	s->thaws++;
	s->clock = now;
	return FSM_THAWED;
}

int fsm_abort(struct fsm_session *s, unsigned long long gen,
	      unsigned long long now)
{
	int refusal = fsm_end_refusal(s, gen);

	if (refusal)
		return refusal;
	if (now >= s->deadline)
		return fsm_expire(s, now);
	s->state = FSM_STABLE;
	s->last_error = FSM_ERR_ABORTED;
	s->aborts++;
	s->clock = now;
	return FSM_ABORTED;
}

int fsm_reset(struct fsm_session *s, unsigned long long now)
{
	if (s->state == FSM_FROZEN)
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
	/* The KB 915331 worker: whatever happened since it was armed, fail. */
	(void)gen;
	if (now < s->deadline)
		return FSM_EARLY;
	s->state = FSM_FAILED;
	s->last_error = FSM_ERR_TIMEOUT;
	s->timeouts++;
	s->clock = now;
	return FSM_EXPIRED;
#else
	/* Only the freeze this worker was armed for may time out. */
	if (s->state != FSM_FROZEN || s->gen != gen)
		return FSM_IGNORED;
	if (now < s->deadline)
		return FSM_EARLY;
	return fsm_expire(s, now);
#endif
}

unsigned long long fsm_time_left(const struct fsm_session *s,
				 unsigned long long now)
{
	if (s->state == FSM_FROZEN && now < s->deadline)
		return s->deadline - now;
	return 0;
}

int fsm_may_remove(const struct fsm_session *s)
{
	return s->state != FSM_FROZEN;
}
