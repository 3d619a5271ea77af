// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard: named freeze/thaw/timeout sessions for backup writers, on a
 * misc device /dev/freezeguard.
 *
 * module/fsm.c decides every transition; this file is the glue. It takes a
 * session's lock, reads the monotonic clock under it, calls the core, and
 * reacts to the core's verdict (arm or cancel the deadline, warn, wake
 * waiters). The deadline is an hrtimer whose callback only queues the
 * timeout worker; the worker calls the core's timeout step with the
 * generation it was armed for. Cancelling the timer on thaw is only an
 * optimisation: the core ignores a worker whose freeze has ended.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/freezeguard.h>

#include "compat.h"
#include "fsm.h"

#define FG_LIST_MAX 1024

static unsigned int default_timeout_ms = 60000;
module_param(default_timeout_ms, uint, 0644);
MODULE_PARM_DESC(default_timeout_ms,
		 "Timeout of a freeze that asks for 0 ms (default 60000, as VSS)");

static unsigned int max_timeout_ms = 3600000;
module_param(max_timeout_ms, uint, 0644);
MODULE_PARM_DESC(max_timeout_ms,
		 "Longest timeout a freeze may ask for; more is EINVAL (default 3600000, at most 86400000)");

static unsigned int max_sessions = 4096;
module_param(max_sessions, uint, 0644);
MODULE_PARM_DESC(max_sessions, "Most sessions at once; more is ENOSPC (default 4096)");

static bool fault_skip_cancel;
module_param(fault_skip_cancel, bool, 0644);
MODULE_PARM_DESC(fault_skip_cancel,
		 "Testing: thaw and abort leave the deadline armed, as if every cancel lost its race (default off)");

static unsigned int fault_worker_delay_us;
module_param(fault_worker_delay_us, uint, 0644);
MODULE_PARM_DESC(fault_worker_delay_us,
		 "Testing: the timeout worker sleeps this long before taking the session lock (default 0)");

/**
 * struct fg_session - one named session
 * @hnode: in fg_names; RCU readers, writers hold fg_table_lock
 * @ref: one for the tables, one per ioctl using it
 * @rcu: frees the session after RCU readers of fg_names are done
 * @id: index in fg_ids, the LIST order
 * @lock: serialises the transitions of @fsm and the fields below
 * @fsm: the core's state
 * @armed_gen: the generation the deadline timer was armed for
 * @timeout_ms: timeout of the current or last freeze
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
	u32 timeout_ms;
	bool dead;
	u32 pub_state;
	u64 pub_gen;
	struct hrtimer deadline_timer;
	struct work_struct timeout_work;
	char name[FREEZEGUARD_NAME_LEN];
};

/* Per open file: the fg_events value its last LIST saw, for poll(). */
struct fg_file {
	u64 seen_events;
};

static DEFINE_MUTEX(fg_table_lock);	/* create, remove, list */
static DEFINE_HASHTABLE(fg_names, 10);
static DEFINE_XARRAY_ALLOC1(fg_ids);
static unsigned int fg_nr_sessions;
static struct workqueue_struct *fg_wq;
static DECLARE_WAIT_QUEUE_HEAD(fg_waitq);
static atomic64_t fg_events = ATOMIC64_INIT(0);

static u32 name_hash(const char *name)
{
	return jhash(name, strlen(name), 0);
}

/* A name is 1..63 characters from [A-Za-z0-9._:@+-], NUL-terminated. */
static bool name_valid(const char *name)
{
	size_t len = strnlen(name, FREEZEGUARD_NAME_LEN);
	size_t i;

	if (len == 0 || len == FREEZEGUARD_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._:@+-", name[i]))
			return false;
	return true;
}

static bool all_zero(const void *p, size_t size)
{
	return !memchr_inv(p, 0, size);
}

/* Errno for the caller of a transition; 0 when it was accepted. */
static int verdict_errno(int verdict)
{
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
	case FSM_E_INVALID:
		return -EINVAL;
	case FSM_E_EXHAUSTED:
		return -EOVERFLOW;
	default:
		return 0;
	}
}

/* ---- the reaction to the core's verdicts -------------------------------- */

static void session_publish(struct fg_session *s)
{
	lockdep_assert_held(&s->lock);
	WRITE_ONCE(s->pub_state, s->fsm.state);
	WRITE_ONCE(s->pub_gen, s->fsm.gen);
	atomic64_inc(&fg_events);
	wake_up_all(&fg_waitq);
}

static void deadline_arm(struct fg_session *s)
{
	hrtimer_start(&s->deadline_timer, ns_to_ktime(s->fsm.deadline),
		      HRTIMER_MODE_ABS);
}

