// SPDX-License-Identifier: GPL-2.0
/*
 * In-VM tests of /dev/freezeguard that need C rather than freezectl:
 *   fgtest abi                 bad input, each refusal with its errno
 *   fgtest wait                WAIT and poll() wake-ups, WAIT's restart
 *   fgtest freeze-remove       FREEZE racing REMOVE of the same name
 *   fgtest list-stall          LIST stalled on a page fault blocks no one
 *   fgtest race [options]      the thaw-before-worker race, from 2 CPUs
 *   fgtest ignore-sigchld PROG [ARGS]  exec PROG with SIGCHLD ignored, as
 *                              some service managers and shells leave it
 * Prints TAP lines prefixed "FGTAP " (the console also carries the
 * kernel's messages); exits 1 if any test failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/freezeguard.h>
#include "../common/fgdev.h"

static int failed;

static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("FGTAP %s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failed = 1;
}

static const char *errname(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case EBUSY: return "EBUSY";
	case ENOSPC: return "ENOSPC";
	case EEXIST: return "EEXIST";
	case EALREADY: return "EALREADY";
	case ESTALE: return "ESTALE";
	case ETIMEDOUT: return "ETIMEDOUT";
	case ETIME: return "ETIME";
	case EOVERFLOW: return "EOVERFLOW";
	case ECANCELED: return "ECANCELED";
	case EINTR: return "EINTR";
	}
	return "E?";
}

#define EXPECT_ERRNO(call, want, what) do {				\
	int got_ = (call);						\
	tap(got_ == (want), "%s: errno %s%s%s", what,			\
	    (want) ? errname(want) : "0",			\
	    got_ == (want) ? "" : ", got ",				\
	    got_ == (want) ? "" : (got_ ? errname(got_) : "0")); \
} while (0)

/* ---- abi ------------------------------------------------------------- */

static void abi_pointers(int fd)
{
	void *kernel_ptr = (void *)0xffffffff81000000UL;
	static const struct { unsigned long cmd; const char *name; } cmds[] = {
		{ FREEZEGUARD_IOC_FREEZE, "FREEZE" }, { FREEZEGUARD_IOC_THAW, "THAW" },
		{ FREEZEGUARD_IOC_STATUS, "STATUS" }, { FREEZEGUARD_IOC_LIST, "LIST" },
		{ FREEZEGUARD_IOC_WAIT, "WAIT" }, { FREEZEGUARD_IOC_REMOVE, "REMOVE" },
	};
	unsigned int i;
	char what[64];

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		snprintf(what, sizeof(what), "%s with a NULL pointer", cmds[i].name);
		EXPECT_ERRNO(io(fd, cmds[i].cmd, NULL), EFAULT, what);
		snprintf(what, sizeof(what), "%s with a kernel pointer", cmds[i].name);
		EXPECT_ERRNO(io(fd, cmds[i].cmd, kernel_ptr), EFAULT, what);
	}
	EXPECT_ERRNO(io(fd, _IOWR(FREEZEGUARD_IOC_MAGIC, 99, struct freezeguard_req), NULL),
		     ENOTTY, "unknown ioctl number");
	EXPECT_ERRNO(io(fd, _IOWR('x', 1, struct freezeguard_req), NULL), ENOTTY,
		     "foreign ioctl magic");
	EXPECT_ERRNO(io(fd, _IOWR(0xF6, 1, struct freezeguard_req), NULL), ENOTTY,
		     "the old magic 0xF6 (LTTng's) is not ours");
	EXPECT_ERRNO(io(fd, _IOWR(FREEZEGUARD_IOC_MAGIC, 1, uint64_t), NULL), ENOTTY,
		     "FREEZE number with the wrong size");
}

static void abi_fields(int fd)
{
	struct freezeguard_req r;
	struct freezeguard_status st;
	struct freezeguard_list l;
	struct freezeguard_wait w;
	unsigned int i;
	char what[64];

	r = req_of("abi");
	r.flags = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_FREEZE, &r), EINVAL, "FREEZE with flags set");
	for (i = 0; i < 2; i++) {
		r = req_of("abi");
		r.reserved[i] = 1;
		snprintf(what, sizeof(what), "FREEZE with reserved[%u] set", i);
		EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_FREEZE, &r), EINVAL, what);
	}
	r = req_of("abi");
	r.reserved0 = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_FREEZE, &r), EINVAL, "FREEZE with reserved0 set");
	r = req_of("abi");
	r.timeout_ms = 5;
	r.generation = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_THAW, &r), EINVAL, "THAW with a timeout");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_THAW, "abi", 0, 0, NULL), EINVAL,
		     "THAW naming no freeze without FREEZEGUARD_FLAG_CURRENT");
	EXPECT_ERRNO(req_flags(fd, FREEZEGUARD_IOC_THAW, "abi", 0, 5,
			       FREEZEGUARD_FLAG_CURRENT, NULL), EINVAL,
		     "THAW naming a freeze and FREEZEGUARD_FLAG_CURRENT");
	EXPECT_ERRNO(req_flags(fd, FREEZEGUARD_IOC_ABORT, "abi", 0, 0, 2, NULL), EINVAL,
		     "ABORT with an unknown flag");
	EXPECT_ERRNO(req_flags(fd, FREEZEGUARD_IOC_FREEZE, "abi", 1000, 0,
			       FREEZEGUARD_FLAG_CURRENT, NULL), EINVAL,
		     "FREEZE with FREEZEGUARD_FLAG_CURRENT");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "abi", 1000, 7, NULL), EINVAL,
		     "FREEZE with a generation set");

	memset(&st, 0, sizeof(st));
	strcpy(st.name, "abi");
	st.reserved[1] = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_STATUS, &st), EINVAL, "STATUS with reserved set");
	st.reserved[1] = 0;
	st.nr_fs = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_STATUS, &st), EINVAL, "STATUS with nr_fs set");
	st.nr_fs = 0;
	st.fs_flags = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_STATUS, &st), EINVAL, "STATUS with fs_flags set");
	st.fs_flags = 0;
	st.reserved0 = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_STATUS, &st), EINVAL, "STATUS with reserved0 set");
	st.reserved0 = 0;
	st.flags = 2;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_STATUS, &st), EINVAL, "STATUS with flags set");

	memset(&l, 0, sizeof(l));
	l.entries = (uintptr_t)&st;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_LIST, &l), EINVAL, "LIST with capacity 0");
	l.capacity = FREEZEGUARD_LIST_MAX + 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_LIST, &l), EINVAL, "LIST with capacity above FREEZEGUARD_LIST_MAX");
	l.capacity = 1;
	l.reserved0 = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_LIST, &l), EINVAL, "LIST with reserved0 set");
	l.reserved0 = 0;
	l.cursor = 1ULL << 40;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_LIST, &l), EINVAL, "LIST with a cursor above 2^32");

	memset(&w, 0, sizeof(w));
	strcpy(w.name, "abi");
	w.reserved[1] = 7;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_WAIT, &w), EINVAL, "WAIT with reserved set");
}

