// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard filesystem freezes: see fs.h.
 *
 * A set is collected (and every check that FIFREEZE makes is made) before
 * the session is touched; it is frozen without the session's lock (the
 * sync may take seconds); it is thawed, exactly once, when the core's
 * verdict says so -- under the session's lock, allocating nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "compat.h"
#include "fs.h"

/**
 * fg_fs_collect() - the filesystems of @fds, checked as FIFREEZE checks
 * @fds: file descriptors, each on any file or directory of a filesystem
 * @nr: 1 to FREEZEGUARD_FS_MAX
 *
 * Return: a set holding a file reference per distinct filesystem, in the
 * caller's order (a filesystem stacked on another -- on a loop device
 * backed by a file there -- must come first: freezing the lower one first
 * would block the upper one's sync for good); or ERR_PTR(-EBADF) for a bad fd, -EPERM without
 * CAP_SYS_ADMIN in a filesystem's user namespace, -EOPNOTSUPP for a
 * filesystem that cannot freeze, -ENOMEM.
 */
struct fg_fs_set *fg_fs_collect(const s32 *fds, u32 nr)
{
	struct fg_fs_set *set;
	u32 i, j;
	int err;

	set = kzalloc(sizeof(*set), GFP_KERNEL);
	if (!set)
		return ERR_PTR(-ENOMEM);
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

/*
 * End the session's freeze of @fs and let go of its claim. A freeze seen
 * lost, now or before, is not thawed: any freeze in effect is someone
 * else's. A thaw that fails leaves the filesystem frozen, and the claim
 * goes too: the set that holds it is freed after its release. Return: as
 * fg_thaw_fs().
 */
static int fs_release(struct fg_fs *fs)
{
	int err = fg_thaw_fs(fs->sb, fs->lost);

	if (err == FG_THAW_LOST)
		fs->lost = true;
	fs_unclaim(fs);
	return err;
}

/**
 * fg_fs_freeze() - freeze every filesystem of @set, in order, or none
 * @set: collected by fg_fs_collect()
 * @session: for the tracepoints
 * @gen: the freeze, for the tracepoints
 *
 * Called without the session's lock: each freeze syncs. If one fails,
 * those already frozen are thawed again, in reverse order.
 *
 * Return: 0, or the error of the first that failed (-EBUSY: frozen
 * already, by someone else, or held by another session).
 */
int fg_fs_freeze(struct fg_fs_set *set, const char *session, u64 gen)
{
	u32 i;
	int err;

	for (i = 0; i < set->nr; i++) {
		err = fs_claim(&set->fs[i]);
		if (!err) {
			err = fg_freeze_fs(set->fs[i].sb);
			if (err)
				fs_unclaim(&set->fs[i]);
		}
		fg_trace_fs_freeze(session, gen, &set->fs[i], err);
		if (err)
			goto rollback;
	}
	return 0;
rollback:
	while (i--)
		fg_trace_fs_thaw(session, gen, &set->fs[i],
				 fs_release(&set->fs[i]));
	return err;
}

/**
 * fg_fs_thaw() - thaw every filesystem of a held @set, then let go of it
 * @set: frozen by fg_fs_freeze()
 * @session: for the kernel log and the tracepoints
 * @gen: the freeze, likewise
 *
 * The release the core ordered (FSM_RELEASE): it runs once per freeze,
 * allocates nothing, and reports a filesystem someone else thawed first
 * (lost: it is not thawed again) apart from one that failed to thaw.
 */
void fg_fs_thaw(struct fg_fs_set *set, const char *session, u64 gen)
{
	u32 i = set->nr;

	while (i--) {
		struct fg_fs *fs = &set->fs[i];
		int err = fs_release(fs);

		fg_trace_fs_thaw(session, gen, fs, err);
		if (err == FG_THAW_LOST)
			pr_warn("session %s: %s filesystem %u:%u was thawed by someone else during freeze %llu\n",
				session, fs->type, MAJOR(fs->dev), MINOR(fs->dev), gen);
		else if (err)
			pr_err("session %s: %s filesystem %u:%u failed to thaw at the end of freeze %llu: error %d; it stays frozen (%s)\n",
			       session, fs->type, MAJOR(fs->dev), MINOR(fs->dev), gen, err,
			       FG_THAW_FAILED_HINT);
	}
	fg_fs_let_go(set);
}

/* Let go of the files still held: a set that did not freeze, or was thawed. */
void fg_fs_let_go(struct fg_fs_set *set)
{
	u32 i;

	for (i = 0; i < set->nr; i++) {
		if (set->fs[i].file)
			fput(set->fs[i].file);
		set->fs[i].file = NULL;
	}
}

void fg_fs_free(struct fg_fs_set *set)
{
	if (set) {
		fg_fs_let_go(set);
		kfree(set);
	}
}

/* Frozen now, by anyone: a filesystem whose file the set still holds. */
static bool fs_frozen(const struct fg_fs *fs)
{
	return fs->file && fg_sb_frozen(fs->sb);
}

/* The session's own freeze of it still holds: it is not lost. */
static bool fs_hold_kept(const struct fg_fs *fs)
{
	return fs->file && fg_fs_hold_kept(fs->sb);
}

/**
 * fg_fs_mark_lost() - remember each filesystem of a held @set whose
 * freeze by the session no longer holds: someone else thawed it
 * (FREEZEGUARD_FS_LOST stays, even if it is frozen again later; what the
 * session held of it is given back at once)
 * @set: the filesystems a session holds frozen (FSM_HOLD_FROZEN), or NULL
 */
void fg_fs_mark_lost(struct fg_fs_set *set)
{
	u32 i;

	for (i = 0; set && i < set->nr; i++) {
		struct fg_fs *fs = &set->fs[i];

		if (!fs->lost && !fs_hold_kept(fs)) {
			fs->lost = true;
			fg_fs_give_back(fs->sb);	/* at once: see compat.h */
		}
	}
}

/**
 * fg_fs_flags() - FREEZEGUARD_FS_* of one filesystem of a session
 * @fs: the filesystem
 * @held: the session holds its freeze (the core's FSM_HOLD_FROZEN)
 *
 * It only reads. LOST is what fg_fs_mark_lost() recorded, never a look of
 * its own: so LOST, once reported, stays (a filesystem thawed between the
 * two looks shows HELD without FROZEN until the next report marks it).
 */
u32 fg_fs_flags(const struct fg_fs *fs, bool held)
{
	return (fs_frozen(fs) ? FREEZEGUARD_FS_FROZEN : 0) |
	       (held ? FREEZEGUARD_FS_HELD : 0) |
	       (fs->lost ? FREEZEGUARD_FS_LOST : 0) |
	       (fs->file ? fg_fs_holders(fs->sb) : 0);
}
