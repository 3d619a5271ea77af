// SPDX-License-Identifier: GPL-2.0
/*
 * Exhaustive interleaving checker for the freezeguard core.
 *
 * It drives the real module/fsm.c (built with a history ring of
 * FSM_HISTORY = 2, so that a forgotten freeze is reachable within the
 * depth) through every interleaving, up to a depth, of these actors:
 *   - two requesters, A and B, each doing freeze / thaw / abort of the
 *     freeze it made last (so each is, in turn, a late thawer); A's
 *     freezes hold two filesystems: the session is FREEZING until
 *   - the glue's filesystem freezes complete, one after the other, or
 *     one fails, at any moment (so the second one's sync may outlast the
 *     deadline, an abort, anything): it freezes a model filesystem and
 *     reports to the core; a verdict with FSM_RELEASE thaws every model
 *     filesystem frozen by the session,
 *   - an administrator doing thaw / abort of "whatever is current",
 *     reset, and remove + re-create of the session (as a user may do
 *     between a freeze and its late thaw),
 *   - the clock, which advances time by one tick,
 *   - the timeout worker of every accepted freeze, which may run at any
 *     moment at or after its deadline (the hrtimer never fires early),
 *     however late, never cancelled -- the worst case for the glue; it
 *     carries the id it was armed for, or, the module's one race, the id
 *     of a newer freeze of the same session (its callback read the newer
 *     arming), which makes it an early worker of that freeze.
 * Freeze ids come from one counter that never repeats, as in the module;
 * a removed session's workers never reach the core again (the module
 * cancels them synchronously and marks the session dead).
 *
 * After every step it checks the properties of README.md ("What is
 * proved") against an oracle that records how each freeze ended and
 * in which session object: a worker never fails a freeze that ended
 * (1, KB 915331) or that is not its own (2); every freeze ends exactly
 * once and the counters agree (3); a thaw or abort answers about the
 * freeze it names, exactly as the oracle knows it ended -- timed out,
 * thawed, aborted, or forgotten -- and never with success for a freeze
 * that is not the open one (4, the late thawer); time decides (6); the
 * model filesystem is frozen exactly while the core says the session
 * holds it, and only a frozen one is ever released: every filesystem
 * freeze is thawed exactly once, nothing is left frozen, and a freeze
 * that ends while the second one syncs thaws the first at once (7). And each
 * step does what the contract says besides: a freeze is refused (busy)
 * exactly while another is open or held, else opens with its deadline
 * at its request's time plus its timeout; a freeze ended in time shows
 * STABLE with no error, an aborted one STABLE/ABORTED; a reset is refused
 * exactly while a freeze is open and leaves STABLE with no error;
 * fsm_time_left() is the open freeze's time to its deadline, else 0.
 * Iterative deepening makes the first violation found a shortest one; it
 * is printed step by step.
 *
 * Exit status: 0 no violation, 1 violation found, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/fsm_check.h"

#define TIMEOUT 2ULL		/* ticks from freeze to deadline */
#define MAX_DEPTH 14
#define MAX_ID (MAX_DEPTH + 1)
#define NO_EPOCH 0xffffffffu	/* an id spent on a refused freeze */
#define FS_PER_FREEZE 2		/* the filesystems of A's freezes */

enum act { FREEZE_A, FREEZE_B, THAW_A, THAW_B, ABORT_A, ABORT_B, ADMIN_THAW,
	   ADMIN_ABORT, RESET, RECREATE, TICK, WORKER, WORKER_MISREAD,
	   FS_FROZEN, FS_FAILED, NR_ACTS };

static const char *const act_name[] = {
	[FREEZE_A] = "A: freeze with two filesystems",
	[FREEZE_B] = "B: freeze",
	[THAW_A] = "A: thaw its freeze",
	[THAW_B] = "B: thaw its freeze",
	[ABORT_A] = "A: abort its freeze",
	[ABORT_B] = "B: abort its freeze",
	[ADMIN_THAW] = "admin: thaw (current)",
	[ADMIN_ABORT] = "admin: abort (current)",
	[RESET] = "admin: reset",
	[RECREATE] = "admin: remove + re-create",
	[TICK] = "clock: tick",
	[WORKER] = "worker",
	[WORKER_MISREAD] = "worker (read the newer arming)",
	[FS_FROZEN] = "glue: the filesystem froze",
	[FS_FAILED] = "glue: the filesystem could not freeze",
};