static void abi_names_and_timeouts(int fd)
{
	struct freezeguard_req r;
	char name63[64];
	uint64_t gen;
	struct freezeguard_status st;

	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "", 1000, 0, NULL), EINVAL, "empty name");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "a/b", 1000, 0, NULL), EINVAL, "name with '/'");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "a b", 1000, 0, NULL), EINVAL, "name with a space");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "caf\xe9", 1000, 0, NULL), EINVAL,
		     "name with a Latin-1 byte (0xE9)");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "\xc0\xc9", 1000, 0, NULL), EINVAL,
		     "name of Latin-1 capitals (0xC0 0xC9)");
	r = req_of("x");
	memset(r.name, 'n', sizeof(r.name));	/* 64 bytes, no NUL */
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_FREEZE, &r), EINVAL, "name not NUL-terminated");
	memset(name63, 'n', 63);
	name63[63] = 0;
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_CREATE, name63, 0, 0, NULL), 0, "63-byte name accepted");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_REMOVE, name63, 0, 0, NULL), 0, "63-byte name removed");

	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "abi", 3600001, 0, NULL), EINVAL,
		     "timeout above max_timeout_ms");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "abi", UINT32_MAX, 0, NULL), EINVAL,
		     "timeout 2^32-1 ms");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "abi", 0, 0, &gen), 0,
		     "timeout 0 means the default");
	status(fd, "abi", &st);
	tap(st.timeout_ms == 60000 && st.state == FREEZEGUARD_STATE_FROZEN &&
	    st.time_left_ns > 0 && st.time_left_ns <= 60000000000ULL &&
	    gen == st.generation && gen > 0 && st.freezes == 1,
	    "default timeout is 60000 ms (got %u, state %u, generation %llu, %llu freezes)",
	    st.timeout_ms, st.state, (unsigned long long)gen,
	    (unsigned long long)st.freezes);
	tap(st.reserved0 == 0 && !st.reserved[0] && !st.reserved[1] && st.nr_fs == 0 &&
	    st.fs_flags == 0 && st.flags == 0,
	    "STATUS returns reserved fields zeroed, and no filesystems");
}

static void abi_refusals(int fd)
{
	struct freezeguard_status st;
	uint64_t gen, out;

	/* "abi" is frozen from abi_names_and_timeouts() */
	status(fd, "abi", &st);
	gen = st.generation;
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "abi", 1000, 0, NULL), EBUSY, "freeze while frozen");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_RESET, "abi", 0, 0, NULL), EBUSY, "reset while frozen");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_REMOVE, "abi", 0, 0, NULL), EBUSY, "remove while frozen");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_CREATE, "abi", 0, 0, NULL), EEXIST, "create existing");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_THAW, "abi", 0, gen + 1, &out), ESTALE,
		     "thaw of a freeze this session never made");
	tap(out == gen, "a refused thaw reports the session's generation (%llu)",
	    (unsigned long long)out);
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_THAW, "abi", 0, gen, NULL), 0, "thaw of its freeze");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_THAW, "abi", 0, gen, NULL), EALREADY,
		     "thaw of the same freeze again");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_ABORT, "abi", 0, gen, NULL), EALREADY,
		     "abort of the thawed freeze");
	EXPECT_ERRNO(req_flags(fd, FREEZEGUARD_IOC_THAW, "abi", 0, 0, FREEZEGUARD_FLAG_CURRENT,
			       NULL), EALREADY, "thaw of the current freeze when not frozen");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "abi", 10000, 0, &out), 0, "freeze again");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_ABORT, "abi", 0, out, NULL), 0, "abort it");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_THAW, "abi", 0, out, NULL), ECANCELED,
		     "thaw of the aborted freeze");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_REMOVE, "abi", 0, 0, NULL), 0, "remove when stable");

	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_THAW, "nosuch", 0, 1, NULL), ENOENT, "thaw unknown session");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_REMOVE, "nosuch", 0, 0, NULL), ENOENT, "remove unknown session");
	{
		struct freezeguard_status st;
		struct freezeguard_wait w;

		EXPECT_ERRNO(status(fd, "nosuch", &st), ENOENT, "status of unknown session");
		memset(&w, 0, sizeof(w));
		strcpy(w.name, "nosuch");
		EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_WAIT, &w), ENOENT, "wait on unknown session");
	}
}

