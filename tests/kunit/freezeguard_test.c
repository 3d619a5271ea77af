// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of freezeguard: the core's transitions as a table, and the
 * session paths userspace cannot reach deterministically (a worker that
 * runs after thaw, after re-freeze, after abort; the deadline passing while
 * a thaw waits on the lock; teardown with the worker queued).
 *
 * The module's own files are compiled in as they are (not copied), so the
 * tests see the sessions' static helpers; there is no device here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt	/* as session.c has it */

#include <kunit/test.h>
#include <linux/delay.h>

#include "../../module/fsm.c"
#include "../../module/fs.c"
#include "../../module/session.c"
#include "../../module/table.c"
#include "../../module/request.c"

/*
 * The tracepoints are freezeguard.ko's (trace.c): a second module that
 * defined the same events would clash with it. Here they do nothing.
 */
void fg_trace_transition(const struct fg_session *s, unsigned int cause,
			 unsigned int from, int verdict)
{
}

void fg_trace_fs_freeze(const char *session, u64 gen, const struct fg_fs *fs,
			int err)
{
}

void fg_trace_fs_thaw(const char *session, u64 gen, const struct fg_fs *fs,
		      int err)
{
}

/* ---- the core: every state x input, as a table ------------------------- */

#define T 1000ULL		/* timeout of the freeze that makes FROZEN */
#define AT 100ULL		/* its time */
#define BEFORE (AT + T - 1)
#define AFTER (AT + 3 * T)

enum fsm_input { IN_FREEZE, IN_THAW, IN_THAW_LATE, IN_THAW_OTHER, IN_THAW_OLD,
		 IN_ABORT, IN_ABORT_LATE, IN_RESET, IN_WORKER_EARLY, IN_WORKER,
		 IN_WORKER_OLD };

struct fsm_case {
	const char *desc;
	enum fsm_state from;
	enum fsm_input input;
	int verdict;
	enum fsm_state to;
};

static const struct fsm_case fsm_cases[] = {
	{ "STABLE freeze", FSM_STABLE, IN_FREEZE, FSM_FROZE, FSM_FROZEN },
	{ "STABLE thaw", FSM_STABLE, IN_THAW, FSM_E_NOT_FROZEN, FSM_STABLE },
	{ "STABLE thaw of an older, thawed one", FSM_STABLE, IN_THAW_OLD,
	  FSM_E_NOT_FROZEN, FSM_STABLE },
	{ "STABLE abort", FSM_STABLE, IN_ABORT, FSM_E_NOT_FROZEN, FSM_STABLE },
	{ "STABLE reset", FSM_STABLE, IN_RESET, FSM_RESET, FSM_STABLE },
	{ "STABLE worker (KB 915331)", FSM_STABLE, IN_WORKER, FSM_IGNORED, FSM_STABLE },
	{ "FROZEN freeze", FSM_FROZEN, IN_FREEZE, FSM_E_BUSY, FSM_FROZEN },
	{ "FROZEN thaw in time", FSM_FROZEN, IN_THAW, FSM_THAWED, FSM_STABLE },
	{ "FROZEN thaw late", FSM_FROZEN, IN_THAW_LATE, FSM_EXPIRED, FSM_FAILED },
	{ "FROZEN thaw other generation", FSM_FROZEN, IN_THAW_OTHER, FSM_E_STALE, FSM_FROZEN },
	{ "FROZEN thaw of an older, thawed one", FSM_FROZEN, IN_THAW_OLD,
	  FSM_E_NOT_FROZEN, FSM_FROZEN },
	{ "FROZEN abort in time", FSM_FROZEN, IN_ABORT, FSM_ABORTED, FSM_STABLE },
	{ "FROZEN abort late", FSM_FROZEN, IN_ABORT_LATE, FSM_EXPIRED, FSM_FAILED },
	{ "FROZEN reset", FSM_FROZEN, IN_RESET, FSM_E_BUSY, FSM_FROZEN },
	{ "FROZEN worker early", FSM_FROZEN, IN_WORKER_EARLY, FSM_EARLY, FSM_FROZEN },
	{ "FROZEN worker due", FSM_FROZEN, IN_WORKER, FSM_EXPIRED, FSM_FAILED },
	{ "FROZEN worker of older generation", FSM_FROZEN, IN_WORKER_OLD, FSM_IGNORED, FSM_FROZEN },
	{ "FAILED freeze (a failure never blocks)", FSM_FAILED, IN_FREEZE, FSM_FROZE, FSM_FROZEN },
	{ "FAILED thaw of an older, thawed one", FSM_FAILED, IN_THAW_OLD,
	  FSM_E_NOT_FROZEN, FSM_FAILED },
	{ "FAILED thaw", FSM_FAILED, IN_THAW_LATE, FSM_E_TIMED_OUT, FSM_FAILED },
	{ "FAILED abort", FSM_FAILED, IN_ABORT_LATE, FSM_E_TIMED_OUT, FSM_FAILED },
	{ "FAILED reset", FSM_FAILED, IN_RESET, FSM_RESET, FSM_STABLE },
	{ "FAILED worker again", FSM_FAILED, IN_WORKER, FSM_IGNORED, FSM_FAILED },
};

