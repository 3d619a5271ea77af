/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard sessions: the kernel side of one session -- its lock,
 * deadline timer, timeout worker (session.c, proved) -- and the table of
 * named sessions and their lifetime (table.c). The decisions are
 * module/fsm.c's; this reacts to them. No device here, so the KUnit suite
 * links it as it is.
 */
#ifndef FREEZEGUARD_SESSION_H
#define FREEZEGUARD_SESSION_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/freezeguard.h>

#include "fs.h"

#ifdef __FRAMAC__
/*
 * The proof's ghost fg_locked (spec/kernel/kernel.h): the core state whose
 * lock this thread holds, or NULL. The core's transitions require it.
 */
#define FSM_CALLER_LOCKED(f) (fg_locked == (f))
#endif

#include "fsm.h"

/**
 * struct fg_session - one named session
 * @hnode: in the name table; RCU readers, writers hold the table lock
 * @ref: one for the tables, one per user of the session
 * @rcu: frees the session after RCU readers of the name table are done
 * @id: index in the id table, the LIST order
 * @lock: serialises the transitions of @fsm and the fields below
 * @fsm: the core's state
 * @armed_gen: the freeze the deadline timer is armed for: set under @lock
 *	just before the timer is armed, read by its callback
 * @fired_gen: @armed_gen when the deadline last fired (set by the timer
 *	callback): the freeze the timeout worker names to the core, which
 *	may be older than the current one (a stale worker)
 * @fs: the filesystems of the current or last freeze, or NULL
 * @owner: FREEZEGUARD_FLAG_OWNED: the open file of the device that owns
 *	the open freeze (compared, never dereferenced); NULL otherwise, and
 *	once that freeze has ended
 * @dead: removed or unloading: no transition, no re-arm
 * @pub_state: @fsm.state, published for lockless waiters
 * @pub_gen: @fsm.gen, published for lockless waiters
 * @waitq: WAITers on this session: woken when it publishes or is removed,
 *	so that a step of one session never wakes the WAITers of another
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
	atomic64_t armed_gen;	/* atomic: 64-bit reads do not tear on 32-bit */
	atomic64_t fired_gen;
	struct fg_fs_set *fs;
	const void *owner;
	bool dead;
	atomic_t pub_state;
	atomic64_t pub_gen;
	wait_queue_head_t waitq;
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

/*
 * What else asks the core for a step, as the tracepoint
 * freezeguard_transition names the cause: a requester's enum fg_op, or one
 * of these.
 */
enum fg_cause {
	FG_CAUSE_FROZEN = FG_RESET + 1,	/* FREEZE's filesystems froze, or not */
	FG_CAUSE_DEADLINE,		/* the timeout worker */
	FG_CAUSE_OWNER_GONE,		/* FLAG_OWNED: its file was closed */
	FG_CAUSE_UNLOAD,		/* rmmod: fg_session_kill() */
};

/* The tracepoint freezeguard_transition (trace.c): it only reads. */
/*@ requires \valid_read(s);
  @ assigns \nothing;
  @*/
void fg_trace_transition(const struct fg_session *s, unsigned int cause,
			 unsigned int from, int verdict);

extern bool fg_fault_skip_cancel;
extern u32 fg_fault_worker_delay_us;
extern u32 fg_fault_freeze_delay_us;
extern wait_queue_head_t fg_poll_waitq;
extern atomic64_t fg_events;
extern struct workqueue_struct *fg_wq;