enum how { OPEN, BY_THAW, BY_TIMEOUT, BY_ABORT };

struct world {
	struct fsm_session s;
	unsigned long long now;
	unsigned long long next_id;	/* the module-wide id counter */
	unsigned int epoch;		/* which session object (re-create) */
	unsigned int ends_here;		/* freezes ended in this object */
	unsigned long long mine[2];	/* A's and B's last accepted freeze */
	int fs_frozen;			/* model filesystems frozen by us now */
	int fs_done;			/* of A's freeze, how many the glue froze */
	int glue_busy;			/* the glue is freezing them (its own view) */
	struct {
		unsigned int epoch;
		unsigned long long deadline;
		int armed;		/* its worker has yet to run */
		int ends;		/* how many times it ended */
		enum how how;
		unsigned int end_seq;	/* its end's rank in its object */
	} ids[MAX_ID + 1];
};

struct step {
	enum act act;
	unsigned long long id;		/* named or carried freeze id */
	unsigned long long now;
	int verdict;
	enum fsm_state after;
};

static struct step trace[MAX_DEPTH];
static unsigned long long transitions, sequences;
static const char *violation;

static int fail(const char *property)
{
	violation = property;
	return 0;
}

static int is_thaw(enum act a) { return a == THAW_A || a == THAW_B || a == ADMIN_THAW; }
static int is_end_request(enum act a)
{
	return a == THAW_A || a == THAW_B || a == ABORT_A || a == ABORT_B ||
	       a == ADMIN_THAW || a == ADMIN_ABORT;
}

/* What the core must answer to a thaw/abort naming @g, per the oracle. */
static int expected_refusal(const struct world *w, unsigned long long g)
{
	if (w->ids[g].epoch != w->epoch || !w->ids[g].ends ||
	    w->ends_here - w->ids[g].end_seq > FSM_HISTORY)
		return FSM_E_STALE;	/* another object's, or forgotten */
	switch (w->ids[g].how) {
	case BY_TIMEOUT: return FSM_E_TIMED_OUT;
	case BY_ABORT: return FSM_E_ABORTED;
	default: return FSM_E_NOT_FROZEN;
	}
}