static void fsm_case_to_desc(const struct fsm_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fsm_transition, fsm_cases, fsm_case_to_desc);

/* A session in @state, freeze 2 (so that an older, thawed one exists). */
static void fsm_reach(struct fsm_session *s, enum fsm_state state)
{
	fsm_init(s);
	fsm_freeze(s, 1, T, 1, 0);
	fsm_thaw(s, 1, 2);
	if (state != FSM_STABLE)
		fsm_freeze(s, 2, T, AT, 0);
	if (state == FSM_FAILED)
		fsm_timeout(s, 2, AT + T);
}

static int fsm_apply(struct fsm_session *s, enum fsm_input in)
{
	switch (in) {
	case IN_FREEZE:
		return fsm_freeze(s, s->gen + 1, T, AFTER, 0);
	case IN_THAW:
		return fsm_thaw(s, s->gen, BEFORE);
	case IN_THAW_LATE:
		return fsm_thaw(s, s->gen, AFTER);
	case IN_THAW_OTHER:
		return fsm_thaw(s, s->gen + 1, BEFORE);
	case IN_THAW_OLD:
		return fsm_thaw(s, 1, AFTER);
	case IN_ABORT:
		return fsm_abort(s, FSM_GEN_ANY, BEFORE);
	case IN_ABORT_LATE:
		return fsm_abort(s, FSM_GEN_ANY, AFTER);
	case IN_RESET:
		return fsm_reset(s, AFTER);
	case IN_WORKER_EARLY:
		return fsm_timeout(s, s->gen, BEFORE);
	case IN_WORKER:
		return fsm_timeout(s, s->gen, AFTER);
	default:
		return fsm_timeout(s, s->gen - 1, AFTER);
	}
}

static void fsm_test_transition(struct kunit *test)
{
	const struct fsm_case *c = test->param_value;
	struct fsm_session s, before;
	unsigned long long ended;

	fsm_reach(&s, c->from);
	KUNIT_ASSERT_EQ(test, s.state, c->from);
	before = s;
	KUNIT_EXPECT_EQ(test, fsm_apply(&s, c->input), c->verdict);
	KUNIT_EXPECT_EQ(test, s.state, c->to);
	/* a refusal, an early or an ignored worker changes nothing at all */
	if (c->verdict < 0 || c->verdict == FSM_EARLY || c->verdict == FSM_IGNORED)
		KUNIT_EXPECT_EQ(test, memcmp(&s, &before, sizeof(s)), 0);
	/* exactly once: every freeze ended once, but the frozen one */
	ended = s.thaws + s.timeouts + s.aborts;
	KUNIT_EXPECT_EQ(test, ended + (s.state == FSM_FROZEN), s.freezes);
}