/* Fill the table up to max_sessions, whatever other scenarios left in it. */
static void abi_too_many(int fd)
{
	struct freezeguard_status st[64];
	struct freezeguard_list l;
	char name[32], max[16];
	int i, e = 0;

	memset(&l, 0, sizeof(l));
	l.entries = (uintptr_t)st;
	l.capacity = 64;
	io(fd, FREEZEGUARD_IOC_LIST, &l);
	snprintf(max, sizeof(max), "%u", l.count + 3);
	sysparam("max_sessions", max);
	for (i = 0; i < 3 && !e; i++) {
		snprintf(name, sizeof(name), "many%d", i);
		e = req(fd, FREEZEGUARD_IOC_CREATE, name, 0, 0, NULL);
	}
	tap(!e, "sessions up to max_sessions=%s created (errno %d)", max, e);
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_CREATE, "many3", 0, 0, NULL), ENOSPC,
		     "one create too many");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_FREEZE, "many3", 1000, 0, NULL), ENOSPC,
		     "one freeze of a new session too many");
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "many%d", i);
		req(fd, FREEZEGUARD_IOC_REMOVE, name, 0, 0, NULL);
	}
	sysparam("max_sessions", "4096");
}

/* As user nobody: the device is root-only; with mode 0666, still no freeze. */
static void abi_not_root(void)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid == 0) {
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(FREEZEGUARD_DEVICE, O_RDWR);
		_exit(fd < 0 && errno == EACCES ? 0 : 11);
	}
	waitpid(pid, &status, 0);
	tap(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "non-root open of the 0600 device: EACCES (child status %d)", status);

	chmod(FREEZEGUARD_DEVICE, 0666);
	pid = fork();
	if (pid == 0) {
		int fd, e;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = open(FREEZEGUARD_DEVICE, O_RDWR);
		if (fd < 0)
			_exit(11);
		e = req(fd, FREEZEGUARD_IOC_FREEZE, "nobody", 1000, 0, NULL);
		_exit(e == EPERM ? 0 : 12);
	}
	waitpid(pid, &status, 0);
	chmod(FREEZEGUARD_DEVICE, 0600);
	tap(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "non-root FREEZE without CAP_SYS_ADMIN: EPERM (child status %d)", status);
}

static int run_abi(void)
{
	int fd = dev_open();

	abi_pointers(fd);
	abi_fields(fd);
	abi_names_and_timeouts(fd);
	abi_refusals(fd);
	abi_too_many(fd);
	abi_not_root();
	close(fd);
	return failed;
}

/* ---- wait / poll ------------------------------------------------------ */

struct waiter {
	uint32_t state;
	uint64_t gen;
	uint32_t timeout_ms;	/* 0: no limit */
	int err;
	uint64_t took_ns;
	struct freezeguard_wait w;
};

