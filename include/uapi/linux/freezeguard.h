/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * freezeguard: the ioctl ABI of /dev/freezeguard.
 *
 * Every argument is a fixed-size struct of fixed-size types with no implicit
 * padding. Fields named flags and reserved must be zero; a future version
 * gives them meaning only behind a new flag bit, and refuses bits it does
 * not know with EINVAL, so old binaries keep working and new binaries learn
 * what an old module does not support.
 *
 * A freeze is named by its generation, a 64-bit freeze id that FREEZE
 * returns. Ids come from one counter for the whole module, seeded at load
 * with the wall clock in ns (CLOCK_REALTIME), so an id names one freeze of
 * one session and is never handed out again: not by another session, not
 * by a session removed and re-created under the same name, not after the
 * module is reloaded (as long as the wall clock is not set back between two
 * loads by more than the time between them). THAW and ABORT name the
 * freeze they end; their answer is about that freeze only. Naming none
 * ("whatever is current") takes the explicit flag FREEZEGUARD_FLAG_CURRENT:
 * an administrator's override.
 *
 * Times are CLOCK_MONOTONIC: time the machine spends suspended does not
 * count towards a deadline.
 *
 * errno, for every ioctl:
 *   EINVAL     a field is invalid: flags or reserved not zero, a name that is
 *              empty, not NUL-terminated within FREEZEGUARD_NAME_LEN bytes or
 *              has a byte outside FREEZEGUARD_NAME_CHARS, a timeout above the
 *              module parameter max_timeout_ms, THAW/ABORT naming generation
 *              0 without FREEZEGUARD_FLAG_CURRENT (or a generation with it),
 *              FREEZE, RESET, CREATE or REMOVE with a generation,
 *              FREEZEGUARD_FLAG_GUARD without FREEZEGUARD_FLAG_FS
 *   EFAULT     the argument pointer (or a pointer inside it) is not readable
 *              or writable
 *   ENOTTY     unknown ioctl number
 *   EPERM      a state-changing ioctl without CAP_SYS_ADMIN (opening the
 *              device needs root by default: EACCES)
 *   ENOENT     no session of that name
 * and per ioctl:
 *   FREEZE     EBUSY the session is FREEZING or FROZEN, or the filesystems
 *              of its last freeze are still being frozen (a FAILED session
 *              freezes again: the failure stays visible in its counters and
 *              to the late thawer, as VSS clears a writer's failure at the
 *              next backup); ENOSPC max_sessions sessions exist already;
 *              EOVERFLOW the module's 64-bit freeze id counter is used up.
 *              With FREEZEGUARD_FLAG_FS, before anything changes: EBADF a
 *              bad fd; EPERM no CAP_SYS_ADMIN in a filesystem's user
 *              namespace; EOPNOTSUPP a filesystem that cannot freeze. Once
 *              the freeze was accepted (its id is spent, the session
 *              counts it): EBUSY (or another error of the filesystem) a
 *              filesystem could not freeze -- frozen already by someone
 *              else -- and those frozen before it were thawed again (or
 *              are STUCK, if a thaw failed: see FREEZEGUARD_FS_STUCK), the
 *              freeze ended as aborted (as timed out if its deadline had
 *              passed); ETIMEDOUT the deadline passed while FREEZING;
 *              ECANCELED it was aborted while FREEZING (in both cases the
 *              filesystems were thawed again as soon as they froze)
 *   THAW       about the freeze named by generation:
 *              ETIMEDOUT it timed out before this thaw: the snapshot taken
 *                        under it is not consistent (with
 *                        FREEZEGUARD_FLAG_CURRENT: the session is FAILED)
 *              EALREADY  it had already been thawed, by an earlier THAW
 *                        (with FREEZEGUARD_FLAG_CURRENT: the session is not
 *                        frozen)
 *              ECANCELED it had been aborted
 *              ESTALE    it is not known to this session: never a freeze of
 *                        it, or more than FREEZEGUARD_HISTORY freezes ago
 *                        (a session removed and re-created remembers
 *                        nothing of the old one)
 *              None of these ends anything: the session is unchanged.
 *              Success with a filesystem whose thaw failed: it is STUCK
 *              (FILESYSTEMS tells; freezectl exits 1 and names it).
 *   ABORT      as THAW
 *   THAW       also EBUSY: the freeze is FREEZING and its deadline has not
 *              passed (not all its filesystems are frozen yet: no
 *              snapshot to thaw in time)
 *   RESET      EBUSY the session is FREEZING or FROZEN
 *   CREATE     EEXIST the session exists; ENOSPC as FREEZE
 *   REMOVE     EBUSY the session is FREEZING or FROZEN, or holds filesystems
 *   WAIT       ETIME deadline_ns passed with no change;
 *              ENOENT also when the session is removed while waiting.
 *              A signal interrupts WAIT with EINTR only when a handler
 *              runs without SA_RESTART; otherwise (SIGSTOP/SIGCONT too) it
 *              restarts, with the same absolute deadline.
 */