/* Without waiting: the timer may be running, the worker may be blocked on our lock. */
static void deadline_try_cancel(struct fg_session *s)
{
	if (READ_ONCE(fault_skip_cancel))
		return;
	hrtimer_try_to_cancel(&s->deadline_timer);
	cancel_work(&s->timeout_work);
}

/* Act on what the core decided. Called with s->lock held. */
static void session_react(struct fg_session *s, int verdict)
{
	lockdep_assert_held(&s->lock);
	switch (verdict) {
	case FSM_FROZE:
		s->armed_gen = s->fsm.gen;
		deadline_arm(s);
		break;
	case FSM_EARLY:
		deadline_arm(s);
		return;
	case FSM_THAWED:
	case FSM_ABORTED:
		deadline_try_cancel(s);
		break;
	case FSM_EXPIRED:
		pr_warn_ratelimited("session %s: freeze of generation %llu timed out after %u ms\n",
				    s->name, s->fsm.gen, s->timeout_ms);
		deadline_try_cancel(s);
		break;
	case FSM_RESET:
		break;
	default:		/* refused, or a worker that is not ours: nothing changed */
		return;
	}
	session_publish(s);
}

static enum hrtimer_restart deadline_timer_fn(struct hrtimer *timer)
{
	struct fg_session *s = container_of(timer, struct fg_session, deadline_timer);

	queue_work(fg_wq, &s->timeout_work);
	return HRTIMER_NORESTART;
}

static void timeout_work_fn(struct work_struct *work)
{
	struct fg_session *s = container_of(work, struct fg_session, timeout_work);
	unsigned int delay_us = READ_ONCE(fault_worker_delay_us);

	if (delay_us)
		fsleep(delay_us);
	mutex_lock(&s->lock);
	if (!s->dead)
		session_react(s, fsm_timeout(&s->fsm, s->armed_gen, ktime_get_ns()));
	mutex_unlock(&s->lock);
}

/* ---- session lifetime ------------------------------------------------- */

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
	kfree_rcu(s, rcu);
}

static void session_put(struct fg_session *s)
{
	kref_put(&s->ref, session_release);
}

/* Look a session up by name and take a reference; no global lock. */
static struct fg_session *session_get(const char *name)
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

/*
 * Create a session and return it with a reference for the caller.
 * @exclusive: EEXIST if it exists, else return the existing one.
 */
static struct fg_session *session_create(const char *name, bool exclusive)
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
	if (fg_nr_sessions >= READ_ONCE(max_sessions))
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
	err = xa_alloc(&fg_ids, &s->id, s, xa_limit_32b, GFP_KERNEL);
	if (err) {
		kfree(s);
		err = err == -EBUSY ? -ENOSPC : err;
		goto out;
	}
	hash_add_rcu(fg_names, &s->hnode, name_hash(name));
	fg_nr_sessions++;
	kref_get(&s->ref);	/* the caller's */
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
	s->dead = true;
	hash_del_rcu(&s->hnode);
	xa_erase(&fg_ids, s->id);
	fg_nr_sessions--;
	wake_up_all(&fg_waitq);	/* WAIT on it returns ENOENT */
}

/* ---- ioctls ------------------------------------------------------------ */

static int req_copy_in(struct freezeguard_req *req, void __user *argp,
		       bool has_timeout)
{
	if (copy_from_user(req, argp, sizeof(*req)))
		return -EFAULT;
	if (req->flags || !all_zero(req->reserved, sizeof(req->reserved)) ||
	    (!has_timeout && req->timeout_ms) || !name_valid(req->name))
		return -EINVAL;
	return 0;
}

/* Run one transition of a session under its lock, as the core decides. */
static int session_step(struct fg_session *s, unsigned int cmd,
			struct freezeguard_req *req)
{
	u64 now;
	int verdict;

	mutex_lock(&s->lock);
	if (s->dead) {
		mutex_unlock(&s->lock);
		return -ENOENT;
	}
	now = ktime_get_ns();	/* under the lock: never behind s->fsm.clock */
	switch (cmd) {
	case FREEZEGUARD_IOC_FREEZE:
		verdict = fsm_freeze(&s->fsm, (u64)req->timeout_ms * NSEC_PER_MSEC, now);
		if (verdict == FSM_FROZE)
			s->timeout_ms = req->timeout_ms;
		break;
	case FREEZEGUARD_IOC_THAW:
		verdict = fsm_thaw(&s->fsm, req->generation, now);
		break;
	case FREEZEGUARD_IOC_ABORT:
		verdict = fsm_abort(&s->fsm, req->generation, now);
		break;
	default:		/* FREEZEGUARD_IOC_RESET */
		verdict = fsm_reset(&s->fsm, now);
		break;
	}
	session_react(s, verdict);
	req->generation = s->fsm.gen;
	mutex_unlock(&s->lock);
	return verdict_errno(verdict);
}