static void *waiter_fn(void *arg)
{
	struct waiter *wt = arg;
	int fd = dev_open();
	uint64_t t0 = mono_ns();

	memset(&wt->w, 0, sizeof(wt->w));
	strcpy(wt->w.name, "waitme");
	wt->w.state = wt->state;
	wt->w.generation = wt->gen;
	wt->w.deadline_ns = wt->timeout_ms ? t0 + wt->timeout_ms * 1000000ULL : 0;
	wt->err = io(fd, FREEZEGUARD_IOC_WAIT, &wt->w);
	wt->took_ns = mono_ns() - t0;
	close(fd);
	return NULL;
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Signal @th every 50 ms for @ms. */
static void signal_storm(pthread_t th, unsigned int ms)
{
	unsigned int t;

	for (t = 0; t < ms; t += 50) {
		pthread_kill(th, SIGUSR1);
		msleep(50);
	}
}

/* -s SCALE stretches the deadlines and pauses, for slow kernels. */
static int run_wait(int argc, char **argv)
{
	int fd = dev_open(), fd2 = dev_open();
	struct waiter wt = { .state = FREEZEGUARD_STATE_FROZEN };
	struct freezeguard_status st[4];
	struct freezeguard_list l;
	struct pollfd p = { .fd = fd2, .events = POLLIN };
	struct sigaction sa;
	pthread_t th;
	uint64_t gen;
	unsigned int scale = 1;
	int opt;

	while ((opt = getopt(argc, argv, "s:")) != -1)
		if (opt == 's')
			scale = atoi(optarg);
	wt.timeout_ms = 20000 * scale;
	req(fd, FREEZEGUARD_IOC_FREEZE, "waitme", 20000 * scale, 0, &gen);
	wt.gen = gen;
	pthread_create(&th, NULL, waiter_fn, &wt);
	msleep(100 * scale);
	req(fd, FREEZEGUARD_IOC_THAW, "waitme", 0, gen, NULL);
	pthread_join(th, NULL);
	tap(wt.err == 0 && wt.w.state == FREEZEGUARD_STATE_STABLE && wt.w.generation == gen,
	    "WAIT wakes on thaw (errno %d, state %u)", wt.err, wt.w.state);

	/* the deadline's worker wakes a waiter too */
	req(fd, FREEZEGUARD_IOC_FREEZE, "waitme", 200 * scale, 0, &gen);
	wt.gen = gen;
	pthread_create(&th, NULL, waiter_fn, &wt);
	pthread_join(th, NULL);
	tap(wt.err == 0 && wt.w.state == FREEZEGUARD_STATE_FAILED && wt.w.generation == gen,
	    "WAIT wakes on timeout (errno %d, state %u)", wt.err, wt.w.state);

	wt.state = FREEZEGUARD_STATE_FAILED;
	wt.timeout_ms = 100 * scale;
	waiter_fn(&wt);
	tap(wt.err == ETIME, "WAIT with no change times out with ETIME (errno %d)", wt.err);

	/*
	 * A deadline already past (a WAIT restarted late): ETIME at once. An
	 * alarm (no SA_RESTART) turns a WAIT that would never end into EINTR.
	 */
	{
		struct freezeguard_wait w;
		uint64_t t0 = mono_ns();

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGALRM, &sa, NULL);
		alarm(3 * scale);

		memset(&w, 0, sizeof(w));
		strcpy(w.name, "waitme");
		w.state = FREEZEGUARD_STATE_FAILED;
		w.generation = gen;
		w.deadline_ns = t0 - 1;
		EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_WAIT, &w), ETIME,
			     "WAIT with a deadline already past and no change");
		w.state = FREEZEGUARD_STATE_FROZEN;
		EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_WAIT, &w), 0,
			     "WAIT with a deadline already past and a change");
		alarm(0);
		tap(mono_ns() - t0 < 1000000000ULL * scale,
		    "WAIT with a deadline already past does not wait (%llu ms)",
		    (unsigned long long)(mono_ns() - t0) / 1000000);
	}

	/*
	 * Signals whose handler has SA_RESTART restart WAIT, with the same
	 * absolute deadline: it still ends at its deadline, not after the
	 * last signal (a relative timeout restarted would outlast the storm).
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	wt.timeout_ms = 300 * scale;
	pthread_create(&th, NULL, waiter_fn, &wt);
	signal_storm(th, 1500 * scale);
	pthread_join(th, NULL);
	tap(wt.err == ETIME && wt.took_ns < 1200000000ULL * scale,
	    "WAIT restarted by signals keeps its deadline (%s, %llu ms for a %u ms deadline, signalled for %u ms)",
	    errname(wt.err), (unsigned long long)wt.took_ns / 1000000, 300 * scale, 1500 * scale);

	wt.timeout_ms = 0;
	pthread_create(&th, NULL, waiter_fn, &wt);
	msleep(100 * scale);
	req(fd, FREEZEGUARD_IOC_RESET, "waitme", 0, 0, NULL);
	pthread_join(th, NULL);
	tap(wt.err == 0 && wt.w.state == FREEZEGUARD_STATE_STABLE,
	    "WAIT without limit wakes on reset (errno %d, state %u)", wt.err, wt.w.state);

	wt.state = FREEZEGUARD_STATE_STABLE;
	pthread_create(&th, NULL, waiter_fn, &wt);
	msleep(100 * scale);
	req(fd, FREEZEGUARD_IOC_REMOVE, "waitme", 0, 0, NULL);
	pthread_join(th, NULL);
	tap(wt.err == ENOENT, "WAIT returns ENOENT when the session is removed (errno %d)", wt.err);

	memset(&l, 0, sizeof(l));
	l.entries = (uintptr_t)st;
	l.capacity = 4;
	io(fd2, FREEZEGUARD_IOC_LIST, &l);
	tap(poll(&p, 1, 0) == 0, "poll: not readable right after LIST");
	req(fd, FREEZEGUARD_IOC_FREEZE, "pollme", 5000, 0, &gen);
	tap(poll(&p, 1, 1000 * scale) == 1 && (p.revents & POLLIN), "poll: readable after a freeze");
	io(fd2, FREEZEGUARD_IOC_LIST, &l);
	tap(poll(&p, 1, 0) == 0, "poll: LIST makes it not readable again");
	req(fd, FREEZEGUARD_IOC_THAW, "pollme", 0, gen, NULL);
	io(fd2, FREEZEGUARD_IOC_LIST, &l);
	req(fd, FREEZEGUARD_IOC_REMOVE, "pollme", 0, 0, NULL);
	tap(poll(&p, 1, 1000 * scale) == 1 && (p.revents & POLLIN), "poll: readable after a REMOVE");
	io(fd2, FREEZEGUARD_IOC_LIST, &l);
	req(fd, FREEZEGUARD_IOC_CREATE, "pollme", 0, 0, NULL);
	tap(poll(&p, 1, 1000 * scale) == 1 && (p.revents & POLLIN), "poll: readable after a CREATE");
	req(fd, FREEZEGUARD_IOC_REMOVE, "pollme", 0, 0, NULL);
	close(fd);
	close(fd2);
	return failed;
}

/* ---- FREEZE racing REMOVE ------------------------------------------------ */

struct remover {
	unsigned int iterations;
	volatile int stop;
};

static void *remover_fn(void *arg)
{
	struct remover *rm = arg;
	int fd = dev_open();

	while (!rm->stop)
		req(fd, FREEZEGUARD_IOC_REMOVE, "fr", 0, 0, NULL);
	close(fd);
	return NULL;
}