#ifdef __FRAMAC__
/*
 * The proof's model of the session lock (spec/prove.sh proves session.c
 * with it; the kernel never sees this). The stub mutex of spec/kernel/
 * knows only whether this thread holds it; fg_locked (above) names the
 * session whose lock that is.
 *
 * fg_lock_acquired() models what taking the lock means: while this thread
 * waited, other threads ran steps of the session, so every field the lock
 * guards may have changed and the clock may have moved on; but what every
 * step guarantees when it lets go (lock_inv, which fg_lock_releasing()
 * requires of every step proved here) holds again. One thing the others
 * cannot do: finish a filesystem freeze this thread started. The thread
 * that leaves a freeze FREEZING to freeze its filesystems without the lock
 * records it first, in ghost variables: fg_freezing names the session,
 * fg_freezing_gen and fg_freezing_fs what the hold was when it let go
 * (freezing_kept). Only fsm_frozen() and fsm_frozen_one() end a
 * freezing hold (FREEZING, PARTIAL, LAST: freezing()), only that thread
 * calls them, and every other transition of the core keeps the hold
 * freezing and the generation (fsm.h: same_gen, holds_kept and end_holds,
 * which release a FROZEN hold, and those frozen so far of a PARTIAL one,
 * leaving it LAST; fsm_reset() does not assign the hold; fsm_freeze() is
 * busy while any hold is not NONE), and no step replaces s->fs while a
 * hold is freezing (only fsm_freeze()'s success does): so freezing_kept
 * holds again when it takes the lock back. This rely is argued here, not checked step by
 * step: the other steps' unlocks require freezing_kept, but no freeze of
 * theirs is pending, so it holds trivially there. The set itself stays
 * allocated across the gap: the FREEZE ioctl holds a reference on the
 * session, and a session with a hold is never removed (fsm_may_remove()). table.c takes
 * the lock too, to unlink a session, which sets @dead only once no freeze
 * is open (fsm_may_remove(), or fg_session_kill() first): lock_inv holds
 * there as well.
 */
/*@ ghost struct fsm_session *fg_freezing; */
/*@ ghost u64 fg_freezing_gen; */
/*@ ghost struct fg_fs_set *fg_freezing_fs; */

/*@
  // What the lock guarantees, in two parts (the proofs of steps that do
  // not touch the core state carry the first part over as it is).
  predicate core_inv(struct fg_session *s) =
    session_valid(&s->fsm) && s->fsm.clock <= fg_now;

  predicate glue_inv(struct fg_session *s) =
    (s->dead ==> !is_open(&s->fsm)) &&
    (s->fsm.holds != FSM_HOLD_NONE ==> s->fs != \null) &&
    fs_set_ok(s->fs) && (s->fs != \null ==> \separated(s, s->fs));

  predicate lock_inv(struct fg_session *s) = core_inv(s) && glue_inv(s);

  predicate locked(struct fg_session *s) =
    \valid(s) && s->lock.held == 1 && fg_locked == &s->fsm;

  predicate unlocked(struct fg_session *s) =
    \valid(s) && s->lock.held == 0 && fg_locked == \null;

  // The hold of the freeze whose filesystems this thread is freezing is
  // as it let go of it: still freezing (an end may have released those
  // frozen so far: PARTIAL becomes LAST), the same freeze, the same set.
  predicate freezing_kept(struct fg_session *s) =
    fg_freezing == &s->fsm ==>
      freezing(&s->fsm) && s->fsm.gen == fg_freezing_gen &&
      s->fs == fg_freezing_fs;

  // Between the steps of this file's functions: no lock, no freeze pending.
  predicate idle(struct fg_session *s) =
    unlocked(s) && fg_freezing == \null;
*/

/*@
  // Every byte of what STATUS and FILESYSTEMS copy to userspace is
  // written: each field is listed, since WP does not relate \initialized
  // of a whole struct to its array members; the structs have no padding
  // (static_asserts in freezeguard_main.c), so their fields are all their
  // bytes.
  predicate status_filled(struct freezeguard_status *st) =
    \initialized(&st->name[0 .. FREEZEGUARD_NAME_LEN - 1]) &&
    \initialized(&st->flags) && \initialized(&st->state) &&
    \initialized(&st->last_error) && \initialized(&st->hresult) &&
    \initialized(&st->generation) && \initialized(&st->timeout_ms) &&
    \initialized(&st->reserved0) && \initialized(&st->frozen_ns) &&
    \initialized(&st->time_left_ns) && \initialized(&st->thaws) &&
    \initialized(&st->timeouts) && \initialized(&st->aborts) &&
    \initialized(&st->freezes) && \initialized(&st->nr_fs) &&
    \initialized(&st->fs_flags) && \initialized(&st->reserved[0 .. 1]);

  predicate fs_entry_filled(struct freezeguard_fs *f) =
    \initialized(&f->dev_major) && \initialized(&f->dev_minor) &&
    \initialized(&f->flags) && \initialized(&f->reserved0) &&
    \initialized(&f->type[0 .. 15]) && \initialized(&f->reserved[0]) &&
    \initialized(&f->reserved[1]);

  predicate filesystems_filled(struct freezeguard_filesystems *f) =
    \initialized(&f->name[0 .. FREEZEGUARD_NAME_LEN - 1]) &&
    \initialized(&f->generation) && \initialized(&f->count) &&
    \initialized(&f->flags) && \initialized(&f->reserved[0]) &&
    \initialized(&f->reserved[1]) &&
    \forall integer k; 0 <= k < FREEZEGUARD_FS_MAX ==>
      fs_entry_filled(&f->fs[k]);
*/