static struct kunit_case fsm_test_cases[] = {
	KUNIT_CASE_PARAM(fsm_test_transition, fsm_transition_gen_params),
	{}
};

static struct kunit_suite fsm_test_suite = {
	.name = "freezeguard_fsm",
	.test_cases = fsm_test_cases,
};

/* ---- the sessions ------------------------------------------------------- */

static int session_test_init(struct kunit *test)
{
	WRITE_ONCE(fg_fault_skip_cancel, false);
	WRITE_ONCE(fg_fault_worker_delay_us, 0);
	return fg_sessions_init();
}

static void session_test_exit(struct kunit *test)
{
	fg_sessions_exit();
}

/* A new session frozen for @timeout_ms; the test holds a reference. */
static struct fg_session *frozen(struct kunit *test, const char *name,
				 u32 timeout_ms)
{
	struct fg_session *s = fg_session_create(name, true, 16);
	u64 gen = 0;

	KUNIT_ASSERT_FALSE(test, IS_ERR(s));
	KUNIT_ASSERT_EQ(test, fg_session_step(s, FG_FREEZE, timeout_ms, &gen), 0);
	return s;
}

/*
 * Wait until the timeout worker runs (held back in its fault delay, before
 * the session lock): from then on no cancel can stop it.
 */
static void worker_started(struct kunit *test, struct fg_session *s)
{
	int i;

	for (i = 0; i < 200 && !(work_busy(&s->timeout_work) & WORK_BUSY_RUNNING); i++)
		usleep_range(1000, 2000);
	KUNIT_ASSERT_TRUE(test, work_busy(&s->timeout_work) & WORK_BUSY_RUNNING);
}

/* How a freeze ended before its worker ran (its cancel having lost). */
struct ended_case {
	const char *desc;
	enum fg_op op;
	enum fsm_error last_error;
};

static const struct ended_case ended_cases[] = {
	{ "thawed (KB 915331)", FG_THAW, FSM_ERR_NONE },
	{ "aborted", FG_ABORT, FSM_ERR_ABORTED },
};

static void ended_case_to_desc(const struct ended_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ended, ended_cases, ended_case_to_desc);

/*
 * The deadline fires (its callback records the freeze and queues the
 * worker) and the worker starts only after the freeze ended: it changes
 * nothing. The KB 915331 worker fails the session here.
 */
static void session_test_worker_after_end(struct kunit *test)
{
	const struct ended_case *c = test->param_value;
	struct fg_session *s = frozen(test, "kt-ended", 60000);
	u64 gen = FSM_GEN_ANY;

	WRITE_ONCE(fg_fault_worker_delay_us, 200000);
	deadline_timer_fn(&s->deadline_timer);	/* as if the deadline fired */
	worker_started(test, s);		/* past cancelling: it will run */
	KUNIT_EXPECT_EQ(test, fg_session_step(s, c->op, 0, &gen), 0);
	flush_workqueue(fg_wq);		/* the worker ran after the end */
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&s->fired_gen), gen);
	KUNIT_EXPECT_EQ(test, s->fsm.state, FSM_STABLE);
	KUNIT_EXPECT_EQ(test, s->fsm.last_error, c->last_error);
	KUNIT_EXPECT_EQ(test, s->fsm.timeouts, 0ULL);
	KUNIT_EXPECT_EQ(test, s->fsm.thaws + s->fsm.aborts, 1ULL);
	fg_session_put(s);
}

/*
 * The first freeze's deadline fires and its worker is held back; the
 * session is thawed and frozen again; then the worker runs, naming the
 * first freeze: a stale worker, which must leave the second freeze alone.
 * The KB 915331 worker fails the second freeze here.
 */
