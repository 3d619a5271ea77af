// SPDX-License-Identifier: GPL-2.0
/*
 * Exhaustive interleaving checker for the freezeguard core.
 *
 * It drives the real module/fsm.c through every interleaving, up to a depth,
 * of these actors:
 *   - a requester doing freeze / thaw / abort (of the generation it froze)
 *     and reset,
 *   - an administrator doing thaw / abort of "whatever is current",
 *   - the clock, which advances time by one tick,
 *   - one timeout worker per accepted freeze, armed for that generation,
 *     which may run at any moment (early, on time, or arbitrarily late,
 *     and again after an early run, as a re-armed timer does); it is never
 *     cancelled, the worst case for the glue.
 * After every step it checks DESIGN.md's properties against an oracle that
 * records how each generation ended. Iterative deepening makes the first
 * violation found a shortest one; it is printed step by step.
 *
 * Exit status: 0 no violation, 1 violation found, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../common/fsm_check.h"

#define TIMEOUT 2ULL		/* ticks from freeze to deadline */
#define MAX_DEPTH 14
#define MAX_GEN (MAX_DEPTH + 1)

enum act { FREEZE, THAW, ABORT, RESET, ADMIN_THAW, ADMIN_ABORT, TICK,
	   WORKER, NR_ACTS };

static const char *const act_name[] = {
	[FREEZE] = "requester: freeze",
	[THAW] = "requester: thaw (its generation)",
	[ABORT] = "requester: abort (its generation)",
	[RESET] = "requester: reset",
	[ADMIN_THAW] = "admin: thaw (any generation)",
	[ADMIN_ABORT] = "admin: abort (any generation)",
	[TICK] = "clock: tick",
	[WORKER] = "worker",
};

enum how { OPEN, BY_THAW, BY_TIMEOUT, BY_ABORT };

struct world {
	struct fsm_session s;
	unsigned long long now;
	unsigned long long my_gen;	/* requester's last accepted freeze */
	int armed[MAX_GEN + 1];		/* worker of generation g still armed */
	struct {
		int ends;		/* how many times generation g ended */
		enum how how;
	} gens[MAX_GEN + 1];
};