/* The properties, checked after one step from @b to @a. Returns 1 if all hold. */
static int check(const struct world *b, struct world *a, enum act act,
		 unsigned long long g, int v)
{
	const struct fsm_session *sb = &b->s, *sa = &a->s;
	int release = v >= FSM_RELEASE, base = fsm_verdict_base(v);
	int ends = base == FSM_THAWED || base == FSM_ABORTED || base == FSM_EXPIRED;
	unsigned long long t;

	if (act != FS_FROZEN && act != FS_FAILED &&
	    (v < 0 || v == FSM_EARLY || v == FSM_IGNORED) &&
	    !fsm_check_unchanged(sb, sa))
		return fail("a refusal or an ignored worker changed the session");
	/* property 7: released only if frozen by us; nothing left frozen */
	if (release && !b->fs_frozen && act != FS_FROZEN)
		return fail("property 7: released a filesystem this session had not frozen");
	if (act == FS_FAILED && release && !b->fs_frozen)
		return fail("property 7: released a filesystem that could not freeze");
	/* the core waits for the glue exactly while it freezes: no new
	 * freeze, no remove meanwhile (its set is in use) */
	if (a->glue_busy != fsm_check_freezing(sa))
		return fail("property 7: the core forgot the glue still freezing (or waits for one that stopped)");
	if (a->fs_frozen != (sa->holds == FSM_HOLD_FROZEN ? FS_PER_FREEZE :
			     sa->holds == FSM_HOLD_PARTIAL ? a->fs_done : 0))
		return fail("property 7: a filesystem is frozen but the session does not hold it (left frozen, or kept frozen after its freeze ended), or the other way round");

	if (act == WORKER || act == WORKER_MISREAD) {
		int changed = !fsm_check_unchanged(sb, sa) || v == FSM_EXPIRED;

		if (b->ids[g].how == BY_THAW && changed)
			return fail("property 1 (KB 915331): the worker of a thawed freeze failed the session");
		if ((!fsm_check_open(sb) || sb->gen != g) && changed)
			return fail("property 2: a worker acted on a freeze that is not the frozen one");
		if (fsm_check_open(sb) && sb->gen == g &&
		    base != (a->now < sb->deadline ? FSM_EARLY : FSM_EXPIRED))
			return fail("property 6: the worker's verdict is not decided by time");
	}
	if (is_end_request(act)) {
		int in_time = is_thaw(act) ? FSM_THAWED : FSM_ABORTED;
		int named = g == FSM_GEN_ANY || g == sb->gen;

		if (sb->state == FSM_FREEZING && named && is_thaw(act) &&
		    a->now < sb->deadline) {
			if (v != FSM_E_BUSY)
				return fail("a thaw while the filesystems are being frozen was not refused as busy");
		} else if (fsm_check_open(sb) && named) {
			if (base != (a->now < sb->deadline ? in_time : FSM_EXPIRED))
				return fail("property 6: thaw/abort outcome not decided by time");
		} else if (g != FSM_GEN_ANY) {
			/* the late thawer: an answer about its own freeze */
			if (v >= 0)
				return fail("property 4: a thaw/abort of a freeze that is not open succeeded");
			if (v != expected_refusal(b, g))
				return fail("property 4: the late thawer was not told how its own freeze ended");
		} else if (v != (sb->state == FSM_FAILED ? FSM_E_TIMED_OUT : FSM_E_NOT_FROZEN)) {
			return fail("thaw/abort of the current freeze: wrong refusal");
		}
		if (base == FSM_EXPIRED || (v == FSM_E_TIMED_OUT && g == FSM_GEN_ANY)) {
			if (sa->state != FSM_FAILED || sa->last_error != FSM_ERR_TIMEOUT)
				return fail("property 4: refused as timed out, but the session does not show FAILED/TIMEOUT");
		}
	}
	if ((act == FREEZE_A || act == FREEZE_B) &&
	    (v == FSM_FROZE || v == FSM_FREEZE_FS) &&
	    (sa->gen != g || a->ids[g].ends != 0))
		return fail("a freeze did not open a new freeze with its own id");
	/* refused while a freeze is open or held; else open, timed from now */
	if (act == FREEZE_A || act == FREEZE_B) {
		int free = !fsm_check_open(sb) && sb->holds == FSM_HOLD_NONE;

		if (!free && v != FSM_E_BUSY)
			return fail("a freeze was not refused as busy while another was open or held");
		if (free && (v != (act == FREEZE_A ? FSM_FREEZE_FS : FSM_FROZE) ||
			     sa->frozen_at != a->now ||
			     sa->deadline != a->now + TIMEOUT))
			return fail("a freeze was refused, or its deadline is not its request's time plus its timeout");
	}
	if (base == FSM_THAWED &&
	    (sa->state != FSM_STABLE || sa->last_error != FSM_ERR_NONE))
		return fail("a freeze thawed in time does not show STABLE with no error");
	if (base == FSM_ABORTED &&
	    (sa->state != FSM_STABLE || sa->last_error != FSM_ERR_ABORTED))
		return fail("an aborted freeze does not show STABLE/ABORTED");
	if (act == RESET && (v == FSM_RESET) == fsm_check_open(sb))
		return fail("a reset was refused with no freeze open, or done with one open");
	if (act == RESET && v == FSM_RESET &&
	    (sa->state != FSM_STABLE || sa->last_error != FSM_ERR_NONE))
		return fail("a reset did not leave the session STABLE with no error");
	/* time left: to the open freeze's deadline, else 0 */
	if (fsm_time_left(sa, a->now) !=
	    (fsm_check_open(sa) && a->now < sa->deadline ? sa->deadline - a->now : 0))
		return fail("fsm_time_left disagrees with the open freeze's deadline");
	if (ends) {
		t = sb->gen;
		if (++a->ids[t].ends != 1)
			return fail("property 3: a freeze ended twice");
		a->ids[t].how = base == FSM_THAWED ? BY_THAW :
				base == FSM_ABORTED ? BY_ABORT : BY_TIMEOUT;
		a->ids[t].end_seq = a->ends_here++;
	}
	/* property 3: every freeze of this object ended once, but the open one */
	{
		unsigned long long th = 0, to = 0, ab = 0, n = 0;

		for (t = 1; t < a->next_id; t++) {
			int open;

			if (a->ids[t].ends > 1)
				return fail("property 3: a freeze ended twice");
			if (a->ids[t].epoch != a->epoch)
				continue;
			n++;
			open = t == sa->gen && fsm_check_open(sa);
			if (a->ids[t].ends != (open ? 0 : 1))
				return fail("property 3: a freeze did not end exactly once");
			th += a->ids[t].how == BY_THAW;
			to += a->ids[t].how == BY_TIMEOUT;
			ab += a->ids[t].how == BY_ABORT;
		}
		if (th != sa->thaws || to != sa->timeouts || ab != sa->aborts ||
		    n != sa->freezes)
			return fail("property 3: the counters disagree with how the freezes ended");
	}
	if (!fsm_check_valid(sa))
		return fail("the session invariant");
	return 1;
}

