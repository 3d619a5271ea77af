/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel, as the proof of the glue (module/session.c) sees it: the
 * types and functions it uses, each with an ACSL contract that says what
 * the kernel promises and nothing more. spec/prove.sh puts include/ here
 * ahead of everything, so the glue's own #include <linux/...> lines find
 * these instead of the kernel's headers, which Frama-C cannot parse; the
 * file proved is the file compiled.
 *
 * Ghost state stands for what the kernel keeps out of sight:
 *   fg_now           the monotonic clock, as last read by anyone;
 *   struct mutex     .held: the calling thread holds it;
 *   struct hrtimer   .armed, .expires: armed, and for when;
 *   struct work_struct .queued: queued and not yet started.
 */
#ifndef FG_KERNEL_MODEL_H
#define FG_KERNEL_MODEL_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed int s32;
typedef signed long long s64;
typedef u8 __u8;
typedef u16 __u16;
typedef u32 __u32;
typedef u64 __u64;
typedef s32 __s32;
typedef s64 __s64;
typedef _Bool bool;
typedef u32 dev_t;
typedef unsigned long size_t;
typedef s64 ktime_t;

#define true 1
#define false 0
#define NULL ((void *)0)
#define U32_MAX 4294967295U
#define U64_MAX 18446744073709551615ULL
#define NSEC_PER_MSEC 1000000ULL
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define __user
#define fallthrough do { } while (0)
#define __init
#define __exit

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define ETIME 62
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define EALREADY 114
#define ESTALE 116
#define ETIMEDOUT 110
#define ECANCELED 125
#define ENOTTY 25
#define ENOMEM 12

#define _IOC(dir, type, nr, size) \
	(((dir) << 30) | ((size) << 16) | ((type) << 8) | (nr))
#define _IOWR(type, nr, T) _IOC(3U, (type), (nr), sizeof(T))
#define _IOR(type, nr, T) _IOC(2U, (type), (nr), sizeof(T))
#define _IOW(type, nr, T) _IOC(1U, (type), (nr), sizeof(T))

/* Plain accesses: the proof is of one thread; the others are the lock model's. */
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, v) ((x) = (v))

/* The kernel log: no effect on anything the proof reads. */
#define pr_info(...) ((void)0)
#define pr_warn(...) ((void)0)
#define pr_warn_ratelimited(...) ((void)0)

struct hlist_node { struct hlist_node *next, **pprev; };
struct rcu_head { struct rcu_head *next; void *func; };
struct kref { int refcount; };
typedef struct { int lock; } wait_queue_head_t;
#define DECLARE_WAIT_QUEUE_HEAD(name) wait_queue_head_t name

/* wake_up_all(): wakes sleepers; touches nothing the proof reads. */
/*@ assigns \nothing; */
void wake_up_all(wait_queue_head_t *wq);

/* ---- linux/mutex.h, lockdep ---------------------------------------------- */

struct mutex { int held; };

/*
 * The link between a mutex and the state it guards, for the module's lock
 * model (module/session.h): the core state whose lock this thread holds,
 * set and cleared only by that model, right after mutex_lock() and right
 * before mutex_unlock(). So neither may be called while it is set: a raw
 * unlock, or a lock taken without the model, is a failed goal.
 */
struct fsm_session;
/*@ ghost struct fsm_session *fg_locked; */

/*
 * mutex_lock(): sleeps until no other thread holds @m, then this one does.
 * A mutex is not recursive: taking it twice deadlocks.
 */
/*@ requires \valid(m) && m->held == 0 && fg_locked == \null;
  @ assigns m->held;
  @ ensures m->held == 1;
  @*/
void mutex_lock(struct mutex *m);

/* mutex_unlock(): only the holder may release it. */
/*@ requires \valid(m) && m->held == 1 && fg_locked == \null;
  @ assigns m->held;
  @ ensures m->held == 0;
  @*/
void mutex_unlock(struct mutex *m);

/* lockdep_assert_held(): lockdep warns unless this thread holds @m. */
/*@ requires \valid_read(m) && m->held == 1;
  @ assigns \nothing;
  @*/
void lockdep_assert_held(struct mutex *m);

/* ---- linux/timekeeping.h ------------------------------------------------- */

/*@ ghost u64 fg_now; */

/*
 * ktime_get_ns(): CLOCK_MONOTONIC, in ns: never behind any earlier
 * reading, on any CPU (timekeeping's promise).
 */
