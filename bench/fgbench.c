// SPDX-License-Identifier: GPL-2.0
/*
 * fgbench: freezeguard's benchmarks, run inside the test VM (bench/run
 * boots it). Every figure is measured beside its baseline in the same boot
 * and printed as one line
 *   FGBENCH <figure> <key>=<value> ...
 * which bench/report turns into the table and the plots.
 *
 *   fgbench cost [-n N]      a FREEZE+THAW round trip against two null
 *                            ioctls (STATUS of a session that does not
 *                            exist); 2 threads on distinct sessions against
 *                            1; a round trip with 1000 WAITers asleep on
 *                            other sessions against none
 *   fgbench scale [-n N] [-s 1,100,10000]
 *                            the round trip with that many live sessions,
 *                            kernel memory per session (the slab's growth),
 *                            and LIST of all of them
 *   fgbench deadline [-d MS,...] [-k K]
 *                            lateness of a timeout: K freezes (at most 64)
 *                            of each deadline at once, each watched by a
 *                            WAITer and a poll()er, and the moment the
 *                            core records it (the tracepoint
 *                            freezeguard_transition, tracefs mounted),
 *                            beside two baselines:
 *                            K clock_nanosleep()s to the same instants
 *                            (how late any thread wakes here) and K
 *                            delayed_works of the same delay in the kernel
 *                            (fgbench_delayed.ko, which must be loaded: a
 *                            deadline kept the way a plain module keeps it)
 *   fgbench fs -m DIR:TYPE,... [-k K] [-l LOAD]
 *                            on each mounted filesystem: K FREEZE+THAW
 *                            round trips with 4 MiB dirty against as many
 *                            FIFREEZE+FITHAW; and K freezes left to time
 *                            out, how late after the deadline a writer
 *                            blocked on the filesystem resumes, against
 *                            FIFREEZE and a thread that sleeps to the same
 *                            deadline and then FITHAWs (a watchdog in
 *                            userspace); LOAD labels what runs beside
 *                            (idle, fio: the suite starts it)
 *   fgbench calls [-n N]     N FREEZE+THAW round trips and N null ioctls,
 *                            timing nothing: for a tracer to look at
 * Times are CLOCK_MONOTONIC. -n is the operations per sample (seven samples
 * a figure; the median is printed, with the spread).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <linux/fs.h>
#include <sys/resource.h>
#include "../tests/common/fgdev.h"

#define SAMPLES 7

static void die(const char *what, int err)
{
	fprintf(stderr, "fgbench: %s: %s\n", what, strerror(err));
	exit(1);
}

static void must(int err, const char *what)
{
	if (err)
		die(what, err);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_s64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value at quantile @q (0..1) of @v[0 .. @n-1], sorted in place. */
static int64_t quantile_s64(int64_t *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp_s64);
	return v[(size_t)(q * (n - 1) + 0.5)];
}

/* The same, of values that cannot be negative. */
static uint64_t quantile(uint64_t *v, size_t n, double q)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(size_t)(q * (n - 1) + 0.5)];
}

/* ---- cost ------------------------------------------------------------ */

/* @n STATUS calls on a session that does not exist: ns per call. */
static uint64_t null_ns(int fd, unsigned int n)
{
	struct freezeguard_status st;
	uint64_t t0 = mono_ns();
	unsigned int i;

	for (i = 0; i < n; i++)
		if (status(fd, "fgbench-none", &st) != ENOENT)
			die("STATUS of a missing session", EINVAL);
	return (mono_ns() - t0) / n;
}

/* @n FREEZE+THAW round trips on session @name: ns per round trip. */
static uint64_t cycle_ns(int fd, const char *name, unsigned int n)
{
	uint64_t t0 = mono_ns(), gen;
	unsigned int i;

	for (i = 0; i < n; i++) {
		must(req(fd, FREEZEGUARD_IOC_FREEZE, name, 60000, 0, &gen), "FREEZE");
		must(req(fd, FREEZEGUARD_IOC_THAW, name, 0, gen, NULL), "THAW");
	}
	return (mono_ns() - t0) / n;
}

struct sample {
	uint64_t v[SAMPLES];
};

static uint64_t median(struct sample *s)
{
	return quantile(s->v, SAMPLES, 0.5);
}

static uint64_t spread(struct sample *s)	/* max - min */
{
	qsort(s->v, SAMPLES, sizeof(s->v[0]), cmp_u64);
	return s->v[SAMPLES - 1] - s->v[0];
}

struct cycler {
	const char *name;
	unsigned int n;
	pthread_barrier_t *start;
	uint64_t t0, t1;	/* when its round trips began and ended */
};

static void *cycler_fn(void *arg)
{
	struct cycler *c = arg;
	int fd = dev_open();

	pthread_barrier_wait(c->start);
	c->t0 = mono_ns();
	cycle_ns(fd, c->name, c->n);
	c->t1 = mono_ns();
	close(fd);
	return NULL;
}

static void spawn(pthread_t *th, const pthread_attr_t *attr,
		  void *(*fn)(void *), void *arg)
{
	must(pthread_create(th, attr, fn, arg), "pthread_create");
}

