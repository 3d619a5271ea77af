// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the core: every transition and every refusal, with the
 * session invariant checked after each call. Prints TAP.
 */
#include <stdio.h>
#include "../common/fsm_check.h"

#define MS 1000000ULL
#define T 1000ULL		/* a freeze of 1000 ns: deadline = now + T */

static int failures;
static int checks_in_case;
static const char *case_name;

#define EXPECT(cond) do {						\
	checks_in_case++;						\
	if (!(cond)) {							\
		failures++;						\
		printf("#   %s:%d: %s: expected %s\n", __FILE__, __LINE__, \
		       case_name, #cond);				\
	}								\
} while (0)

#define EXPECT_VERDICT(call, want) do {					\
	int got_ = (call);						\
	checks_in_case++;						\
	if (got_ != (want)) {						\
		failures++;						\
		printf("#   %s:%d: %s: %s gave %s, expected %s\n",	\
		       __FILE__, __LINE__, case_name, #call,		\
		       fsm_verdict_name(got_), fsm_verdict_name(want));	\
	}								\
	EXPECT(fsm_check_valid(&s));					\
} while (0)

/* A session frozen at time 100 with freeze id 1, deadline 100 + T. */
static struct fsm_session frozen_session(void)
{
	struct fsm_session s;

	fsm_init(&s);
	fsm_freeze(&s, 1, T, 100, 0);
	return s;
}

static struct fsm_session failed_session(void)
{
	struct fsm_session s = frozen_session();

	fsm_timeout(&s, 1, 100 + T);
	return s;
}

static void test_init(void)
{
	struct fsm_session s;

	fsm_init(&s);
	EXPECT(fsm_check_valid(&s));
	EXPECT(s.state == FSM_STABLE && s.last_error == FSM_ERR_NONE);
	EXPECT(s.gen == 0 && s.freezes == 0 && s.thaws == 0 && s.timeouts == 0 &&
	       s.aborts == 0);
}

static void test_freeze_accepted(void)
{
	struct fsm_session s;

	fsm_init(&s);
	EXPECT_VERDICT(fsm_freeze(&s, 1, 60000 * MS, 5, 0), FSM_FROZE);
	EXPECT(s.state == FSM_FROZEN && s.gen == 1 && s.freezes == 1);
	EXPECT(s.frozen_at == 5 && s.deadline == 5 + 60000 * MS);
}

static void test_freeze_bad_timeout_refused(void)
{
	struct fsm_session s, before;

	fsm_init(&s);
	before = s;
	EXPECT_VERDICT(fsm_freeze(&s, 1, 0, 5, 0), FSM_E_INVALID);
	EXPECT_VERDICT(fsm_freeze(&s, 1, FSM_TIMEOUT_MAX_NS + 1, 5, 0), FSM_E_INVALID);
	EXPECT_VERDICT(fsm_freeze(&s, 1, T, FSM_U64_MAX - T + 1, 0), FSM_E_INVALID);
	EXPECT(fsm_check_unchanged(&before, &s));
	/* the largest allowed values are accepted */
	EXPECT_VERDICT(fsm_freeze(&s, FSM_U64_MAX, FSM_TIMEOUT_MAX_NS,
				  FSM_U64_MAX - FSM_TIMEOUT_MAX_NS, 0), FSM_FROZE);
	EXPECT(s.deadline == FSM_U64_MAX);
}

static void test_freeze_while_frozen_busy(void)
{
	struct fsm_session s = frozen_session(), before = s;

	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 200, 0), FSM_E_BUSY);
	EXPECT(fsm_check_unchanged(&before, &s));
}

/* A failure never blocks the next freeze (as the next VSS backup starts). */
static void test_freeze_while_failed_starts_a_new_freeze(void)
{
	struct fsm_session s = failed_session();

	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 100 + 2 * T, 0), FSM_FROZE);
	EXPECT(s.state == FSM_FROZEN && s.last_error == FSM_ERR_NONE);
	EXPECT(s.gen == 2 && s.freezes == 2 && s.timeouts == 1);
}

