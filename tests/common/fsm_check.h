/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Executable twins of the ACSL predicates in module/fsm.h, for the
 * userspace tests: session_valid() (log_valid() and holds_valid()
 * included) and unchanged().
 */
#ifndef FREEZEGUARD_FSM_CHECK_H
#define FREEZEGUARD_FSM_CHECK_H

#include <stdbool.h>
#include <string.h>
#include "../../module/fsm.h"

static inline bool fsm_check_open(const struct fsm_session *s)
{
	return s->state == FSM_FREEZING || s->state == FSM_FROZEN;
}

/* holds_valid(): property 7, each fs freeze held or released exactly once */
static inline bool fsm_check_freezing(const struct fsm_session *s)
{
	return s->holds == FSM_HOLD_FREEZING || s->holds == FSM_HOLD_PARTIAL ||
	       s->holds == FSM_HOLD_LAST;
}

static inline bool fsm_check_holds_valid(const struct fsm_session *s)
{
	bool held = s->holds == FSM_HOLD_FROZEN || s->holds == FSM_HOLD_PARTIAL;

	if (s->holds != FSM_HOLD_NONE && s->holds != FSM_HOLD_FROZEN &&
	    !fsm_check_freezing(s))
		return false;
	if (s->state == FSM_FROZEN && fsm_check_freezing(s))
		return false;
	if (s->holds == FSM_HOLD_FROZEN && s->state != FSM_FROZEN)
		return false;
	if (s->holds == FSM_HOLD_PARTIAL && s->state != FSM_FREEZING)
		return false;
	if (s->holds == FSM_HOLD_LAST && fsm_check_open(s))
		return false;
	if (s->holds == FSM_HOLD_FREEZING && s->fs_frozen >= s->freezes)
		return false;
	return s->fs_frozen <= s->freezes &&
	       (unsigned __int128)s->fs_released + held == s->fs_frozen;
}

static inline bool fsm_check_log_valid(const struct fsm_session *s)
{
	bool timeout_logged = false;
	int i, j;

	if (s->log_next >= FSM_HISTORY)
		return false;
	for (i = 0; i < FSM_HISTORY; i++) {
		const struct fsm_end *e = &s->log[i];

		if (e->id > s->gen || (e->how != FSM_ERR_NONE &&
				       e->how != FSM_ERR_TIMEOUT &&
				       e->how != FSM_ERR_ABORTED))
			return false;
		for (j = i + 1; j < FSM_HISTORY; j++)
			if (e->id && e->id == s->log[j].id)
				return false;
		if (fsm_check_open(s) && e->id == s->gen)
			return false;
		if (e->id == s->gen && e->how == FSM_ERR_TIMEOUT)
			timeout_logged = true;
	}
	return s->state != FSM_FAILED || timeout_logged;
}

static inline bool fsm_check_valid(const struct fsm_session *s)
{
	unsigned long long open = fsm_check_open(s);
	/* ended + open == freezes, computed without wrapping */
	unsigned __int128 ended = (unsigned __int128)s->thaws + s->timeouts +
				  s->aborts;

	if (s->state != FSM_STABLE && s->state != FSM_FREEZING &&
	    s->state != FSM_FROZEN && s->state != FSM_FAILED)
		return false;
	if (s->state == FSM_STABLE && s->last_error != FSM_ERR_NONE &&
	    s->last_error != FSM_ERR_ABORTED)
		return false;
	if (fsm_check_open(s) &&
	    !(s->gen >= 1 && s->last_error == FSM_ERR_NONE &&
	      s->frozen_at <= s->clock && s->frozen_at < s->deadline &&
	      s->deadline - s->frozen_at <= FSM_TIMEOUT_MAX_NS))
		return false;
	if (s->state == FSM_FAILED &&
	    !(s->gen >= 1 && s->last_error == FSM_ERR_TIMEOUT &&
	      s->deadline <= s->clock))
		return false;
	if (s->freezes > s->gen || !fsm_check_log_valid(s) ||
	    !fsm_check_holds_valid(s))
		return false;
	return ended + open == s->freezes;
}

static inline bool fsm_check_unchanged(const struct fsm_session *before,
				       const struct fsm_session *after)
{
	return memcmp(before, after, sizeof(*before)) == 0;
}

/* The verdict without its release order (FSM_RELEASE). */
static inline int fsm_verdict_base(int v)
{
	return v >= FSM_RELEASE ? v - FSM_RELEASE : v;
}

static inline const char *fsm_verdict_name(int v)
{
	if (v >= FSM_RELEASE) {
		switch (v - FSM_RELEASE) {
		case FSM_THAWED: return "THAWED+RELEASE";
		case FSM_ABORTED: return "ABORTED+RELEASE";
		case FSM_EXPIRED: return "EXPIRED+RELEASE";
		case FSM_IGNORED: return "IGNORED+RELEASE";
		}
		return "?+RELEASE";
	}
	switch (v) {
	case FSM_FROZE: return "FROZE";
	case FSM_THAWED: return "THAWED";
	case FSM_ABORTED: return "ABORTED";
	case FSM_EXPIRED: return "EXPIRED";
	case FSM_RESET: return "RESET";
	case FSM_EARLY: return "EARLY";
	case FSM_IGNORED: return "IGNORED";
	case FSM_FREEZE_FS: return "FREEZE_FS";
	case FSM_FREEZE_NEXT: return "FREEZE_NEXT";
	case FSM_E_BUSY: return "E_BUSY";
	case FSM_E_NOT_FROZEN: return "E_NOT_FROZEN";
	case FSM_E_TIMED_OUT: return "E_TIMED_OUT";
	case FSM_E_STALE: return "E_STALE";
	case FSM_E_INVALID: return "E_INVALID";
	case FSM_E_ABORTED: return "E_ABORTED";
	}
	return "?";
}

static inline const char *fsm_state_name(enum fsm_state st)
{
	switch (st) {
	case FSM_STABLE: return "STABLE";
	case FSM_FREEZING: return "FREEZING";
	case FSM_FROZEN: return "FROZEN";
	case FSM_FAILED: return "FAILED";
	}
	return "?";
}

#endif
