// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard filesystem freezes: see fs.h.
 *
 * A set is collected (and every check that FIFREEZE makes is made) before
 * the session is touched; it is frozen without the session's lock (the
 * sync may take seconds); it is thawed, exactly once, when the core's
 * verdict says so -- under the session's lock, allocating nothing. A thaw
 * that fails leaves it frozen: the retry below thaws it again every second
 * until it thaws, and nothing else may freeze it meanwhile.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "compat.h"
#include "fs.h"
#include "fsm.h"

/**
 * fg_fs_collect() - the filesystems of @fds, checked as FIFREEZE checks
 * @fds: file descriptors, each on any file or directory of a filesystem
 * @nr: 1 to FREEZEGUARD_FS_MAX
 * @guard: a guard's set: claimed and guarded, never frozen (fs.h)
 *
 * Return: a set holding a file reference per distinct filesystem, in the
 * caller's order (a filesystem stacked on another -- on a loop device
 * backed by a file there -- must come first: freezing the lower one first
 * would block the upper one's sync for good); or ERR_PTR(-EBADF) for a bad fd, -EPERM without
 * CAP_SYS_ADMIN in a filesystem's user namespace, -EOPNOTSUPP for a
 * filesystem that cannot freeze, -ENOMEM.
 */
struct fg_fs_set *fg_fs_collect(const s32 *fds, u32 nr, bool guard)
{
	struct fg_fs_set *set;
	u32 i, j;
	int err;

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);
	set->guard = guard;
	for (i = 0; i < nr; i++) {
		struct file *f = fget(fds[i]);
		struct super_block *sb;

		err = -EBADF;
		if (!f)
			goto fail;
		sb = file_inode(f)->i_sb;
		for (j = 0; j < set->nr && set->fs[j].sb != sb; j++)
			;
		if (j < set->nr) {	/* named twice: frozen once */
			fput(f);
			continue;
		}
		set->fs[set->nr].file = f;	/* put by fg_fs_free() on failure */
		set->fs[set->nr].sb = sb;
		set->fs[set->nr].dev = sb->s_dev;
		set->fs[set->nr].index = set->nr;
		strscpy(set->fs[set->nr].type, sb->s_type->name,
			sizeof(set->fs[set->nr].type));
		set->nr++;
		err = -EPERM;
		if (!ns_capable(sb->s_user_ns, CAP_SYS_ADMIN))
			goto fail;
		err = -EOPNOTSUPP;
		if (!fg_sb_freezable(sb))
			goto fail;
	}
	return set;
fail:
	fg_fs_free(set);
	return ERR_PTR(err);
}

/*
 * The superblocks whose freeze a session holds, or is making, module-wide:
 * a superblock's entry is the struct fg_fs of the one freeze that holds
 * it. A second session's freeze of it is refused (-EBUSY) even when the
 * kernel would let it nest (a bdev freeze before 6.6) or when the first
 * session's freeze was thawed by someone else meanwhile: its release must
 * never end the second one's. Released without allocating (xa_cmpxchg()
 * to NULL frees, never allocates).
 */
static DEFINE_XARRAY(fg_claims);

static int fs_claim(struct fg_fs *fs)
{
	return xa_insert(&fg_claims, (unsigned long)fs->sb, fs, GFP_KERNEL);
}

static void fs_unclaim(struct fg_fs *fs)
{
	xa_cmpxchg(&fg_claims, (unsigned long)fs->sb, fs, NULL, 0);
}

u32 fg_fault_thaw_fail;

/*
 * The kernel's thaw of the session's freeze (fg_thaw_fs()), or the fault
 * knob's -EIO in its place: the filesystem then stays frozen as a failed
 * thaw leaves it, with nothing changed.
 */
static int fs_thaw(struct fg_fs *fs)
{
	u32 n = READ_ONCE(fg_fault_thaw_fail);

	while (n && !try_cmpxchg(&fg_fault_thaw_fail, &n, n - 1))
		;
	if (n)
		return -EIO;
	return fg_thaw_fs(fs->sb, fs->lost);
}

/*
 * Stuck filesystems: a release whose thaw failed keeps the file and the
 * claim, marks the claim FS_STUCK and leaves the rest to fs_retry(),
 * which thaws each again every FS_RETRY_MS, on a reclaim-safe queue as
 * the deadline's worker, until the thaw works or finds the freeze gone.
 * fs_retry_lock orders the retry against the set's owner: @file, @stuck
 * and @orphan of a failed filesystem change only under it, and only the
 * retry clears @stuck. While any is stuck the module is pinned: rmmod
 * fails (EBUSY) rather than leave a freeze nothing can end.
 */