/* Freeze ids only increase: a repeated or older id is refused. */
static void test_freeze_id_must_increase(void)
{
	struct fsm_session s = frozen_session(), before;

	fsm_thaw(&s, 1, 101);
	before = s;
	EXPECT_VERDICT(fsm_freeze(&s, 1, T, 200, 0), FSM_E_INVALID);
	EXPECT_VERDICT(fsm_freeze(&s, 0, T, 200, 0), FSM_E_INVALID);
	EXPECT(fsm_check_unchanged(&before, &s));
	EXPECT_VERDICT(fsm_freeze(&s, 1000, T, 200, 0), FSM_FROZE);
	EXPECT(s.gen == 1000 && s.freezes == 2);
}

static void test_thaw_in_time(void)
{
	struct fsm_session s = frozen_session();

	EXPECT_VERDICT(fsm_thaw(&s, 1, 100 + T - 1), FSM_THAWED);
	EXPECT(s.state == FSM_STABLE && s.last_error == FSM_ERR_NONE);
	EXPECT(s.thaws == 1 && s.timeouts == 0);
}

static void test_thaw_any_generation(void)
{
	struct fsm_session s = frozen_session();

	EXPECT_VERDICT(fsm_thaw(&s, FSM_GEN_ANY, 101), FSM_THAWED);
}

static void test_thaw_at_deadline_expires(void)
{
	struct fsm_session s = frozen_session();

	/* the worker has not run yet: time alone decides */
	EXPECT_VERDICT(fsm_thaw(&s, 1, 100 + T), FSM_EXPIRED);
	EXPECT(s.state == FSM_FAILED && s.last_error == FSM_ERR_TIMEOUT);
	EXPECT(s.timeouts == 1 && s.thaws == 0);
}

static void test_thaw_after_timeout_refused(void)
{
	struct fsm_session s = failed_session(), before = s;

	EXPECT_VERDICT(fsm_thaw(&s, 1, 100 + 2 * T), FSM_E_TIMED_OUT);
	EXPECT_VERDICT(fsm_thaw(&s, FSM_GEN_ANY, 100 + 2 * T), FSM_E_TIMED_OUT);
	EXPECT(fsm_check_unchanged(&before, &s));
}

static void test_thaw_not_frozen_refused(void)
{
	struct fsm_session s;

	fsm_init(&s);
	EXPECT_VERDICT(fsm_thaw(&s, FSM_GEN_ANY, 1), FSM_E_NOT_FROZEN);
	s = frozen_session();
	fsm_thaw(&s, 1, 101);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 102), FSM_E_NOT_FROZEN);
	EXPECT(s.thaws == 1);
}

static void test_thaw_stale_generation_refused(void)
{
	struct fsm_session s = frozen_session(), before = s;

	EXPECT_VERDICT(fsm_thaw(&s, 2, 101), FSM_E_STALE);
	EXPECT(fsm_check_unchanged(&before, &s));
}

/*
 * The late thawer: its freeze timed out and the next freeze started; its
 * thaw learns of its own freeze's timeout and leaves the new one alone.
 */
static void test_late_thawer_after_refreeze(void)
{
	struct fsm_session s = failed_session(), before;

	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 100 + 2 * T, 0), FSM_FROZE);
	before = s;
	EXPECT_VERDICT(fsm_thaw(&s, 1, 100 + 2 * T + 1), FSM_E_TIMED_OUT);
	EXPECT_VERDICT(fsm_abort(&s, 1, 100 + 2 * T + 1), FSM_E_TIMED_OUT);
	EXPECT(fsm_check_unchanged(&before, &s));
	EXPECT_VERDICT(fsm_thaw(&s, 2, 100 + 2 * T + 2), FSM_THAWED);
}

/* Someone else thawed or aborted my freeze: never success for me. */
static void test_thaw_of_a_freeze_ended_otherwise(void)
{
	struct fsm_session s = frozen_session();

	EXPECT_VERDICT(fsm_thaw(&s, FSM_GEN_ANY, 101), FSM_THAWED);
	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 102, 0), FSM_FROZE);
	EXPECT_VERDICT(fsm_abort(&s, FSM_GEN_ANY, 103), FSM_ABORTED);
	EXPECT_VERDICT(fsm_freeze(&s, 3, T, 104, 0), FSM_FROZE);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 105), FSM_E_NOT_FROZEN);
	EXPECT_VERDICT(fsm_thaw(&s, 2, 105), FSM_E_ABORTED);
	EXPECT_VERDICT(fsm_abort(&s, 2, 105), FSM_E_ABORTED);
	EXPECT(s.state == FSM_FROZEN && s.gen == 3);
}