/*
 * Round trips per second of @threads threads, each on its own session:
 * all of them over the time from the first start to the last end.
 */
static double cycles_per_s(unsigned int threads, unsigned int n)
{
	struct cycler c[2];
	pthread_t th[2];
	pthread_barrier_t start;
	static const char *const names[] = { "fgbench-a", "fgbench-b" };
	uint64_t first = UINT64_MAX, last = 0;
	unsigned int i;

	pthread_barrier_init(&start, NULL, threads);
	for (i = 0; i < threads; i++) {
		c[i] = (struct cycler){ names[i], n, &start, 0, 0 };
		spawn(&th[i], NULL, cycler_fn, &c[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		first = c[i].t0 < first ? c[i].t0 : first;
		last = c[i].t1 > last ? c[i].t1 : last;
	}
	pthread_barrier_destroy(&start);
	return 1e9 * threads * n / (double)(last - first);
}

struct sleeper {
	char name[FREEZEGUARD_NAME_LEN];
	int err;
};

/* A WAIT that lasts until its session is removed. */
static void *sleeper_fn(void *arg)
{
	struct sleeper *sl = arg;
	struct freezeguard_wait w;
	int fd = dev_open();

	memset(&w, 0, sizeof(w));
	snprintf(w.name, sizeof(w.name), "%s", sl->name);
	w.state = FREEZEGUARD_STATE_STABLE;
	sl->err = io(fd, FREEZEGUARD_IOC_WAIT, &w);
	close(fd);
	return NULL;
}

static int run_cost(unsigned int n)
{
	enum { WAITERS = 1000 };
	struct sample nul, cyc, one, two, quiet, busy;
	struct sleeper *sl = calloc(WAITERS, sizeof(*sl));
	pthread_t *th = calloc(WAITERS, sizeof(*th));
	pthread_attr_t attr;
	int fd = dev_open();
	unsigned int i;

	must(req(fd, FREEZEGUARD_IOC_CREATE, "fgbench-a", 0, 0, NULL), "CREATE");
	must(req(fd, FREEZEGUARD_IOC_CREATE, "fgbench-b", 0, 0, NULL), "CREATE");
	null_ns(fd, n);			/* warm up */
	cycle_ns(fd, "fgbench-a", n);
	/* interleaved, so that a slow spell of the host hits both alike */
	for (i = 0; i < SAMPLES; i++) {
		nul.v[i] = null_ns(fd, n);
		cyc.v[i] = cycle_ns(fd, "fgbench-a", n);
		one.v[i] = (uint64_t)cycles_per_s(1, n);
		two.v[i] = (uint64_t)cycles_per_s(2, n);
	}
	printf("FGBENCH null_ioctl ns=%llu spread=%llu n=%u\n",
	       (unsigned long long)median(&nul), (unsigned long long)spread(&nul), n);
	printf("FGBENCH freeze_thaw ns=%llu spread=%llu n=%u\n",
	       (unsigned long long)median(&cyc), (unsigned long long)spread(&cyc), n);
	printf("FGBENCH threads one_per_s=%llu two_per_s=%llu\n",
	       (unsigned long long)median(&one), (unsigned long long)median(&two));

	/* the round trip alone, then beside 1000 WAITers on other sessions */
	for (i = 0; i < SAMPLES; i++)
		quiet.v[i] = cycle_ns(fd, "fgbench-a", n);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < WAITERS; i++) {
		snprintf(sl[i].name, sizeof(sl[i].name), "fgbench-w%u", i);
		must(req(fd, FREEZEGUARD_IOC_CREATE, sl[i].name, 0, 0, NULL), "CREATE");
		spawn(&th[i], &attr, sleeper_fn, &sl[i]);
	}
	usleep(500 * 1000);	/* let them reach WAIT */
	for (i = 0; i < SAMPLES; i++)
		busy.v[i] = cycle_ns(fd, "fgbench-a", n);
	for (i = 0; i < WAITERS; i++)
		must(req(fd, FREEZEGUARD_IOC_REMOVE, sl[i].name, 0, 0, NULL), "REMOVE");
	for (i = 0; i < WAITERS; i++) {
		pthread_join(th[i], NULL);
		if (sl[i].err != ENOENT)
			die("a WAITer did not end with its session", sl[i].err);
	}
	printf("FGBENCH waiters quiet_ns=%llu busy_ns=%llu waiters=%u\n",
	       (unsigned long long)median(&quiet), (unsigned long long)median(&busy),
	       WAITERS);
	req(fd, FREEZEGUARD_IOC_REMOVE, "fgbench-a", 0, 0, NULL);
	req(fd, FREEZEGUARD_IOC_REMOVE, "fgbench-b", 0, 0, NULL);
	free(sl);
	free(th);
	close(fd);
	return 0;
}

/* ---- scale ----------------------------------------------------------- */

/* Unreclaimable slab in bytes, from /proc/meminfo. */
static uint64_t slab_bytes(void)
{
	char line[128];
	unsigned long long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo", errno);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SUnreclaim: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/*
 * The slab once it is still: sessions removed earlier (cost's WAITers)
 * are freed after an RCU grace period, and would shrink it while this
 * benchmark counts its growth, or leave empty slabs that new sessions
 * fill without growing it. At most 5 s.
 */
#define SESSION_SLAB "/sys/kernel/slab/fg_session/"

static uint64_t slab_settled(void)
{
	uint64_t before, now;
	FILE *f;
	int i;

	/* and the session cache's empty slabs (cost's) go back */
	f = fopen(SESSION_SLAB "shrink", "w");
	if (!f || fputs("1", f) < 0 || fclose(f))
		die(SESSION_SLAB "shrink", errno);
	before = slab_bytes();

	for (i = 0; i < 25; i++) {
		usleep(200 * 1000);
		now = slab_bytes();
		if (now + 64 * 1024 >= before && now <= before + 64 * 1024)
			return now;
		before = now;
	}
	return now;
}

/* The first number in SLUB's sysfs file @name of the session cache. */
static uint64_t session_slab(const char *name)
{
	char path[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), SESSION_SLAB "%s", name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &v) != 1)
		die(path, errno ? errno : EINVAL);
	fclose(f);
	return v;
}

/* Bytes in the session cache's slabs (pages, with their free slots). */
static uint64_t session_cache_bytes(void)
{
	return session_slab("slabs") * (uint64_t)sysconf(_SC_PAGESIZE) <<
	       session_slab("order");
}

/* LIST every session, page by page: how many there were. */
static unsigned int list_all(int fd)
{
	struct freezeguard_status *e = calloc(FREEZEGUARD_LIST_MAX, sizeof(*e));
	struct freezeguard_list l;
	unsigned int total = 0;

	if (!e)
		die("calloc", ENOMEM);
	memset(&l, 0, sizeof(l));
	l.entries = (uintptr_t)e;
	l.capacity = FREEZEGUARD_LIST_MAX;
	do {
		must(io(fd, FREEZEGUARD_IOC_LIST, &l), "LIST");
		total += l.count;
	} while (l.cursor);
	free(e);
	return total;
}

static int run_scale(unsigned int n, const char *counts)
{
	int fd = dev_open();
	unsigned int live = 0, want, listed, i;
	char name[FREEZEGUARD_NAME_LEN], *list = strdup(counts), *tok, *save;

	sysparam("max_sessions", "20000");
	must(req(fd, FREEZEGUARD_IOC_CREATE, "fgbench-a", 0, 0, NULL), "CREATE");
	live = 1;
	cycle_ns(fd, "fgbench-a", n);	/* warm up */
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct sample cyc, lst;
		uint64_t slab0, slab1, cache0, cache1;

		want = strtoul(tok, NULL, 10);
		if (want < live)
			die("-s: the counts must grow", EINVAL);
		slab0 = slab_settled();
		cache0 = session_cache_bytes();
		for (i = live; i < want; i++) {
			snprintf(name, sizeof(name), "fgbench-s%u", i);
			must(req(fd, FREEZEGUARD_IOC_CREATE, name, 0, 0, NULL), "CREATE");
		}
		slab1 = slab_bytes();
		cache1 = session_cache_bytes();
		for (i = 0; i < SAMPLES; i++) {
			uint64_t t0;

			cyc.v[i] = cycle_ns(fd, "fgbench-a", n);
			t0 = mono_ns();
			listed = list_all(fd);
			lst.v[i] = mono_ns() - t0;
			if (listed != want)
				die("LIST missed sessions", EINVAL);
		}

		printf("FGBENCH scale sessions=%u freeze_thaw_ns=%llu list_ns=%llu",
		       want, (unsigned long long)median(&cyc),
		       (unsigned long long)median(&lst));
		if (want - live >= 1000) {	/* a slab holds dozens */
			uint64_t per = (cache1 - cache0) / (want - live);

			if (per < session_slab("object_size"))
				die("the session cache grew by less than a session per session",
				    EPROTO);
			/* all slab, with the id and name tables; kB, and noisy */
			printf(" bytes_per_session=%llu all_slab_per_session=%lld",
			       (unsigned long long)per,
			       (long long)(slab1 - slab0) / (long long)(want - live));
		}
		printf("\n");
		live = want;
	}
	for (i = 1; i < live; i++) {
		snprintf(name, sizeof(name), "fgbench-s%u", i);
		must(req(fd, FREEZEGUARD_IOC_REMOVE, name, 0, 0, NULL), "REMOVE");
	}
	req(fd, FREEZEGUARD_IOC_REMOVE, "fgbench-a", 0, 0, NULL);
	free(list);
	close(fd);
	return 0;
}