/* Apply one step to @w; the verdict goes to *v. */
static void apply(struct world *w, enum act act, unsigned long long g, int *v)
{
	unsigned long long id;

	*v = 0;
	switch (act) {
	case FREEZE_A:
	case FREEZE_B:
		id = w->next_id++;	/* drawn under the lock, spent if refused */
		*v = fsm_freeze(&w->s, id, TIMEOUT, w->now, act == FREEZE_A);
		w->ids[id].epoch = *v >= FSM_FROZE ? w->epoch : NO_EPOCH;
		if (*v == FSM_FREEZE_FS) {
			w->fs_done = 0;
			w->glue_busy = 1;
		}
		if (*v >= FSM_FROZE) {
			w->mine[act - FREEZE_A] = id;
			w->ids[id].armed = 1;
			w->ids[id].deadline = w->now + TIMEOUT;
		}
		break;
	case THAW_A:
	case THAW_B:
	case ADMIN_THAW:
		*v = fsm_thaw(&w->s, g, w->now);
		break;
	case ABORT_A:
	case ABORT_B:
	case ADMIN_ABORT:
		*v = fsm_abort(&w->s, g, w->now);
		break;
	case RESET:
		*v = fsm_reset(&w->s, w->now);
		break;
	case RECREATE:
		fsm_init(&w->s);
		w->s.clock = w->now;	/* the new object reads the same clock */
		w->epoch++;
		w->ends_here = 0;
		for (id = 1; id < w->next_id; id++)
			w->ids[id].armed = 0;	/* cancelled with the old object */
		break;
	case TICK:
		w->now++;
		break;
	case FS_FROZEN:	/* the glue froze the next one, then reports under the lock */
		w->fs_frozen++;
		w->fs_done++;
		*v = w->fs_done < FS_PER_FREEZE ? fsm_frozen_one(&w->s, w->now) :
						 fsm_frozen(&w->s, 1, w->now);
		break;
	case FS_FAILED:	/* the next one could not freeze */
		*v = fsm_frozen(&w->s, 0, w->now);
		break;
	default:		/* WORKER, WORKER_MISREAD: g is the id carried */
		*v = fsm_timeout(&w->s, g, w->now);
		break;
	}
	if (*v >= FSM_RELEASE)
		w->fs_frozen = 0;	/* the glue thaws it, as ordered */
	if ((act == FS_FROZEN || act == FS_FAILED) && *v != FSM_FREEZE_NEXT)
		w->glue_busy = 0;	/* the glue stops freezing */
}

static int explore(const struct world *w, int depth, int limit);