/* A session remembers its last FSM_HISTORY ended freezes, no more. */
static void test_old_freezes_are_forgotten(void)
{
	struct fsm_session s;
	unsigned long long id, now = 1;

	fsm_init(&s);
	for (id = 1; id <= FSM_HISTORY + 1; id++, now += 2) {
		EXPECT_VERDICT(fsm_freeze(&s, id, T, now, 0), FSM_FROZE);
		EXPECT_VERDICT(fsm_thaw(&s, id, now + 1), FSM_THAWED);
	}
	EXPECT_VERDICT(fsm_thaw(&s, 1, now), FSM_E_STALE);
	EXPECT_VERDICT(fsm_thaw(&s, 2, now), FSM_E_NOT_FROZEN);
	EXPECT_VERDICT(fsm_thaw(&s, FSM_HISTORY + 1, now), FSM_E_NOT_FROZEN);
	EXPECT_VERDICT(fsm_thaw(&s, 99, now), FSM_E_STALE);
}

/* Reset clears what the status shows, not what a late thawer learns. */
static void test_reset_keeps_the_memory(void)
{
	struct fsm_session s = failed_session();

	EXPECT_VERDICT(fsm_reset(&s, 100 + 2 * T), FSM_RESET);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 100 + 2 * T), FSM_E_TIMED_OUT);
	EXPECT_VERDICT(fsm_thaw(&s, FSM_GEN_ANY, 100 + 2 * T), FSM_E_NOT_FROZEN);
}

static void test_abort_in_time(void)
{
	struct fsm_session s = frozen_session();

	EXPECT_VERDICT(fsm_abort(&s, 1, 150), FSM_ABORTED);
	EXPECT(s.state == FSM_STABLE && s.last_error == FSM_ERR_ABORTED);
	EXPECT(s.aborts == 1 && s.thaws == 0 && s.timeouts == 0);
}

static void test_abort_after_deadline_expires(void)
{
	struct fsm_session s = frozen_session();

	EXPECT_VERDICT(fsm_abort(&s, FSM_GEN_ANY, 100 + T), FSM_EXPIRED);
	EXPECT(s.state == FSM_FAILED && s.aborts == 0 && s.timeouts == 1);
}

static void test_abort_refusals(void)
{
	struct fsm_session s, before;

	fsm_init(&s);
	EXPECT_VERDICT(fsm_abort(&s, FSM_GEN_ANY, 1), FSM_E_NOT_FROZEN);
	s = failed_session();
	before = s;
	EXPECT_VERDICT(fsm_abort(&s, 1, 100 + 2 * T), FSM_E_TIMED_OUT);
	EXPECT_VERDICT(fsm_abort(&s, 7, 100 + 2 * T), FSM_E_STALE);
	EXPECT(fsm_check_unchanged(&before, &s));
}

static void test_reset(void)
{
	struct fsm_session s = failed_session(), before;

	EXPECT_VERDICT(fsm_reset(&s, 100 + 2 * T), FSM_RESET);
	EXPECT(s.state == FSM_STABLE && s.last_error == FSM_ERR_NONE);
	EXPECT(s.timeouts == 1 && s.gen == 1);	/* history is kept */
	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 100 + 3 * T, 0), FSM_FROZE);
	EXPECT(s.gen == 2);
	before = s;
	EXPECT_VERDICT(fsm_reset(&s, 100 + 3 * T), FSM_E_BUSY);
	EXPECT(fsm_check_unchanged(&before, &s));
}

/* A reset clears what STABLE shows too: an aborted one, and a fresh one. */
static void test_reset_stable(void)
{
	struct fsm_session s = frozen_session();

	EXPECT_VERDICT(fsm_abort(&s, 1, 150), FSM_ABORTED);
	EXPECT_VERDICT(fsm_reset(&s, 160), FSM_RESET);
	EXPECT(s.state == FSM_STABLE && s.last_error == FSM_ERR_NONE);
	EXPECT(s.aborts == 1 && s.gen == 1);
	fsm_init(&s);
	EXPECT_VERDICT(fsm_reset(&s, 1), FSM_RESET);
	EXPECT(s.state == FSM_STABLE && s.last_error == FSM_ERR_NONE);
	EXPECT(s.gen == 0 && s.freezes == 0);
}

static void test_timeout_early_changes_nothing(void)
{
	struct fsm_session s = frozen_session(), before = s;

	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + T - 1), FSM_EARLY);
	EXPECT(fsm_check_unchanged(&before, &s));
}

