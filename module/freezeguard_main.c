// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard: named freeze/thaw/timeout sessions for backup writers, on a
 * misc device /dev/freezeguard.
 *
 * This file is the device: it copies each ioctl's fixed-size argument in,
 * validates every field, and hands the request to the sessions (session.c),
 * whose every decision is the proved core's (fsm.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <uapi/linux/freezeguard.h>

#include "request.h"
#include "session.h"

/* The core's numbers are copied into the ABI as they are. */
static_assert(FSM_STABLE == FREEZEGUARD_STATE_STABLE);
static_assert(FSM_FREEZING == FREEZEGUARD_STATE_FREEZING);
static_assert(FSM_FROZEN == FREEZEGUARD_STATE_FROZEN);
static_assert(FSM_FAILED == FREEZEGUARD_STATE_FAILED);
static_assert(FSM_ERR_NONE == FREEZEGUARD_ERROR_NONE);
static_assert(FSM_ERR_TIMEOUT == FREEZEGUARD_ERROR_TIMEOUT);
static_assert(FSM_ERR_ABORTED == FREEZEGUARD_ERROR_ABORTED);
static_assert(FSM_HISTORY == FREEZEGUARD_HISTORY);
static_assert(FSM_GEN_ANY == 0);
/* request.h: the known flags are the lowest bits, so a larger value has an unknown one */
static_assert(FG_REQ_FLAGS_KNOWN == 15);

/*
 * No padding in what is copied out: the fields that session.h's
 * status_filled() and filesystems_filled() prove written are every byte.
 */
#define FIELD(T, f) sizeof_field(struct T, f)
static_assert(sizeof(struct freezeguard_status) ==
	      FIELD(freezeguard_status, name) + 8 * sizeof(__u32) +
	      7 * sizeof(__u64) + FIELD(freezeguard_status, reserved));
static_assert(sizeof(struct freezeguard_fs) ==
	      4 * sizeof(__u32) + FIELD(freezeguard_fs, type) +
	      FIELD(freezeguard_fs, reserved));
static_assert(sizeof(struct freezeguard_filesystems) ==
	      FIELD(freezeguard_filesystems, name) + sizeof(__u64) +
	      2 * sizeof(__u32) + FIELD(freezeguard_filesystems, reserved) +
	      FIELD(freezeguard_filesystems, fs));
#undef FIELD

/* The longest timeout the core takes, in ms (one day). */
#define FG_TIMEOUT_CAP_MS ((unsigned int)(FSM_TIMEOUT_MAX_NS / NSEC_PER_MSEC))
/*
 * The longest a freeze with filesystems may last: every writer on them
 * blocks meanwhile, and the kernel's hung-task warning fires after 120 s
 * (hung_task_timeout_secs); 110 s leaves the thaw 10 s before it.
 */
#define FG_FS_TIMEOUT_CAP_MS 110000u

static unsigned int default_timeout_ms = 60000;
static unsigned int max_timeout_ms = 3600000;
static unsigned int fs_default_timeout_ms = 30000;
static unsigned int fs_max_timeout_ms = 60000;
static bool fg_live;	/* checked at load: each write from then on is checked against the other */

/*
 * Each pair -- default_timeout_ms and max_timeout_ms, fs_default_timeout_ms
 * and fs_max_timeout_ms -- has 1 <= default <= max <= cap: a write that
 * would break this is refused (EINVAL), so that a freeze asking for the
 * default never fails because of it. At load each pair is checked once
 * every parameter is set (fg_init), in any order. Writes are serialised
 * by the module's kernel_param_lock.
 */
static int timeout_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int *arg = kp->arg;
	bool fs = arg == &fs_default_timeout_ms || arg == &fs_max_timeout_ms;
	unsigned int *def = fs ? &fs_default_timeout_ms : &default_timeout_ms;
	unsigned int *max = fs ? &fs_max_timeout_ms : &max_timeout_ms;
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (!v || v > (fs ? FG_FS_TIMEOUT_CAP_MS : FG_TIMEOUT_CAP_MS))
		return -EINVAL;
	if (READ_ONCE(fg_live) && (arg == def ? v > READ_ONCE(*max) :
				   v < READ_ONCE(*def)))
		return -EINVAL;
	WRITE_ONCE(*arg, v);
	return 0;
}

static const struct kernel_param_ops timeout_param_ops = {
	.set = timeout_param_set,
	.get = param_get_uint,
};

module_param_cb(default_timeout_ms, &timeout_param_ops, &default_timeout_ms, 0644);
MODULE_PARM_DESC(default_timeout_ms,
		 "Timeout of a freeze that asks for 0 ms, 1 to max_timeout_ms (default 60000, as VSS)");