/*@ assigns fg_now;
  @ ensures fg_now >= \old(fg_now) && \result == fg_now;
  @*/
u64 ktime_get_ns(void);

#define ns_to_ktime(ns) ((ktime_t)(ns))

/* ---- linux/delay.h -------------------------------------------------------- */

/* fsleep(): sleeps; only the clock moves meanwhile (nothing the proof reads). */
/*@ assigns \nothing; */
void fsleep(unsigned long usecs);

/* ---- linux/atomic.h ------------------------------------------------------- */

typedef struct { s64 counter; } atomic64_t;
#define ATOMIC64_INIT(i) { (i) }

/* atomic64_inc(), _set(): one atomic write of ->counter. */
/*@ requires \valid(v); assigns v->counter; */
void atomic64_inc(atomic64_t *v);
/*@ requires \valid(v); assigns v->counter; ensures v->counter == i; */
void atomic64_set(atomic64_t *v, s64 i);

/*
 * atomic64_fetch_add_unless(): atomically, unless ->counter is @u, adds
 * @a; returns the value it found. Other CPUs may add meanwhile, so the
 * value found is only known to be a value the counter had.
 */
/*@ requires \valid(v);
  @ assigns v->counter;
  @*/
s64 atomic64_fetch_add_unless(atomic64_t *v, s64 a, s64 u);

/* atomic64_read(): one atomic read of ->counter, untorn on 32-bit too. */
/*@ requires \valid_read(v);
  @ assigns \nothing;
  @ ensures \result == v->counter;
  @*/
s64 atomic64_read(const atomic64_t *v);

typedef struct { int counter; } atomic_t;

/*@ requires \valid(v); assigns v->counter; ensures v->counter == i; */
void atomic_set(atomic_t *v, int i);

/*@ requires \valid_read(v);
  @ assigns \nothing;
  @ ensures \result == v->counter;
  @*/
int atomic_read(const atomic_t *v);

/* div_u64(): @dividend / @divisor, on 32-bit too. */
/*@ requires divisor != 0;
  @ assigns \nothing;
  @ ensures \result == dividend / divisor;
  @*/
u64 div_u64(u64 dividend, u32 divisor);

/* ---- linux/hrtimer.h ------------------------------------------------------ */

struct hrtimer { int armed; ktime_t expires; };
enum hrtimer_mode { HRTIMER_MODE_ABS };
enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };

/* hrtimer_start(): (re)arms @t to fire at @tim; an armed timer is moved. */
/*@ requires \valid(t);
  @ assigns t->armed, t->expires;
  @ ensures t->armed == 1 && t->expires == tim;
  @*/
void hrtimer_start(struct hrtimer *t, ktime_t tim, enum hrtimer_mode mode);

/*
 * hrtimer_try_to_cancel(): disarms @t unless its callback is running
 * (returns -1 then, and the callback runs on).
 */
/*@ requires \valid(t);
  @ assigns t->armed;
  @ ensures \result >= 0 ==> t->armed == 0;
  @ ensures -1 <= \result <= 1;
  @*/
int hrtimer_try_to_cancel(struct hrtimer *t);

/* ---- linux/workqueue.h ---------------------------------------------------- */

struct work_struct { int queued; };
struct workqueue_struct;

/* queue_work(): queues @work unless it is queued already; never sleeps. */
/*@ requires \valid(work);
  @ assigns work->queued;
  @ ensures work->queued == 1;
  @*/
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);

/* cancel_work(): takes @work off the queue unless it has started. */
/*@ requires \valid(work);
  @ assigns work->queued;
  @ ensures work->queued == 0;
  @*/
bool cancel_work(struct work_struct *work);

/* ---- linux/string.h, linux/kdev_t.h --------------------------------------- */

/*
 * strscpy_pad(): copies the string @src into @dst of @count bytes,
 * truncated and always NUL-terminated, and zeroes the rest of @dst: every
 * byte of @dst is written, none past it.
 */
/*@ requires \valid(dst + (0 .. count - 1)) && count >= 1;
  @ assigns dst[0 .. count - 1];
  @ ensures \initialized(dst + (0 .. count - 1));
  @*/
long strscpy_pad(char *dst, const char *src, size_t count);

#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int)((dev) & MINORMASK))

#endif /* FG_KERNEL_MODEL_H */