/* ---- deadline ------------------------------------------------------- */

struct watch {
	char name[FREEZEGUARD_NAME_LEN];
	unsigned int ms;
	uint64_t gen;
	uint64_t deadline;	/* CLOCK_MONOTONIC ns, as STATUS tells it */
	uint64_t t0, t1;	/* before FREEZE, after it: its deadline is
				 * between t0 + ms and t1 + ms */
	bool ready;		/* gen and deadline are set (atomic) */
	pthread_barrier_t armed;	/* the freezer and its sleeper */
	uint64_t woke[3];	/* when each watcher saw the timeout */
	uint64_t core_deadline;	/* the deadline the core kept (its tracepoint) */
	int err;
};

enum { BY_WAIT, BY_POLL, BY_SLEEP };
static const char *const by_name[] = { "wait", "poll", "clock_nanosleep" };

/*
 * FREEZE, read the deadline back for the clock_nanosleep() baseline
 * (STATUS: to within one call; if it has passed already, the instant
 * before the FREEZE plus its timeout), then WAIT until the freeze leaves
 * FROZEN. Every lateness is counted from the deadline the core kept,
 * which its tracepoint reports (core_lateness()).
 */
static void *freezer_fn(void *arg)
{
	struct watch *w = arg;
	struct freezeguard_status st;
	struct freezeguard_wait wt;
	int fd = dev_open();
	uint64_t t;

	w->t0 = mono_ns();
	w->err = req(fd, FREEZEGUARD_IOC_FREEZE, w->name, w->ms, 0, &w->gen);
	w->t1 = t = mono_ns();
	if (!w->err)
		w->err = status(fd, w->name, &st);
	if (!w->err && st.state == FREEZEGUARD_STATE_FROZEN && st.generation == w->gen &&
	    st.time_left_ns)
		w->deadline = t + st.time_left_ns;
	else	/* passed already: the earliest it can have been */
		w->deadline = w->t0 + w->ms * 1000000ULL;
	__atomic_store_n(&w->ready, true, __ATOMIC_RELEASE);
	pthread_barrier_wait(&w->armed);
	if (w->err)
		goto out;
	memset(&wt, 0, sizeof(wt));
	snprintf(wt.name, sizeof(wt.name), "%s", w->name);
	wt.state = FREEZEGUARD_STATE_FROZEN;
	wt.generation = w->gen;
	wt.deadline_ns = w->deadline + 60000000000ULL;	/* ETIME: a minute late */
	w->err = io(fd, FREEZEGUARD_IOC_WAIT, &wt);
	w->woke[BY_WAIT] = mono_ns();
	if (!w->err && wt.state != FREEZEGUARD_STATE_FAILED)
		w->err = EPROTO;	/* woke for something else */
out:
	close(fd);
	return NULL;
}