module_param_cb(max_timeout_ms, &timeout_param_ops, &max_timeout_ms, 0644);
MODULE_PARM_DESC(max_timeout_ms,
		 "Longest timeout a freeze may ask for; more is EINVAL (default 3600000, default_timeout_ms to 86400000)");

module_param_cb(fs_default_timeout_ms, &timeout_param_ops, &fs_default_timeout_ms, 0644);
MODULE_PARM_DESC(fs_default_timeout_ms,
		 "Timeout of a freeze with filesystems that asks for 0 ms, 1 to fs_max_timeout_ms (default 30000)");

module_param_cb(fs_max_timeout_ms, &timeout_param_ops, &fs_max_timeout_ms, 0644);
MODULE_PARM_DESC(fs_max_timeout_ms,
		 "Longest timeout a freeze with filesystems may ask for; more is EINVAL (default 60000, fs_default_timeout_ms to 110000: below the 120 s hung-task warning)");

static unsigned int max_sessions = 4096;
module_param(max_sessions, uint, 0644);
MODULE_PARM_DESC(max_sessions, "Most sessions at once; more is ENOSPC (default 4096)");

/**
 * struct fg_file - per open file of the device
 * @seen_events: the fg_events value its last LIST saw, for poll()
 * @owns: it made a freeze with FREEZEGUARD_FLAG_OWNED: closing it aborts
 *	those still open
 */
struct fg_file {
	u64 seen_events;
	bool owns;
};

/* ---- ioctls ------------------------------------------------------------ */

/*
 * Copy a request that takes no timeout in, and check every field
 * (request.c) before anything acts.
 */
static int req_copy_in(struct freezeguard_req *req, void __user *argp,
		       enum fg_req_kind kind)
{
	if (copy_from_user(req, argp, sizeof(*req)))
		return -EFAULT;
	return fg_req_check(req, kind, 0);
}

/* Copy @req back after success, or after a refusal that names a generation. */
static long req_copy_out(void __user *argp, struct freezeguard_req *req, int err)
{
	if ((!err || err == -ETIMEDOUT || err == -ESTALE || err == -EALREADY ||
	     err == -ECANCELED || err == -EBUSY) &&
	    copy_to_user(argp, req, sizeof(*req)))
		return -EFAULT;
	return err;
}

/*
 * FREEZE: freezing is FIFREEZE's privilege (CAP_SYS_ADMIN here, and in
 * each filesystem's user namespace). Every filesystem is checked before the
 * session is touched.
 */
static long fg_ioc_freeze(struct file *file, void __user *argp)
{
	struct fg_file *ff = file->private_data;
	bool has_fs, owned;
	struct freezeguard_req req;
	struct fg_fs_set *set = NULL;
	s32 fds[FREEZEGUARD_FS_MAX];
	struct fg_session *s;
	u32 max_ms;
	u64 gen = 0;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* (copied here, not by req_copy_in(): the limit depends on FLAG_FS) */
	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	has_fs = req.flags & FREEZEGUARD_FLAG_FS;
	owned = req.flags & FREEZEGUARD_FLAG_OWNED;
	max_ms = READ_ONCE(*(has_fs ? &fs_max_timeout_ms : &max_timeout_ms));
	err = fg_req_check(&req, FG_REQ_FREEZE, max_ms);
	if (err)
		return err;
	if (!req.timeout_ms)
		req.timeout_ms = READ_ONCE(*(has_fs ? &fs_default_timeout_ms :
					     &default_timeout_ms));
	/* the parameters keep default <= max; the timeout used is checked all the same */
	if (req.timeout_ms > max_ms)
		return -EINVAL;
	if (has_fs) {
		if (copy_from_user(fds, u64_to_user_ptr(req.fds),
				   req.nr_fds * sizeof(fds[0])))
			return -EFAULT;
		set = fg_fs_collect(fds, req.nr_fds,
				    req.flags & FREEZEGUARD_FLAG_GUARD);
		if (IS_ERR(set))
			return PTR_ERR(set);
	}
	if (owned)
		WRITE_ONCE(ff->owns, true);
	/*
	 * A FREEZE that finds its session removed under it (ENOENT from a
	 * dead session) creates it anew, as a FREEZE of a missing one does.
	 */
	do {
		s = fg_session_get(req.name);
		if (!s)
			s = fg_session_create(req.name, false, READ_ONCE(max_sessions));
		if (IS_ERR(s)) {
			err = PTR_ERR(s);
			break;
		}
		err = fg_session_freeze(s, req.timeout_ms, &set,
					owned ? file : NULL, &gen);
		fg_session_put(s);
		/* (a filesystem's own ENOENT, once the session took the set, is final) */
	} while (err == -ENOENT && (!has_fs || set));
	fg_fs_free(set);	/* not taken by the session */
	req.generation = gen;
	return req_copy_out(argp, &req, err);
}