/* FREEZE creates its session: a REMOVE under it must never make it ENOENT. */
static int run_freeze_remove(int argc, char **argv)
{
	struct remover rm = { .iterations = 4000 };
	unsigned long enoent = 0, other = 0, i;
	int fd = dev_open(), opt, e;
	pthread_t th;
	uint64_t gen;

	while ((opt = getopt(argc, argv, "n:")) != -1)
		if (opt == 'n')
			rm.iterations = atoi(optarg);
	pthread_create(&th, NULL, remover_fn, &rm);
	for (i = 0; i < rm.iterations; i++) {
		e = req(fd, FREEZEGUARD_IOC_FREEZE, "fr", 10000, 0, &gen);
		if (e == ENOENT)
			enoent++;
		else if (e || req(fd, FREEZEGUARD_IOC_THAW, "fr", 0, gen, NULL))
			other++;
	}
	rm.stop = 1;
	pthread_join(th, NULL);
	close(fd);
	tap(enoent == 0 && other == 0,
	    "FREEZE racing REMOVE: %lu tries, %lu ENOENT (must be 0), %lu other errors",
	    i, enoent, other);
	return failed;
}

/* ---- LIST stalled in copy_to_user --------------------------------------- */

struct lister {
	struct freezeguard_status *entries;
	volatile int done;
	int err;
};

static void *lister_fn(void *arg)
{
	struct lister *ls = arg;
	struct freezeguard_list l;
	int fd = dev_open();

	memset(&l, 0, sizeof(l));
	l.entries = (uintptr_t)ls->entries;
	l.capacity = 4;
	ls->err = io(fd, FREEZEGUARD_IOC_LIST, &l);
	close(fd);
	ls->done = 1;
	return NULL;
}

struct creator {
	volatile int done;
	int err;
};

static void *creator_fn(void *arg)
{
	struct creator *cr = arg;
	int fd = dev_open();

	cr->err = req(fd, FREEZEGUARD_IOC_CREATE, "stall2", 0, 0, NULL);
	close(fd);
	cr->done = 1;
	return NULL;
}

/*
 * A LIST whose copy to userspace faults on a page that userfaultfd holds
 * back: while it is stalled, CREATE of another session must go through.
 */
static int run_list_stall(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_zeropage zero;
	struct lister ls = { 0 };
	struct creator cr = { 0 };
	pthread_t lt, ct;
	int fd = dev_open(), uffd, i;
	void *buf;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		tap(0, "LIST stall: userfaultfd: %s", strerror(errno));
		return failed;
	}
	buf = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)buf;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (buf == MAP_FAILED || ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		tap(0, "LIST stall: register: %s", strerror(errno));
		return failed;
	}
	req(fd, FREEZEGUARD_IOC_CREATE, "stall1", 0, 0, NULL);
	ls.entries = buf;
	pthread_create(&lt, NULL, lister_fn, &ls);
	msleep(200);
	tap(!ls.done, "LIST stall: LIST is stalled on the held-back page");
	pthread_create(&ct, NULL, creator_fn, &cr);
	for (i = 0; i < 40 && !cr.done; i++)
		msleep(50);
	tap(cr.done && cr.err == 0 && !ls.done,
	    "LIST stall: CREATE completes while a LIST is stalled in copy_to_user (done %d, errno %d)",
	    cr.done, cr.err);
	memset(&zero, 0, sizeof(zero));
	zero.range = reg.range;
	ioctl(uffd, UFFDIO_ZEROPAGE, &zero);	/* let the LIST go on */
	pthread_join(lt, NULL);
	pthread_join(ct, NULL);
	tap(ls.err == 0, "LIST stall: the LIST completes once the page is there (errno %d)", ls.err);
	req(fd, FREEZEGUARD_IOC_REMOVE, "stall1", 0, 0, NULL);
	req(fd, FREEZEGUARD_IOC_REMOVE, "stall2", 0, 0, NULL);
	close(uffd);
	close(fd);
	return failed;
}

/* ---- the race ---------------------------------------------------------- */

static int freeze_fs(int fd, const char *name, uint32_t timeout_ms,
		     const int32_t *fds, uint32_t nr, uint32_t flags,
		     uint64_t *gen);