/* clock_nanosleep() to the same deadline: how late any thread wakes. */
static void *clock_sleeper_fn(void *arg)
{
	struct watch *w = arg;
	struct timespec ts;

	pthread_barrier_wait(&w->armed);
	ts.tv_sec = w->deadline / 1000000000ULL;
	ts.tv_nsec = w->deadline % 1000000000ULL;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	w->woke[BY_SLEEP] = mono_ns();
	return NULL;
}

struct poller {
	int fd;			/* LISTed: poll() reports any later change */
	struct watch *w;
	unsigned int k;
};

/*
 * poll() on one file for every change; at each wake-up, each freeze that
 * has timed out (STATUS: FAILED, its generation) gets its lateness: the
 * time when that STATUS returned (a wake-up may come before a freeze
 * whose deadline has passed leaves FROZEN; every 50 ms it looks anyway).
 * A timeout not seen a minute after its deadline is a failure, at once:
 * not a benchmark that hangs until the VM is killed.
 */
static void *poller_fn(void *arg)
{
	struct poller *p = arg;
	unsigned int left = p->k, i;
	bool *seen = calloc(p->k, sizeof(*seen));
	uint64_t give_up = mono_ns() + (p->w[0].ms + 60000) * 1000000ULL;

	while (left) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

		if (mono_ns() > give_up)
			die("a freeze still not timed out a minute after its deadline", ETIME);
		/* a freeze may end before its freezer marks it ready: look again */
		if (poll(&pfd, 1, 50) < 0)
			die("poll", errno);
		list_all(p->fd);	/* re-arms poll() */
		for (i = 0; i < p->k; i++) {
			struct watch *w = &p->w[i];
			struct freezeguard_status st;

			if (seen[i] || !__atomic_load_n(&w->ready, __ATOMIC_ACQUIRE))
				continue;
			must(status(p->fd, w->name, &st), "STATUS");
			if (st.state != FREEZEGUARD_STATE_FAILED || st.generation != w->gen)
				continue;
			w->woke[BY_POLL] = mono_ns();
			seen[i] = true;
			left--;
		}
	}
	free(seen);
	return NULL;
}

#define DELAYED_RUN "/sys/kernel/debug/fgbench_delayed/run"

/* Queue @k delayed_works of @ms in fgbench_delayed.ko. */
static void delayed_start(unsigned int ms, unsigned int k)
{
	FILE *f = fopen(DELAYED_RUN, "w");

	if (!f || fprintf(f, "%u %u\n", ms, k) < 0 || fclose(f))
		die(DELAYED_RUN " (is fgbench_delayed.ko loaded?)", errno);
}

/*
 * The lateness of the @k delayed_works of @ms into @v, once all have run
 * (they may be a second late at a minute; give up after ten). Negative
 * when one ran early.
 */
