/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard filesystem freezes: the filesystems one freeze holds, frozen
 * and thawed as FIFREEZE/FITHAW would. What to do, and when, is the core's
 * decision (module/fsm.c: FSM_FREEZE_FS, fsm_frozen(), FSM_RELEASE); this
 * only carries it out.
 */
#ifndef FREEZEGUARD_FS_H
#define FREEZEGUARD_FS_H

#include <linux/types.h>
#include <uapi/linux/freezeguard.h>

struct file;
struct super_block;

/**
 * struct fg_fs - one filesystem of a freeze
 * @file: the caller's file on it: keeps its mount, and so its superblock,
 *	alive while the freeze may be held; NULL once released
 * @sb: its superblock
 * @dev: its device (st_dev), kept for reports after the release
 * @type: its type name, kept likewise
 * @lost: someone else thawed it while the session held it (0 or 1; a u8,
 *	not a bool: the proof keeps each C type's memory apart, and this is
 *	written where the session's bool @dead must be seen unchanged)
 * @held: the session holds its freeze: set under the session's lock when
 *	it froze, cleared when it is released (0 or 1)
 * @failed: its release failed to thaw it (0 or 1, and stays 1): from then
 *	on fs.c's retry owns @file and the claim, under its own lock, not
 *	the session's (no contract of session.c reads them)
 * @stuck: it is still frozen after that failure, and is thawed again every
 *	second until a thaw ends it (0 or 1; the retry clears it)
 * @guard_thawed: a guard's end thawed userspace's freeze of it (0 or 1)
 * @index: its place in the set's @fs
 */
struct fg_fs {
	struct file *file;
	struct super_block *sb;
	dev_t dev;
	char type[16];
	u8 lost;
	u8 held;
	u8 failed;
	u8 stuck;
	u8 guard_thawed;
	u8 index;
};

/**
 * struct fg_fs_set - the filesystems of one freeze, in freeze order
 * @nr: how many
 * @fs: them, in the caller's order, each once; @nr are used
 * @session: the session's name, for the retry's reports (set by a failed
 *	thaw)
 * @gen: the freeze, likewise
 * @orphan: freed by its session while a filesystem of it was stuck: the
 *	retry frees it when the last one thaws (under the retry's lock)
 * @guard: a guard's set (FREEZEGUARD_FLAG_GUARD): "frozen" and "held"
 *	mean claimed and guarded, not frozen; its release thaws userspace's
 *	freeze, and only if the freeze was not thawed in time
 * @guard_thaw: a guard's freeze ended otherwise than by a thaw in time:
 *	every release of it thaws, the late one too
 */
struct fg_fs_set {
	u32 nr;
	struct fg_fs fs[FREEZEGUARD_FS_MAX];
	char session[FREEZEGUARD_NAME_LEN];
	u64 gen;
	u8 orphan;
	u8 guard;
	u8 guard_thaw;
};

/* fs.c's fault knob (debugfs): fail this many thaws with -EIO */
extern u32 fg_fault_thaw_fail;

/*
 * The contracts below are what session.c's proof relies on; fs.c itself
 * is outside the proof (see README.md, "What is proved").
 */
/*@
  predicate fs_set_ok(struct fg_fs_set *fss) =
    fss == \null || \valid(fss);
*/
/*
 * The module-wide record of the superblocks sessions hold (fs.c), as the
 * proof sees it: state of fs.c's that freezing and releasing change.
 */
/*@ ghost int fg_fs_claims; */

struct fg_fs_set *fg_fs_collect(const s32 *fds, u32 nr, bool guard);

/* Freeze filesystem @i of @set (without the session's lock: it syncs). */
/*@ requires set != \null && fs_set_ok(set) && i < FREEZEGUARD_FS_MAX;
  @ assigns fg_fs_claims;
  @ ensures \result <= 0;
  @*/
int fg_fs_freeze_one(struct fg_fs_set *set, u32 i, const char *session, u64 gen);

/* The session holds filesystem @i's freeze now (under the session's lock). */
/*@ requires set != \null && fs_set_ok(set) && i < FREEZEGUARD_FS_MAX;
  @ assigns set->fs[i].held;
  @*/
void fg_fs_hold(struct fg_fs_set *set, u32 i);

/*
 * (It writes the entries' file, lost, held, failed and stuck, and the
 * set's session and gen: the frame names the set as a whole, one
 * location the proof separates from the session at once.)
 */
/*@ requires set != \null && fs_set_ok(set);
  @ assigns *set, fg_fs_claims;
  @*/
void fg_fs_thaw(struct fg_fs_set *set, const char *session, u64 gen,
		bool in_time);

/*@ requires set != \null && fs_set_ok(set);
  @ assigns set->fs[0 .. FREEZEGUARD_FS_MAX - 1].file, fg_fs_claims;
  @*/
void fg_fs_let_go(struct fg_fs_set *set);

/*
 * After any step of the session (@set may be NULL): if its freeze has
 * ended (@state not FSM_FREEZING) while a freeze call is still in it
 * (@holds FSM_HOLD_FREEZING or FSM_HOLD_LAST), let go of the filesystems
 * after the one being frozen (not a guard's: fg_fs_thaw() releases them);
 * else nothing.
 */
/*@ requires fs_set_ok(set);
  @ assigns set->fs[0 .. FREEZEGUARD_FS_MAX - 1].file, fg_fs_claims;
  @*/
void fg_fs_ended(struct fg_fs_set *set, unsigned int state, unsigned int holds);

/*
 * (and frees @set, or leaves it to the retry while a filesystem of it is
 * stuck: nothing may use it afterwards)
 */
/*@ requires fs_set_ok(set);
  @ assigns set->fs[0 .. FREEZEGUARD_FS_MAX - 1].file, set->orphan,
  @	    fg_fs_claims;
  @*/
void fg_fs_free(struct fg_fs_set *set);

/*@ requires fs_set_ok(set);
  @ assigns set->fs[0 .. FREEZEGUARD_FS_MAX - 1].lost;
  @*/
void fg_fs_mark_lost(struct fg_fs_set *set);

/*@ requires fs_set_ok(set) && set != \null && i < FREEZEGUARD_FS_MAX;
  @ assigns \nothing;
  @*/
u32 fg_fs_flags(const struct fg_fs_set *set, u32 i, bool freezing);

/* fs.c's retry of stuck ones: its queue at load; its last tries at unload. */
int fg_fs_init(void);
void fg_fs_exit(void);

/* The tracepoints freezeguard_fs_freeze and _thaw (trace.c): they only read. */
/*@ assigns \nothing; */
void fg_trace_fs_freeze(const char *session, u64 gen, const struct fg_fs *fs,
			int err);
/*@ assigns \nothing; */
void fg_trace_fs_thaw(const char *session, u64 gen, const struct fg_fs *fs,
		      int err);

#endif /* FREEZEGUARD_FS_H */