static int try(const struct world *w, int depth, int limit, enum act a,
	       unsigned long long g, unsigned long long fired)
{
	struct world n = *w;
	int v;

	if (a == WORKER || a == WORKER_MISREAD)
		n.ids[fired].armed = 0;	/* a timer fires once */
	if (a == FREEZE_A || a == FREEZE_B)
		g = w->next_id;
	apply(&n, a, g, &v);
	transitions++;
	trace[depth] = (struct step){ a, g, w->now, v, n.s.state };
	if (a != TICK && a != RECREATE && !check(w, &n, a, g, v))
		return 0;
	return explore(&n, depth + 1, limit);
}

static int explore(const struct world *w, int depth, int limit)
{
	int a;
	unsigned long long g;

	if (depth == limit) {
		sequences++;
		return 1;
	}
	for (a = 0; a < NR_ACTS; a++) {
		switch (a) {
		case FREEZE_A:
		case FREEZE_B:
			if (w->next_id > MAX_ID)
				continue;
			break;
		case THAW_A:
		case ABORT_A:
		case THAW_B:
		case ABORT_B:
			if (!w->mine[(a - THAW_A) % 2])
				continue;	/* nothing of its own to end */
			break;
		case RECREATE:
			if (!fsm_may_remove(&w->s) || !w->s.freezes)
				continue;
			break;
		case FS_FROZEN:
		case FS_FAILED:	/* the glue is freezing the filesystems */
			if (!w->glue_busy)
				continue;
			break;
		case TICK:	/* time matters only while something waits on it */
			if (!fsm_check_open(&w->s)) {
				for (g = 1; g < w->next_id; g++)
					if (w->ids[g].armed && w->ids[g].deadline > w->now)
						break;
				if (g == w->next_id)
					continue;
			}
			break;
		case WORKER:
		case WORKER_MISREAD:
			/* one choice per timer that has fired */
			for (g = 1; g < w->next_id; g++) {
				unsigned long long carried = a == WORKER ? g : w->s.gen;

				if (!w->ids[g].armed || w->now < w->ids[g].deadline)
					continue;
				if (a == WORKER_MISREAD && (!fsm_check_open(&w->s) ||
							    carried <= g))
					continue;
				if (!try(w, depth, limit, a, carried, g))
					return 0;
			}
			continue;
		}
		g = a == THAW_A || a == ABORT_A ? w->mine[0] :
		    a == THAW_B || a == ABORT_B ? w->mine[1] : FSM_GEN_ANY;
		if (!try(w, depth, limit, a, g, 0))
			return 0;
	}
	return 1;
}

static void print_trace(int len)
{
	int i;

	for (i = 0; i < len; i++) {
		const struct step *st = &trace[i];

		printf("  %2d. t=%llu  %s", i + 1, st->now, act_name[st->act]);
		if (st->act == WORKER || st->act == WORKER_MISREAD)
			printf(" carrying freeze %llu", st->id);
		else if (st->id && st->act != TICK && st->act != RECREATE)
			printf(" (freeze %llu)", st->id);
		if (st->act != TICK && st->act != RECREATE)
			printf(" -> %s, session %s", fsm_verdict_name(st->verdict),
			       fsm_state_name(st->after));
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	int limit = argc > 1 ? atoi(argv[1]) : 8, d;
	struct world w;

	if (limit < 1 || limit > MAX_DEPTH) {
		fprintf(stderr, "usage: %s [DEPTH 1..%d]\n", argv[0], MAX_DEPTH);
		return 2;
	}
	memset(&w, 0, sizeof(w));
	fsm_init(&w.s);
	w.next_id = 1;

	for (d = 1; d <= limit; d++) {
		sequences = 0;
		if (!explore(&w, 0, d)) {
			printf("VIOLATION of %s\n", violation);
			printf("shortest interleaving (%d steps):\n", d);
			print_trace(d);
			printf("explored %llu transitions before finding it\n",
			       transitions);
			return 1;
		}
	}
	printf("no violation: %llu interleavings of depth %d explored (%llu transitions, deadlines %llu ticks, history ring %d; actors: requesters A (with two filesystems) and B, the glue's filesystem freezes, admin with reset and re-create, clock, one worker per freeze)\n",
	       sequences, limit, transitions, TIMEOUT, FSM_HISTORY);
	return 0;
}
