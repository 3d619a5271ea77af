/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard sessions: the kernel side of one session (lock, deadline
 * timer, timeout worker, lifetime) and the table of named sessions. The
 * decisions are module/fsm.c's; this reacts to them. No device here, so
 * the KUnit suite links it as it is.
 */
#ifndef FREEZEGUARD_SESSION_H
#define FREEZEGUARD_SESSION_H

#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/freezeguard.h>

#include "fs.h"
#include "fsm.h"

/**
 * struct fg_session - one named session
 * @hnode: in the name table; RCU readers, writers hold the table lock
 * @ref: one for the tables, one per user of the session
 * @rcu: frees the session after RCU readers of the name table are done
 * @id: index in the id table, the LIST order
 * @lock: serialises the transitions of @fsm and the fields below
 * @fsm: the core's state
 * @armed_gen: the freeze the deadline timer is armed for (written under
 *	@lock, read by the timer callback)
 * @fired_gen: the freeze whose deadline fired last (written by the timer
 *	callback): the freeze the timeout worker names to the core, which
 *	may be older than the current one
 * @timeout_ms: timeout of the current or last freeze
 * @fs: the filesystems of the current or last freeze, or NULL
 * @owner: FREEZEGUARD_FLAG_OWNED: the open file of the device that owns
 *	freeze @owner_gen (compared, never dereferenced); NULL otherwise
 * @owner_gen: that freeze
 * @dead: removed or unloading: no transition, no re-arm
 * @pub_state: @fsm.state, published for lockless waiters
 * @pub_gen: @fsm.gen, published for lockless waiters
 * @deadline_timer: fires at the deadline; queues @timeout_work
 * @timeout_work: calls the core's timeout step
 * @name: NUL-terminated name
 */
struct fg_session {
	struct hlist_node hnode;
	struct kref ref;
	struct rcu_head rcu;
	u32 id;
	struct mutex lock;		/* the session lock: see @lock above */
	struct fsm_session fsm;
	u64 armed_gen;
	u64 fired_gen;
	u32 timeout_ms;
	struct fg_fs_set *fs;
	const void *owner;
	u64 owner_gen;
	bool dead;
	u32 pub_state;
	u64 pub_gen;
	struct hrtimer deadline_timer;
	struct work_struct timeout_work;
	char name[FREEZEGUARD_NAME_LEN];
};

/* A transition a requester asks for. */
enum fg_op {
	FG_FREEZE,
	FG_THAW,
	FG_ABORT,
	FG_RESET,
};

extern bool fg_fault_skip_cancel;
extern u32 fg_fault_worker_delay_us;
extern u32 fg_fault_freeze_delay_us;
extern wait_queue_head_t fg_waitq;
extern atomic64_t fg_events;

int fg_sessions_init(void);
void fg_sessions_exit(void);

struct fg_session *fg_session_get(const char *name);
struct fg_session *fg_session_create(const char *name, bool exclusive,
				     unsigned int max_sessions);
void fg_session_put(struct fg_session *s);
int fg_session_remove(const char *name, u64 *gen);
int fg_session_step(struct fg_session *s, enum fg_op op, u32 timeout_ms,
		    u64 *gen);
int fg_session_freeze(struct fg_session *s, u32 timeout_ms,
		      struct fg_fs_set **set, const void *owner, u64 *gen);
void fg_sessions_owner_gone(const void *owner);
void fg_session_filesystems(struct fg_session *s,
			    struct freezeguard_filesystems *out);
void fg_session_run_worker(struct fg_session *s);
void fg_session_status(struct fg_session *s, struct freezeguard_status *st);
void fg_session_observe(struct fg_session *s, u32 *state, u64 *gen);
int fg_sessions_list(u64 *cursor, struct freezeguard_status __user *out,
		     u32 capacity, u32 *count);
bool fg_session_changed(struct fg_session *s, u32 state, u64 gen);

#endif /* FREEZEGUARD_SESSION_H */
