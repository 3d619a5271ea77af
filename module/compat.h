/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard: every difference between the kernels it builds on
 * (Debian's 6.1, 6.1-rt and 6.12, and later ones) lives here.
 */
#ifndef FREEZEGUARD_COMPAT_H
#define FREEZEGUARD_COMPAT_H

#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/version.h>

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
 * filesystem's own ->freeze_super/->thaw_super where it has them -- but as
 * the kernel holder where the kernel knows holders (6.6+): the session's
 * freeze is then its own, apart from an administrator's FIFREEZE (which
 * nests beside it) and FITHAW (which cannot thaw it); SysRq-j does not
 * thaw it either, the deadline does (docs/filesystems.md). Before 6.6 a
 * freeze has no holder: anyone's thaw ends it. The form of the calls is
 * probed at build time (Kbuild: FG_FREEZE_HAS_OWNER, FG_FREEZE_HAS_HOLDER).
 */
static inline int fg_freeze_super(struct super_block *sb)
{
#if defined(FG_FREEZE_HAS_OWNER)
	if (sb->s_op->freeze_super)
		return sb->s_op->freeze_super(sb, FREEZE_HOLDER_KERNEL, NULL);
	return freeze_super(sb, FREEZE_HOLDER_KERNEL, NULL);
#elif defined(FG_FREEZE_HAS_HOLDER)
	if (sb->s_op->freeze_super)
		return sb->s_op->freeze_super(sb, FREEZE_HOLDER_KERNEL);
	return freeze_super(sb, FREEZE_HOLDER_KERNEL);
#else
	if (sb->s_op->freeze_super)
		return sb->s_op->freeze_super(sb);
	return freeze_super(sb);
#endif
}

static inline int fg_thaw_super(struct super_block *sb)
{
#if defined(FG_FREEZE_HAS_OWNER)
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb, FREEZE_HOLDER_KERNEL, NULL);
	return thaw_super(sb, FREEZE_HOLDER_KERNEL, NULL);
#elif defined(FG_FREEZE_HAS_HOLDER)
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb, FREEZE_HOLDER_KERNEL);
	return thaw_super(sb, FREEZE_HOLDER_KERNEL);
#else
	if (sb->s_op->thaw_super)
		return sb->s_op->thaw_super(sb);
	return thaw_super(sb);
#endif
}

/* Can it freeze at all? FIFREEZE's test: EOPNOTSUPP otherwise. */
static inline bool fg_sb_freezable(struct super_block *sb)
{
	return sb->s_op->freeze_fs || sb->s_op->freeze_super;
}

/* Frozen now, by anyone. */
static inline bool fg_sb_frozen(struct super_block *sb)
{
	return READ_ONCE(sb->s_writers.frozen) == SB_FREEZE_COMPLETE;
}

#endif /* FREEZEGUARD_COMPAT_H */