static void session_test_worker_after_refreeze(struct kunit *test)
{
	struct fg_session *s = frozen(test, "kt-refreeze", 60000);
	u64 first = s->fsm.gen, gen = FSM_GEN_ANY;

	WRITE_ONCE(fg_fault_worker_delay_us, 200000);
	deadline_timer_fn(&s->deadline_timer);	/* the first deadline fires */
	worker_started(test, s);
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_THAW, 0, &gen), 0);
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_FREEZE, 60000, &gen), 0);
	KUNIT_EXPECT_GT(test, gen, first);	/* a new id, never a repeat */
	flush_workqueue(fg_wq);			/* the first freeze's worker */
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&s->fired_gen), first);
	KUNIT_EXPECT_EQ(test, s->fsm.state, FSM_FROZEN);
	KUNIT_EXPECT_EQ(test, s->fsm.gen, gen);
	KUNIT_EXPECT_EQ(test, s->fsm.timeouts, 0ULL);
	KUNIT_EXPECT_TRUE(test, hrtimer_active(&s->deadline_timer));
	gen = FSM_GEN_ANY;
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_THAW, 0, &gen), 0);
	fg_session_put(s);
}

/*
 * A freeze that timed out does not block the next one, and its late
 * thawer still learns that its own freeze timed out (ETIMEDOUT), while
 * the new freeze stays frozen.
 */
static void session_test_late_thawer_after_refreeze(struct kunit *test)
{
	struct fg_session *s = frozen(test, "kt-late", 5);
	u64 first = s->fsm.gen, gen;
	int i;

	for (i = 0; i < 100 && atomic_read(&s->pub_state) != FSM_FAILED; i++)
		msleep(20);	/* the real deadline and worker */
	KUNIT_ASSERT_EQ(test, s->fsm.state, FSM_FAILED);
	gen = 0;
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_FREEZE, 60000, &gen), 0);
	KUNIT_EXPECT_GT(test, gen, first);
	gen = first;
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_THAW, 0, &gen), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, s->fsm.state, FSM_FROZEN);
	gen = s->fsm.gen;
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_THAW, 0, &gen), 0);
	fg_session_put(s);
}

/* The real worker and a second, late run of it: one timeout, counted once. */
static void session_test_worker_twice_counts_once(struct kunit *test)
{
	struct fg_session *s = frozen(test, "kt-twice", 5);
	u64 gen = FSM_GEN_ANY;
	int i;

	for (i = 0; i < 100 && atomic_read(&s->pub_state) != FSM_FAILED; i++)
		msleep(20);	/* the real worker */
	flush_workqueue(fg_wq);
	fg_session_run_worker(s);	/* and once more, late */
	KUNIT_EXPECT_EQ(test, s->fsm.state, FSM_FAILED);
	KUNIT_EXPECT_EQ(test, s->fsm.timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_THAW, 0, &gen), -ETIMEDOUT);
	fg_session_put(s);
}

/*
 * The worker runs before the deadline (its timer cancelled first, so that
 * only a re-arm can fire it again): the freeze stays frozen, the worker
 * re-arms the deadline on the same clock, and the freeze times out then,
 * without a thaw. The KB 915331 worker fails the freeze at once.
 */
static void session_test_worker_early_rearms(struct kunit *test)
{
	struct fg_session *s = frozen(test, "kt-early", 3000);
	int i;

	hrtimer_cancel(&s->deadline_timer);
	fg_session_deadline_fired(s);	/* as if it fired early */
	flush_workqueue(fg_wq);		/* the worker, early */
	KUNIT_EXPECT_EQ(test, s->fsm.state, FSM_FROZEN);
	KUNIT_EXPECT_TRUE(test, hrtimer_active(&s->deadline_timer));
	for (i = 0; i < 500 && atomic_read(&s->pub_state) != FSM_FAILED; i++)
		msleep(20);	/* the re-armed deadline and the worker */
	KUNIT_EXPECT_EQ(test, atomic_read(&s->pub_state), FSM_FAILED);
	KUNIT_EXPECT_EQ(test, s->fsm.timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, s->fsm.thaws, 0ULL);
	fg_session_put(s);
}