/*@
  requires \valid(s) && s->lock.held == 1 && fg_locked == \null;
  assigns s->fsm, s->fs, s->owner, s->dead, s->armed_gen, s->fired_gen,
	  s->pub_state, s->pub_gen, fg_events.counter,
	  *(s->fs), s->deadline_timer, s->timeout_work, fg_now, fg_locked, fg_fs_claims;
  ensures locked(s) && lock_inv(s) && fg_now >= \old(fg_now);
  ensures freezing_kept(s);
*/
void fg_lock_acquired(struct fg_session *s);

/*
 * Letting go: from here on other threads' steps may change everything the
 * lock guards, so the proof forgets it (a read or write of it after the
 * unlock proves nothing), but for the rely above: the set of a filesystem
 * freeze this thread has pending stays the session's (what lets the
 * proof name what the next step's lock may change: that set, no other).
 */
/*@
  requires locked(s) && lock_inv(s) && freezing_kept(s);
  assigns s->fsm, s->fs, s->owner, s->dead, s->pub_state, s->pub_gen,
	  s->armed_gen, s->deadline_timer, s->timeout_work, fg_locked;
  ensures fg_locked == \null;
  ensures fg_freezing == &s->fsm ==> s->fs == fg_freezing_fs;
*/
void fg_lock_releasing(struct fg_session *s);
#else
#define fg_lock_acquired(s) do { } while (0)
#define fg_lock_releasing(s) do { } while (0)
#endif

/* table.c */
int fg_sessions_init(void);
void fg_sessions_exit(void);

struct fg_session *fg_session_get(const char *name);
struct fg_session *fg_session_create(const char *name, bool exclusive,
				     unsigned int max_sessions);
void fg_session_put(struct fg_session *s);
int fg_session_remove(const char *name, u64 *gen);
void fg_sessions_owner_gone(const void *owner);
int fg_sessions_list(u64 *cursor, struct freezeguard_status __user *out,
		     u32 capacity, u32 *count);
struct seq_file;
int fg_sessions_show(struct seq_file *m, void *unused);

/* session.c */
void fg_freeze_ids_init(u64 seed);
void fg_sessions_changed(void);
void fg_session_wake(struct fg_session *s);
int fg_session_step(struct fg_session *s, enum fg_op op, u32 timeout_ms,
		    u64 *gen);
int fg_session_freeze(struct fg_session *s, u32 timeout_ms,
		      struct fg_fs_set **set, const void *owner, u64 *gen);
void fg_session_owner_gone(struct fg_session *s, const void *owner);
void fg_session_kill(struct fg_session *s);
void fg_session_deadline_fired(struct fg_session *s);
void fg_session_filesystems(struct fg_session *s,
			    struct freezeguard_filesystems *out);
void fg_session_run_worker(struct fg_session *s);
void fg_session_status(struct fg_session *s, struct freezeguard_status *st);
void fg_session_observe(struct fg_session *s, u32 *state, u64 *gen);
bool fg_session_changed(struct fg_session *s, u32 state, u64 gen);

#endif /* FREEZEGUARD_SESSION_H */