#define FS_STUCK	XA_MARK_0
#define FS_RETRY_MS	1000
#define FS_EXIT_TRIES	10	/* at unload, 100 ms apart */

static DEFINE_MUTEX(fs_retry_lock);
static struct workqueue_struct *fs_retry_wq;
static bool fs_retry_stopped;
static unsigned int fs_stuck_nr;
static bool fs_pinned;
static void fs_retry(struct work_struct *work);
static DECLARE_DELAYED_WORK(fs_retry_work, fs_retry);

static struct fg_fs_set *fs_set_of(struct fg_fs *fs)
{
	return container_of(fs - fs->index, struct fg_fs_set, fs[0]);
}

static bool fs_set_stuck(const struct fg_fs_set *set)
{
	u32 i;

	for (i = 0; i < set->nr; i++)
		if (set->fs[i].stuck)
			return true;
	return false;
}

/*
 * Keep the failed @fs for the retry (under fs_retry_lock), and trace
 * its failed thaw (@err) there, before the retry can trace its own.
 */
static void fs_stick(struct fg_fs_set *set, struct fg_fs *fs,
		     const char *session, u64 gen, int err)
{
	lockdep_assert_held(&fs_retry_lock);
	strscpy(set->session, session, sizeof(set->session));
	set->gen = gen;
	fs->failed = true;
	WRITE_ONCE(fs->stuck, true);
	xa_set_mark(&fg_claims, (unsigned long)fs->sb, FS_STUCK);
	fg_trace_fs_thaw(session, gen, fs, err);
	if (!fs_stuck_nr++)
		fs_pinned = try_module_get(THIS_MODULE);
	/* during the unload itself, fg_fs_exit() retries it */
	if (!fs_retry_stopped && module_is_live(THIS_MODULE))
		queue_delayed_work(fs_retry_wq, &fs_retry_work,
				   msecs_to_jiffies(FS_RETRY_MS));
}

/*
 * @fs thawed, or was found thawed, or is given up: let go of it (under
 * fs_retry_lock). Return: its set if nothing holds it any more (its
 * session freed it), to be freed by the caller.
 */
static struct fg_fs_set *fs_unstick(struct fg_fs *fs)
{
	struct fg_fs_set *set = fs_set_of(fs);

	lockdep_assert_held(&fs_retry_lock);
	fs_unclaim(fs);
	fput(fs->file);
	fs->file = NULL;
	WRITE_ONCE(fs->stuck, false);
	/*
	 * The last one: unpin. rmmod may go on from here, but it waits in
	 * fg_fs_exit() for this work item to return.
	 */
	if (!--fs_stuck_nr && fs_pinned) {
		fs_pinned = false;
		module_put(THIS_MODULE);
	}
	return set->orphan && !fs_set_stuck(set) ? set : NULL;
}

/* The retry's report of a thaw that worked (@err 0) or found it thawed. */
static void fs_retry_report(struct fg_fs_set *set, struct fg_fs *fs, int err)
{
	/* 6.1: 0 may also mean a freeze nested in ours (device-mapper's) keeps it */
	pr_info("session %s: %s filesystem %u:%u, stuck frozen at the end of freeze %llu, %s\n",
		set->session, fs->type, MAJOR(fs->dev), MINOR(fs->dev), set->gen,
		err == FG_THAW_LOST ? "was thawed by someone else" :
		fg_sb_frozen(fs->sb) ? "is let go of: another freeze keeps it frozen" :
		"is thawed now");
}

/*
 * Thaw each stuck filesystem once more, one at a time, without the lock
 * during the thaw (it may be slow, and the lock is in STATUS's path): a
 * stuck one stays valid until the retry itself unsticks it. Return: true
 * if any is still stuck.
 */
static bool fs_retry_all(void)
{
	unsigned long next = 0;
	struct fg_fs *fs;
	bool stuck = false;

	mutex_lock(&fs_retry_lock);
	while ((fs = xa_find(&fg_claims, &next, ULONG_MAX, FS_STUCK))) {
		struct fg_fs_set *set = fs_set_of(fs);
		int err;

		mutex_unlock(&fs_retry_lock);
		err = fs_thaw(fs);
		mutex_lock(&fs_retry_lock);
		fg_trace_fs_thaw(set->session, set->gen, fs, err);
		if (err < 0) {
			stuck = true;
		} else {
			fs_retry_report(set, fs, err);
			kfree(fs_unstick(fs));
		}
		next++;
	}
	mutex_unlock(&fs_retry_lock);
	return stuck;
}