/*
 * The deadline fires, its worker is held back, and a thaw comes after the
 * deadline: the thaw is told ETIMEDOUT (time decides, not the worker),
 * and the worker that runs after it changes nothing: one timeout.
 */
static void session_test_thaw_past_deadline_then_worker(struct kunit *test)
{
	struct fg_session *s;
	u64 gen = FSM_GEN_ANY;

	WRITE_ONCE(fg_fault_worker_delay_us, 1000000);
	s = frozen(test, "kt-past", 20);
	worker_started(test, s);	/* the deadline has fired: it is past */
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_THAW, 0, &gen), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, s->fsm.state, FSM_FAILED);
	flush_workqueue(fg_wq);		/* the worker, after the thaw */
	KUNIT_EXPECT_EQ(test, s->fsm.state, FSM_FAILED);
	KUNIT_EXPECT_EQ(test, s->fsm.timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, s->fsm.thaws, 0ULL);
	gen = FSM_GEN_ANY;
	KUNIT_EXPECT_EQ(test, fg_session_step(s, FG_THAW, 0, &gen), -ETIMEDOUT);
	WRITE_ONCE(fg_fault_worker_delay_us, 0);
	fg_session_put(s);
}

struct thaw_call {
	struct work_struct work;
	struct fg_session *s;
	int err;
};

static void thaw_call_fn(struct work_struct *work)
{
	struct thaw_call *c = container_of(work, struct thaw_call, work);
	u64 gen = FSM_GEN_ANY;

	c->err = fg_session_step(c->s, FG_THAW, 0, &gen);
}

/*
 * A thaw that waits on the lock while the deadline passes and the worker
 * queues up behind it: the thaw reads the time when it gets the lock, so
 * it loses, and the generation ends once, by timeout.
 */
static void session_test_deadline_while_thaw_waits(struct kunit *test)
{
	struct fg_session *s = frozen(test, "kt-waits", 20);
	struct thaw_call c = { .s = s };

	INIT_WORK_ONSTACK(&c.work, thaw_call_fn);
	mutex_lock(&s->lock);
	queue_work(system_unbound_wq, &c.work);
	msleep(100);		/* the deadline passes; timer fires; worker waits too */
	mutex_unlock(&s->lock);
	flush_work(&c.work);
	destroy_work_on_stack(&c.work);
	flush_workqueue(fg_wq);
	KUNIT_EXPECT_EQ(test, c.err, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, s->fsm.state, FSM_FAILED);
	KUNIT_EXPECT_EQ(test, s->fsm.timeouts, 1ULL);
	KUNIT_EXPECT_EQ(test, s->fsm.thaws, 0ULL);
	fg_session_put(s);
}

/*
 * Teardown while the worker is queued and held back: fg_sessions_exit()
 * must wait for it. If it did not, the worker would touch a freed session
 * and KASAN / debugobjects would report it; the VM harness fails on that.
 */
static void session_test_teardown_with_work_queued(struct kunit *test)
{
	struct fg_session *s;
	int i;

	WRITE_ONCE(fg_fault_worker_delay_us, 500000);
	s = frozen(test, "kt-teardown", 1);
	fg_session_put(s);		/* only the tables hold it now */
	/* Until the worker runs (it then sleeps): running, it cannot be cancelled. */
	for (i = 0; i < 200 && !(work_busy(&s->timeout_work) & WORK_BUSY_RUNNING); i++)
		usleep_range(2000, 3000);
	KUNIT_EXPECT_TRUE(test, work_busy(&s->timeout_work) & WORK_BUSY_RUNNING);
	fg_sessions_exit();
	KUNIT_ASSERT_EQ(test, fg_sessions_init(), 0);	/* for .exit */
	WRITE_ONCE(fg_fault_worker_delay_us, 0);
}

