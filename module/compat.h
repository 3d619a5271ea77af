/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard: every difference between the kernels it builds on
 * (Debian's 6.1, 6.1-rt and 6.12, and later ones) lives here.
 */
#ifndef FREEZEGUARD_COMPAT_H
#define FREEZEGUARD_COMPAT_H

#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/version.h>
#include <uapi/linux/freezeguard.h>

/* hrtimer_setup() replaced hrtimer_init() + assigning ->function in 6.13. */
static inline void fg_hrtimer_setup(struct hrtimer *timer,
				    enum hrtimer_restart (*fn)(struct hrtimer *))
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(timer, fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
#else
	hrtimer_init(timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	timer->function = fn;
#endif
}

/*
 * Freeze and thaw a filesystem as FIFREEZE/FITHAW do -- through the
 * filesystem's own ->freeze_super/->thaw_super where it has them -- in the
 * way that lets other freezers work beside the session's freeze on each
 * kernel (docs/filesystems.md, "Other freezers"). The form of the calls
 * is probed at build time (Kbuild: FG_FREEZE_HAS_OWNER, _HOLDER, _KCOUNT).
 *
 * 6.8+: as the kernel holder. The session's freeze is its own, apart
 * from userspace's FIFREEZE and device-mapper's bdev_freeze() (which nest
 * beside it) and FITHAW (which cannot thaw it); the superblock counts
 * each holder's freezes (freeze_kcount, freeze_ucount).
 *
 * Before 6.6 freeze_super() does not nest: device-mapper's suspend
 * (lvcreate -s, dmsetup suspend), which freezes through freeze_bdev(),
 * would fail with EBUSY on a filesystem the session froze. freeze_bdev()
 * does nest (bd_fsfreeze_count), so a filesystem on a block device is
 * frozen through it and device-mapper's freeze nests inside the session's.
 * A filesystem with no block device of its own (btrfs) is frozen with
 * freeze_super() as before.
 */
#if defined(FG_FREEZE_HAS_OWNER)
#define FG_FREEZE_ARGS		FREEZE_HOLDER_KERNEL, NULL
#define FG_USER_THAW_ARGS	FREEZE_HOLDER_USERSPACE, NULL
#elif defined(FG_FREEZE_HAS_HOLDER)
#define FG_FREEZE_ARGS		FREEZE_HOLDER_KERNEL
#define FG_USER_THAW_ARGS	FREEZE_HOLDER_USERSPACE
#endif
/*
 * 6.6 and 6.7 have holders but no per-holder counts (freeze_kcount came in
 * 6.8): whose freeze holds cannot be read the way this file reads it.
 */
#if defined(FG_FREEZE_ARGS) && !defined(FG_FREEZE_HAS_KCOUNT)
#error "freeze holders without freeze_kcount (Linux 6.6, 6.7): not supported"
#endif

/* Frozen now, by anyone. */
static inline bool fg_sb_frozen(struct super_block *sb)
{
	return READ_ONCE(sb->s_writers.frozen) == SB_FREEZE_COMPLETE;
}

#if defined(FG_FREEZE_ARGS) && defined(CONFIG_KRETPROBES)
/*
 * 6.8+ (Debian's 6.12): FITHAW -- thaw_super() as the userspace holder --
 * with no userspace freeze in effect returns 0 while a kernel-holder freeze
 * remains, and thaws nothing (later kernels refuse it: may_unfreeze()).
 * A thawer that repeats FITHAW until it fails, as qemu-guest-agent's
 * guest-fsfreeze-thaw does, spins for as long as a session holds the
 * filesystem. fs.c makes such a thaw of a filesystem the module claims
 * fail with EINVAL, as later kernels do (a kretprobe on thaw_super()).
 */
#define FG_REFUSE_EMPTY_THAW

/*
 * A FITHAW of @sb that would thaw nothing and say 0 (the look is unlocked).
 * Not on a filesystem with a thaw of its own (->thaw_super, gfs2): gfs2
 * calls thaw_super() from inside it and withdraws if that fails.
 */
static inline bool fg_thaw_is_empty(struct super_block *sb, u32 who)
{
	return who == FREEZE_HOLDER_USERSPACE && !sb->s_op->thaw_super &&
	       fg_sb_frozen(sb) &&
	       !READ_ONCE(sb->s_writers.freeze_ucount) &&
	       READ_ONCE(sb->s_writers.freeze_kcount);
}
#endif

/* thaw_super() as FITHAW calls it: the filesystem's own where it has one */
static inline int fg_thaw_super(struct super_block *sb)
{
#ifdef FG_FREEZE_ARGS
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb, FG_FREEZE_ARGS);
	return thaw_super(sb, FG_FREEZE_ARGS);
#else
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb);
	return thaw_super(sb);
#endif
}

/* fg_thaw_fs(): the session's freeze was no longer in effect; nothing thawed */
#define FG_THAW_LOST	1