struct racer {
	int cpu;
	int32_t dirfd;		/* -f: a filesystem of its own to freeze, or -1 */
	unsigned int iterations;
	unsigned int deadline_ms;
	unsigned int seed;
	/* results */
	unsigned long thawed, timed_out, spurious, mismatched, errors;
	unsigned long late_checks;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void usleep_until(uint64_t t)
{
	uint64_t n = now_us();

	if (t > n)
		usleep(t - n);
}

/*
 * Check that generation @gen, whose thaw succeeded, was not failed later:
 * the session must not be FAILED with that generation.
 */
static void check_thawed(struct racer *r, int fd, const char *name, uint64_t gen)
{
	struct freezeguard_status st;

	if (status(fd, name, &st)) {
		r->errors++;
		return;
	}
	if (st.state == FREEZEGUARD_STATE_FAILED && st.generation == gen)
		r->spurious++;
}

static void *racer_fn(void *arg)
{
	struct racer *r = arg;
	char name[32];
	cpu_set_t set;
	int fd = dev_open();
	unsigned int i;
	uint64_t gen, last_thawed = 0;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	snprintf(name, sizeof(name), "race%d", r->cpu);

	for (i = 0; i < r->iterations; i++) {
		uint64_t start = now_us(), d = r->deadline_ms * 1000ULL;
		unsigned int roll = rand_r(&r->seed);
		int e;

		/* FAILED although our last thaw won: the KB 915331 failure */
		if (last_thawed)
			check_thawed(r, fd, name, last_thawed);
		/* a FAILED session freezes again: no reset between cycles */
		if (r->dirfd >= 0)
			e = freeze_fs(fd, name, r->deadline_ms, &r->dirfd, 1,
				      FREEZEGUARD_FLAG_FS, &gen);
		else
			e = req(fd, FREEZEGUARD_IOC_FREEZE, name, r->deadline_ms, 0, &gen);
		if (e == ETIMEDOUT && r->dirfd >= 0) {
			/* the sync outlived the deadline: timed out, nothing held */
			if (now_us() < start + d)
				r->spurious++;	/* timed out before its deadline */
			r->timed_out++;
			last_thawed = 0;
			continue;
		}
		if (e) {
			r->errors++;
			continue;
		}
		/* thaw somewhere from well before to just after the deadline */
		usleep_until(start + (roll % (d + d / 4)));
		e = req(fd, FREEZEGUARD_IOC_THAW, name, 0, gen, NULL);
		/*
		 * A thaw that returned before start + d was in time by the
		 * kernel's clock too (the freeze began after start): a
		 * timeout there was made by a worker, not by time.
		 */
		if (e == ETIMEDOUT && now_us() < start + d)
			r->spurious++;
		if (!e) {
			r->thawed++;
			last_thawed = gen;
			/*
			 * One time in four, let the deadline pass before the next
			 * freeze: a worker that was not cancelled runs now.
			 */
			if ((roll >> 16) % 4 == 0) {
				usleep_until(start + d + 3000);
				r->late_checks++;
				check_thawed(r, fd, name, gen);
			}
		} else if (e == ETIMEDOUT) {
			struct freezeguard_status st;

			r->timed_out++;
			last_thawed = 0;
			if (status(fd, name, &st) || st.state != FREEZEGUARD_STATE_FAILED ||
			    st.last_error != FREEZEGUARD_ERROR_TIMEOUT || st.generation != gen)
				r->mismatched++;
		} else {
			r->errors++;
		}
	}
	/* the last thawed generation's worker has had its chance */
	usleep(r->deadline_ms * 1000 + 20000);
	if (last_thawed)
		check_thawed(r, fd, name, last_thawed);
	close(fd);
	return NULL;
}

static int run_race(int argc, char **argv)
{
	unsigned int iterations = 2000, deadline_ms = 4, ncpu = 2, i;
	int expect_bug = 0, opt;
	struct racer r[2];
	pthread_t th[2];
	unsigned long thawed = 0, timed_out = 0, spurious = 0, mismatched = 0, errors = 0;
	unsigned long late = 0;
	uint64_t t0;
	const char *dirs[2] = { NULL, NULL };

	while ((opt = getopt(argc, argv, "n:d:bf:")) != -1) {
		if (opt == 'n')
			iterations = atoi(optarg);
		else if (opt == 'd')
			deadline_ms = atoi(optarg);
		else if (opt == 'b')
			expect_bug = 1;
		else if (opt == 'f')	/* -f DIR0 -f DIR1: each racer freezes one */
			dirs[dirs[0] ? 1 : 0] = optarg;
	}
	t0 = now_us();
	for (i = 0; i < ncpu; i++) {
		r[i] = (struct racer){ .cpu = i, .iterations = iterations,
				       .deadline_ms = deadline_ms, .seed = 1234 + i,
				       .dirfd = -1 };
		if (dirs[i]) {
			r[i].dirfd = open(dirs[i], O_RDONLY | O_CLOEXEC);
			if (r[i].dirfd < 0) {
				perror(dirs[i]);
				return 1;
			}
		}
		pthread_create(&th[i], NULL, racer_fn, &r[i]);
	}
	for (i = 0; i < ncpu; i++) {
		pthread_join(th[i], NULL);
		thawed += r[i].thawed;
		timed_out += r[i].timed_out;
		spurious += r[i].spurious;
		mismatched += r[i].mismatched;
		errors += r[i].errors;
		late += r[i].late_checks;
	}
	printf("race: %s%u cycles on %u CPUs, deadline %u ms, in %.1f s: %lu thawed in time, %lu timed out, %lu checked after their deadline, %lu spurious failures, %lu thaw-3 without FAILED/TIMEOUT, %lu other errors\n",
	       dirs[0] ? "with filesystems: " : "", iterations * ncpu, ncpu,
	       deadline_ms, (now_us() - t0) / 1e6,
	       thawed, timed_out, late, spurious, mismatched, errors);
	if (expect_bug)
		tap(spurious > 0, "race%s (KB 915331 variant): spurious failures seen: %lu (must be > 0)",
		    dirs[0] ? " with filesystems" : "", spurious);
	else
		tap(spurious == 0 && mismatched == 0 && errors == 0 && thawed > 0 && timed_out > 0,
		    "race%s: %lu cycles, %lu thawed, %lu timed out, %lu spurious failures (must be 0), %lu mismatched, %lu errors",
		    dirs[0] ? " with filesystems" : "",
		    thawed + timed_out, thawed, timed_out, spurious, mismatched, errors);
	return failed;
}

/* ---- filesystems: fs-abi DIR, mono ------------------------------------ */

static int freeze_fs(int fd, const char *name, uint32_t timeout_ms,
		     const int32_t *fds, uint32_t nr, uint32_t flags,
		     uint64_t *gen)
{
	struct freezeguard_req r = req_of(name);
	int e;

	r.timeout_ms = timeout_ms;
	r.flags = flags;
	r.fds = (uintptr_t)fds;
	r.nr_fds = nr;
	e = io(fd, FREEZEGUARD_IOC_FREEZE, &r);
	if (gen)
		*gen = r.generation;
	return e;
}

static int filesystems(int fd, const char *name,
		       struct freezeguard_filesystems *f)
{
	memset(f, 0xa5, sizeof(*f));	/* what the kernel must overwrite */
	memset(f->name, 0, sizeof(f->name));
	f->flags = 0;
	memset(f->reserved, 0, sizeof(f->reserved));
	snprintf(f->name, sizeof(f->name), "%s", name);
	return io(fd, FREEZEGUARD_IOC_FILESYSTEMS, f);
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* Linux 6.8 and later count freeze holders (the module then reports them). */
static int kernel_has_holders(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0;
	return major > 6 || (major == 6 && minor >= 8);
}

/* The checks of FREEZE with FREEZEGUARD_FLAG_FS; DIR is on ext4/xfs/btrfs. */
static int run_fs_abi(const char *dir)
{
	int fd = dev_open(), dfd = open(dir, O_RDONLY | O_CLOEXEC);
	int tmpfd = open("/tmp", O_RDONLY | O_CLOEXEC);
	int32_t fds[FREEZEGUARD_FS_MAX + 1];
	struct freezeguard_filesystems f;
	struct freezeguard_req r;
	struct freezeguard_status st;
	uint64_t gen = 0;
	unsigned int i;
	__u32 held;
	int e, status_;
	pid_t pid;

	if (dfd < 0 || tmpfd < 0) {
		perror(dir);
		return 1;
	}
	for (i = 0; i <= FREEZEGUARD_FS_MAX; i++)
		fds[i] = dfd;
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, fds, 0, FREEZEGUARD_FLAG_FS, NULL),
		     EINVAL, "FREEZE with FREEZEGUARD_FLAG_FS and no fds");
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, fds, FREEZEGUARD_FS_MAX + 1,
			       FREEZEGUARD_FLAG_FS, NULL),
		     EINVAL, "FREEZE with FREEZEGUARD_FS_MAX + 1 fds");
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, NULL, 1, FREEZEGUARD_FLAG_FS, NULL),
		     EINVAL, "FREEZE with FREEZEGUARD_FLAG_FS and a NULL fds");
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, fds, 1, 0, NULL), EINVAL,
		     "FREEZE with fds but without FREEZEGUARD_FLAG_FS");
	r = req_of("fsabi");
	r.nr_fds = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_FREEZE, &r), EINVAL,
		     "FREEZE with nr_fds but without FREEZEGUARD_FLAG_FS");
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, (const int32_t *)0xffffffff81000000UL,
			       1, FREEZEGUARD_FLAG_FS, NULL),
		     EFAULT, "FREEZE with fds pointing into the kernel");
	fds[1] = -1;
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, fds, 2, FREEZEGUARD_FLAG_FS, NULL),
		     EBADF, "FREEZE with a bad fd");
	fds[1] = tmpfd;
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, fds, 2, FREEZEGUARD_FLAG_FS, NULL),
		     EOPNOTSUPP, "FREEZE of a tmpfs (it cannot freeze)");
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, fds, 1,
			       FREEZEGUARD_FLAG_FS | FREEZEGUARD_FLAG_CURRENT, NULL),
		     EINVAL, "FREEZE with FREEZEGUARD_FLAG_CURRENT");
	EXPECT_ERRNO(req_flags(fd, FREEZEGUARD_IOC_THAW, "fsabi", 0, 0,
			       FREEZEGUARD_FLAG_CURRENT | FREEZEGUARD_FLAG_OWNED, NULL),
		     EINVAL, "THAW with FREEZEGUARD_FLAG_OWNED");
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, NULL, 0, FREEZEGUARD_FLAG_GUARD, NULL),
		     EINVAL, "FREEZE with FREEZEGUARD_FLAG_GUARD but no FREEZEGUARD_FLAG_FS");
	EXPECT_ERRNO(req_flags(fd, FREEZEGUARD_IOC_THAW, "fsabi", 0, 0,
			       FREEZEGUARD_FLAG_CURRENT | FREEZEGUARD_FLAG_GUARD, NULL),
		     EINVAL, "THAW with FREEZEGUARD_FLAG_GUARD");
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 1000, fds, 1,
			       FREEZEGUARD_FLAG_FS | FREEZEGUARD_FLAG_GUARD | (1u << 4), NULL),
		     EINVAL, "FREEZE with a flag beyond FREEZEGUARD_FLAG_GUARD");
	EXPECT_ERRNO(freeze_fs(fd, "fsabi", 120000, fds, 1, FREEZEGUARD_FLAG_FS, NULL),
		     EINVAL, "a filesystem freeze above fs_max_timeout_ms (60000)");
	EXPECT_ERRNO(filesystems(fd, "nosuchsession", &f), ENOENT,
		     "FILESYSTEMS of a missing session");
	f.flags = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_FILESYSTEMS, &f), EINVAL,
		     "FILESYSTEMS with flags set");
	f.flags = 0;
	f.reserved[1] = 1;
	EXPECT_ERRNO(io(fd, FREEZEGUARD_IOC_FILESYSTEMS, &f), EINVAL,
		     "FILESYSTEMS with reserved set");

	/* the refusals above froze nothing and left no session frozen */
	e = status(fd, "fsabi", &st);
	tap(e == ENOENT,
	    "no refused FREEZE touched the session: it does not exist (errno %d)", e);

	/* 6.8+ counts freeze holders: the session's is the kernel holder */
	held = FREEZEGUARD_FS_HELD | FREEZEGUARD_FS_FROZEN |
	       (kernel_has_holders() ?
		FREEZEGUARD_FS_HOLDERS | FREEZEGUARD_FS_BY_KERNEL : 0);
	fds[1] = dfd;	/* one filesystem named twice: frozen once */
	e = freeze_fs(fd, "fsabi", 0, fds, 2, FREEZEGUARD_FLAG_FS, &gen);
	tap(e == 0 && gen > 0, "FREEZE of %s, named twice (errno %d, freeze %llu)", dir,
	    e, (unsigned long long)gen);
	e = status(fd, "fsabi", &st);
	tap(!e && st.state == FREEZEGUARD_STATE_FROZEN && st.nr_fs == 1 &&
	    st.timeout_ms == 30000 &&
	    st.fs_flags == held,
	    "STATUS: FROZEN, 1 filesystem held and frozen (by the kernel holder where the kernel counts holders), default fs timeout 30000 ms (state %u, nr_fs %u, fs_flags %#x, wanted %#x, timeout %u)",
	    st.state, st.nr_fs, st.fs_flags, held, st.timeout_ms);
	e = filesystems(fd, "fsabi", &f);
	tap(!e && f.count == 1 && f.generation == gen &&
	    f.fs[0].flags == held &&
	    f.fs[0].type[0] && !f.fs[0].reserved0 && all_zero(f.fs[0].reserved, sizeof(f.fs[0].reserved)) &&
	    all_zero(&f.fs[1], sizeof(f.fs) - sizeof(f.fs[0])) && !f.flags &&
	    all_zero(f.reserved, sizeof(f.reserved)),
	    "FILESYSTEMS: 1 entry (%s %u:%u, flags %#x), the rest zeroed",
	    f.fs[0].type, f.fs[0].dev_major, f.fs[0].dev_minor, f.fs[0].flags);
	EXPECT_ERRNO(freeze_fs(fd, "fsabi2", 1000, fds, 1, FREEZEGUARD_FLAG_FS, NULL),
		     EBUSY, "a second session freezing the same filesystem");
	e = status(fd, "fsabi2", &st);
	tap(!e && st.state == FREEZEGUARD_STATE_STABLE && st.last_error == FREEZEGUARD_ERROR_ABORTED &&
	    st.aborts == 1 && st.freezes == 1,
	    "that freeze ended as aborted, nothing held (state %u, last_error %u)",
	    st.state, st.last_error);
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_REMOVE, "fsabi", 0, 0, NULL), EBUSY,
		     "REMOVE of a session holding a filesystem");
	EXPECT_ERRNO(req(fd, FREEZEGUARD_IOC_THAW, "fsabi", 0, gen, NULL), 0,
		     "THAW of the filesystem freeze");
	e = filesystems(fd, "fsabi", &f);
	tap(!e && f.count == 1 && f.fs[0].flags == 0,
	    "FILESYSTEMS after the thaw: still reported, neither held nor frozen (flags %#x)",
	    f.fs[0].flags);

	/* not root: the device opened with mode 0666, no freeze of a filesystem */
	chmod(FREEZEGUARD_DEVICE, 0666);
	pid = fork();
	if (pid == 0) {
		int ufd;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		ufd = open(FREEZEGUARD_DEVICE, O_RDWR);
		if (ufd < 0)
			_exit(11);
		_exit(freeze_fs(ufd, "nobody", 1000, fds, 1, FREEZEGUARD_FLAG_FS, NULL) == EPERM ?
		      0 : 12);
	}
	waitpid(pid, &status_, 0);
	chmod(FREEZEGUARD_DEVICE, 0600);
	tap(WIFEXITED(status_) && WEXITSTATUS(status_) == 0,
	    "non-root FREEZE of a filesystem: EPERM (child status %d)", status_);
	req(fd, FREEZEGUARD_IOC_REMOVE, "fsabi", 0, 0, NULL);
	req(fd, FREEZEGUARD_IOC_REMOVE, "fsabi2", 0, 0, NULL);
	close(dfd);
	close(tmpfd);
	close(fd);
	return failed;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "abi"))
		return run_abi();
	if (argc >= 2 && !strcmp(argv[1], "wait"))
		return run_wait(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "freeze-remove"))
		return run_freeze_remove(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "list-stall"))
		return run_list_stall();
	if (argc >= 2 && !strcmp(argv[1], "race"))
		return run_race(argc - 1, argv + 1);
	if (argc >= 3 && !strcmp(argv[1], "fs-abi"))
		return run_fs_abi(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "mono")) {	/* CLOCK_MONOTONIC, ms */
		printf("%llu\n", (unsigned long long)(mono_ns() / 1000000));
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "ignore-sigchld")) {
		signal(SIGCHLD, SIG_IGN);	/* inherited across exec */
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		return 127;
	}
	fprintf(stderr, "usage: fgtest abi | wait [-s SCALE] | freeze-remove [-n ITER] | list-stall | race [-n ITER] [-d DEADLINE_MS] [-b] [-f DIR -f DIR] | ignore-sigchld PROG [ARGS] | fs-abi DIR | mono\n");
	return 2;
}
