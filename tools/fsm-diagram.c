// SPDX-License-Identifier: GPL-2.0
/*
 * Print the session state machine, as the real core (module/fsm.c) runs it,
 * as a Graphviz graph (--dot) or a Markdown table (--markdown): every state
 * is reached through real transitions, every input is applied to a copy,
 * and what comes out is what is printed. Nothing is drawn by hand.
 */
#include <stdio.h>
#include <string.h>
#include "../tests/common/fsm_check.h"

#define T 1000ULL	/* timeout of the freeze that makes FROZEN */
#define AT 100ULL	/* time of that freeze */

struct input {
	const char *label;
	int (*apply)(struct fsm_session *s);
};

#define BEFORE (AT + T - 1)	/* before the deadline of the FROZEN freeze */
#define AFTER (AT + 3 * T)	/* after it */
#define IMPOSSIBLE 99		/* that time is already past in this state */

/* Time never goes backwards: an input at a time before the session's clock cannot happen. */
#define AT_TIME(now, call) ((now) < s->clock ? IMPOSSIBLE : (call))

static int freeze(struct fsm_session *s) { return fsm_freeze(s, s->gen + 1, T, s->clock + 1, 0); }
static int freeze_fs(struct fsm_session *s) { return fsm_freeze(s, s->gen + 1, T, s->clock + 1, 1); }
/* fsm_frozen() is the glue's report, only while it is freezing filesystems */
#define FROZEN_REPORT(now, ok) (s->holds != FSM_HOLD_FREEZING ? IMPOSSIBLE : \
				AT_TIME(now, fsm_frozen(s, ok, now)))
static int fs_frozen_in_time(struct fsm_session *s) { return FROZEN_REPORT(BEFORE, 1); }
static int fs_frozen_late(struct fsm_session *s) { return FROZEN_REPORT(AFTER, 1); }
static int fs_failed(struct fsm_session *s) { return FROZEN_REPORT(BEFORE, 0); }
static int thaw_in_time(struct fsm_session *s) { return AT_TIME(BEFORE, fsm_thaw(s, s->gen, BEFORE)); }
static int thaw_late(struct fsm_session *s) { return fsm_thaw(s, s->gen, AFTER); }
static int abort_in_time(struct fsm_session *s) { return AT_TIME(BEFORE, fsm_abort(s, s->gen, BEFORE)); }
static int abort_late(struct fsm_session *s) { return fsm_abort(s, s->gen, AFTER); }
static int thaw_other_gen(struct fsm_session *s) { return fsm_thaw(s, s->gen + 1, AFTER); }
static int thaw_older(struct fsm_session *s) { return fsm_thaw(s, 1, AFTER); }
static int thaw_current(struct fsm_session *s) { return AT_TIME(BEFORE, fsm_thaw(s, FSM_GEN_ANY, BEFORE)); }
static int reset(struct fsm_session *s) { return fsm_reset(s, AFTER); }
static int worker_early(struct fsm_session *s) { return AT_TIME(BEFORE, fsm_timeout(s, s->gen, BEFORE)); }
static int worker_due(struct fsm_session *s) { return fsm_timeout(s, s->gen, AFTER); }
static int worker_stale(struct fsm_session *s) { return fsm_timeout(s, s->gen - 1, AFTER); }

static const struct input inputs[] = {
	{ "freeze", freeze },
	{ "freeze with filesystems", freeze_fs },
	{ "filesystems frozen before deadline", fs_frozen_in_time },
	{ "filesystems frozen at/after deadline", fs_frozen_late },
	{ "a filesystem could not freeze", fs_failed },
	{ "thaw before deadline", thaw_in_time },
	{ "thaw at/after deadline", thaw_late },
	{ "thaw of an unknown freeze", thaw_other_gen },
	{ "thaw of the older, thawed freeze", thaw_older },
	{ "thaw --current before deadline", thaw_current },
	{ "abort before deadline", abort_in_time },
	{ "abort at/after deadline", abort_late },
	{ "reset", reset },
	{ "worker before deadline", worker_early },
	{ "worker at/after deadline", worker_due },
	{ "worker of an older freeze", worker_stale },
};

int main(int argc, char **argv)
{
	int dot = argc > 1 && !strcmp(argv[1], "--dot");
	struct fsm_session states[4];
	unsigned int i, j;

	/* Reach each state the way a session does; freeze 2, so that an
	 * older, thawed freeze (1) exists. Freeze 2 holds filesystems. */
	fsm_init(&states[0]);
	fsm_freeze(&states[0], 1, T, 1, 0);
	fsm_thaw(&states[0], 1, 2);			/* STABLE */
	states[1] = states[0];
	fsm_freeze(&states[1], 2, T, AT, 1);		/* FREEZING */
	states[2] = states[1];
	fsm_frozen(&states[2], 1, AT);			/* FROZEN, holding them */
	states[3] = states[2];
	fsm_timeout(&states[3], 2, AT + T);		/* FAILED */

	if (dot)
		printf("digraph freezeguard_session {\n\trankdir=LR;\n\tnode [shape=box, style=rounded];\n");
	else
		printf("| from | input | verdict | to |\n|---|---|---|---|\n");
	for (i = 0; i < 4; i++) {
		for (j = 0; j < sizeof(inputs) / sizeof(inputs[0]); j++) {
			struct fsm_session s = states[i];
			int v = inputs[j].apply(&s);
			const char *from = fsm_state_name(states[i].state);
			const char *to = fsm_state_name(s.state);

			if (v == IMPOSSIBLE)
				continue;
			if (!fsm_check_valid(&s))
				return 1;
			if (dot) {
				if (v < 0 || v == FSM_IGNORED || v == FSM_EARLY ||
				    v == IMPOSSIBLE)
					continue;	/* the graph shows changes only */
				printf("\t%s -> %s [label=\"%s\\n(%s)\"];\n", from, to,
				       inputs[j].label, fsm_verdict_name(v));
			} else {
				printf("| %s | %s | %s | %s |\n", from, inputs[j].label,
				       fsm_verdict_name(v), to);
			}
		}
	}
	if (dot)
		printf("}\n");
	return 0;
}