#ifdef FG_FREEZE_ARGS
static inline int fg_freeze_fs(struct super_block *sb)
{
	if (sb->s_op->freeze_super)
		return sb->s_op->freeze_super(sb, FG_FREEZE_ARGS);
	return freeze_super(sb, FG_FREEZE_ARGS);
}

/* Does the session's freeze still hold? The kernel holder's count says. */
static inline bool fg_fs_hold_kept(struct super_block *sb)
{
	return READ_ONCE(sb->s_writers.freeze_kcount) > 0;
}

/* The session's freeze ended without a thaw: nothing to give back. */
static inline void fg_fs_give_back(struct super_block *sb)
{
}

/* Where a thaw that fails leaves the filesystem, for the kernel log. */
#define FG_THAW_FAILED_HINT "nothing but the kernel holder can thaw it"
/* ... and once the module gave it up at unload */
#define FG_GIVEN_UP_HINT "nothing can thaw it now: a reboot will"
#else
/*
 * Give back the session's bd_fsfreeze_count without thawing anything,
 * once its freeze is known to have been thawed by someone else (FITHAW):
 * left behind, it would make device-mapper's next freeze_bdev() nest
 * without freezing the filesystem (an unfrozen snapshot) and its next
 * mount fail. A count of 0 means an emergency thaw (SysRq-j) took it.
 * This is the state a successful thaw_bdev() leaves, made under the same
 * mutex.
 */
static inline void fg_bdev_give_back(struct block_device *bdev)
{
	lockdep_assert_held(&bdev->bd_fsfreeze_mutex);
	if (bdev->bd_fsfreeze_count > 0 && --bdev->bd_fsfreeze_count == 0)
		bdev->bd_fsfreeze_sb = NULL;
}

static inline void fg_fs_give_back(struct super_block *sb)
{
	struct block_device *bdev = sb->s_bdev;

	if (bdev) {
		mutex_lock(&bdev->bd_fsfreeze_mutex);
		fg_bdev_give_back(bdev);
		mutex_unlock(&bdev->bd_fsfreeze_mutex);
	}
}

static inline int fg_freeze_fs(struct super_block *sb)
{
	struct block_device *bdev = sb->s_bdev;
	int err;

	if (!bdev) {
		if (sb->s_op->freeze_super)
			return sb->s_op->freeze_super(sb);
		return freeze_super(sb);
	}
	err = freeze_bdev(bdev);
	/*
	 * A count left by someone else's freeze_bdev() whose filesystem was
	 * since thawed by FITHAW nests without freezing, and FITHAW may come
	 * right after a freeze: either way not a freeze of the session's.
	 */
	if (!err && !fg_sb_frozen(sb)) {
		fg_fs_give_back(sb);
		err = -EBUSY;
	}
	return err;
}

/* Without holders, "still frozen" is all the kernel can tell. */
static inline bool fg_fs_hold_kept(struct super_block *sb)
{
	return fg_sb_frozen(sb);
}

/*
 * thaw_bdev() of the session's count, made under bd_fsfreeze_mutex as
 * thaw_bdev() makes it, but telling a filesystem someone else thawed
 * (FITHAW; its count is given back, nothing is thawed) from a failed
 * thaw (the count stays, as thaw_bdev() leaves it: the session's freeze
 * still holds, and its retry, or FITHAW, thaws it).
 */
static inline int fg_bdev_thaw(struct super_block *sb)
{
	struct block_device *bdev = sb->s_bdev;
	int err = 0;

	mutex_lock(&bdev->bd_fsfreeze_mutex);
	if (!bdev->bd_fsfreeze_count) {	/* SysRq-j thawed it */
		err = FG_THAW_LOST;
	} else if (--bdev->bd_fsfreeze_count > 0) {
		/* device-mapper's freeze nests: its thaw ends the freeze */
		err = fg_sb_frozen(sb) ? 0 : FG_THAW_LOST;
	} else {
		if (!fg_sb_frozen(sb))
			err = FG_THAW_LOST;
		else
			err = fg_thaw_super(sb);
		if (err < 0 && !fg_sb_frozen(sb))	/* FITHAW got there first */
			err = FG_THAW_LOST;
		if (err < 0)
			bdev->bd_fsfreeze_count++;
		else
			bdev->bd_fsfreeze_sb = NULL;
	}
	mutex_unlock(&bdev->bd_fsfreeze_mutex);
	return err;
}

#define FG_THAW_FAILED_HINT "fsfreeze -u may thaw it"
#define FG_GIVEN_UP_HINT "fsfreeze -u thaws it"
#endif

/**
 * fg_thaw_fs() - end the session's freeze of @sb
 * @sb: a superblock fg_freeze_fs() froze
 * @lost: the session already knows its freeze was thawed by someone else
 *	(and gave back what it held of it: fg_fs_give_back())
 *
 * A freeze known lost, or found lost now, is not thawed: whatever freeze
 * is in effect is someone else's.
 *
 * Return: 0 when the session's freeze ended (the filesystem thaws unless
 * another freeze nests beside it); FG_THAW_LOST when it had already
 * ended; or the filesystem's error: it stays frozen (FG_THAW_FAILED_HINT).
 */