static void delayed_collect(unsigned int ms, unsigned int k, int64_t *v)
{
	uint64_t give_up = mono_ns() + (ms / 10 + 10000) * 1000000ULL;
	char line[4096];

	for (;;) {
		FILE *f = fopen(DELAYED_RUN, "r");
		unsigned int rms, rk, done, i;
		char *p, *end;

		if (!f)
			die(DELAYED_RUN, errno);
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%u %u %u", &rms, &rk, &done) != 3 || rms != ms)
				continue;
			if (rk != k)
				die("fgbench_delayed: a run of that deadline with another k", EINVAL);
			if (done < k)
				break;
			p = line;
			for (i = 0; i < 3; i++)
				strtoull(p, &p, 10);
			for (i = 0; i < k; i++) {
				v[i] = strtoll(p, &end, 10);
				if (end == p)
					die("fgbench_delayed: a short line", EPROTO);
				p = end;
			}
			fclose(f);
			return;
		}
		fclose(f);
		if (mono_ns() > give_up)
			die("fgbench_delayed: its works did not all run", ETIME);
		usleep(10000);
	}
}

/* FGBENCH @head k= p50_ns= p99_ns= max_ns= of @v[0 .. @k-1] (ns late;
 * negative: early) */
static void quantiles_print(const char *head, unsigned int k, int64_t *v)
{
	printf("FGBENCH %s k=%u p50_ns=%lld p99_ns=%lld max_ns=%lld\n",
	       head, k, (long long)quantile_s64(v, k, 0.5),
	       (long long)quantile_s64(v, k, 0.99),
	       (long long)quantile_s64(v, k, 1.0));
}

static void lateness_print(const char *by, unsigned int ms, unsigned int k,
			   int64_t *v)
{
	char head[128];

	snprintf(head, sizeof(head), "lateness by=%s deadline_ms=%u", by, ms);
	quantiles_print(head, k, v);
}

/*
 * The moment the core records a timeout: the module's tracepoint
 * freezeguard_transition, whose timeout steps (cause=deadline,
 * verdict=EXPIRED) carry the freeze id, the clock the worker read for the
 * core, and the core's own deadline.
 */
#define TRACEFS "/sys/kernel/tracing/"
#define CORE_EVENT TRACEFS "events/freezeguard/freezeguard_transition/enable"

/*
 * Write @text to tracefs @file with open(2) flags @flags: not stdio, whose
 * append mode seeks to the end, which tracefs files refuse.
 */
static void tracefs_write(const char *file, const char *text, int flags)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC | flags);
	ssize_t len = (ssize_t)strlen(text);
	char line[256];
	FILE *f;

	int err;

	if (fd >= 0 && write(fd, text, len) == len && !close(fd))
		return;
	err = errno ? errno : EIO;
	fprintf(stderr, "fgbench: %s: %s", file, text);
	f = fopen(TRACEFS "error_log", "r");	/* why, as the kernel says it */
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stderr);
	die(file, err);
}

/*
 * Without record-cmd, a precaution: recording task names would hook the
 * scheduler's tracepoints, rewriting code both CPUs run all the time
 * (QEMU's multi-threaded TCG can keep running the old bytes of code
 * rewritten under it: tests/vm/run-vm).
 */
static void core_probe(bool on)
{
	if (on)
		tracefs_write(TRACEFS "options/record-cmd", "0", O_TRUNC);
	tracefs_write(CORE_EVENT, on ? "1" : "0", O_TRUNC);
	if (on)
		tracefs_write(TRACEFS "tracing_on", "1", O_TRUNC);
}

/*
 * How late the core recorded the timeout of each of @w[0 .. @k-1]: the
 * worker's step for that freeze id that expired it (an earlier step, had
 * the timer fired early, found it open and left it so: EARLY). Its
 * deadline must lie between t0 + ms and t1 + ms of the FREEZE, or the
 * event is not that freeze's. Sets each core_deadline.
 */
static void core_lateness(struct watch *w, unsigned int k, int64_t *v)
{
	unsigned long long gen, now, deadline;
	FILE *f = fopen(TRACEFS "trace", "r");
	unsigned int i, found = 0;
	char line[512], *p;

	if (!f)
		die(TRACEFS "trace", errno);
	for (i = 0; i < k; i++)
		w[i].core_deadline = 0;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, " gen=");
		if (!p || !strstr(line, " cause=deadline ") ||
		    !strstr(line, " verdict=EXPIRED ") ||
		    sscanf(p, " gen=%llu", &gen) != 1 ||
		    !(p = strstr(line, " deadline=")) ||
		    sscanf(p, " deadline=%llu clock=%llu", &deadline, &now) != 2)
			continue;
		for (i = 0; i < k; i++) {
			uint64_t ns = w[i].ms * 1000000ULL;

			if (w[i].gen != gen || w[i].core_deadline || now < deadline)
				continue;
			if (deadline < w[i].t0 + ns || deadline > w[i].t1 + ns)
				die("the traced deadline is not the freeze's", EPROTO);
			w[i].core_deadline = deadline;
			v[i] = (int64_t)(now - deadline);
			found++;
		}
	}
	fclose(f);
	if (found != k)
		die("the core's timeout of a freeze is not in the trace", ENOENT);
}

/*
 * @k freezes of @ms at once, each watched three ways and by the tracepoint,
 * beside @k delayed_works of @ms in the kernel.
 */