static void test_timeout_expires(void)
{
	struct fsm_session s = frozen_session();

	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + T + 7), FSM_EXPIRED);
	EXPECT(s.state == FSM_FAILED && s.last_error == FSM_ERR_TIMEOUT);
	EXPECT(s.timeouts == 1 && s.clock == 100 + T + 7);
}

/* KB 915331: the thaw arrives before the worker has started. */
static void test_timeout_after_thaw_ignored(void)
{
	struct fsm_session s = frozen_session(), before;

	EXPECT_VERDICT(fsm_thaw(&s, 1, 101), FSM_THAWED);
	before = s;
	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + 10 * T), FSM_IGNORED);
	EXPECT(fsm_check_unchanged(&before, &s));
	EXPECT(s.state == FSM_STABLE && s.timeouts == 0);
}

static void test_timeout_after_abort_ignored(void)
{
	struct fsm_session s = frozen_session(), before;

	fsm_abort(&s, 1, 101);
	before = s;
	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + 10 * T), FSM_IGNORED);
	EXPECT(fsm_check_unchanged(&before, &s));
}

static void test_timeout_stale_after_refreeze_ignored(void)
{
	struct fsm_session s = frozen_session(), before;

	fsm_thaw(&s, 1, 101);
	EXPECT_VERDICT(fsm_freeze(&s, 2, 10 * T, 102, 0), FSM_FROZE);
	before = s;
	/* generation 1's deadline has passed, generation 2's has not */
	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + 2 * T), FSM_IGNORED);
	EXPECT(fsm_check_unchanged(&before, &s));
	EXPECT(s.state == FSM_FROZEN && s.gen == 2);
}

static void test_timeout_twice_counts_once(void)
{
	struct fsm_session s = failed_session(), before = s;

	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + 2 * T), FSM_IGNORED);
	EXPECT(fsm_check_unchanged(&before, &s));
	EXPECT(s.timeouts == 1);
}

/* Property 6: an early worker run never costs an in-time thaw. */
static void test_early_worker_then_thaw_in_time(void)
{
	struct fsm_session s = frozen_session();

	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + T / 2), FSM_EARLY);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 100 + T - 1), FSM_THAWED);
}

static void test_time_left(void)
{
	struct fsm_session s = frozen_session();

	EXPECT(fsm_time_left(&s, 100) == T);
	EXPECT(fsm_time_left(&s, 100 + T - 1) == 1);
	EXPECT(fsm_time_left(&s, 100 + T) == 0);
	EXPECT(fsm_time_left(&s, 100 + 5 * T) == 0);
	fsm_thaw(&s, 1, 101);
	EXPECT(fsm_time_left(&s, 102) == 0);
}

static void test_may_remove(void)
{
	struct fsm_session s;

	fsm_init(&s);
	EXPECT(fsm_may_remove(&s));
	s = frozen_session();
	EXPECT(!fsm_may_remove(&s));
	s = failed_session();
	EXPECT(fsm_may_remove(&s));
}

static void test_counters_add_up_over_many_generations(void)
{
	struct fsm_session s;
	unsigned long long now = 1;
	int i;

	fsm_init(&s);
	for (i = 0; i < 3000; i++, now += 2 * T) {
		EXPECT_VERDICT(fsm_freeze(&s, 2 * i + 1, T, now, 0), FSM_FROZE);
		switch (i % 3) {
		case 0:
			EXPECT_VERDICT(fsm_thaw(&s, s.gen, now + 1), FSM_THAWED);
			break;
		case 1:
			EXPECT_VERDICT(fsm_abort(&s, s.gen, now + 1), FSM_ABORTED);
			break;
		default:
			EXPECT_VERDICT(fsm_timeout(&s, s.gen, now + T), FSM_EXPIRED);
			if (i % 2)	/* FAILED freezes again, reset or not */
				EXPECT_VERDICT(fsm_reset(&s, now + T), FSM_RESET);
		}
	}
	EXPECT(s.gen == 5999 && s.freezes == 3000 && s.thaws == 1000 &&
	       s.aborts == 1000 && s.timeouts == 1000);
}


/* ---- filesystems: FREEZING and the release order (property 7) ---------- */

/* A session whose freeze 1, with filesystems, was requested at 100. */
static struct fsm_session freezing_session(void)
{
	struct fsm_session s;

	fsm_init(&s);
	fsm_freeze(&s, 1, T, 100, 1);
	return s;
}