static void fs_retry(struct work_struct *work)
{
	if (!fs_retry_all())
		return;
	mutex_lock(&fs_retry_lock);
	if (!fs_retry_stopped)
		queue_delayed_work(fs_retry_wq, &fs_retry_work,
				   msecs_to_jiffies(FS_RETRY_MS));
	mutex_unlock(&fs_retry_lock);
}

#ifdef FG_REFUSE_EMPTY_THAW
/*
 * FITHAW of a filesystem the module claims, with no userspace freeze to
 * thaw, fails with EINVAL instead of saying 0 (compat.h): a thawer that
 * thaws until FITHAW fails stops at once. Only thaw_super()'s own
 * answer changes, and only when it thawed nothing: the look before it is
 * unlocked, so a FIFREEZE made between the look and the thaw is thawed
 * all the same, and the thawer hears EINVAL for it.
 */
struct fs_thaw_call {
	bool refuse;
};

static bool fs_thaw_probed;	/* fs_thaw_probe is registered */

static int fs_thaw_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct super_block *sb = (void *)regs_get_kernel_argument(regs, 0);
	/* an enum: the register's upper half is not the caller's */
	u32 who = (u32)regs_get_kernel_argument(regs, 1);
	struct fs_thaw_call *call = (void *)ri->data;

	call->refuse = fg_thaw_is_empty(sb, who) &&
		       xa_load(&fg_claims, (unsigned long)sb);
	return call->refuse ? 0 : 1;	/* 1: no return handler for this one */
}

static int fs_thaw_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (!(int)regs_return_value(regs)) {
		regs_set_return_value(regs, -EINVAL);
		pr_info_ratelimited("a userspace thaw (FITHAW) of a filesystem the module holds, with no userspace freeze of it left (or one made or ended during the thaw), fails with EINVAL\n");
	}
	return 0;
}

static struct kretprobe fs_thaw_probe = {
	.kp.symbol_name = "thaw_super",
	.entry_handler = fs_thaw_entry,
	.handler = fs_thaw_return,
	.data_size = sizeof(struct fs_thaw_call),
	.maxactive = 64,
};

static void fs_thaw_probe_start(void)
{
	int err = register_kretprobe(&fs_thaw_probe);

	if (err)	/* the module works; such a thaw says 0, as the kernel's */
		pr_warn("cannot probe thaw_super() (error %d): a FITHAW of a filesystem a session holds says 0 and thaws nothing, and a thawer that repeats it spins until the session's freeze ends\n",
			err);
	else
		fs_thaw_probed = true;
}

static void fs_thaw_probe_stop(void)
{
	if (fs_thaw_probed)
		unregister_kretprobe(&fs_thaw_probe);
	fs_thaw_probed = false;
}
#else
static void fs_thaw_probe_start(void)
{
}

static void fs_thaw_probe_stop(void)
{
}
#endif

int fg_fs_init(void)
{
	/* it thaws: it must run when writeback waits for it (a rescuer) */
	fs_retry_wq = alloc_workqueue("freezeguard_retry", WQ_MEM_RECLAIM, 0);
	if (!fs_retry_wq)
		return -ENOMEM;
	fs_thaw_probe_start();
	return 0;
}

/**
 * fg_fs_exit() - the last retries, at unload
 *
 * Every session is gone by now, so each stuck filesystem's set is an
 * orphan; the module was not pinned by any of them (rmmod would have
 * failed), so they stuck during the unload itself. A few last thaws of
 * each; one that still fails is given up (its file put, its claim
 * dropped, on 6.1 its block device's count given back) and stays frozen,
 * with a log line saying so. Nothing of fs.c runs after it returns.
 */
void fg_fs_exit(void)
{
	unsigned long sb;
	struct fg_fs *fs;
	int i;

	fs_thaw_probe_stop();
	mutex_lock(&fs_retry_lock);
	fs_retry_stopped = true;
	mutex_unlock(&fs_retry_lock);
	cancel_delayed_work_sync(&fs_retry_work);
	for (i = 0; i < FS_EXIT_TRIES && fs_retry_all(); i++)
		if (i + 1 < FS_EXIT_TRIES)
			msleep(100);
	mutex_lock(&fs_retry_lock);
	xa_for_each_marked(&fg_claims, sb, fs, FS_STUCK) {
		struct fg_fs_set *set = fs_set_of(fs);

		pr_err("session %s: %s filesystem %u:%u, stuck frozen at the end of freeze %llu, is given up at unload: it stays frozen (%s)\n",
		       set->session, fs->type, MAJOR(fs->dev), MINOR(fs->dev),
		       set->gen, FG_GIVEN_UP_HINT);
		fg_fs_give_back(fs->sb);
		kfree(fs_unstick(fs));
	}
	mutex_unlock(&fs_retry_lock);
	destroy_workqueue(fs_retry_wq);
}