static void run_deadline_one(unsigned int ms, unsigned int k)
{
	struct watch *w = calloc(k, sizeof(*w));
	pthread_t *th = calloc(2 * k, sizeof(*th)), pt;
	struct poller p = { dev_open(), w, k };
	int64_t *v = calloc(k, sizeof(*v));
	int fd = dev_open();
	unsigned int i, by;

	for (i = 0; i < k; i++) {
		snprintf(w[i].name, sizeof(w[i].name), "fgbench-d%u-%u", ms, i);
		w[i].ms = ms;
		pthread_barrier_init(&w[i].armed, NULL, 2);
		must(req(fd, FREEZEGUARD_IOC_CREATE, w[i].name, 0, 0, NULL), "CREATE");
	}
	list_all(p.fd);
	spawn(&pt, NULL, poller_fn, &p);
	delayed_start(ms, k);
	for (i = 0; i < k; i++) {
		spawn(&th[k + i], NULL, clock_sleeper_fn, &w[i]);
		spawn(&th[i], NULL, freezer_fn, &w[i]);
	}
	for (i = 0; i < 2 * k; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < k; i++)
		if (w[i].err)
			die(w[i].name, w[i].err);
	pthread_join(pt, NULL);
	core_lateness(w, k, v);
	lateness_print("core", ms, k, v);
	/* the watchers from the core's deadline; the sleeper from its own */
	for (by = 0; by < 3; by++) {
		for (i = 0; i < k; i++)
			v[i] = (int64_t)(w[i].woke[by] - (by == BY_SLEEP ? w[i].deadline :
							   w[i].core_deadline));
		lateness_print(by_name[by], ms, k, v);
	}
	delayed_collect(ms, k, v);
	lateness_print("delayed_work", ms, k, v);
	free(v);
	for (i = 0; i < k; i++) {
		must(req(fd, FREEZEGUARD_IOC_REMOVE, w[i].name, 0, 0, NULL), "REMOVE");
		pthread_barrier_destroy(&w[i].armed);
	}
	close(p.fd);
	close(fd);
	free(w);
	free(th);
}

struct deadline_run {
	unsigned int ms, k;
};

static void *deadline_fn(void *arg)
{
	struct deadline_run *d = arg;

	run_deadline_one(d->ms, d->k);
	return NULL;
}

/*
 * The deadlines up to 1 s one after the other, so that the threads of the
 * others do not delay them; the longer ones at once, each in its own
 * thread: the longest sets the time.
 */
static int run_deadline(const char *deadlines, unsigned int k)
{
	char *list = strdup(deadlines), *tok, *save;
	struct deadline_run runs[16];
	pthread_t th[16];
	unsigned int nr = 0, i;

	sysparam("max_sessions", "20000");
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nr == 16)
			die("-d: at most 16 deadlines", EINVAL);
		runs[nr].ms = strtoul(tok, NULL, 10);
		runs[nr].k = k;
		if (!runs[nr].ms)
			die("-d: a deadline is 1 ms or more", EINVAL);
		for (i = 0; i < nr; i++)
			if (runs[i].ms == runs[nr].ms)
				die("-d: each deadline once", EINVAL);
		nr++;
	}
	core_probe(true);
	for (i = 0; i < nr; i++)
		if (runs[i].ms <= 1000)
			run_deadline_one(runs[i].ms, runs[i].k);
	for (i = 0; i < nr; i++)
		if (runs[i].ms > 1000)
			spawn(&th[i], NULL, deadline_fn, &runs[i]);
	for (i = 0; i < nr; i++)
		if (runs[i].ms > 1000)
			pthread_join(th[i], NULL);
	core_probe(false);
	free(list);
	return 0;
}

/* ---- filesystems ------------------------------------------------------ */

#define DIRTY_BYTES (4u << 20)	/* what each freeze finds to write back */
#define FS_DEADLINE_MS 200	/* the auto-thaw's deadline */

struct fsbench {
	const char *dir;	/* a mount point */
	const char *fs;		/* its type, for the report */
	const char *load;	/* idle, or what runs beside it (fio) */
	int dirfd;		/* open on @dir: what FREEZE and FIFREEZE name */
	int dirty_fd;		/* @dir/fgbench.dirty */
	int write_fd;		/* @dir/fgbench.write: the blocked writer's */
	int dev;		/* /dev/freezeguard */
};

static int open_in(const char *dir, const char *file)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path, errno);
	return fd;
}

/* Overwrite DIRTY_BYTES of page cache that a freeze must write back. */
static void make_dirty(struct fsbench *b, unsigned char fill)
{
	static unsigned char buf[1 << 16];
	off_t off;

	memset(buf, fill, sizeof(buf));
	for (off = 0; off < DIRTY_BYTES; off += sizeof(buf))
		if (pwrite(b->dirty_fd, buf, sizeof(buf), off) != sizeof(buf))
			die("pwrite fgbench.dirty", errno);
}