/* THAW, ABORT, RESET: every state change needs CAP_SYS_ADMIN. */
static long fg_ioc_transition(enum fg_op op, void __user *argp)
{
	enum fg_req_kind kind = op == FG_THAW || op == FG_ABORT ?
				FG_REQ_END : FG_REQ_PLAIN;
	struct freezeguard_req req;
	struct fg_session *s;
	u64 gen;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = req_copy_in(&req, argp, kind);
	if (err)
		return err;
	s = fg_session_get(req.name);
	if (!s)
		return -ENOENT;
	gen = req.generation;
	err = fg_session_step(s, op, 0, &gen);
	fg_session_put(s);
	req.generation = gen;
	return req_copy_out(argp, &req, err);
}

static long fg_ioc_create(void __user *argp)
{
	struct freezeguard_req req;
	struct fg_session *s;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = req_copy_in(&req, argp, FG_REQ_PLAIN);
	if (err)
		return err;
	s = fg_session_create(req.name, true, READ_ONCE(max_sessions));
	if (IS_ERR(s))
		return PTR_ERR(s);
	fg_session_put(s);
	req.generation = 0;
	return req_copy_out(argp, &req, 0);
}

static long fg_ioc_remove(void __user *argp)
{
	struct freezeguard_req req;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = req_copy_in(&req, argp, FG_REQ_PLAIN);
	if (err)
		return err;
	return req_copy_out(argp, &req, fg_session_remove(req.name, &req.generation));
}

static long fg_ioc_status(void __user *argp)
{
	struct freezeguard_status st;
	struct fg_session *s;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	if (fg_status_check(&st))
		return -EINVAL;
	s = fg_session_get(st.name);
	if (!s)
		return -ENOENT;
	fg_session_status(s, &st);
	fg_session_put(s);
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

static long fg_ioc_filesystems(void __user *argp)
{
	struct freezeguard_filesystems *f;
	struct fg_session *s;
	long ret = -EINVAL;

	f = kmalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	if (copy_from_user(f, argp, sizeof(*f))) {
		ret = -EFAULT;
		goto out;
	}
	if (fg_filesystems_check(f))
		goto out;
	ret = -ENOENT;
	s = fg_session_get(f->name);
	if (!s)
		goto out;
	fg_session_filesystems(s, f);	/* writes every field (proved) */
	fg_session_put(s);
	ret = copy_to_user(argp, f, sizeof(*f)) ? -EFAULT : 0;
out:
	kfree(f);
	return ret;
}

static long fg_ioc_list(struct fg_file *ff, void __user *argp)
{
	struct freezeguard_list l;
	int err;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (fg_list_check(&l))
		return -EINVAL;
	WRITE_ONCE(ff->seen_events, atomic64_read(&fg_events));
	err = fg_sessions_list(&l.cursor, u64_to_user_ptr(l.entries), l.capacity,
			       &l.count);
	if (err)
		return err;
	return copy_to_user(argp, &l, sizeof(l)) ? -EFAULT : 0;
}

/*
 * Sleep until the session leaves (state, generation), or is removed, or
 * the absolute deadline passes. A signal returns -ERESTARTSYS: the call
 * restarts (SIGSTOP/SIGCONT, SA_RESTART handlers) with the same absolute
 * deadline, so a restart never lengthens the wait.
 */
static long fg_ioc_wait(void __user *argp)
{
	struct freezeguard_wait w;
	struct fg_session *s;
	u64 now;
	long ret;

	if (copy_from_user(&w, argp, sizeof(w)))
		return -EFAULT;
	if (fg_wait_check(&w))
		return -EINVAL;
	s = fg_session_get(w.name);
	if (!s)
		return -ENOENT;
	now = ktime_get_ns();
#define WAIT_DONE fg_session_changed(s, w.state, w.generation)
	if (w.deadline_ns && w.deadline_ns <= now)	/* passed: look once */
		ret = WAIT_DONE ? 0 : -ETIME;
	else if (!w.deadline_ns || w.deadline_ns - now > KTIME_MAX)
		ret = wait_event_interruptible(s->waitq, WAIT_DONE);
	else
		ret = wait_event_interruptible_hrtimeout(s->waitq, WAIT_DONE,
							 ns_to_ktime(w.deadline_ns - now));
#undef WAIT_DONE
	if (!ret && READ_ONCE(s->dead))
		ret = -ENOENT;
	if (!ret)
		fg_session_observe(s, &w.state, &w.generation);
	fg_session_put(s);
	if (ret)
		return ret;
	return copy_to_user(argp, &w, sizeof(w)) ? -EFAULT : 0;
}

static long fg_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case FREEZEGUARD_IOC_FREEZE:
		return fg_ioc_freeze(file, argp);
	case FREEZEGUARD_IOC_THAW:
		return fg_ioc_transition(FG_THAW, argp);
	case FREEZEGUARD_IOC_ABORT:
		return fg_ioc_transition(FG_ABORT, argp);
	case FREEZEGUARD_IOC_RESET:
		return fg_ioc_transition(FG_RESET, argp);
	case FREEZEGUARD_IOC_CREATE:
		return fg_ioc_create(argp);
	case FREEZEGUARD_IOC_REMOVE:
		return fg_ioc_remove(argp);
	case FREEZEGUARD_IOC_STATUS:
		return fg_ioc_status(argp);
	case FREEZEGUARD_IOC_LIST:
		return fg_ioc_list(file->private_data, argp);
	case FREEZEGUARD_IOC_WAIT:
		return fg_ioc_wait(argp);
	case FREEZEGUARD_IOC_FILESYSTEMS:
		return fg_ioc_filesystems(argp);
	default:
		return -ENOTTY;
	}
}

