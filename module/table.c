// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard's table of named sessions: look-up by name (RCU), by id
 * (xarray, the LIST order), creation, removal, the references that keep a
 * session alive, and teardown at unload.
 *
 * What happens to one session under its lock is session.c's, which is
 * proved (spec/prove.sh); this file only finds sessions and ends their
 * lives. It takes a session's lock in one place, to unlink it, where it
 * changes nothing the core or session.c reads but @dead.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/math64.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include "compat.h"
#include "session.h"

static DEFINE_MUTEX(fg_table_lock);	/* create, remove */
static DEFINE_HASHTABLE(fg_names, 10);
static DEFINE_XARRAY_ALLOC1(fg_ids);
static u32 fg_ids_next;		/* cyclic: LIST keeps creation order */
static unsigned int fg_nr_sessions;
/* Sessions are 544 bytes (pahole, x86-64): kzalloc() would round to 1024. */
static struct kmem_cache *fg_session_cache;
struct workqueue_struct *fg_wq;

static u32 name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

/* The timer and the work item of a session: session.c's steps. */
static enum hrtimer_restart deadline_timer_fn(struct hrtimer *timer)
{
	fg_session_deadline_fired(container_of(timer, struct fg_session,
					       deadline_timer));
	return HRTIMER_NORESTART;
}

static void timeout_work_fn(struct work_struct *work)
{
	fg_session_run_worker(container_of(work, struct fg_session, timeout_work));
}

static void session_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(fg_session_cache, container_of(rcu, struct fg_session, rcu));
}

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
	call_rcu(&s->rcu, session_free_rcu);	/* after the name table's readers */
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
	s = kmem_cache_zalloc(fg_session_cache, GFP_KERNEL);
	if (!s)
		goto out;
	kref_init(&s->ref);	/* the tables' reference */
	mutex_init(&s->lock);
	init_waitqueue_head(&s->waitq);
	fsm_init(&s->fsm);
	atomic_set(&s->pub_state, s->fsm.state);
	strscpy(s->name, name, sizeof(s->name));
	fg_hrtimer_setup(&s->deadline_timer, deadline_timer_fn);
	INIT_WORK(&s->timeout_work, timeout_work_fn);
	err = xa_alloc_cyclic(&fg_ids, &s->id, s, xa_limit_32b, &fg_ids_next,
			      GFP_KERNEL);
	if (err < 0) {
		kmem_cache_free(fg_session_cache, s);
		err = err == -EBUSY ? -ENOSPC : err;
		goto out;
	}
	hash_add_rcu(fg_names, &s->hnode, name_hash(name));
	fg_nr_sessions++;
	kref_get(&s->ref);	/* the caller's */
	fg_sessions_changed();
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
	fg_session_wake(s);	/* and WAIT on it returns ENOENT */
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
		fg_session_owner_gone(s, owner);
		fg_session_put(s);
		id++;
	}
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

static const char *state_name(u32 state)
{
	static const char *const names[] = {
		[FREEZEGUARD_STATE_STABLE] = "STABLE",
		[FREEZEGUARD_STATE_FREEZING] = "FREEZING",
		[FREEZEGUARD_STATE_FROZEN] = "FROZEN",
		[FREEZEGUARD_STATE_FAILED] = "FAILED",
	};

	return state < ARRAY_SIZE(names) && names[state] ? names[state] : "?";
}

static const char *error_name(u32 error)
{
	static const char *const names[] = {
		[FREEZEGUARD_ERROR_NONE] = "NONE",
		[FREEZEGUARD_ERROR_TIMEOUT] = "TIMEOUT",
		[FREEZEGUARD_ERROR_ABORTED] = "ABORTED",
	};

	return error < ARRAY_SIZE(names) ? names[error] : "?";
}

/**
 * fg_sessions_show() - debugfs freezeguard/sessions: every session, one
 * line each, in LIST order, as STATUS reports it (README.md, "Watching
 * it")
 * @m: the seq_file
 * @unused: (single_open)
 *
 * Return: 0.
 */
int fg_sessions_show(struct seq_file *m, void *unused)
{
	struct freezeguard_status st;
	struct fg_session *s;
	unsigned long id = 0;

	seq_puts(m, "# name state last_error generation timeout_ms time_left_ms freezes thaws timeouts aborts filesystems\n");
	while ((s = session_get_from(&id))) {
		fg_session_status(s, &st);
		fg_session_put(s);
		seq_printf(m, "%s %s %s %llu %u %llu %llu %llu %llu %llu %u\n",
			   st.name, state_name(st.state),
			   error_name(st.last_error), st.generation,
			   st.timeout_ms, div_u64(st.time_left_ns, NSEC_PER_MSEC),
			   st.freezes, st.thaws, st.timeouts, st.aborts,
			   st.nr_fs);
		id++;
	}
	return 0;
}

int fg_sessions_init(void)
{
	/*
	 * Freeze ids go on from the wall clock in ns, so a reload does not
	 * hand out an id of an earlier load again (unless the clock was set
	 * back by more than the time between the loads).
	 */
	fg_freeze_ids_init(ktime_get_real_ns());
	fg_session_cache = KMEM_CACHE(fg_session, 0);
	if (!fg_session_cache)
		return -ENOMEM;
	/*
	 * The worker thaws filesystems: it must run under memory pressure
	 * too, when writeback is waiting for them (a rescuer thread).
	 */
	fg_wq = alloc_workqueue("freezeguard", WQ_HIGHPRI | WQ_MEM_RECLAIM, 0);
	if (!fg_wq) {
		kmem_cache_destroy(fg_session_cache);
		return -ENOMEM;
	}
	return 0;
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
		fg_session_kill(s);	/* ended, and the worker no longer re-arms */
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
	rcu_barrier();		/* every session_free_rcu() has run */
	kmem_cache_destroy(fg_session_cache);
}