static struct kunit_case session_test_cases[] = {
	KUNIT_CASE_PARAM(session_test_worker_after_end, ended_gen_params),
	KUNIT_CASE(session_test_worker_after_refreeze),
	KUNIT_CASE(session_test_late_thawer_after_refreeze),
	KUNIT_CASE(session_test_worker_twice_counts_once),
	KUNIT_CASE(session_test_worker_early_rearms),
	KUNIT_CASE(session_test_thaw_past_deadline_then_worker),
	KUNIT_CASE(session_test_deadline_while_thaw_waits),
	KUNIT_CASE(session_test_teardown_with_work_queued),
	{}
};

static struct kunit_suite session_test_suite = {
	.name = "freezeguard_session",
	.init = session_test_init,
	.exit = session_test_exit,
	.test_cases = session_test_cases,
};

/*
 * The proof of request.c takes the name bytes from is_name_char() and its
 * ACSL twin name_char(); the ABI names them in FREEZEGUARD_NAME_CHARS:
 * the three must agree on every byte.
 */
static void request_test_name_chars(struct kunit *test)
{
	int c;

	for (c = 1; c < 256; c++)
		KUNIT_EXPECT_EQ_MSG(test, is_name_char((char)c),
				    !!strchr(FREEZEGUARD_NAME_CHARS, c),
				    "byte 0x%02x", c);
	KUNIT_EXPECT_FALSE(test, is_name_char(0));
}

/* Each field that must be zero, set alone, makes a valid FREEZE invalid. */
static void request_test_reserved_rejected(struct kunit *test)
{
	const struct freezeguard_req ok = { .name = "kt-req", .timeout_ms = 10 };
	struct freezeguard_req r;
	int i;

	KUNIT_EXPECT_EQ(test, fg_req_check(&ok, FG_REQ_FREEZE, 10), 0);
	KUNIT_EXPECT_EQ(test, fg_req_check(&ok, FG_REQ_FREEZE, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, fg_req_check(&ok, FG_REQ_PLAIN, 0), -EINVAL);
	for (i = 0; i < 4; i++) {
		r = ok;
		switch (i) {
		case 0:
			r.reserved0 = 1;
			break;
		case 1:
			r.reserved[0] = 1;
			break;
		case 2:
			r.reserved[1] = 1ULL << 63;
			break;
		case 3:
			r.flags = 1u << 31;
			break;
		}
		KUNIT_EXPECT_EQ_MSG(test, fg_req_check(&r, FG_REQ_FREEZE, 10),
				    -EINVAL, "field %d", i);
	}
}

/* A guard names filesystems: FREEZEGUARD_FLAG_GUARD only with _FS. */
static void request_test_guard_needs_fs(struct kunit *test)
{
	struct freezeguard_req r = { .name = "kt-guard", .timeout_ms = 10,
				     .flags = FREEZEGUARD_FLAG_GUARD };

	KUNIT_EXPECT_EQ(test, fg_req_check(&r, FG_REQ_FREEZE, 10), -EINVAL);
	r.flags |= FREEZEGUARD_FLAG_FS;
	r.fds = 1;
	r.nr_fds = 1;
	KUNIT_EXPECT_EQ(test, fg_req_check(&r, FG_REQ_FREEZE, 10), 0);
	r.flags |= FREEZEGUARD_FLAG_OWNED;
	KUNIT_EXPECT_EQ(test, fg_req_check(&r, FG_REQ_FREEZE, 10), 0);
}

static struct kunit_case request_test_cases[] = {
	KUNIT_CASE(request_test_name_chars),
	KUNIT_CASE(request_test_reserved_rejected),
	KUNIT_CASE(request_test_guard_needs_fs),
	{}
};

static struct kunit_suite request_test_suite = {
	.name = "freezeguard_request",
	.test_cases = request_test_cases,
};

kunit_test_suites(&fsm_test_suite, &session_test_suite, &request_test_suite);

MODULE_DESCRIPTION("KUnit tests of freezeguard");
MODULE_LICENSE("GPL");