static long fg_ioc_transition(unsigned int cmd, void __user *argp)
{
	struct freezeguard_req req;
	struct fg_session *s;
	bool freeze = cmd == FREEZEGUARD_IOC_FREEZE;
	int err;

	err = req_copy_in(&req, argp, freeze);
	if (err)
		return err;
	if (freeze) {
		if (!req.timeout_ms)
			req.timeout_ms = READ_ONCE(default_timeout_ms);
		if (req.timeout_ms > min(READ_ONCE(max_timeout_ms),
					 (unsigned int)(FSM_TIMEOUT_MAX_NS / NSEC_PER_MSEC)))
			return -EINVAL;
	}
	s = session_get(req.name);
	if (!s && freeze)
		s = session_create(req.name, false);
	if (IS_ERR_OR_NULL(s))
		return s ? PTR_ERR(s) : -ENOENT;
	err = session_step(s, cmd, &req);
	session_put(s);
	/* A refusal still reports the generation it refers to. */
	if ((!err || err == -ETIMEDOUT || err == -ESTALE || err == -EALREADY ||
	     err == -EBUSY) && copy_to_user(argp, &req, sizeof(req)))
		return -EFAULT;
	return err;
}

static long fg_ioc_create(void __user *argp)
{
	struct freezeguard_req req;
	struct fg_session *s;
	int err = req_copy_in(&req, argp, false);

	if (err)
		return err;
	s = session_create(req.name, true);
	if (IS_ERR(s))
		return PTR_ERR(s);
	session_put(s);
	req.generation = 0;
	return copy_to_user(argp, &req, sizeof(req)) ? -EFAULT : 0;
}

static long fg_ioc_remove(void __user *argp)
{
	struct freezeguard_req req;
	struct fg_session *s;
	int err = req_copy_in(&req, argp, false);

	if (err)
		return err;
	mutex_lock(&fg_table_lock);
	s = session_find_locked(req.name);
	if (!s) {
		err = -ENOENT;
		goto out;
	}
	mutex_lock(&s->lock);
	err = fsm_may_remove(&s->fsm) ? 0 : -EBUSY;
	if (!err)
		session_unlink(s);
	req.generation = s->fsm.gen;
	mutex_unlock(&s->lock);
out:
	mutex_unlock(&fg_table_lock);
	if (!err)
		session_put(s);	/* the tables' reference */
	if ((!err || err == -EBUSY) && copy_to_user(argp, &req, sizeof(req)))
		return -EFAULT;
	return err;
}

/* Fill @st (zeroed here: nothing of the kernel's leaks) from @s. */
static void session_status(struct fg_session *s, struct freezeguard_status *st)
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
	mutex_unlock(&s->lock);
}