struct step {
	enum act act;
	unsigned long long gen;		/* worker's generation, or the one named */
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

/* The properties, checked after one step from @b to @a. Returns 1 if all hold. */
static int check(const struct world *b, struct world *a, enum act act,
		 unsigned long long g, int v)
{
	const struct fsm_session *sb = &b->s, *sa = &a->s;
	unsigned long long t;
	int ends = v == FSM_THAWED || v == FSM_ABORTED || v == FSM_EXPIRED;

	if ((v < 0 || v == FSM_EARLY || v == FSM_IGNORED) &&
	    !fsm_check_unchanged(sb, sa))
		return fail("a refusal or an ignored worker changed the session");

	if (act == WORKER) {
		int changed = !fsm_check_unchanged(sb, sa) || v == FSM_EXPIRED;

		if (b->gens[g].how == BY_THAW && changed)
			return fail("property 1 (KB 915331): the worker of a thawed generation failed the session");
		if ((sb->state != FSM_FROZEN || sb->gen != g) && changed)
			return fail("property 2: a worker acted on a generation that is not the frozen one");
		if (sb->state == FSM_FROZEN && sb->gen == g &&
		    v != (a->now < sb->deadline ? FSM_EARLY : FSM_EXPIRED))
			return fail("property 6: the worker's verdict is not decided by time");
	}
	if (act == THAW || act == ABORT || act == ADMIN_THAW || act == ADMIN_ABORT) {
		int in_time = act == THAW || act == ADMIN_THAW ? FSM_THAWED : FSM_ABORTED;
		int named = g == FSM_GEN_ANY || g == sb->gen;

		if (named && sb->state == FSM_FROZEN &&
		    v != (a->now < sb->deadline ? in_time : FSM_EXPIRED))
			return fail("property 6: thaw/abort outcome not decided by time");
		if (named && sb->state == FSM_FAILED && v != FSM_E_TIMED_OUT)
			return fail("property 4: a thaw after the timeout was not refused as timed out");
		if (v == FSM_EXPIRED || v == FSM_E_TIMED_OUT) {
			if (sa->state != FSM_FAILED || sa->last_error != FSM_ERR_TIMEOUT)
				return fail("property 4: refused as timed out, but the session does not show FAILED/TIMEOUT");
		}
	}
	if (v == FSM_FROZE) {
		if (sa->gen != sb->gen + 1 || a->gens[sa->gen].ends != 0)
			return fail("a freeze did not open a new generation");
	}
	if (ends) {
		t = sb->gen;
		if (++a->gens[t].ends != 1)
			return fail("property 3: a generation ended twice");
		a->gens[t].how = v == FSM_THAWED ? BY_THAW :
				 v == FSM_ABORTED ? BY_ABORT : BY_TIMEOUT;
	}
	/* property 3: every generation so far ended exactly once, but the open one */
	{
		unsigned long long th = 0, to = 0, ab = 0;

		for (t = 1; t <= sa->gen; t++) {
			int open = t == sa->gen && sa->state == FSM_FROZEN;

			if (a->gens[t].ends != (open ? 0 : 1))
				return fail("property 3: a generation did not end exactly once");
			th += a->gens[t].how == BY_THAW;
			to += a->gens[t].how == BY_TIMEOUT;
			ab += a->gens[t].how == BY_ABORT;
		}
		if (th != sa->thaws || to != sa->timeouts || ab != sa->aborts)
			return fail("property 3: the counters disagree with how the generations ended");
	}
	if (!fsm_check_valid(sa))
		return fail("the session invariant");
	return 1;
}

/* Apply one step; returns 0 if it is not possible here, else the verdict in *v. */
static int apply(struct world *w, enum act act, unsigned long long g, int *v)
{
	switch (act) {
	case FREEZE:
		*v = fsm_freeze(&w->s, TIMEOUT, w->now);
		if (*v == FSM_FROZE) {
			w->my_gen = w->s.gen;
			w->armed[w->s.gen] = 1;
		}
		return 1;
	case THAW:
		*v = fsm_thaw(&w->s, g, w->now);
		return 1;
	case ABORT:
		*v = fsm_abort(&w->s, g, w->now);
		return 1;
	case ADMIN_THAW:
		*v = fsm_thaw(&w->s, FSM_GEN_ANY, w->now);
		return 1;
	case ADMIN_ABORT:
		*v = fsm_abort(&w->s, FSM_GEN_ANY, w->now);
		return 1;
	case RESET:
		*v = fsm_reset(&w->s, w->now);
		return 1;
	case TICK:
		w->now++;
		*v = 0;
		return 1;
	case WORKER:
		*v = fsm_timeout(&w->s, g, w->now);
		if (*v != FSM_EARLY)	/* an early run re-arms, as the glue does */
			w->armed[g] = 0;
		return 1;
	default:
		return 0;
	}
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
		unsigned long long first = 0, last = 0;

		if (a == WORKER) {	/* one choice per armed worker */
			first = 1;
			last = w->s.gen;
		}
		for (g = first; g <= last; g++) {
			struct world n = *w;
			int v;

			if (a == WORKER && !w->armed[g])
				continue;
			if (a == THAW || a == ABORT)
				g = w->my_gen;	/* 0 before any freeze: "any" */
			apply(&n, a, g, &v);
			transitions++;
			trace[depth] = (struct step){ a, g, w->now, v, n.s.state };
			if (a != TICK && !check(w, &n, a, g, v))
				return 0;
			if (!explore(&n, depth + 1, limit))
				return 0;
			if (a == THAW || a == ABORT)
				break;
		}
	}
	return 1;
}

static void print_trace(int len)
{
	int i;

	for (i = 0; i < len; i++) {
		const struct step *st = &trace[i];

		printf("  %2d. t=%llu  %s", i + 1, st->now, act_name[st->act]);
		if (st->act == WORKER)
			printf(" of generation %llu", st->gen);
		if (st->act != TICK)
			printf(" -> %s, session %s", fsm_verdict_name(st->verdict),
			       fsm_state_name(st->after));
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	int limit = argc > 1 ? atoi(argv[1]) : 9, d;
	struct world w;

	if (limit < 1 || limit > MAX_DEPTH) {
		fprintf(stderr, "usage: %s [DEPTH 1..%d]\n", argv[0], MAX_DEPTH);
		return 2;
	}
	memset(&w, 0, sizeof(w));
	fsm_init(&w.s);

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
	printf("no violation: %llu interleavings of depth %d explored (%llu transitions, deadlines %llu ticks, actors: requester, admin, clock, one worker per generation)\n",
	       sequences, limit, transitions, TIMEOUT);
	return 0;
}
