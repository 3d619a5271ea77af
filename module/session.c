// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard sessions: see session.h.
 *
 * Each transition takes the session's mutex, reads the monotonic clock
 * under it, calls the core, and reacts to the core's verdict (arm or cancel
 * the deadline, warn, wake waiters). A freeze draws its id from one
 * module-wide counter, under the session's mutex, so ids never repeat and
 * a session's ids increase. The deadline is an hrtimer whose callback
 * records which freeze it was armed for and queues the timeout worker; the
 * worker names that freeze to the core, which ignores it unless it is
 * still the frozen one: a worker of an older freeze reaches the core as a
 * stale worker. Cancelling the timer on thaw is only an optimisation.
 *
 * A freeze with filesystems is accepted FREEZING; the filesystems are
 * frozen without the lock (fs.c) and the outcome reported to the core
 * under it. Whichever transition the core marks FSM_RELEASE thaws them,
 * under the lock: exactly once per freeze, on every path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/kdev_t.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "compat.h"
#include "session.h"

/*
 * Fault knobs for the tests, in debugfs (freezeguard/ there), not module
 * parameters: thaw and abort leave the deadline armed, as if every cancel
 * lost its race; the timeout worker sleeps this long before taking the
 * session lock; a filesystem freeze waits this long after the filesystems
 * froze before it reports to the core (so that its deadline passes while
 * FREEZING, as a slow sync would make it).
 */
bool fg_fault_skip_cancel;
u32 fg_fault_worker_delay_us;
u32 fg_fault_freeze_delay_us;

static DEFINE_MUTEX(fg_table_lock);	/* create, remove */
static DEFINE_HASHTABLE(fg_names, 10);
static DEFINE_XARRAY_ALLOC1(fg_ids);
static u32 fg_ids_next;		/* cyclic: LIST keeps creation order */
static unsigned int fg_nr_sessions;
/* The last freeze id handed out; seeded with the wall clock at load. */
static atomic64_t fg_last_freeze_id;
static struct workqueue_struct *fg_wq;
DECLARE_WAIT_QUEUE_HEAD(fg_waitq);
atomic64_t fg_events = ATOMIC64_INIT(0);

static struct fg_session *session_get_from(unsigned long *id);

static u32 name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

/* Errno for the caller of a transition; 0 when it was accepted. */
static int verdict_errno(int verdict)
{
	if (verdict >= FSM_RELEASE)	/* what was decided, whatever was released */
		verdict -= FSM_RELEASE;
	switch (verdict) {
	case FSM_E_BUSY:
		return -EBUSY;
	case FSM_E_NOT_FROZEN:
		return -EALREADY;
	case FSM_EXPIRED:	/* a thaw or abort that found the deadline passed */
	case FSM_E_TIMED_OUT:
		return -ETIMEDOUT;
	case FSM_E_STALE:
		return -ESTALE;
	case FSM_E_ABORTED:
		return -ECANCELED;
	case FSM_E_INVALID:
		return -EINVAL;
	default:
		return 0;
	}
}

/* ---- the reaction to the core's verdicts -------------------------------- */

/* Something a LIST would show changed: poll() and WAIT wake up. */
static void sessions_changed(void)
{
	atomic64_inc(&fg_events);
	wake_up_all(&fg_waitq);
}

static void session_publish(struct fg_session *s)
{
	lockdep_assert_held(&s->lock);
	WRITE_ONCE(s->pub_state, s->fsm.state);
	WRITE_ONCE(s->pub_gen, s->fsm.gen);
	sessions_changed();
}

/* The next freeze id, or 0 when the 64-bit counter is used up. */
static u64 freeze_id_next(void)
{
	u64 last = atomic64_fetch_add_unless(&fg_last_freeze_id, 1, -1);

	return last == U64_MAX ? 0 : last + 1;
}