/*
 * End the session's freeze of @fs. A freeze seen lost, now or before, is
 * not thawed: any freeze in effect is someone else's; its claim goes, as
 * that of one thawed. A thaw that fails keeps the claim: the caller hands
 * the filesystem to the retry. Return: as fg_thaw_fs().
 */
static int fs_release(struct fg_fs *fs)
{
	int err = fs_thaw(fs);

	if (err == FG_THAW_LOST)
		fs->lost = true;
	if (err >= 0)
		fs_unclaim(fs);
	return err;
}

/**
 * fg_fs_freeze_one() - freeze filesystem @i of @set
 * @set: collected by fg_fs_collect()
 * @i: which one: they are frozen in order, one call each
 * @session: for the tracepoints
 * @gen: the freeze, for the tracepoints
 *
 * Called without the session's lock: it syncs, and may take seconds.
 * The session's core is told how it went; if it froze, the session holds
 * it from then on (fg_fs_hold()) until the core orders it released.
 *
 * Return: 0, or the error of the freeze (-EBUSY: frozen already, by
 * someone else, or held by another session).
 */
int fg_fs_freeze_one(struct fg_fs_set *set, u32 i, const char *session, u64 gen)
{
	struct fg_fs *fs = &set->fs[i];
	int err = 0;
	u32 j;

	/* the first: claim them all, before anything is frozen */
	for (j = 0; i == 0 && j < set->nr; j++) {
		err = fs_claim(&set->fs[j]);
		if (err) {
			fs = &set->fs[j];	/* the one held by another session */
			while (j--)
				fs_unclaim(&set->fs[j]);
			break;
		}
	}
	if (!err && !set->guard)	/* a guard freezes nothing */
		err = fg_freeze_fs(fs->sb);
	fg_trace_fs_freeze(session, gen, fs, err);
	return err;
}

void fg_fs_hold(struct fg_fs_set *set, u32 i)
{
	set->fs[i].held = true;
}

/*
 * Still kept by the session: its file not yet put, and not failed (a
 * failed one is the retry's).
 */
static bool fs_kept(const struct fg_fs *fs)
{
	return !fs->failed && fs->file;
}

/* Let go of the file and the claim of one the session does not hold. */
static void fs_let_go(struct fg_fs *fs)
{
	if (fs->failed)
		return;
	if (fs->file) {
		WARN_ON_ONCE(fs->held);
		fs_unclaim(fs);
		fput(fs->file);
	}
	fs->file = NULL;
}

/*
 * The first freeze call may still be claiming the set's filesystems
 * (fg_fs_freeze_one()): the first is still being taken, and the last is
 * not claimed yet.
 */
static bool fs_still_claiming(const struct fg_fs_set *set)
{
	const struct fg_fs *last = &set->fs[set->nr - 1];

	return fs_kept(&set->fs[0]) && !set->fs[0].held &&
	       xa_load(&fg_claims, (unsigned long)last->sb) != last;
}

/*
 * Let go of the filesystems after the one being frozen, once the freeze
 * has ended while it syncs.
 *
 * They will not be frozen any more: no other session should wait for
 * them (their claims) as long as that one's sync hangs, nor an unmount
 * (their files). The one being frozen is the first still kept; if it is
 * the first of all, its thread may still be claiming the others
 * (fg_fs_freeze_one()) without the session's lock: they are let go of
 * only once it has claimed the last, else when its freeze returns.
 */
static void fs_let_go_rest(struct fg_fs_set *set)
{
	u32 i, next;

	for (next = 0; next < set->nr && !fs_kept(&set->fs[next]); next++)
		;
	if (next == 0 && fs_still_claiming(set))
		return;
	for (i = next + 1; i < set->nr; i++)
		fs_let_go(&set->fs[i]);
}

/*
 * A guard's end: thaw userspace's freeze of @fs once, as one FITHAW would,
 * unless the freeze was thawed in time. Then let go of it, as of one
 * released.
 */