static void test_freeze_fs_then_thaw_releases_once(void)
{
	struct fsm_session s;

	fsm_init(&s);
	EXPECT_VERDICT(fsm_freeze(&s, 1, T, 100, 1), FSM_FREEZE_FS);
	EXPECT(s.state == FSM_FREEZING && s.holds == FSM_HOLD_FREEZING);
	EXPECT(s.deadline == 100 + T && s.fs_frozen == 0);
	EXPECT(fsm_time_left(&s, 150) == T - 50 && !fsm_may_remove(&s));
	EXPECT_VERDICT(fsm_frozen(&s, 1, 150), FSM_FROZE);
	EXPECT(s.state == FSM_FROZEN && s.holds == FSM_HOLD_FROZEN);
	EXPECT(s.fs_frozen == 1 && s.fs_released == 0);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 160), FSM_THAWED + FSM_RELEASE);
	EXPECT(s.holds == FSM_HOLD_NONE && s.fs_released == 1);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 170), FSM_E_NOT_FROZEN);
	EXPECT(s.fs_released == 1);
}

static void test_end_of_held_freeze_releases(void)
{
	struct fsm_session s = freezing_session();

	fsm_frozen(&s, 1, 150);
	EXPECT_VERDICT(fsm_abort(&s, FSM_GEN_ANY, 160), FSM_ABORTED + FSM_RELEASE);
	EXPECT(s.fs_released == 1 && s.holds == FSM_HOLD_NONE);

	s = freezing_session();
	fsm_frozen(&s, 1, 150);
	EXPECT_VERDICT(fsm_timeout(&s, 1, 99 + T), FSM_EARLY);
	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + T), FSM_EXPIRED + FSM_RELEASE);
	EXPECT(s.state == FSM_FAILED && s.fs_released == 1);
	EXPECT_VERDICT(fsm_timeout(&s, 1, 101 + T), FSM_IGNORED);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 102 + T), FSM_E_TIMED_OUT);
	EXPECT(s.fs_released == 1);

	s = freezing_session();
	fsm_frozen(&s, 1, 150);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 100 + T), FSM_EXPIRED + FSM_RELEASE);
	EXPECT(s.fs_released == 1);
}

/* The deadline passes during the sync: thaw the moment it completes. */
static void test_timeout_while_freezing_releases_at_completion(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + T), FSM_EXPIRED);
	EXPECT(s.state == FSM_FAILED && s.holds == FSM_HOLD_FREEZING);
	EXPECT(s.fs_released == 0 && !fsm_may_remove(&s));
	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 101 + T, 1), FSM_E_BUSY);
	EXPECT_VERDICT(fsm_frozen(&s, 1, 500 + T), FSM_IGNORED + FSM_RELEASE);
	EXPECT(s.state == FSM_FAILED && s.holds == FSM_HOLD_NONE);
	EXPECT(s.fs_frozen == 1 && s.fs_released == 1 && fsm_may_remove(&s));
	EXPECT_VERDICT(fsm_thaw(&s, 1, 501 + T), FSM_E_TIMED_OUT);
	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 502 + T, 1), FSM_FREEZE_FS);
}

static void test_frozen_after_the_deadline_expires(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_frozen(&s, 1, 100 + T), FSM_EXPIRED + FSM_RELEASE);
	EXPECT(s.state == FSM_FAILED && s.last_error == FSM_ERR_TIMEOUT);
	EXPECT(s.fs_frozen == 1 && s.fs_released == 1 && s.timeouts == 1);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 101 + T), FSM_E_TIMED_OUT);
}

static void test_abort_while_freezing(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_abort(&s, 1, 110), FSM_ABORTED);
	EXPECT(s.state == FSM_STABLE && s.holds == FSM_HOLD_FREEZING);
	EXPECT_VERDICT(fsm_reset(&s, 111), FSM_RESET);
	EXPECT_VERDICT(fsm_frozen(&s, 1, 120), FSM_IGNORED + FSM_RELEASE);
	EXPECT(s.fs_released == 1 && s.aborts == 1);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 130), FSM_E_ABORTED);
}

/*
 * Two filesystems, the second one's sync hangs: the deadline releases the
 * first at once (not when the second completes), and the second the
 * moment its freeze completes -- each exactly once. (FSM_HUNG_SYNC_BUG
 * fails this: its end releases nothing.)
 */