static __poll_t fg_poll(struct file *file, poll_table *wait)
{
	struct fg_file *ff = file->private_data;

	poll_wait(file, &fg_poll_waitq, wait);
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

/* The last reference is gone: its owned freezes end now (FLAG_OWNED). */
static int fg_release(struct inode *inode, struct file *file)
{
	struct fg_file *ff = file->private_data;

	if (ff->owns)
		fg_sessions_owner_gone(file);
	kfree(ff);
	return 0;
}

static const struct file_operations fg_fops = {
	.owner = THIS_MODULE,
	.open = fg_open,
	.release = fg_release,
	.unlocked_ioctl = fg_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = fg_poll,
};

static struct miscdevice fg_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "freezeguard",
	.fops = &fg_fops,
	.mode = 0600,
};

static struct dentry *fg_debugfs;

DEFINE_SHOW_ATTRIBUTE(fg_sessions);

/*
 * debugfs freezeguard/: the sessions, readable without freezectl (table.c),
 * and the tests' fault knobs (session.c, fs.c). No debugfs is no listing and no
 * knobs, not an error.
 */
static void fg_debugfs_init(void)
{
	fg_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("sessions", 0400, fg_debugfs, NULL,
			    &fg_sessions_fops);
	debugfs_create_bool("fault_skip_cancel", 0600, fg_debugfs,
			    &fg_fault_skip_cancel);
	debugfs_create_u32("fault_worker_delay_us", 0600, fg_debugfs,
			   &fg_fault_worker_delay_us);
	debugfs_create_u32("fault_freeze_delay_us", 0600, fg_debugfs,
			   &fg_fault_freeze_delay_us);
	debugfs_create_u32("fault_thaw_fail", 0600, fg_debugfs,
			   &fg_fault_thaw_fail);
}

static int __init fg_init(void)
{
	bool bad;
	int err;

	/*
	 * The parameters are writable from here on: check them and turn on
	 * the cross-check of each write at once, under the lock writes take.
	 */
	kernel_param_lock(THIS_MODULE);
	bad = default_timeout_ms > max_timeout_ms ||
	      fs_default_timeout_ms > fs_max_timeout_ms;
	if (!bad)
		WRITE_ONCE(fg_live, true);
	kernel_param_unlock(THIS_MODULE);
	if (bad) {
		pr_err("default_timeout_ms=%u, max_timeout_ms=%u, fs_default_timeout_ms=%u, fs_max_timeout_ms=%u: a default is above its maximum\n",
		       default_timeout_ms, max_timeout_ms, fs_default_timeout_ms,
		       fs_max_timeout_ms);
		return -EINVAL;
	}
	err = fg_fs_init();
	if (err)
		return err;
	err = fg_sessions_init();
	if (err) {
		fg_fs_exit();
		return err;
	}
	err = misc_register(&fg_misc);
	if (err) {
		fg_sessions_exit();
		fg_fs_exit();
		return err;
	}
	fg_debugfs_init();
	return 0;
}

/* No file is open (each holds a module reference), so no ioctl runs. */
static void __exit fg_exit(void)
{
	debugfs_remove_recursive(fg_debugfs);	/* no knob changes from here */
	misc_deregister(&fg_misc);
	fg_sessions_exit();
	fg_fs_exit();	/* the stuck ones the sessions left */
}

module_init(fg_init);
module_exit(fg_exit);

MODULE_DESCRIPTION("Freeze/thaw/timeout sessions for backup writers, KB 915331-proof");
MODULE_AUTHOR("freezeguard developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(FREEZEGUARD_VERSION);