#ifndef _UAPI_LINUX_FREEZEGUARD_H
#define _UAPI_LINUX_FREEZEGUARD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FREEZEGUARD_DEVICE	"/dev/freezeguard"
/* A session name: 1 to 63 bytes, NUL-terminated within this many bytes. */
#define FREEZEGUARD_NAME_LEN	64
/* The bytes a name may have: ASCII only, so that no tool needs escaping. */
#define FREEZEGUARD_NAME_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@+-"

/* How many ended freezes a session remembers, for the late thawer. */
#define FREEZEGUARD_HISTORY	8

/* THAW, ABORT: end whatever freeze is current (generation must be 0). */
#define FREEZEGUARD_FLAG_CURRENT	(1u << 0)
/* FREEZE: also freeze the filesystems of fds[0 .. nr_fds - 1]. */
#define FREEZEGUARD_FLAG_FS		(1u << 1)
/*
 * FREEZE: the freeze is owned by this open file of /dev/freezeguard: when
 * its last reference is closed (the owner exited or crashed), the freeze
 * is aborted and its filesystems thawed at once, not at the deadline.
 * Open the device with O_CLOEXEC so that no child keeps the file open.
 */
#define FREEZEGUARD_FLAG_OWNED		(1u << 2)
/*
 * FREEZE with FREEZEGUARD_FLAG_FS: a guard. The filesystems are not
 * frozen; the freeze bounds someone else's userspace freeze of them
 * (FIFREEZE: fsfreeze, xfs_freeze, qemu-guest-agent), made before or
 * after the guard starts. If the freeze ends in any way but a THAW in
 * time (the deadline, ABORT, its owner gone, the module unloaded), each
 * filesystem still frozen by userspace is thawed once, as one FITHAW
 * would thaw it (FREEZEGUARD_FS_GUARD_THAWED); a THAW in time thaws
 * nothing. Guarded filesystems are claimed as a session's freeze claims
 * them: no other freeze or guard may take them (EBUSY).
 */
#define FREEZEGUARD_FLAG_GUARD		(1u << 3)

/* Most filesystems one freeze holds. */
#define FREEZEGUARD_FS_MAX	16

/* Most entries one LIST returns. */
#define FREEZEGUARD_LIST_MAX	1024

/* Session states; the values are those of VSS_WRITER_STATE. */
#define FREEZEGUARD_STATE_STABLE	1	/* VSS_WS_STABLE */
#define FREEZEGUARD_STATE_FREEZING	2	/* VSS_WS_WAITING_FOR_FREEZE */
#define FREEZEGUARD_STATE_FROZEN	3	/* VSS_WS_WAITING_FOR_THAW */
#define FREEZEGUARD_STATE_FAILED	9	/* VSS_WS_FAILED_AT_FREEZE */

/* How the last freeze ended. */
#define FREEZEGUARD_ERROR_NONE		0	/* S_OK */
#define FREEZEGUARD_ERROR_TIMEOUT	1	/* VSS_E_WRITERERROR_TIMEOUT */
#define FREEZEGUARD_ERROR_ABORTED	2	/* aborted by the requester */

#define FREEZEGUARD_HRESULT_TIMEOUT	0x800423F2u

/**
 * struct freezeguard_req - argument of FREEZE, THAW, ABORT, RESET, CREATE,
 *	REMOVE
 * @name: session name, NUL-terminated
 * @generation: FREEZE: out, the freeze id of the new freeze.
 *	THAW, ABORT: in, the freeze to end (0 only with
 *	FREEZEGUARD_FLAG_CURRENT); out, the session's current or last
 *	generation. Others: in, must be 0; out, as THAW.
 * @timeout_ms: FREEZE: ms until the freeze times out, counted from the
 *	request (a filesystem freeze's sync counts); 0 means the module
 *	parameter default_timeout_ms (fs_default_timeout_ms with
 *	FREEZEGUARD_FLAG_FS). Must be 0 for the others.
 * @flags: FREEZE: FREEZEGUARD_FLAG_FS, FREEZEGUARD_FLAG_OWNED,
 *	FREEZEGUARD_FLAG_GUARD (only with FREEZEGUARD_FLAG_FS);
 *	THAW, ABORT: 0 or FREEZEGUARD_FLAG_CURRENT; others: must be 0
 * @fds: FREEZE with FREEZEGUARD_FLAG_FS: user pointer to @nr_fds __s32
 *	file descriptors, each open on any file or directory of a filesystem
 *	to freeze (one filesystem named twice is frozen once); otherwise 0
 * @nr_fds: 1 to FREEZEGUARD_FS_MAX with FREEZEGUARD_FLAG_FS; otherwise 0
 * @reserved0: must be 0
 * @reserved: must be 0
 */