/* FREEZE of the filesystem of @b, deadline @ms: errno, freeze id in @gen. */
static int fs_freeze(struct fsbench *b, const char *name, uint32_t ms,
		     uint64_t *gen)
{
	struct freezeguard_req r = req_of(name);
	int32_t fd = b->dirfd;
	int err;

	r.timeout_ms = ms;
	r.flags = FREEZEGUARD_FLAG_FS;
	r.fds = (uintptr_t)&fd;
	r.nr_fds = 1;
	err = io(b->dev, FREEZEGUARD_IOC_FREEZE, &r);
	*gen = r.generation;
	return err;
}

/* freezeguard's FREEZE+THAW of the filesystem, in ns. */
static uint64_t fs_cycle_fg(struct fsbench *b)
{
	uint64_t t0 = mono_ns(), gen;

	must(fs_freeze(b, "fgbench-fs", 60000, &gen), "FREEZE --fs");
	must(req(b->dev, FREEZEGUARD_IOC_THAW, "fgbench-fs", 0, gen, NULL), "THAW");
	return mono_ns() - t0;
}

/* The kernel's own FIFREEZE+FITHAW of the filesystem, in ns. */
static uint64_t fs_cycle_raw(struct fsbench *b)
{
	uint64_t t0 = mono_ns();

	if (ioctl(b->dirfd, FIFREEZE, 0))
		die("FIFREEZE", errno);
	if (ioctl(b->dirfd, FITHAW, 0))
		die("FITHAW", errno);
	return mono_ns() - t0;
}

struct blocked_writer {
	int fd;
	uint64_t resumed;
	int err;
};

/* One write to the frozen filesystem: it returns when it is thawed. */
static void *writer_fn(void *arg)
{
	struct blocked_writer *w = arg;

	w->err = pwrite(w->fd, "x", 1, 0) == 1 ? 0 : errno ? errno : EIO;
	w->resumed = mono_ns();
	return NULL;
}

/*
 * Freeze, let a writer block on the filesystem, and return how late after
 * the deadline it resumed. freezeguard: FREEZE with a deadline of
 * FS_DEADLINE_MS, which its timeout thaws (the deadline read back with
 * STATUS, as in freezer_fn()). The baseline, @raw: FIFREEZE, and this
 * thread's clock_nanosleep() to the same deadline, then FITHAW -- a
 * watchdog in userspace. -1 when the freeze itself outlasted the deadline
 * (its sync, under load), either way: no sample.
 */
static int64_t autothaw_late(struct fsbench *b, bool raw)
{
	struct blocked_writer w = { b->write_fd, 0, 0 };
	struct freezeguard_status st;
	uint64_t t0 = mono_ns(), t, deadline, gen;
	struct timespec ts;
	pthread_t th;
	int err;

	if (raw) {
		if (ioctl(b->dirfd, FIFREEZE, 0))
			die("FIFREEZE", errno);
		deadline = t0 + FS_DEADLINE_MS * 1000000ULL;
		if (mono_ns() >= deadline) {	/* its sync outlasted it */
			if (ioctl(b->dirfd, FITHAW, 0))
				die("FITHAW", errno);
			return -1;
		}
	} else {
		err = fs_freeze(b, "fgbench-fs", FS_DEADLINE_MS, &gen);
		if (err == ETIMEDOUT)
			return -1;
		must(err, "FREEZE --fs");
		t = mono_ns();
		must(status(b->dev, "fgbench-fs", &st), "STATUS");
		while (st.state == FREEZEGUARD_STATE_FROZEN && st.generation == gen &&
		       !st.time_left_ns) {	/* passed, the worker to come */
			usleep(1000);
			must(status(b->dev, "fgbench-fs", &st), "STATUS");
		}
		if (st.state != FREEZEGUARD_STATE_FROZEN || st.generation != gen)
			return -1;	/* it timed out already */
		deadline = t + st.time_left_ns;
	}
	spawn(&th, NULL, writer_fn, &w);
	if (raw) {
		ts.tv_sec = deadline / 1000000000ULL;
		ts.tv_nsec = deadline % 1000000000ULL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		if (ioctl(b->dirfd, FITHAW, 0))
			die("FITHAW", errno);
	}
	pthread_join(th, NULL);
	must(w.err, "write to the frozen filesystem");
	if (w.resumed < deadline)
		die("a write went through before the deadline: not frozen", EPROTO);
	if (!raw) {
		must(status(b->dev, "fgbench-fs", &st), "STATUS");
		if (st.state != FREEZEGUARD_STATE_FAILED || st.generation != gen)
			die("the freeze did not end by its deadline", EPROTO);
	}
	return (int64_t)(w.resumed - deadline);
}

/*
 * On each filesystem of @dirs (DIR:TYPE,...): @k FREEZE+THAW round trips
 * with DIRTY_BYTES dirty against as many FIFREEZE+FITHAW, and @k auto-thaws
 * against a userspace watchdog's, each pair in turn; @load names what runs
 * beside (the suite starts it).
 */