static long fg_ioc_status(void __user *argp)
{
	struct freezeguard_status st;
	struct fg_session *s;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (st.flags || !all_zero(st.reserved, sizeof(st.reserved)) ||
	    !name_valid(st.name))
		return -EINVAL;
	s = session_get(st.name);
	if (!s)
		return -ENOENT;
	session_status(s, &st);
	session_put(s);
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

static long fg_ioc_list(struct fg_file *ff, void __user *argp)
{
	struct freezeguard_list l;
	struct freezeguard_status st;
	struct freezeguard_status __user *out;
	struct fg_session *s;
	unsigned long id;
	int err = 0;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (l.flags || l.reserved0 || !all_zero(l.reserved, sizeof(l.reserved)) ||
	    !l.capacity || l.capacity > FG_LIST_MAX || l.cursor > U32_MAX)
		return -EINVAL;
	out = u64_to_user_ptr(l.entries);
	WRITE_ONCE(ff->seen_events, atomic64_read(&fg_events));
	l.count = 0;
	mutex_lock(&fg_table_lock);
	xa_for_each_start(&fg_ids, id, s, l.cursor) {
		if (l.count == l.capacity)
			break;
		session_status(s, &st);
		if (copy_to_user(&out[l.count], &st, sizeof(st))) {
			err = -EFAULT;
			break;
		}
		l.count++;
	}
	/* Stopped on a session that did not fit: start there next time. */
	l.cursor = s ? id : 0;
	mutex_unlock(&fg_table_lock);
	if (err)
		return err;
	return copy_to_user(argp, &l, sizeof(l)) ? -EFAULT : 0;
}

static bool wait_done(struct fg_session *s, const struct freezeguard_wait *w)
{
	return READ_ONCE(s->dead) || READ_ONCE(s->pub_state) != w->state ||
	       READ_ONCE(s->pub_gen) != w->generation;
}

static long fg_ioc_wait(void __user *argp)
{
	struct freezeguard_wait w;
	struct fg_session *s;
	long ret;

	if (copy_from_user(&w, argp, sizeof(w)))
		return -EFAULT;
	if (w.flags || w.reserved0 || !all_zero(w.reserved, sizeof(w.reserved)) ||
	    !name_valid(w.name))
		return -EINVAL;
	s = session_get(w.name);
	if (!s)
		return -ENOENT;
	if (w.timeout_ms) {
		ret = wait_event_interruptible_timeout(fg_waitq, wait_done(s, &w),
						       msecs_to_jiffies(w.timeout_ms));
		if (!ret)
			ret = -ETIME;
	} else {
		ret = wait_event_interruptible(fg_waitq, wait_done(s, &w));
	}
	if (ret == -ERESTARTSYS)
		ret = -EINTR;	/* restarting would restart the timeout */
	if (ret >= 0 && READ_ONCE(s->dead))
		ret = -ENOENT;
	w.state = READ_ONCE(s->pub_state);
	w.generation = READ_ONCE(s->pub_gen);
	session_put(s);
	if (ret < 0)
		return ret;
	return copy_to_user(argp, &w, sizeof(w)) ? -EFAULT : 0;
}

static long fg_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case FREEZEGUARD_IOC_FREEZE:
	case FREEZEGUARD_IOC_THAW:
	case FREEZEGUARD_IOC_ABORT:
	case FREEZEGUARD_IOC_RESET:
	case FREEZEGUARD_IOC_CREATE:
	case FREEZEGUARD_IOC_REMOVE:
		/* Freezing is FIFREEZE's privilege. */
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		if (cmd == FREEZEGUARD_IOC_CREATE)
			return fg_ioc_create(argp);
		if (cmd == FREEZEGUARD_IOC_REMOVE)
			return fg_ioc_remove(argp);
		return fg_ioc_transition(cmd, argp);
	case FREEZEGUARD_IOC_STATUS:
		return fg_ioc_status(argp);
	case FREEZEGUARD_IOC_LIST:
		return fg_ioc_list(file->private_data, argp);
	case FREEZEGUARD_IOC_WAIT:
		return fg_ioc_wait(argp);
	default:
		return -ENOTTY;
	}
}

static __poll_t fg_poll(struct file *file, poll_table *wait)
{
	struct fg_file *ff = file->private_data;

	poll_wait(file, &fg_waitq, wait);
	return atomic64_read(&fg_events) != READ_ONCE(ff->seen_events) ?
	       EPOLLIN | EPOLLRDNORM : 0;
}

static int fg_open(struct inode *inode, struct file *file)
{
	struct fg_file *ff = kzalloc(sizeof(*ff), GFP_KERNEL);

	if (!ff)
		return -ENOMEM;
	ff->seen_events = atomic64_read(&fg_events);
	file->private_data = ff;
	return nonseekable_open(inode, file);
}

static int fg_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations fg_fops = {
	.owner = THIS_MODULE,
	.open = fg_open,
	.release = fg_release,
	.unlocked_ioctl = fg_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = fg_poll,
	.llseek = no_llseek,
};

static struct miscdevice fg_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "freezeguard",
	.fops = &fg_fops,
	.mode = 0600,
};

static int __init fg_init(void)
{
	int err;

	fg_wq = alloc_workqueue("freezeguard", WQ_HIGHPRI, 0);
	if (!fg_wq)
		return -ENOMEM;
	err = misc_register(&fg_misc);
	if (err)
		destroy_workqueue(fg_wq);
	return err;
}

/*
 * No file is open (each holds a module reference), so no ioctl runs: end
 * every frozen session as aborted, then stop its timer and worker for good.
 */
static void __exit fg_exit(void)
{
	struct fg_session *s;
	unsigned long id;

	misc_deregister(&fg_misc);
	mutex_lock(&fg_table_lock);
	xa_for_each(&fg_ids, id, s) {
		mutex_lock(&s->lock);
		session_react(s, fsm_abort(&s->fsm, FSM_GEN_ANY, ktime_get_ns()));
		session_unlink(s);
		mutex_unlock(&s->lock);
		session_put(s);	/* cancels the timer and the worker, synchronously */
	}
	mutex_unlock(&fg_table_lock);
	destroy_workqueue(fg_wq);
	rcu_barrier();		/* the kfree_rcu() of every session has run */
}

module_init(fg_init);
module_exit(fg_exit);

MODULE_DESCRIPTION("Freeze/thaw/timeout sessions for backup writers, KB 915331-proof");
MODULE_AUTHOR("freezeguard developers");
MODULE_LICENSE("GPL");