static void test_deadline_releases_those_frozen_while_one_syncs(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_frozen_one(&s, 50 + T / 2), FSM_FREEZE_NEXT);
	EXPECT(s.state == FSM_FREEZING && s.holds == FSM_HOLD_PARTIAL);
	EXPECT(s.fs_frozen == 1 && s.fs_released == 0 && !fsm_may_remove(&s));
	EXPECT_VERDICT(fsm_thaw(&s, 1, 60 + T / 2), FSM_E_BUSY);
	EXPECT_VERDICT(fsm_timeout(&s, 1, 100 + T), FSM_EXPIRED + FSM_RELEASE);
	EXPECT(s.state == FSM_FAILED && s.holds == FSM_HOLD_LAST);
	EXPECT(s.fs_released == 1 && !fsm_may_remove(&s));
	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 101 + T, 1), FSM_E_BUSY);
	EXPECT_VERDICT(fsm_frozen(&s, 1, 900 + T), FSM_IGNORED + FSM_RELEASE);
	EXPECT(s.state == FSM_FAILED && s.holds == FSM_HOLD_NONE);
	EXPECT(s.fs_frozen == 1 && s.fs_released == 1 && fsm_may_remove(&s));
	EXPECT_VERDICT(fsm_thaw(&s, 1, 901 + T), FSM_E_TIMED_OUT);
}

/* The same with an abort, and with the middle one of three completing. */
static void test_abort_releases_those_frozen_while_one_syncs(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_frozen_one(&s, 110), FSM_FREEZE_NEXT);
	EXPECT_VERDICT(fsm_abort(&s, 1, 120), FSM_ABORTED + FSM_RELEASE);
	EXPECT(s.state == FSM_STABLE && s.holds == FSM_HOLD_LAST);
	EXPECT_VERDICT(fsm_frozen_one(&s, 130), FSM_IGNORED + FSM_RELEASE);
	EXPECT(s.holds == FSM_HOLD_NONE && s.fs_frozen == 1 && s.fs_released == 1);
	EXPECT(s.aborts == 1 && fsm_may_remove(&s));
}

/* All frozen one by one, in time: FROZEN, and the thaw releases them all. */
static void test_frozen_one_by_one_then_thaw(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_frozen_one(&s, 110), FSM_FREEZE_NEXT);
	EXPECT_VERDICT(fsm_frozen_one(&s, 120), FSM_FREEZE_NEXT);
	EXPECT_VERDICT(fsm_frozen(&s, 1, 130), FSM_FROZE);
	EXPECT(s.state == FSM_FROZEN && s.holds == FSM_HOLD_FROZEN && s.fs_frozen == 1);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 140), FSM_THAWED + FSM_RELEASE);
	EXPECT(s.holds == FSM_HOLD_NONE && s.fs_released == 1);
}

/* The second cannot freeze: the first is released by that verdict. */
static void test_failed_second_releases_the_first(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_frozen_one(&s, 110), FSM_FREEZE_NEXT);
	EXPECT_VERDICT(fsm_frozen(&s, 0, 120), FSM_ABORTED + FSM_RELEASE);
	EXPECT(s.state == FSM_STABLE && s.holds == FSM_HOLD_NONE);
	EXPECT(s.fs_frozen == 1 && s.fs_released == 1 && s.aborts == 1);
}

/* The freezer itself finds the deadline passed after one more froze. */
static void test_frozen_one_after_the_deadline_expires(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_frozen_one(&s, 100 + T), FSM_EXPIRED + FSM_RELEASE);
	EXPECT(s.state == FSM_FAILED && s.holds == FSM_HOLD_NONE);
	EXPECT(s.fs_frozen == 1 && s.fs_released == 1 && s.timeouts == 1);
}

static void test_thaw_while_freezing(void)
{
	struct fsm_session s = freezing_session(), before = s;

	EXPECT_VERDICT(fsm_thaw(&s, 1, 110), FSM_E_BUSY);
	EXPECT(fsm_check_unchanged(&before, &s));
	EXPECT_VERDICT(fsm_thaw(&s, FSM_GEN_ANY, 110), FSM_E_BUSY);
	EXPECT_VERDICT(fsm_reset(&s, 110), FSM_E_BUSY);
	EXPECT_VERDICT(fsm_freeze(&s, 2, T, 110, 0), FSM_E_BUSY);
	EXPECT(fsm_check_unchanged(&before, &s));
	/* time decides: at the deadline the thaw ends it, as timed out */
	EXPECT_VERDICT(fsm_thaw(&s, 1, 100 + T), FSM_EXPIRED);
	EXPECT(s.holds == FSM_HOLD_FREEZING);
}