static void fs_guard_release(struct fg_fs *fs, const char *session, u64 gen,
			     bool in_time)
{
	int err = 0;

	if (!in_time) {
		err = fg_thaw_userspace(fs->sb);
		if (!err) {
			fs->guard_thawed = true;
			pr_warn("guard %s: %s filesystem %u:%u was still frozen by userspace when freeze %llu ended: thawed\n",
				session, fs->type, MAJOR(fs->dev), MINOR(fs->dev), gen);
		} else if (err < 0) {
			pr_err("guard %s: %s filesystem %u:%u, still frozen by userspace when freeze %llu ended, failed to thaw: error %d\n",
			       session, fs->type, MAJOR(fs->dev), MINOR(fs->dev), gen, err);
		} else if (fg_sb_frozen(fs->sb) && fg_bdev_freeze_held(fs->sb)) {
			/* or a count device-mapper's resume left behind */
			pr_warn("guard %s: %s filesystem %u:%u is frozen through its block device (device-mapper's suspend) when freeze %llu ended: left to device-mapper's resume\n",
				session, fs->type, MAJOR(fs->dev), MINOR(fs->dev), gen);
		}
	}
	fg_trace_fs_thaw(session, gen, fs, err);
	fs_unclaim(fs);
	fput(fs->file);
	fs->file = NULL;
}

/*
 * A guard that ends while it is still taking its filesystems (its freeze
 * calls are quick: claims, no sync) releases those it has not held yet
 * as the held ones, at once, the one being taken too: that one's late
 * release then finds it released (no file). Not while the first call may
 * still be claiming the others: then at the late release, when that call
 * has returned.
 */
static void fs_guard_release_rest(struct fg_fs_set *set, const char *session,
				  u64 gen)
{
	u32 i;

	if (!set->guard_thaw || fs_still_claiming(set))	/* (in time: all held) */
		return;
	for (i = 0; i < set->nr; i++)
		if (fs_kept(&set->fs[i]) && !set->fs[i].held)
			fs_guard_release(&set->fs[i], session, gen, false);
}

/**
 * fg_fs_thaw() - thaw every filesystem of @set the session holds
 * @set: the session's set
 * @session: for the kernel log and the tracepoints
 * @gen: the freeze, likewise
 * @in_time: the freeze ended by a thaw in time (a guard's then thaws
 *	nothing; otherwise a guard thaws userspace's freeze: fs_guard_release())
 *
 * The release the core ordered (FSM_RELEASE): every filesystem held is
 * released once, and its file put. One still being frozen is not touched
 * (it is released when its freeze completes); those after it will not be
 * frozen any more, and are let go of at once, so that no other session
 * waits for them as long as that one's sync hangs. It allocates nothing,
 * and reports a filesystem someone else thawed first (lost: it is not
 * thawed again) apart from one that failed to thaw: that one stays
 * claimed, and fs_retry() thaws it again every second (FREEZEGUARD_FS_STUCK).
 */
void fg_fs_thaw(struct fg_fs_set *set, const char *session, u64 gen,
		bool in_time)
{
	u32 i = set->nr;

	if (set->guard && !in_time)
		set->guard_thaw = true;	/* for a late release too */
	while (i--) {
		struct fg_fs *fs = &set->fs[i];
		int err;

		if (!fs->held)
			continue;
		if (set->guard) {	/* (one released early has no file) */
			if (fs->file)
				fs_guard_release(fs, session, gen, !set->guard_thaw);
			fs->held = false;
			continue;
		}
		err = fs_release(fs);
		fs->held = false;
		if (err < 0) {
			pr_err("session %s: %s filesystem %u:%u failed to thaw at the end of freeze %llu: error %d; it stays frozen, and is thawed again every second (%s)\n",
			       session, fs->type, MAJOR(fs->dev), MINOR(fs->dev), gen, err,
			       FG_THAW_FAILED_HINT);
			mutex_lock(&fs_retry_lock);
			fs_stick(set, fs, session, gen, err);
			mutex_unlock(&fs_retry_lock);
			continue;
		}
		fg_trace_fs_thaw(session, gen, fs, err);
		if (err == FG_THAW_LOST)
			pr_warn("session %s: %s filesystem %u:%u was thawed by someone else during freeze %llu\n",
				session, fs->type, MAJOR(fs->dev), MINOR(fs->dev), gen);
		fput(fs->file);
		fs->file = NULL;
	}
	if (set->guard)
		fs_guard_release_rest(set, session, gen);
	else
		fs_let_go_rest(set);
}

