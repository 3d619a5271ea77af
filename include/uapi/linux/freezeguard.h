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
 * errno, for every ioctl:
 *   EINVAL     a field is invalid: flags or reserved not zero, a name that is
 *              empty, not NUL-terminated within FREEZEGUARD_NAME_LEN bytes or
 *              has a character outside [A-Za-z0-9._:@+-], a timeout above the
 *              module parameter max_timeout_ms
 *   EFAULT     the argument pointer (or a pointer inside it) is not readable
 *              or writable
 *   ENOTTY     unknown ioctl number
 *   EPERM      a state-changing ioctl without CAP_SYS_ADMIN (opening the
 *              device needs root by default: EACCES)
 *   ENOENT     no session of that name
 *   EINTR      interrupted by a signal (WAIT)
 * and per ioctl:
 *   FREEZE     EBUSY the session is FROZEN, or FAILED (RESET it first);
 *              ENOSPC max_sessions sessions exist already;
 *              EOVERFLOW the session's 64-bit generation counter is used up
 *   THAW       ETIMEDOUT the freeze had already timed out: the snapshot taken
 *              under it is not consistent; the session shows FAILED / TIMEOUT
 *              ESTALE generation is not 0 and not the session's current one
 *              EALREADY the session is not frozen (already thawed or aborted)
 *   ABORT      as THAW
 *   RESET      EBUSY the session is frozen
 *   CREATE     EEXIST the session exists; ENOSPC as FREEZE
 *   REMOVE     EBUSY the session is frozen
 *   WAIT       ETIME timeout_ms passed with no change;
 *              ENOENT also when the session is removed while waiting
 */
#ifndef _UAPI_LINUX_FREEZEGUARD_H
#define _UAPI_LINUX_FREEZEGUARD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define FREEZEGUARD_DEVICE	"/dev/freezeguard"
/* A session name: 1 to 63 bytes, NUL-terminated within this many bytes. */
#define FREEZEGUARD_NAME_LEN	64

/* Most entries one LIST returns. */
#define FREEZEGUARD_LIST_MAX	1024

/* Session states; the values are those of VSS_WRITER_STATE. */
#define FREEZEGUARD_STATE_STABLE	1	/* VSS_WS_STABLE */
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
 * @generation: FREEZE: out, the generation of the new freeze.
 *	THAW, ABORT: in, the generation to end, or 0 for the current one;
 *	out, the generation the call acted on. Others: out, as THAW.
 * @timeout_ms: FREEZE: ms until the freeze times out; 0 means the module
 *	parameter default_timeout_ms. Must be 0 for the others.
 * @flags: must be 0
 * @reserved: must be 0
 */
struct freezeguard_req {
	char name[FREEZEGUARD_NAME_LEN];
	__u64 generation;
	__u32 timeout_ms;
	__u32 flags;
	__u64 reserved[4];
};

/**
 * struct freezeguard_status - one session as STATUS and LIST report it
 * @name: in (STATUS): session name; out: the name
 * @flags: in (STATUS): must be 0; out: 0
 * @state: FREEZEGUARD_STATE_*, the VSS writer state number
 * @last_error: FREEZEGUARD_ERROR_*: how the last freeze ended
 * @hresult: @last_error as a VSS HRESULT (0 or 0x800423F2; 0 for aborted)
 * @generation: current or last generation; 0 before the first freeze
 * @timeout_ms: timeout of the current or last freeze
 * @reserved0: 0
 * @frozen_ns: FROZEN: how long it has been frozen; otherwise 0
 * @time_left_ns: FROZEN: time until the deadline (0 once it has passed);
 *	otherwise 0
 * @thaws: generations ended by a thaw in time
 * @timeouts: generations ended by their deadline
 * @aborts: generations ended by abort (or by unloading the module)
 * @reserved: 0
 *
 * Every generation so far is counted once in @thaws, @timeouts or
 * @aborts, except the one that is FROZEN: @generation is their sum, plus
 * one while FROZEN.
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
	__u64 reserved[4];
};

/**
 * struct freezeguard_list - argument of LIST: sessions in creation order
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
 * EPOLLIN when a session has changed state since this file's last LIST.
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
 * @timeout_ms: in: give up after this long (ETIME); 0 waits without limit
 * @reserved0: must be 0
 * @reserved: must be 0
 *
 * Returns at once if (@state, @generation) already differ from the session.
 */
struct freezeguard_wait {
	char name[FREEZEGUARD_NAME_LEN];
	__u32 state;
	__u32 flags;
	__u64 generation;
	__u32 timeout_ms;
	__u32 reserved0;
	__u64 reserved[2];
};

#define FREEZEGUARD_IOC_MAGIC	0xF6

#define FREEZEGUARD_IOC_FREEZE	_IOWR(FREEZEGUARD_IOC_MAGIC, 1, struct freezeguard_req)
#define FREEZEGUARD_IOC_THAW	_IOWR(FREEZEGUARD_IOC_MAGIC, 2, struct freezeguard_req)
#define FREEZEGUARD_IOC_ABORT	_IOWR(FREEZEGUARD_IOC_MAGIC, 3, struct freezeguard_req)
#define FREEZEGUARD_IOC_RESET	_IOWR(FREEZEGUARD_IOC_MAGIC, 4, struct freezeguard_req)
#define FREEZEGUARD_IOC_CREATE	_IOWR(FREEZEGUARD_IOC_MAGIC, 5, struct freezeguard_req)
#define FREEZEGUARD_IOC_REMOVE	_IOWR(FREEZEGUARD_IOC_MAGIC, 6, struct freezeguard_req)
#define FREEZEGUARD_IOC_STATUS	_IOWR(FREEZEGUARD_IOC_MAGIC, 7, struct freezeguard_status)
#define FREEZEGUARD_IOC_LIST	_IOWR(FREEZEGUARD_IOC_MAGIC, 8, struct freezeguard_list)
#define FREEZEGUARD_IOC_WAIT	_IOWR(FREEZEGUARD_IOC_MAGIC, 9, struct freezeguard_wait)

#endif /* _UAPI_LINUX_FREEZEGUARD_H */