static void deadline_arm(struct fg_session *s)
{
	hrtimer_start(&s->deadline_timer, ns_to_ktime(s->fsm.deadline),
		      HRTIMER_MODE_ABS);
}

/* Without waiting: the timer may be running, the worker may be blocked on our lock. */
static void deadline_try_cancel(struct fg_session *s)
{
	if (READ_ONCE(fg_fault_skip_cancel))
		return;
	hrtimer_try_to_cancel(&s->deadline_timer);
	cancel_work(&s->timeout_work);
}

/*
 * Act on what the core decided. Called with s->lock held. The release
 * comes first: a thaw that expires, or a freeze that completes too late,
 * has thawed the filesystems before anyone is told.
 */
static void session_react(struct fg_session *s, int verdict)
{
	bool release = verdict >= FSM_RELEASE;

	lockdep_assert_held(&s->lock);
	if (release) {
		fg_fs_thaw(s->fs, s->name, s->fsm.gen);
		verdict -= FSM_RELEASE;
	}
	switch (verdict) {
	case FSM_FROZE:
	case FSM_FREEZE_FS:
		WRITE_ONCE(s->armed_gen, s->fsm.gen);
		deadline_arm(s);
		break;
	case FSM_EARLY:
		deadline_arm(s);
		return;
	case FSM_THAWED:
	case FSM_ABORTED:
		s->owner = NULL;
		deadline_try_cancel(s);
		break;
	case FSM_EXPIRED:
		pr_warn_ratelimited("session %s: freeze %llu timed out after %u ms\n",
				    s->name, s->fsm.gen, s->timeout_ms);
		s->owner = NULL;
		deadline_try_cancel(s);
		break;
	case FSM_RESET:
		break;
	default:	/* refused, or not ours: nothing changed, but what was released */
		if (!release)
			return;
	}
	session_publish(s);
}

static enum hrtimer_restart deadline_timer_fn(struct hrtimer *timer)
{
	struct fg_session *s = container_of(timer, struct fg_session, deadline_timer);

	/* Which freeze's deadline this is: a newer freeze may re-arm us later. */
	WRITE_ONCE(s->fired_gen, READ_ONCE(s->armed_gen));
	queue_work(fg_wq, &s->timeout_work);
	return HRTIMER_NORESTART;
}

/**
 * fg_session_run_worker() - the timeout worker's step, as the work item runs it
 * @s: the session
 *
 * Asks the core to time out the freeze whose deadline fired, which may be
 * older than the current one; the core alone decides whether that changes
 * anything.
 */
void fg_session_run_worker(struct fg_session *s)
{
	unsigned int delay_us = READ_ONCE(fg_fault_worker_delay_us);

	if (delay_us)
		fsleep(delay_us);
	mutex_lock(&s->lock);
	if (!s->dead)
		session_react(s, fsm_timeout(&s->fsm, READ_ONCE(s->fired_gen),
					     ktime_get_ns()));
	mutex_unlock(&s->lock);
}

static void timeout_work_fn(struct work_struct *work)
{
	fg_session_run_worker(container_of(work, struct fg_session, timeout_work));
}

/* ---- lifetime ----------------------------------------------------------- */

static void session_release(struct kref *ref)
{
	struct fg_session *s = container_of(ref, struct fg_session, ref);

	/*
	 * s->dead is set, so the worker no longer re-arms the timer: once the
	 * timer is cancelled, the last work it queued is the last one.
	 */
	hrtimer_cancel(&s->deadline_timer);
	cancel_work_sync(&s->timeout_work);
	mutex_destroy(&s->lock);
	fg_fs_free(s->fs);	/* released already: removable means nothing held */
	kfree_rcu(s, rcu);
}

void fg_session_put(struct fg_session *s)
{
	kref_put(&s->ref, session_release);
}

/* Look a session up by name and take a reference; no global lock. */
struct fg_session *fg_session_get(const char *name)
{
	struct fg_session *s, *found = NULL;