/* Not all filesystems froze: nothing is held, the freeze ends. */
static void test_failed_fs_freeze(void)
{
	struct fsm_session s = freezing_session();

	EXPECT_VERDICT(fsm_frozen(&s, 0, 110), FSM_ABORTED);
	EXPECT(s.state == FSM_STABLE && s.last_error == FSM_ERR_ABORTED);
	EXPECT(s.holds == FSM_HOLD_NONE && s.fs_frozen == 0 && s.fs_released == 0);
	EXPECT_VERDICT(fsm_thaw(&s, 1, 111), FSM_E_ABORTED);

	s = freezing_session();
	EXPECT_VERDICT(fsm_frozen(&s, 0, 100 + T), FSM_EXPIRED);
	EXPECT(s.state == FSM_FAILED && s.fs_released == 0);

	s = freezing_session();
	EXPECT_VERDICT(fsm_abort(&s, 1, 110), FSM_ABORTED);
	EXPECT_VERDICT(fsm_frozen(&s, 0, 120), FSM_IGNORED);
	EXPECT(s.holds == FSM_HOLD_NONE && s.fs_released == 0 && s.aborts == 1);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
#define CASE(f) { #f, f }
	CASE(test_init),
	CASE(test_freeze_accepted),
	CASE(test_freeze_bad_timeout_refused),
	CASE(test_freeze_while_frozen_busy),
	CASE(test_freeze_while_failed_starts_a_new_freeze),
	CASE(test_freeze_id_must_increase),
	CASE(test_thaw_in_time),
	CASE(test_thaw_any_generation),
	CASE(test_thaw_at_deadline_expires),
	CASE(test_thaw_after_timeout_refused),
	CASE(test_thaw_not_frozen_refused),
	CASE(test_thaw_stale_generation_refused),
	CASE(test_late_thawer_after_refreeze),
	CASE(test_thaw_of_a_freeze_ended_otherwise),
	CASE(test_old_freezes_are_forgotten),
	CASE(test_reset_keeps_the_memory),
	CASE(test_abort_in_time),
	CASE(test_abort_after_deadline_expires),
	CASE(test_abort_refusals),
	CASE(test_reset),
	CASE(test_reset_stable),
	CASE(test_timeout_early_changes_nothing),
	CASE(test_timeout_expires),
	CASE(test_timeout_after_thaw_ignored),
	CASE(test_timeout_after_abort_ignored),
	CASE(test_timeout_stale_after_refreeze_ignored),
	CASE(test_timeout_twice_counts_once),
	CASE(test_early_worker_then_thaw_in_time),
	CASE(test_time_left),
	CASE(test_may_remove),
	CASE(test_counters_add_up_over_many_generations),
	CASE(test_freeze_fs_then_thaw_releases_once),
	CASE(test_end_of_held_freeze_releases),
	CASE(test_timeout_while_freezing_releases_at_completion),
	CASE(test_frozen_after_the_deadline_expires),
	CASE(test_abort_while_freezing),
	CASE(test_deadline_releases_those_frozen_while_one_syncs),
	CASE(test_abort_releases_those_frozen_while_one_syncs),
	CASE(test_frozen_one_by_one_then_thaw),
	CASE(test_failed_second_releases_the_first),
	CASE(test_frozen_one_after_the_deadline_expires),
	CASE(test_thaw_while_freezing),
	CASE(test_failed_fs_freeze),
#undef CASE
};

int main(void)
{
	unsigned int i, n = sizeof(cases) / sizeof(cases[0]), bad = 0;

	printf("TAP version 13\n1..%u\n", n);
	for (i = 0; i < n; i++) {
		int before = failures;

		case_name = cases[i].name;
		checks_in_case = 0;
		cases[i].fn();
		if (checks_in_case == 0)
			failures++;	/* a case that checks nothing is a defect */
		if (failures != before)
			bad++;
		printf("%sok %u - %s (%d checks)\n",
		       failures != before ? "not " : "", i + 1, case_name,
		       checks_in_case);
	}
	printf("# unit: %u of %u cases passed\n", n - bad, n);
	return bad ? 1 : 0;
}