static int run_fs(const char *dirs, unsigned int k, const char *load)
{
	char *list = strdup(dirs), *tok, *save;
	uint64_t *fg = calloc(k, sizeof(*fg)), *raw = calloc(k, sizeof(*raw));
	int64_t *late_fg = calloc(k, sizeof(*late_fg));
	int64_t *late_raw = calloc(k, sizeof(*late_raw));
	unsigned int i, slow, slow_raw;
	char head[160];

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct fsbench b = { tok, "", load, -1, -1, -1, dev_open() };
		char *colon = strchr(tok, ':');

		if (!colon)
			die("-m: DIR:TYPE,...", EINVAL);
		*colon = '\0';
		b.fs = colon + 1;
		b.dirfd = open(b.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (b.dirfd < 0)
			die(b.dir, errno);
		b.dirty_fd = open_in(b.dir, "fgbench.dirty");
		b.write_fd = open_in(b.dir, "fgbench.write");
		must(req(b.dev, FREEZEGUARD_IOC_CREATE, "fgbench-fs", 0, 0, NULL), "CREATE");
		make_dirty(&b, 0);		/* allocate its blocks */
		fsync(b.dirty_fd);
		for (i = 0; i < k; i++) {	/* the order alternates */
			make_dirty(&b, 2 * i + 1);
			if (i % 2)
				fg[i] = fs_cycle_fg(&b);
			else
				raw[i] = fs_cycle_raw(&b);
			make_dirty(&b, 2 * i + 2);
			if (i % 2)
				raw[i] = fs_cycle_raw(&b);
			else
				fg[i] = fs_cycle_fg(&b);
		}
		printf("FGBENCH fsfreeze fs=%s load=%s dirty_kib=%u k=%u fg_ns=%llu raw_ns=%llu\n",
		       b.fs, load, DIRTY_BYTES >> 10, k,
		       (unsigned long long)quantile(fg, k, 0.5),
		       (unsigned long long)quantile(raw, k, 0.5));
		slow = slow_raw = 0;
		for (i = 0; i < k; i++) {
			while ((late_raw[i] = autothaw_late(&b, true)) < 0)
				if (++slow_raw > 4 * k)
					die("every FIFREEZE outlasted its deadline", ETIMEDOUT);
			while ((late_fg[i] = autothaw_late(&b, false)) < 0)
				if (++slow > 4 * k)
					die("every freeze outlasted its deadline", ETIMEDOUT);
		}
		snprintf(head, sizeof(head),
			 "autothaw by=freezeguard fs=%s load=%s deadline_ms=%u slow=%u",
			 b.fs, load, FS_DEADLINE_MS, slow);
		quantiles_print(head, k, late_fg);
		snprintf(head, sizeof(head),
			 "autothaw by=userspace fs=%s load=%s deadline_ms=%u slow=%u",
			 b.fs, load, FS_DEADLINE_MS, slow_raw);
		quantiles_print(head, k, late_raw);
		must(req(b.dev, FREEZEGUARD_IOC_REMOVE, "fgbench-fs", 0, 0, NULL), "REMOVE");
		close(b.write_fd);
		close(b.dirty_fd);
		close(b.dirfd);
		close(b.dev);
	}
	free(fg);
	free(raw);
	free(late_fg);
	free(late_raw);
	free(list);
	return 0;
}

/* @n of each: FREEZE+THAW on one session and a null ioctl, for a tracer. */
static int run_calls(unsigned int n)
{
	int fd = dev_open();

	must(req(fd, FREEZEGUARD_IOC_CREATE, "fgbench-calls", 0, 0, NULL), "CREATE");
	while (n--) {
		cycle_ns(fd, "fgbench-calls", 1);
		null_ns(fd, 1);
	}
	must(req(fd, FREEZEGUARD_IOC_REMOVE, "fgbench-calls", 0, 0, NULL), "REMOVE");
	close(fd);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fgbench cost [-n N]\n"
		"       fgbench scale [-n N] [-s COUNT,...]\n"
		"       fgbench deadline [-d MS,...] [-k K]\n"
		"       fgbench fs -m DIR:TYPE,... [-k K] [-l LOAD]\n"
		"       fgbench calls [-n N]\n"
		"Prints FGBENCH lines (see bench/README.md); exits 1 on any error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *counts = "1,100,10000", *deadlines = "10,100,1000,10000,60000";
	const char *mounts = NULL, *load = "idle";
	unsigned int n = 2000, k = 16;
	const char *what;
	int opt;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	what = argv[1];
	if (!strcmp(what, "-h") || !strcmp(what, "--help")) {
		usage(stdout);
		return 0;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "n:s:d:k:m:l:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 's': counts = optarg; break;
		case 'd': deadlines = optarg; break;
		case 'k': k = strtoul(optarg, NULL, 10); break;
		case 'm': mounts = optarg; break;
		case 'l': load = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!n || !k || k > 64) {	/* fgbench_delayed.ko's most */
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* a file per WAITer: 1000 of them in cost */
	setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 8192, 8192 });
	if (!strcmp(what, "cost"))
		return run_cost(n);
	if (!strcmp(what, "scale"))
		return run_scale(n, counts);
	if (!strcmp(what, "deadline"))
		return run_deadline(deadlines, k);
	if (!strcmp(what, "calls"))
		return run_calls(n);
	if (!strcmp(what, "fs") && mounts)
		return run_fs(mounts, k, load);
	usage(stderr);
	return 2;
}