	rcu_read_lock();
	hash_for_each_possible_rcu(fg_names, s, hnode, name_hash(name)) {
		if (!strcmp(s->name, name) && kref_get_unless_zero(&s->ref)) {
			found = s;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static struct fg_session *session_find_locked(const char *name)
{
	struct fg_session *s;

	lockdep_assert_held(&fg_table_lock);
	hash_for_each_possible(fg_names, s, hnode, name_hash(name))
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/**
 * fg_session_create() - create a session, or find it
 * @name: a valid name
 * @exclusive: EEXIST if it exists; else return the existing one
 * @max_sessions: ENOSPC if this many exist
 *
 * Return: the session with a reference for the caller, or an ERR_PTR.
 */
struct fg_session *fg_session_create(const char *name, bool exclusive,
				     unsigned int max_sessions)
{
	struct fg_session *s;
	int err;

	mutex_lock(&fg_table_lock);
	s = session_find_locked(name);
	if (s) {
		err = exclusive ? -EEXIST : 0;
		if (!err)
			kref_get(&s->ref);
		goto out;
	}
	err = -ENOSPC;
	if (fg_nr_sessions >= max_sessions)
		goto out;
	err = -ENOMEM;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		goto out;
	kref_init(&s->ref);	/* the tables' reference */
	mutex_init(&s->lock);
	fsm_init(&s->fsm);
	s->pub_state = s->fsm.state;
	strscpy(s->name, name, sizeof(s->name));
	fg_hrtimer_setup(&s->deadline_timer, deadline_timer_fn);
	INIT_WORK(&s->timeout_work, timeout_work_fn);
	err = xa_alloc_cyclic(&fg_ids, &s->id, s, xa_limit_32b, &fg_ids_next,
			      GFP_KERNEL);
	if (err < 0) {
		kfree(s);
		err = err == -EBUSY ? -ENOSPC : err;
		goto out;
	}
	hash_add_rcu(fg_names, &s->hnode, name_hash(name));
	fg_nr_sessions++;
	kref_get(&s->ref);	/* the caller's */
	sessions_changed();
	err = 0;
out:
	mutex_unlock(&fg_table_lock);
	return err ? ERR_PTR(err) : s;
}

/* Take @s out of the tables; the caller holds fg_table_lock and s->lock. */
static void session_unlink(struct fg_session *s)
{
	lockdep_assert_held(&fg_table_lock);
	lockdep_assert_held(&s->lock);
	WRITE_ONCE(s->dead, true);	/* read locklessly by LIST and WAIT */
	hash_del_rcu(&s->hnode);
	xa_erase(&fg_ids, s->id);
	fg_nr_sessions--;
	sessions_changed();	/* and WAIT on it returns ENOENT */
}

/**
 * fg_session_remove() - remove a session that is not frozen
 * @name: its name
 * @gen: out: its generation (also when refused with EBUSY)
 *
 * Return: 0, -ENOENT, or -EBUSY when it is frozen.
 */
int fg_session_remove(const char *name, u64 *gen)
{
	struct fg_session *s;
	int err = -ENOENT;

	mutex_lock(&fg_table_lock);
	s = session_find_locked(name);
	if (s) {
		mutex_lock(&s->lock);
		err = fsm_may_remove(&s->fsm) ? 0 : -EBUSY;
		if (!err)
			session_unlink(s);
		*gen = s->fsm.gen;
		mutex_unlock(&s->lock);
	}
	mutex_unlock(&fg_table_lock);
	if (!err)
		fg_session_put(s);	/* the tables' reference */
	return err;
}

/**
 * fg_session_step() - one transition, as the core decides it
 * @s: the session
 * @op: what the requester asks
 * @timeout_ms: FG_FREEZE: the timeout, already validated
 * @gen: in: THAW/ABORT: the freeze to end, or FSM_GEN_ANY;
 *	out: the session's generation after the step
 *
 * Return: 0 or the errno of the refusal (-ETIMEDOUT: the freeze timed out;
 * -ENOENT: the session was removed; -EOVERFLOW: freeze ids are used up).
 */
int fg_session_step(struct fg_session *s, enum fg_op op, u32 timeout_ms,
		    u64 *gen)
{
	u64 now;
	int verdict;

	if (op == FG_FREEZE)
		return fg_session_freeze(s, timeout_ms, NULL, NULL, gen);
	mutex_lock(&s->lock);
	if (s->dead) {
		mutex_unlock(&s->lock);
		return -ENOENT;
	}
	now = ktime_get_ns();	/* under the lock: never behind s->fsm.clock */
	switch (op) {
	case FG_THAW:
		verdict = fsm_thaw(&s->fsm, *gen, now);
		break;
	case FG_ABORT:
		verdict = fsm_abort(&s->fsm, *gen, now);
		break;
	default:
		verdict = fsm_reset(&s->fsm, now);
		break;
	}
	session_react(s, verdict);
	*gen = s->fsm.gen;
	mutex_unlock(&s->lock);
	return verdict_errno(verdict);
}

/*
 * How freeze @id, which is no longer open, ended: the core's answer to a
 * late thaw of it, which changes nothing (-ECANCELED, -ETIMEDOUT).
 */
static int freeze_outcome(struct fg_session *s, u64 id)
{
	return verdict_errno(fsm_thaw(&s->fsm, id, s->fsm.clock));
}

/**
 * fg_session_freeze() - FREEZE, with filesystems or without
 * @s: the session
 * @timeout_ms: the timeout, already validated
 * @set: in: the filesystems to freeze (fg_fs_collect()), or a NULL *@set;
 *	out: NULL once the session has taken them (else the caller frees)
 * @owner: the file that owns the freeze (FREEZEGUARD_FLAG_OWNED), or NULL
 * @gen: out: the session's generation after the step
 *
 * With filesystems, the freeze is FREEZING while they are frozen, without
 * the session's lock; its deadline runs from the request.
 *
 * Return: 0 once frozen; the errno of a refusal as for fg_session_step();
 * the error of the filesystem that could not freeze (the freeze ended,
 * nothing held); -ETIMEDOUT when the deadline passed during the freeze,
 * -ECANCELED when it was aborted meanwhile (the filesystems were thawed
 * again at once, in both cases).
 */
int fg_session_freeze(struct fg_session *s, u32 timeout_ms,
		      struct fg_fs_set **set, const void *owner, u64 *gen)
{
	struct fg_fs_set *fs = set ? *set : NULL, *old = NULL;
	unsigned int delay_us;
	u64 id;
	int verdict, err;

	mutex_lock(&s->lock);
	if (s->dead) {
		mutex_unlock(&s->lock);
		return -ENOENT;
	}
	id = freeze_id_next();	/* under the lock: above s->fsm.gen */
	if (!id) {
		mutex_unlock(&s->lock);
		return -EOVERFLOW;
	}
	verdict = fsm_freeze(&s->fsm, id, (u64)timeout_ms * NSEC_PER_MSEC,
			     ktime_get_ns(), !!fs);
	if (verdict >= 0) {
		s->timeout_ms = timeout_ms;
		s->owner = owner;
		s->owner_gen = id;
		/* the last freeze's filesystems are released: forget them */
		old = s->fs;
		s->fs = fs;
		if (fs)
			*set = NULL;
	}
	session_react(s, verdict);
	*gen = s->fsm.gen;
	mutex_unlock(&s->lock);
	fg_fs_free(old);
	if (verdict != FSM_FREEZE_FS)
		return verdict_errno(verdict);

	err = fg_fs_freeze(fs);	/* syncs: may take seconds */
	delay_us = READ_ONCE(fg_fault_freeze_delay_us);
	if (delay_us)
		fsleep(delay_us);

	mutex_lock(&s->lock);
	verdict = fsm_frozen(&s->fsm, !err, ktime_get_ns());
	if (err)
		fg_fs_let_go(fs);	/* nothing frozen, nothing held */
	session_react(s, verdict);
	if (!err && verdict != FSM_FROZE)
		err = freeze_outcome(s, id);
	mutex_unlock(&s->lock);
	return err;
}

/**
 * fg_sessions_owner_gone() - the owner of freezes closed the device
 * @owner: the file being released
 *
 * Every freeze it owns that is still open is aborted (or ends timed out,
 * if its deadline has passed): its filesystems are thawed now, not at the
 * deadline.
 */
void fg_sessions_owner_gone(const void *owner)
{
	struct fg_session *s;
	unsigned long id = 0;

	while ((s = session_get_from(&id))) {
		mutex_lock(&s->lock);
		if (s->owner == owner && !s->dead) {
			pr_info("session %s: the owner of freeze %llu is gone: aborting it\n",
				s->name, s->owner_gen);
			session_react(s, fsm_abort(&s->fsm, s->owner_gen,
						   ktime_get_ns()));
			s->owner = NULL;
		}
		mutex_unlock(&s->lock);
		fg_session_put(s);
		id++;
	}
}

/**
 * fg_session_status() - a session as STATUS reports it
 * @s: the session
 * @st: filled; zeroed first, so nothing of the kernel's leaks
 */
void fg_session_status(struct fg_session *s, struct freezeguard_status *st)
{
	u64 now;

	memset(st, 0, sizeof(*st));
	mutex_lock(&s->lock);
	now = ktime_get_ns();
	strscpy(st->name, s->name, sizeof(st->name));
	st->state = s->fsm.state;
	st->last_error = s->fsm.last_error;
	st->hresult = s->fsm.last_error == FSM_ERR_TIMEOUT ?
		      FREEZEGUARD_HRESULT_TIMEOUT : 0;
	st->generation = s->fsm.gen;
	st->timeout_ms = s->timeout_ms;
	st->time_left_ns = fsm_time_left(&s->fsm, now);
	if (s->fsm.state == FSM_FROZEN)
		st->frozen_ns = now - s->fsm.frozen_at;
	st->thaws = s->fsm.thaws;
	st->timeouts = s->fsm.timeouts;
	st->aborts = s->fsm.aborts;
	st->freezes = s->fsm.freezes;
	if (s->fs) {
		u32 i;

		st->nr_fs = s->fs->nr;
		for (i = 0; i < s->fs->nr; i++)
			st->fs_flags |= fg_fs_flags(&s->fs->fs[i],
						    s->fsm.holds == FSM_HOLD_FROZEN);
	}
	mutex_unlock(&s->lock);
}

/**
 * fg_session_filesystems() - the filesystems of the current or last freeze
 * @s: the session
 * @out: filled; zeroed first, but for the name
 */
void fg_session_filesystems(struct fg_session *s,
			    struct freezeguard_filesystems *out)
{
	u32 i;

	out->flags = 0;
	memset(out->reserved, 0, sizeof(out->reserved));
	memset(out->fs, 0, sizeof(out->fs));
	mutex_lock(&s->lock);
	out->generation = s->fsm.gen;
	for (i = 0; s->fs && i < s->fs->nr; i++) {
		struct fg_fs *fs = &s->fs->fs[i];

		out->fs[i].dev_major = MAJOR(fs->dev);
		out->fs[i].dev_minor = MINOR(fs->dev);
		out->fs[i].flags = fg_fs_flags(fs, s->fsm.holds == FSM_HOLD_FROZEN);
		strscpy(out->fs[i].type, fs->type, sizeof(out->fs[i].type));
	}
	out->count = i;
	mutex_unlock(&s->lock);
}

/* The session's (state, generation), read together under its lock. */
void fg_session_observe(struct fg_session *s, u32 *state, u64 *gen)
{
	mutex_lock(&s->lock);
	*state = s->fsm.state;
	*gen = s->fsm.gen;
	mutex_unlock(&s->lock);
}

/* The first live session with an id at or above *id, referenced; or NULL. */
static struct fg_session *session_get_from(unsigned long *id)
{
	struct fg_session *s;

	rcu_read_lock();	/* sessions are freed after a grace period */
	for (;; (*id)++) {
		s = xa_find(&fg_ids, id, U32_MAX, XA_PRESENT);
		if (!s || (!READ_ONCE(s->dead) && kref_get_unless_zero(&s->ref)))
			break;
	}
	rcu_read_unlock();
	return s;
}

/**
 * fg_sessions_list() - copy sessions out in id (creation) order
 * @cursor: in: first id to report; out: the id to continue from, 0 at the end
 * @out: user array of @capacity entries
 * @capacity: its size
 * @count: out: entries copied
 *
 * Holds no table lock while it copies to userspace: a page fault there
 * stalls this caller only, never another session operation.
 *
 * Return: 0 or -EFAULT.
 */
int fg_sessions_list(u64 *cursor, struct freezeguard_status __user *out,
		     u32 capacity, u32 *count)
{
	struct freezeguard_status st;
	struct fg_session *s;
	unsigned long id = *cursor;

	*count = 0;
	while ((s = session_get_from(&id))) {
		if (*count == capacity) {	/* did not fit: start there next time */
			fg_session_put(s);
			*cursor = id;
			return 0;
		}
		fg_session_status(s, &st);
		fg_session_put(s);
		if (copy_to_user(&out[*count], &st, sizeof(st)))
			return -EFAULT;
		(*count)++;
		id++;
	}
	*cursor = 0;
	return 0;
}

/* Has @s left (@state, @gen), or gone? For waiters, without the lock. */
bool fg_session_changed(struct fg_session *s, u32 state, u64 gen)
{
	return READ_ONCE(s->dead) || READ_ONCE(s->pub_state) != state ||
	       READ_ONCE(s->pub_gen) != gen;
}

int fg_sessions_init(void)
{
	/*
	 * Freeze ids go on from the wall clock in ns, so a reload does not
	 * hand out an id of an earlier load again (unless the clock was set
	 * back by more than the time between the loads).
	 */
	atomic64_set(&fg_last_freeze_id, ktime_get_real_ns());
	/*
	 * The worker thaws filesystems: it must run under memory pressure
	 * too, when writeback is waiting for them (a rescuer thread).
	 */
	fg_wq = alloc_workqueue("freezeguard", WQ_HIGHPRI | WQ_MEM_RECLAIM, 0);
	return fg_wq ? 0 : -ENOMEM;
}

/*
 * No user is left: end every frozen session (ABORTED, or TIMEOUT if its
 * deadline had passed), then stop its timer and worker for good. Nothing
 * of ours runs after this returns.
 */
void fg_sessions_exit(void)
{
	struct fg_session *s;
	unsigned long id;

	mutex_lock(&fg_table_lock);
	/* First stop every deadline, so that no worker starts while we wait for one. */
	xa_for_each(&fg_ids, id, s) {
		mutex_lock(&s->lock);
		session_react(s, fsm_abort(&s->fsm, FSM_GEN_ANY, ktime_get_ns()));
		WRITE_ONCE(s->dead, true);	/* the worker no longer re-arms */
		mutex_unlock(&s->lock);
		hrtimer_cancel(&s->deadline_timer);
	}
	xa_for_each(&fg_ids, id, s) {
		mutex_lock(&s->lock);
		session_unlink(s);
		mutex_unlock(&s->lock);
		fg_session_put(s);	/* waits for a running worker */
	}
	mutex_unlock(&fg_table_lock);
	destroy_workqueue(fg_wq);
	rcu_barrier();		/* the kfree_rcu() of every session has run */
}