static inline int fg_thaw_fs(struct super_block *sb, bool lost)
{
	int err;

	if (lost)
		return FG_THAW_LOST;
#ifdef FG_FREEZE_ARGS
	if (!fg_fs_hold_kept(sb))
		return FG_THAW_LOST;
	err = fg_thaw_super(sb);
	/* 6.8+: a nested thaw may drop the hold and still say -EINVAL */
	if (err && !fg_fs_hold_kept(sb))
		err = 0;
#else
	if (sb->s_bdev)
		return fg_bdev_thaw(sb);
	if (!fg_sb_frozen(sb))
		return FG_THAW_LOST;
	err = fg_thaw_super(sb);
	if (err < 0 && !fg_sb_frozen(sb))
		err = FG_THAW_LOST;
#endif
	return err;
}

/*
 * Device-mapper's freeze of @sb's block device is in effect (or being
 * made): freeze_bdev()/bdev_freeze() counts it (an atomic_t since 6.8).
 */
static inline bool fg_bdev_freeze_held(struct super_block *sb)
{
	if (!sb->s_bdev)
		return false;
#ifdef FG_FREEZE_ARGS
	return atomic_read(&sb->s_bdev->bd_fsfreeze_count) > 0;
#else
	return READ_ONCE(sb->s_bdev->bd_fsfreeze_count) > 0;
#endif
}

/*
 * @sb is frozen by userspace, not counting device-mapper's freeze (which
 * its resume thaws, and under which the device's I/O is suspended anyway).
 * On 6.8+ device-mapper freezes as the userspace holder, once however
 * often its block device is frozen; before 6.6 a freeze has no holder,
 * and FIFREEZE and device-mapper's freeze exclude each other (EBUSY).
 */
static inline bool fg_user_frozen(struct super_block *sb)
{
	int dm = fg_bdev_freeze_held(sb);

#ifdef FG_FREEZE_ARGS
	if (READ_ONCE(sb->s_writers.freeze_ucount) <= dm)
		return false;
#else
	if (dm)
		return false;
#endif
	return fg_sb_frozen(sb);
}

/**
 * fg_thaw_userspace() - a guard's thaw: one FITHAW's, if userspace froze @sb
 * @sb: a superblock a guard claimed (no session of this module froze it)
 *
 * On 6.8+ only a userspace-holder freeze is thawed, and only if one is
 * in effect: Debian's 6.12 thaw_super() as the userspace holder returns 0
 * without thawing anything while a kernel-holder freeze remains. Before
 * 6.6 a freeze has no holder: any freeze in effect is thawed, as FITHAW
 * thaws it. Never device-mapper's (fg_user_frozen()): a thaw under its
 * suspend would let it snapshot a filesystem in use, and its resume would
 * then fail to thaw and leave the block device's freeze count behind.
 * Between the look and the thaw another
 * FITHAW may thaw it first (the thaw then fails: nothing is thawed
 * twice); a thaw and a new freeze by others in between are not told
 * apart (docs/filesystems.md, "Guards").
 *
 * Return: 0 thawed; FG_THAW_LOST nothing of userspace's was frozen (or
 * another thaw got there first); or the filesystem's error.
 */
static inline int fg_thaw_userspace(struct super_block *sb)
{
	int err;

	if (!fg_user_frozen(sb))
		return FG_THAW_LOST;
#ifdef FG_FREEZE_ARGS
	if (sb->s_op->thaw_super)
		err = sb->s_op->thaw_super(sb, FG_USER_THAW_ARGS);
	else
		err = thaw_super(sb, FG_USER_THAW_ARGS);
#else
	err = fg_thaw_super(sb);
#endif
	/* another FITHAW got there first (on 6.8+ fs.c's probe says EINVAL) */
	if (err < 0 && !fg_user_frozen(sb))
		err = FG_THAW_LOST;
	return err;
}

/*
 * FREEZEGUARD_FS_HOLDERS and who holds a freeze of @sb now, where the
 * kernel counts holders (6.8+); 0 before.
 */
static inline u32 fg_fs_holders(struct super_block *sb)
{
#ifdef FG_FREEZE_ARGS
	return FREEZEGUARD_FS_HOLDERS |
	       (READ_ONCE(sb->s_writers.freeze_kcount) > 0 ?
		FREEZEGUARD_FS_BY_KERNEL : 0) |
	       (READ_ONCE(sb->s_writers.freeze_ucount) > 0 ?
		FREEZEGUARD_FS_BY_USERSPACE : 0);
#else
	return 0;
#endif
}

/* Can it freeze at all? FIFREEZE's test: EOPNOTSUPP otherwise. */
static inline bool fg_sb_freezable(struct super_block *sb)
{
	return sb->s_op->freeze_fs || sb->s_op->freeze_super;
}

#endif /* FREEZEGUARD_COMPAT_H */