void fg_fs_ended(struct fg_fs_set *set, unsigned int state, unsigned int holds)
{
	if (set && !set->guard && state != FSM_FREEZING &&
	    (holds == FSM_HOLD_FREEZING || holds == FSM_HOLD_LAST))
		fs_let_go_rest(set);
}

/* Let go of the files still kept, and their claims: the set holds no freeze. */
void fg_fs_let_go(struct fg_fs_set *set)
{
	u32 i;

	for (i = 0; i < set->nr; i++)
		fs_let_go(&set->fs[i]);
}

void fg_fs_free(struct fg_fs_set *set)
{
	bool orphan;

	if (!set)
		return;
	fg_fs_let_go(set);
	mutex_lock(&fs_retry_lock);
	orphan = fs_set_stuck(set);
	set->orphan = orphan;
	mutex_unlock(&fs_retry_lock);
	if (!orphan)
		kfree(set);
}

/* Frozen now, by anyone: a filesystem whose file the set still holds. */
static bool fs_frozen(const struct fg_fs *fs)
{
	return fs->file && fg_sb_frozen(fs->sb);
}

/* What the session reports of a failed one: the retry may let go of it. */
static u32 fs_failed_flags(const struct fg_fs *fs)
{
	u32 flags = 0;

	mutex_lock(&fs_retry_lock);
	if (fs->stuck)
		flags = FREEZEGUARD_FS_STUCK |
			(fs_frozen(fs) ? FREEZEGUARD_FS_FROZEN : 0) |
			fg_fs_holders(fs->sb);
	mutex_unlock(&fs_retry_lock);
	return flags;
}

/* The session's own freeze of it still holds: it is not lost. */
static bool fs_hold_kept(const struct fg_fs *fs)
{
	return fs->file && fg_fs_hold_kept(fs->sb);
}

/*
 * The one the session is freezing now: filesystems are frozen in order,
 * so it is the first one still kept (a file) and not held.
 */
static bool fs_freezing(const struct fg_fs_set *set, u32 i)
{
	u32 j;

	for (j = 0; j < set->nr; j++)
		if (fs_kept(&set->fs[j]) && !set->fs[j].held)
			return j == i;
	return false;
}

/**
 * fg_fs_mark_lost() - remember each filesystem the session holds whose
 * freeze by the session no longer holds: someone else thawed it
 * (FREEZEGUARD_FS_LOST stays, even if it is frozen again later)
 * @set: the filesystems of a session's freeze, or NULL
 */
void fg_fs_mark_lost(struct fg_fs_set *set)
{
	u32 i;

	for (i = 0; set && !set->guard && i < set->nr; i++) {
		struct fg_fs *fs = &set->fs[i];

		if (fs->held && !fs->lost && !fs_hold_kept(fs)) {
			fs->lost = true;
			fg_fs_give_back(fs->sb);	/* at once: see compat.h */
		}
	}
}

/**
 * fg_fs_flags() - FREEZEGUARD_FS_* of one filesystem of a session
 * @set: the session's filesystems
 * @i: which one
 * @freezing: the session is freezing them (the core's freezing())
 *
 * It only reads, under the session's lock. LOST is what fg_fs_mark_lost()
 * recorded, never a look of its own: so LOST, once reported, stays (a
 * filesystem thawed between the two looks shows HELD without FROZEN
 * until the next report marks it).
 */
u32 fg_fs_flags(const struct fg_fs_set *set, u32 i, bool freezing)
{
	const struct fg_fs *fs = &set->fs[i];

	if (fs->failed)
		return fs_failed_flags(fs);
	if (set->guard)
		return (fs_frozen(fs) ? FREEZEGUARD_FS_FROZEN : 0) |
		       (fs->held ? FREEZEGUARD_FS_GUARDED : 0) |
		       (fs->guard_thawed ? FREEZEGUARD_FS_GUARD_THAWED : 0) |
		       (fs->file ? fg_fs_holders(fs->sb) : 0);
	return (fs_frozen(fs) ? FREEZEGUARD_FS_FROZEN : 0) |
	       (fs->held ? FREEZEGUARD_FS_HELD : 0) |
	       (freezing && fs_freezing(set, i) ? FREEZEGUARD_FS_FREEZING : 0) |
	       (fs->lost ? FREEZEGUARD_FS_LOST : 0) |
	       (fs->file ? fg_fs_holders(fs->sb) : 0);
}