struct freezeguard_req {
	char name[FREEZEGUARD_NAME_LEN];
	__u64 generation;
	__u32 timeout_ms;
	__u32 flags;
	__u64 fds;
	__u32 nr_fds;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct freezeguard_status - one session as STATUS and LIST report it
 * @name: in (STATUS): session name; out: the name
 * @flags: in (STATUS): must be 0; out: 0
 * @state: FREEZEGUARD_STATE_*, the VSS writer state number
 * @last_error: FREEZEGUARD_ERROR_*: how the last freeze ended
 * @hresult: @last_error as a VSS HRESULT (0 or 0x800423F2; 0 for aborted)
 * @generation: freeze id of the current or last freeze; 0 before the first
 * @timeout_ms: timeout of the current or last freeze
 * @reserved0: in (STATUS): must be 0; out: 0
 * @frozen_ns: FROZEN: how long it has been frozen; otherwise 0
 * @time_left_ns: FREEZING, FROZEN: time until the deadline (0 once it has
 *	passed); otherwise 0
 * @thaws: generations ended by a thaw in time
 * @timeouts: generations ended by their deadline
 * @aborts: generations ended by abort (or by unloading the module)
 * @freezes: freezes accepted by this session
 * @nr_fs: in (STATUS): must be 0; out: filesystems of the current or last
 *	freeze
 * @fs_flags: in (STATUS): must be 0; out: FREEZEGUARD_FS_* of those
 *	filesystems, or-ed together
 * @reserved: in (STATUS): must be 0; out: 0
 *
 * Every freeze so far is counted once in @thaws, @timeouts or @aborts,
 * except the one that is FREEZING or FROZEN: @freezes is their sum, plus
 * one while FREEZING or FROZEN.
 */
struct freezeguard_status {
	char name[FREEZEGUARD_NAME_LEN];
	__u32 flags;
	__u32 state;
	__u32 last_error;
	__u32 hresult;
	__u64 generation;
	__u32 timeout_ms;
	__u32 reserved0;
	__u64 frozen_ns;
	__u64 time_left_ns;
	__u64 thaws;
	__u64 timeouts;
	__u64 aborts;
	__u64 freezes;
	__u32 nr_fs;
	__u32 fs_flags;
	__u64 reserved[2];
};

/*
 * One filesystem of a session, as FILESYSTEMS reports it (and STATUS, or-ed
 * over the filesystems of the freeze). Later versions may add flags:
 * ignore the bits you do not know.
 */
#define FREEZEGUARD_FS_HELD	(1u << 0)	/* the session holds a freeze of it */
#define FREEZEGUARD_FS_FROZEN	(1u << 1)	/* it is frozen now, by anyone */
#define FREEZEGUARD_FS_LOST	(1u << 2)	/* thawed by someone else while held */
/*
 * Who holds a freeze of it now, where the kernel counts freeze holders
 * (Linux 6.8+: FREEZEGUARD_FS_HOLDERS is set, and the two after it say
 * who): the kernel holder (a session's freeze; also the kernel's own,
 * e.g. XFS online scrub) and the userspace holder (FIFREEZE, fsfreeze,
 * qemu-guest-agent; device-mapper's suspend). Without
 * FREEZEGUARD_FS_HOLDERS the kernel cannot tell, or the freeze no longer
 * keeps the filesystem: all three are 0.
 */
#define FREEZEGUARD_FS_HOLDERS		(1u << 3)
#define FREEZEGUARD_FS_BY_KERNEL	(1u << 4)
#define FREEZEGUARD_FS_BY_USERSPACE	(1u << 5)
/*
 * The session is freezing it now: its sync is running (if it never
 * returns, the deadline still releases those frozen before it and lets
 * go of those after it; this one is released when its sync returns).
 */
#define FREEZEGUARD_FS_FREEZING		(1u << 6)
/*
 * Its thaw at the end of the freeze failed (the filesystem refused it):
 * it stays frozen, nothing else may freeze it through freezeguard, and
 * the module thaws it again every second until a thaw ends it (or finds
 * it thawed by someone else). Not HELD: the freeze is over.
 */
#define FREEZEGUARD_FS_STUCK		(1u << 7)
/* A guard (FREEZEGUARD_FLAG_GUARD) bounds the userspace freeze of it. */
#define FREEZEGUARD_FS_GUARDED		(1u << 8)
/*
 * The guard's end found it frozen by userspace and thawed it (the freeze
 * was not thawed in time); it stays set once the guard is over.
 */
#define FREEZEGUARD_FS_GUARD_THAWED	(1u << 9)

/**
 * struct freezeguard_fs - one filesystem of a freeze
 * @dev_major: major number of the filesystem's device (st_dev)
 * @dev_minor: minor number of the filesystem's device (st_dev)
 * @flags: FREEZEGUARD_FS_*
 * @reserved0: 0
 * @type: filesystem type name ("ext4"), NUL-terminated
 * @reserved: 0
 */
struct freezeguard_fs {
	__u32 dev_major;
	__u32 dev_minor;
	__u32 flags;
	__u32 reserved0;
	char type[16];
	__u64 reserved[2];
};

/**
 * struct freezeguard_filesystems - argument of FILESYSTEMS: the
 *	filesystems of a session's current or last freeze
 * @name: in: session name
 * @generation: out: the freeze they belong to
 * @count: out: entries of @fs filled, 0 to FREEZEGUARD_FS_MAX
 * @flags: in: must be 0; out: 0
 * @reserved: in: must be 0; out: 0
 * @fs: out: the filesystems, in the order they were frozen; the rest zeroed
 */
struct freezeguard_filesystems {
	char name[FREEZEGUARD_NAME_LEN];
	__u64 generation;
	__u32 count;
	__u32 flags;
	__u64 reserved[2];
	struct freezeguard_fs fs[FREEZEGUARD_FS_MAX];
};

/**
 * struct freezeguard_list - argument of LIST: sessions in creation order
 *	(ids are allocated cyclically from 1 to 2^32-1, so the order holds
 *	until 2^32 sessions have been created)
 * @entries: in: user pointer to an array of @capacity struct
 *	freezeguard_status
 * @capacity: in: size of that array, 1 to FREEZEGUARD_LIST_MAX
 * @count: out: entries filled
 * @cursor: in: 0 to start, or the @cursor a previous LIST returned;
 *	out: where to continue, or 0 when there are no more sessions
 * @flags: must be 0
 * @reserved0: must be 0
 * @reserved: must be 0
 *
 * LIST also marks the file as up to date for poll(): poll() reports
 * EPOLLIN when a session has been created, removed, or has changed state
 * since this file's last LIST.
 */
struct freezeguard_list {
	__u64 entries;
	__u32 capacity;
	__u32 count;
	__u64 cursor;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct freezeguard_wait - argument of WAIT: sleep until a session changes
 * @name: session name
 * @state: in: the state last seen; out: the state now
 * @flags: must be 0
 * @generation: in: the generation last seen; out: the generation now
 * @deadline_ns: in: give up (ETIME) when CLOCK_MONOTONIC reaches this
 *	absolute time, in ns (clock_gettime(CLOCK_MONOTONIC)); 0 waits
 *	without limit. Absolute, so that a restarted WAIT keeps its deadline.
 * @reserved: must be 0
 *
 * Returns at once if (@state, @generation) already differ from the session;
 * the pair returned is read under the session's lock, never torn.
 */
struct freezeguard_wait {
	char name[FREEZEGUARD_NAME_LEN];
	__u32 state;
	__u32 flags;
	__u64 generation;
	__u64 deadline_ns;
	__u64 reserved[2];
};

/* Unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst (6.1). */
#define FREEZEGUARD_IOC_MAGIC	0xF7

#define FREEZEGUARD_IOC_FREEZE	_IOWR(FREEZEGUARD_IOC_MAGIC, 1, struct freezeguard_req)
#define FREEZEGUARD_IOC_THAW	_IOWR(FREEZEGUARD_IOC_MAGIC, 2, struct freezeguard_req)
#define FREEZEGUARD_IOC_ABORT	_IOWR(FREEZEGUARD_IOC_MAGIC, 3, struct freezeguard_req)
#define FREEZEGUARD_IOC_RESET	_IOWR(FREEZEGUARD_IOC_MAGIC, 4, struct freezeguard_req)
#define FREEZEGUARD_IOC_CREATE	_IOWR(FREEZEGUARD_IOC_MAGIC, 5, struct freezeguard_req)
#define FREEZEGUARD_IOC_REMOVE	_IOWR(FREEZEGUARD_IOC_MAGIC, 6, struct freezeguard_req)
#define FREEZEGUARD_IOC_STATUS	_IOWR(FREEZEGUARD_IOC_MAGIC, 7, struct freezeguard_status)
#define FREEZEGUARD_IOC_LIST	_IOWR(FREEZEGUARD_IOC_MAGIC, 8, struct freezeguard_list)
#define FREEZEGUARD_IOC_WAIT	_IOWR(FREEZEGUARD_IOC_MAGIC, 9, struct freezeguard_wait)
#define FREEZEGUARD_IOC_FILESYSTEMS \
	_IOWR(FREEZEGUARD_IOC_MAGIC, 10, struct freezeguard_filesystems)

#endif /* _UAPI_LINUX_FREEZEGUARD_H */
