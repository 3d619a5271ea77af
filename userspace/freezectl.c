// SPDX-License-Identifier: GPL-2.0
/*
 * freezectl: drive /dev/freezeguard sessions (see freezectl(8)).
 *
 * A freeze is named by its generation, the freeze id FREEZE returns: thaw
 * and abort take --generation G (that freeze) or --current (whatever is
 * current: an administrator's override), never a silent default.
 *
 * freeze and run --fs PATH also freeze the filesystems the paths are on;
 * run's freeze is then owned by its open device (FREEZEGUARD_FLAG_OWNED),
 * so that the module thaws them at once should freezectl die.
 *
 * Exit codes: enum exit_code.
 */
#define _GNU_SOURCE	/* statx */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/freezeguard.h>

/* debian/changelog's (scripts/version); the Makefile passes it */
#ifndef FREEZECTL_VERSION
#error "FREEZECTL_VERSION is not defined: build freezectl with make"
#endif

/*
 * Every command but run: 0 success; 1 error (also a thaw in time of a
 * freeze one of whose filesystems someone else thawed: the snapshot is not
 * consistent either); 2 usage; 3 a thaw (or abort) was refused because that
 * freeze had already timed out, so the snapshot taken under it is not
 * consistent; 4 wait timed out.
 *
 * run passes on PROGRAM's status (0 to 123, 128 + N if killed by signal N),
 * so its own verdicts are timeout(1)'s codes, which no such status takes:
 * 124 and 125 only ever mean freezectl's, and PROGRAM's own 124 or 125
 * exits 1. 124 wins over everything else, then a signal freezectl forwarded.
 */
enum exit_code {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_TIMED_OUT = 3,	/* the freeze timed out before thaw */
	EXIT_WAIT_TIMEOUT = 4,
	EXIT_RUN_NOT_HELD = 124,	/* the freeze ended before PROGRAM did */
	EXIT_RUN_FAILED = 125,		/* freezectl failed, PROGRAM was not run */
	EXIT_RUN_NOEXEC = 126,		/* PROGRAM found, but cannot be executed */
	EXIT_RUN_NOTFOUND = 127,
	EXIT_RUN_SIGNAL = 128,		/* + N: signal N killed PROGRAM, or was forwarded */
};

struct options {
	const char *device;
	int json;
	int quiet;
	long long timeout_ms;	/* -1: not given */
	unsigned long long generation;	/* thaw/abort --generation; 0: not given */
	int current;		/* thaw/abort --current */
	int state;		/* wait --state; 0: any change */
	const char *fs[FREEZEGUARD_FS_MAX];	/* freeze, guard, run --fs */
	unsigned int nr_fs;
	int owned;		/* freeze, guard, run --owned */
	int guard;		/* the command is guard */
	int in_run;		/* run's thaw: a stuck filesystem is told, the exit stays */
};

static const char *prog = "freezectl";

static void usage(FILE *f)
{
	fprintf(f,
"Usage: freezectl [OPTIONS] COMMAND [NAME] [-- PROGRAM [ARGS...]]\n"
"Drive freezeguard sessions: freeze/thaw with a deadline, KB 915331-proof.\n"
"\n"
"Commands:\n"
"  freeze NAME [--timeout MS] [--fs PATH]... [--owned]\n"
"                               freeze (create NAME if needed), with the\n"
"                               filesystem of each PATH; prints the generation\n"
"                               (with -q: only its number)\n"
"  guard NAME --fs PATH... [--timeout MS]\n"
"                               freeze nothing, but bound someone else's\n"
"                               userspace freeze (fsfreeze, qemu-guest-agent) of\n"
"                               each PATH's filesystem: unless thawed in time\n"
"                               (thaw NAME --generation G), the module thaws it\n"
"                               once at the deadline (or an abort); prints the\n"
"                               generation\n"
"  thaw NAME --generation G     thaw freeze G; exit 3 if it had timed out, 1 if\n"
"                               a filesystem of it was thawed by someone else\n"
"  thaw NAME --current          thaw whatever freeze is current (override)\n"
"  abort NAME --generation G    abandon freeze G (or --current: the override)\n"
"  reset NAME                   FAILED -> STABLE, clearing the last error\n"
"  create NAME                  create a session without freezing it\n"
"  remove NAME                  remove a session that is not frozen\n"
"  status NAME [--json]         show one session and its filesystems\n"
"  list [--json]                show every session (like vssadmin list writers)\n"
"  wait NAME [--state S] [--timeout MS]\n"
"                               wait until NAME is in state S (STABLE, FREEZING,\n"
"                               FROZEN, FAILED), or until it changes; exit 4 on\n"
"                               timeout\n"
"  run NAME [--timeout MS] [--fs PATH]... [--owned] -- PROGRAM [ARGS...]\n"
"                               freeze, run PROGRAM, thaw exactly that freeze;\n"
"                               SIGINT, SIGTERM, SIGHUP, SIGQUIT are forwarded\n"
"                               to PROGRAM, which is waited for, then thawed;\n"
"                               exit codes below. With --fs the freeze is always\n"
"                               owned (--owned)\n"
"\n"
"A generation is a freeze id, unique across sessions, re-created names and\n"
"module reloads. A FAILED session can be frozen again; a late thaw of the\n"
"freeze that timed out still exits 3. Deadlines run on CLOCK_MONOTONIC:\n"
"time the machine spends suspended does not count; with --fs the deadline\n"
"runs from the request, the sync included (FREEZING until frozen).\n"
"\n"
"Options:\n"
"  -t, --timeout MS      freeze, run: deadline in ms (0 = module default, 60000;\n"
"                        with --fs 30000, at most 60000 by default)\n"
"                        wait: give up after MS ms (0: check once, do not wait;\n"
"                        absent: no limit)\n"
"  -f, --fs PATH         freeze, run: also freeze the filesystem PATH is on (a\n"
"                        directory or regular file: its mount point, say); up\n"
"                        to %d, one filesystem named twice is frozen once\n"
"      --owned           freeze, run: the freeze ends (aborted, its filesystems\n"
"                        thawed) when freezectl exits or dies; freeze --owned\n"
"                        therefore ends it at once (a test of the module)\n"
"  -g, --generation G    thaw/abort: the freeze to end (G >= 1, as freeze\n"
"                        printed it)\n"
"  -c, --current         thaw/abort: whatever freeze is current (an\n"
"                        administrator's override)\n"
"  -s, --state S         wait for state S\n"
"  -j, --json            print status, list and freeze as JSON\n"
"  -q, --quiet           print nothing on success; freeze: only the generation\n"
"  -d, --device PATH     device (default " FREEZEGUARD_DEVICE ")\n"
"  -h, --help            this help\n"
"  -V, --version         version\n"
"\n"
"A frozen filesystem blocks every write to it until thawed: PROGRAM must not\n"
"write to the filesystems it runs under, nor freezectl's output go there.\n"
"\n"
"Examples:\n"
"  gen=$(freezectl freeze -q db --timeout 30000)\n"
"  # take the snapshot\n"
"  freezectl thaw db --generation \"$gen\"    # exit 3: discard the snapshot\n"
"  freezectl run backup --fs /mnt/data --timeout 20000 -- make-snapshot\n"
"                                          # exit 124: discard the snapshot\n"
"\n"
"Exit codes but run's: 0 success, 1 error, 2 usage, 3 the freeze timed out\n"
"before thaw (the snapshot is not consistent), 4 wait timed out.\n"
"run, as timeout(1): PROGRAM's own status if the freeze held until it ended\n"
"(0, 1-123, 128+N if killed by signal N; its 124 or 125 exits 1); 124 the\n"
"freeze did not hold (timed out, aborted, a filesystem thawed by someone\n"
"else: the snapshot is not consistent); 125 freezectl failed, PROGRAM not run\n"
"(bad command line, no device, freeze refused); 126 PROGRAM cannot be\n"
"executed, 127 not found; 128+N freezectl got signal N and forwarded it.\n"
"See freezectl(8).\n",
		FREEZEGUARD_FS_MAX);
}

#define STR(x) #x
#define XSTR(x) STR(x)

/* What an errno means here, where it is the same for every request. */
static const char *errno_hint(int e)
{
	switch (e) {
	case ETIMEDOUT:
		return "that freeze timed out before this thaw: the snapshot taken under it is not consistent";
	case EALREADY:
		return "that freeze had already been thawed; with --current: the session is not frozen";
	case ECANCELED:
		return "that freeze had been aborted";
	case ESTALE:
		return "this session does not know that freeze: never frozen here, more than "
		       XSTR(FREEZEGUARD_HISTORY)
		       " freezes ago, or the session was removed and re-created";
	case EBUSY:
		return "the session is frozen";
	case EACCES:
	case EPERM:
		return "freezeguard needs root / CAP_SYS_ADMIN";
	}
	return NULL;
}

static void verr_hint(int e, const char *hint, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s", strerror(e));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
}

/* "freezectl: WHAT: strerror (HINT)"; no hint if hint is NULL. */
static void __attribute__((format(printf, 3, 4)))
err_hint(int e, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_hint(e, hint, fmt, ap);
	va_end(ap);
}

/* The same with the hint errno_hint() gives. */
static void __attribute__((format(printf, 2, 3)))
err_errno(int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr_hint(e, errno_hint(e), fmt, ap);
	va_end(ap);
}

static int open_device(const struct options *o)
{
	int fd = open(o->device, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		err_errno(e, "%s", o->device);
		if (e == ENOENT)
			fprintf(stderr, "%s: is the module loaded? (insmod freezeguard.ko)\n", prog);
	}
	return fd;
}

/* How states and last errors read: as in JSON, and as vssadmin words them. */
struct label {
	unsigned int value;
	const char *name;
	const char *text;
};

static const struct label states[] = {
	{ FREEZEGUARD_STATE_STABLE, "STABLE", "Stable" },
	{ FREEZEGUARD_STATE_FREEZING, "FREEZING", "Waiting for freeze" },
	{ FREEZEGUARD_STATE_FROZEN, "FROZEN", "Waiting for thaw" },
	{ FREEZEGUARD_STATE_FAILED, "FAILED", "Failed at freeze" },
	{ 0, NULL, NULL },
};

static const struct label errors[] = {
	{ FREEZEGUARD_ERROR_NONE, "NONE", "No error" },
	{ FREEZEGUARD_ERROR_TIMEOUT, "TIMEOUT", "Timed out (0x800423F2)" },
	{ FREEZEGUARD_ERROR_ABORTED, "ABORTED", "Aborted" },
	{ 0, NULL, NULL },
};

static const struct label unknown = { 0, "UNKNOWN", "Unknown" };

static const struct label *label_of(const struct label *table, unsigned int value)
{
	for (; table->name; table++)
		if (table->value == value)
			return table;
	return &unknown;
}

/* A state named on the command line, or -1. */
static int state_parse(const char *s)
{
	const struct label *l;

	for (l = states; l->name; l++)
		if (!strcasecmp(s, l->name))
			return (int)l->value;
	return -1;
}

/* Names are [A-Za-z0-9._:@+-]: no JSON escaping is ever needed. */
static int name_check(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= FREEZEGUARD_NAME_LEN ||
	    strspn(name, FREEZEGUARD_NAME_CHARS) != n) {
		fprintf(stderr, "%s: invalid session name '%s': 1 to %d characters from [A-Za-z0-9._:@+-]\n",
			prog, name, FREEZEGUARD_NAME_LEN - 1);
		return -1;
	}
	return 0;
}

/*
 * The mounts, from /proc/self/mountinfo: a filesystem's device (its
 * superblock's, as FILESYSTEMS reports it) to a mount point. root and
 * point are kept as mountinfo escapes them (a space is \040), which is
 * safe to print; json_string() undoes the escapes.
 */
struct mount_ent {
	unsigned long long id;
	unsigned int major, minor;
	char *root, *point, *type;
};

static struct mount_ent *mounts;
static size_t nr_mounts;

/* Read once; without /proc (or memory) every mount point reads unknown. */
static void mounts_load(void)
{
	static int loaded;
	size_t cap = 0, alloc = 0;
	char *line = NULL;
	FILE *f;

	if (loaded)
		return;
	loaded = 1;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *tok[16], *p = line;
		struct mount_ent m;
		int n = 0, i;

		line[strcspn(line, "\n")] = '\0';
		while (n < 16 && p)
			tok[n++] = strsep(&p, " ");
		/* ID PARENT MAJ:MIN ROOT POINT OPTIONS [TAG...] - TYPE SOURCE ... */
		for (i = 6; i < n - 1 && strcmp(tok[i], "-"); i++)
			;
		if (i >= n - 1 || sscanf(tok[2], "%u:%u", &m.major, &m.minor) != 2)
			continue;
		m.id = strtoull(tok[0], NULL, 10);
		m.root = strdup(tok[3]);
		m.point = strdup(tok[4]);
		m.type = strdup(tok[i + 1]);
		if (nr_mounts == alloc && m.root) {
			struct mount_ent *more = realloc(mounts, (alloc + 64) * sizeof(*more));

			if (more) {
				mounts = more;
				alloc += 64;
			}
		}
		if (nr_mounts == alloc || !m.root || !m.point || !m.type) {
			free(m.root);
			free(m.point);
			free(m.type);
			break;
		}
		mounts[nr_mounts++] = m;
	}
	free(line);
	fclose(f);
}

/* The mount of a filesystem: one of its whole root if there is one. */
static const struct mount_ent *mount_by_dev(unsigned int major, unsigned int minor)
{
	const struct mount_ent *first = NULL;
	size_t i;

	mounts_load();
	for (i = 0; i < nr_mounts; i++) {
		if (mounts[i].major != major || mounts[i].minor != minor)
			continue;
		if (!strcmp(mounts[i].root, "/"))
			return &mounts[i];
		if (!first)
			first = &mounts[i];
	}
	return first;
}

static const struct mount_ent *mount_by_id(unsigned long long id)
{
	size_t i;

	mounts_load();
	for (i = 0; i < nr_mounts; i++)
		if (mounts[i].id == id)
			return &mounts[i];
	return NULL;
}

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	c = s[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	/* no overlong form, no surrogate, nothing above U+10FFFF */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return n;
}

/*
 * s as a JSON string; with mountinfo set, \ooo escapes are undone first.
 * Control characters are escaped, and a byte that is not UTF-8 reads
 * U+FFFD: a path is bytes, a JSON string is Unicode.
 */
static void json_string(const char *s, int mountinfo)
{
	char buf[PATH_MAX * 2];
	const unsigned char *p;
	size_t n = 0, len;

	for (; *s && n < sizeof(buf) - 1; s++) {
		if (mountinfo && s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			buf[n++] = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	putchar('"');
	for (p = (const unsigned char *)buf; *p; p += len) {
		len = utf8_len(p);
		if (!len) {
			fputs("\\ufffd", stdout);
			len = 1;
		} else if (*p == '"' || *p == '\\') {
			printf("\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7F) {
			printf("\\u%04x", *p);
		} else {
			fwrite(p, 1, len, stdout);
		}
	}
	putchar('"');
}

/*
 * The filesystems of a session's freeze, read with FILESYSTEMS. Returns 0
 * when they are those of freeze gen (0: of the current or last freeze),
 * -1 otherwise (another freeze began meanwhile, the session is gone, or
 * the module has no FILESYSTEMS).
 */
static int filesystems_get(int fd, const char *name, unsigned long long gen,
			   struct freezeguard_filesystems *f)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->name, name);
	if (ioctl(fd, FREEZEGUARD_IOC_FILESYSTEMS, f) || (gen && f->generation != gen) ||
	    f->count > FREEZEGUARD_FS_MAX)
		return -1;
	return 0;
}

/* f: the filesystems, or NULL: none, or unknown (JSON null). */
static void fs_print_json(const struct freezeguard_filesystems *f, int known)
{
	const struct mount_ent *m;
	unsigned int i;

	if (!known) {
		fputs("null", stdout);
		return;
	}
	putchar('[');
	for (i = 0; f && i < f->count; i++) {
		const struct freezeguard_fs *fs = &f->fs[i];
		char type[sizeof(fs->type) + 1];

		memcpy(type, fs->type, sizeof(fs->type));
		type[sizeof(fs->type)] = '\0';
		m = mount_by_dev(fs->dev_major, fs->dev_minor);
		printf("%s{\"device\":\"%u:%u\",\"mount\":", i ? "," : "",
		       fs->dev_major, fs->dev_minor);
		if (m)
			json_string(m->point, 1);
		else
			fputs("null", stdout);
		fputs(",\"type\":", stdout);
		json_string(type, 0);
		printf(",\"held\":%s,\"frozen\":%s,\"lost\":%s,\"freezing\":%s,\"stuck\":%s,"
		       "\"guarded\":%s,\"guard_thawed\":%s,\"holders\":",
		       fs->flags & FREEZEGUARD_FS_HELD ? "true" : "false",
		       fs->flags & FREEZEGUARD_FS_FROZEN ? "true" : "false",
		       fs->flags & FREEZEGUARD_FS_LOST ? "true" : "false",
		       fs->flags & FREEZEGUARD_FS_FREEZING ? "true" : "false",
		       fs->flags & FREEZEGUARD_FS_STUCK ? "true" : "false",
		       fs->flags & FREEZEGUARD_FS_GUARDED ? "true" : "false",
		       fs->flags & FREEZEGUARD_FS_GUARD_THAWED ? "true" : "false");
		/* null: this kernel does not tell who holds a freeze */
		if (fs->flags & FREEZEGUARD_FS_HOLDERS)
			printf("{\"kernel\":%s,\"userspace\":%s}}",
			       fs->flags & FREEZEGUARD_FS_BY_KERNEL ? "true" : "false",
			       fs->flags & FREEZEGUARD_FS_BY_USERSPACE ? "true" : "false");
		else
			fputs("null}", stdout);
	}
	putchar(']');
}

/* Who holds a freeze of it, where the kernel tells: " (by kernel, userspace)". */
static const char *fs_holders_text(__u32 flags)
{
	if (!(flags & FREEZEGUARD_FS_HOLDERS) ||
	    !(flags & (FREEZEGUARD_FS_BY_KERNEL | FREEZEGUARD_FS_BY_USERSPACE)))
		return "";
	if (!(flags & FREEZEGUARD_FS_BY_USERSPACE))
		return " (by kernel)";
	if (!(flags & FREEZEGUARD_FS_BY_KERNEL))
		return " (by userspace)";
	return " (by kernel, userspace)";
}

/*
 * One line per filesystem:
 * "   Filesystem: /mnt/data (ext4, 8:1): frozen (by kernel), held".
 */
static void fs_print_text(const struct freezeguard_filesystems *f)
{
	const struct mount_ent *m;
	unsigned int i;

	for (i = 0; f && i < f->count; i++) {
		const struct freezeguard_fs *fs = &f->fs[i];

		m = mount_by_dev(fs->dev_major, fs->dev_minor);
		printf("   Filesystem: %s (%.*s, %u:%u): %s%s%s%s%s%s%s%s\n", m ? m->point : "?",
		       (int)sizeof(fs->type), fs->type, fs->dev_major, fs->dev_minor,
		       fs->flags & FREEZEGUARD_FS_FROZEN ? "frozen" : "not frozen",
		       fs->flags & FREEZEGUARD_FS_FROZEN ? fs_holders_text(fs->flags) : "",
		       fs->flags & FREEZEGUARD_FS_FREEZING ?
		       ", FREEZING (its sync is running)" : "",
		       fs->flags & FREEZEGUARD_FS_HELD ? ", held" : "",
		       fs->flags & FREEZEGUARD_FS_LOST ?
		       ", LOST (thawed by someone else while held)" : "",
		       fs->flags & FREEZEGUARD_FS_STUCK ?
		       ", STUCK (its thaw failed: thawed again every second)" : "",
		       fs->flags & FREEZEGUARD_FS_GUARDED ? ", guarded" : "",
		       fs->flags & FREEZEGUARD_FS_GUARD_THAWED ?
		       ", thawed by the guard (userspace's freeze outlived it)" : "");
	}
}

/* A session and the filesystems of its current or last freeze. */
struct session_view {
	struct freezeguard_status st;
	struct freezeguard_filesystems f;
	int fs_known;	/* f is read and belongs to st.generation */
};

/*
 * Read the filesystems of the freeze st names; STATUS and FILESYSTEMS are
 * two ioctls, so if a new freeze came between them, read both again.
 */
static void view_fill(int fd, struct session_view *v)
{
	struct freezeguard_status st;
	int tries;

	for (tries = 0; tries < 8; tries++) {
		if (!v->st.nr_fs) {
			memset(&v->f, 0, sizeof(v->f));
			v->fs_known = 1;
			return;
		}
		if (!filesystems_get(fd, v->st.name, v->st.generation, &v->f)) {
			v->fs_known = 1;
			return;
		}
		/* STATUS takes only the name: every other field in must be 0. */
		memset(&st, 0, sizeof(st));
		strcpy(st.name, v->st.name);
		if (ioctl(fd, FREEZEGUARD_IOC_STATUS, &st))
			break;	/* show what the first STATUS said */
		v->st = st;
	}
	memset(&v->f, 0, sizeof(v->f));	/* not those of st */
	v->fs_known = 0;
}

static void status_print_json(const struct session_view *v)
{
	const struct freezeguard_status *st = &v->st;

	printf("{\"name\":\"%s\",\"state\":\"%s\",\"vss_state\":%u,"
	       "\"last_error\":\"%s\",\"hresult\":\"0x%08X\","
	       "\"generation\":%llu,\"timeout_ms\":%u,\"frozen_ms\":%llu,"
	       "\"time_left_ms\":%llu,\"freezes\":%llu,\"thaws\":%llu,"
	       "\"timeouts\":%llu,\"aborts\":%llu,\"filesystems\":",
	       st->name, label_of(states, st->state)->name, st->state,
	       label_of(errors, st->last_error)->name, st->hresult,
	       (unsigned long long)st->generation, st->timeout_ms,
	       (unsigned long long)st->frozen_ns / 1000000,
	       (unsigned long long)st->time_left_ns / 1000000,
	       (unsigned long long)st->freezes,
	       (unsigned long long)st->thaws, (unsigned long long)st->timeouts,
	       (unsigned long long)st->aborts);
	fs_print_json(&v->f, v->fs_known);
	putchar('}');
}

/* As `vssadmin list writers` shows a writer. */
static void status_print_text(const struct session_view *v)
{
	const struct freezeguard_status *st = &v->st;

	printf("Session name: '%s'\n", st->name);
	printf("   State: [%u] %s (%s)\n", st->state, label_of(states, st->state)->text,
	       label_of(states, st->state)->name);
	printf("   Last error: %s\n", label_of(errors, st->last_error)->text);
	printf("   Generation: %llu\n", (unsigned long long)st->generation);
	if (st->state == FREEZEGUARD_STATE_FROZEN)
		printf("   Frozen for: %llu ms of %u ms, time left: %llu ms\n",
		       (unsigned long long)st->frozen_ns / 1000000, st->timeout_ms,
		       (unsigned long long)st->time_left_ns / 1000000);
	else if (st->state == FREEZEGUARD_STATE_FREEZING)
		printf("   Freezing its filesystems, time left: %llu ms of %u ms\n",
		       (unsigned long long)st->time_left_ns / 1000000, st->timeout_ms);
	printf("   Freezes: %llu, thaws: %llu, timeouts: %llu, aborts: %llu\n",
	       (unsigned long long)st->freezes, (unsigned long long)st->thaws,
	       (unsigned long long)st->timeouts, (unsigned long long)st->aborts);
	if (!v->fs_known)
		printf("   Filesystems: %u, not read (the session changed meanwhile)\n",
		       st->nr_fs);
	fs_print_text(&v->f);
}

static int do_status(int fd, const struct options *o, const char *name,
		     char **argv __attribute__((unused)))
{
	struct session_view v;

	memset(&v, 0, sizeof(v));
	strcpy(v.st.name, name);
	if (ioctl(fd, FREEZEGUARD_IOC_STATUS, &v.st)) {
		err_errno(errno, "status %s", name);
		return EXIT_ERROR;
	}
	view_fill(fd, &v);
	if (o->json) {
		status_print_json(&v);
		putchar('\n');
	} else {
		status_print_text(&v);
	}
	return EXIT_OK;
}

static int do_list(int fd, const struct options *o,
		   const char *name __attribute__((unused)),
		   char **argv __attribute__((unused)))
{
	struct freezeguard_status st[64];
	struct freezeguard_list l;
	struct session_view v;
	unsigned int i, n = 0;

	memset(&l, 0, sizeof(l));
	l.entries = (uintptr_t)st;
	l.capacity = sizeof(st) / sizeof(st[0]);
	if (o->json)
		putchar('[');
	do {
		l.count = 0;
		if (ioctl(fd, FREEZEGUARD_IOC_LIST, &l)) {
			err_errno(errno, "list");
			return EXIT_ERROR;
		}
		for (i = 0; i < l.count; i++, n++) {
			v.st = st[i];
			view_fill(fd, &v);
			if (o->json) {
				if (n)
					putchar(',');
				status_print_json(&v);
			} else {
				if (n)
					putchar('\n');
				status_print_text(&v);
			}
		}
	} while (l.cursor);
	if (o->json)
		puts("]");
	else if (!n && !o->quiet)
		printf("No sessions.\n");
	return EXIT_OK;
}

/*
 * EBUSY of a session, as STATUS shows it now: frozen or freezing under
 * gen, the generation the refusal copied out (0: any). NULL when it no
 * longer is: then the caller says what it was.
 */
static const char *busy_now(int fd, const char *name, unsigned long long gen)
{
	struct freezeguard_status st;

	memset(&st, 0, sizeof(st));
	strcpy(st.name, name);
	if (ioctl(fd, FREEZEGUARD_IOC_STATUS, &st) || (gen && st.generation != gen))
		return NULL;
	if (st.state == FREEZEGUARD_STATE_FROZEN)
		return "the session is frozen";
	if (st.state == FREEZEGUARD_STATE_FREEZING)
		return "the session is freezing its filesystems";
	return NULL;
}

/*
 * Filesystems of freeze gen (0: the current one) that it holds and that
 * someone else thawed (HELD and LOST): what was done under the freeze
 * may not be consistent. Read before the thaw, which ends the hold.
 */
static unsigned int fs_lost(int fd, const char *name, unsigned long long gen,
			    struct freezeguard_filesystems *f)
{
	unsigned int i, n = 0;

	if (filesystems_get(fd, name, gen, f))
		return 0;
	for (i = 0; i < f->count; i++)
		if ((f->fs[i].flags & (FREEZEGUARD_FS_HELD | FREEZEGUARD_FS_LOST)) ==
		    (FREEZEGUARD_FS_HELD | FREEZEGUARD_FS_LOST))
			n++;
	return n;
}

static void fs_lost_print(const char *verb, const char *name,
			  const struct freezeguard_filesystems *f)
{
	const struct mount_ent *m;
	unsigned int i;

	for (i = 0; i < f->count; i++) {
		const struct freezeguard_fs *fs = &f->fs[i];

		if (!(fs->flags & FREEZEGUARD_FS_HELD) || !(fs->flags & FREEZEGUARD_FS_LOST))
			continue;
		m = mount_by_dev(fs->dev_major, fs->dev_minor);
		fprintf(stderr, "%s: %s %s: the %.*s filesystem on %s (%u:%u) was thawed by someone else during freeze %llu: the snapshot taken under it may not be consistent\n",
			prog, verb, name, (int)sizeof(fs->type), fs->type, m ? m->point : "?",
			fs->dev_major, fs->dev_minor, (unsigned long long)f->generation);
	}
}

/*
 * After a thaw or abort of freeze gen that worked: the filesystems whose
 * thaw failed (STUCK), told on stderr. Return: how many.
 */
static unsigned int fs_stuck_report(int fd, const char *verb, const char *name,
				    unsigned long long gen)
{
	struct freezeguard_filesystems f;
	const struct mount_ent *m;
	unsigned int i, n = 0;

	if (filesystems_get(fd, name, gen, &f) || f.generation != gen)
		return 0;
	for (i = 0; i < f.count; i++) {
		const struct freezeguard_fs *fs = &f.fs[i];

		if (!(fs->flags & FREEZEGUARD_FS_STUCK))
			continue;
		m = mount_by_dev(fs->dev_major, fs->dev_minor);
		fprintf(stderr, "%s: %s %s: the %.*s filesystem on %s (%u:%u) failed to thaw: it stays frozen, and freezeguard thaws it again every second (see the kernel log)\n",
			prog, verb, name, (int)sizeof(fs->type), fs->type,
			m ? m->point : "?", fs->dev_major, fs->dev_minor);
		n++;
	}
	return n;
}

/*
 * THAW, ABORT, RESET, CREATE, REMOVE. *err (if err): the errno of a
 * refusal, else 0. A thaw also tells of a filesystem lost under the freeze,
 * and then exits 1: the snapshot is not consistent, though thawed in time.
 * A thaw or abort tells of a filesystem that failed to thaw (STUCK), and
 * exits 1 too, but in run: there the freeze held, and run's exit says so.
 */
static int do_req(int fd, const struct options *o, unsigned long cmd,
		  const char *verb, const char *name,
		  struct freezeguard_req *out, int *err)
{
	int ends = cmd == FREEZEGUARD_IOC_THAW || cmd == FREEZEGUARD_IOC_ABORT;
	struct freezeguard_filesystems f;
	struct freezeguard_req req;
	unsigned int lost = 0;
	int rc = EXIT_OK, e = 0;

	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	if (ends) {
		/* The freeze named by its generation, or explicitly the current one. */
		req.generation = o->current ? 0 : o->generation;
		req.flags = o->current ? FREEZEGUARD_FLAG_CURRENT : 0;
	}
	if (cmd == FREEZEGUARD_IOC_THAW)
		lost = fs_lost(fd, name, req.generation, &f);
	if (ioctl(fd, cmd, &req)) {
		const char *hint;

		e = errno;
		hint = errno_hint(e);
		if (e == EBUSY && cmd == FREEZEGUARD_IOC_THAW) {
			hint = "that freeze is still freezing its filesystems: thaw it once it is FROZEN, or abort it";
		} else if (e == EBUSY) {
			hint = busy_now(fd, name, req.generation);
			if (!hint)
				hint = "the session was frozen, or its filesystems were still being frozen";
		}
		err_hint(e, hint, "%s %s", verb, name);
		/* a freeze whose deadline passed while FREEZING timed out too */
		rc = e == ETIMEDOUT ? EXIT_TIMED_OUT : EXIT_ERROR;
	}
	/* FILESYSTEMS named the freeze that THAW copied out: the one it was about. */
	if (lost && f.generation == req.generation) {
		fs_lost_print(verb, name, &f);
		if (rc == EXIT_OK)
			rc = EXIT_ERROR;
	}
	/* the freeze held, but a filesystem is still frozen: not a success */
	if (ends && !e && fs_stuck_report(fd, verb, name, req.generation) &&
	    !o->in_run && rc == EXIT_OK)
		rc = EXIT_ERROR;
	if (err)
		*err = e;
	if (rc == EXIT_OK && out)
		*out = req;
	return rc;
}

/* A --fs PATH, open on a filesystem to freeze. */
struct fs_arg {
	const char *path;
	int fd;
	unsigned int major, minor;	/* its filesystem's device */
	int exact;			/* that of its superblock, not st_dev */
	const struct mount_ent *mnt;	/* the mount it is on; NULL: unknown */
};

static void fs_args_close(struct fs_arg *a, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (a[i].fd >= 0)
			close(a[i].fd);
		a[i].fd = -1;
	}
}

/*
 * Open each --fs PATH: read-only (FREEZE takes any file or directory, but
 * fget() refuses an O_PATH descriptor), close-on-exec (run's PROGRAM must
 * not inherit it), and only a directory or regular file (opening a FIFO
 * or a device has effects). Its filesystem's device is the one of the
 * mount statx names (mountinfo shows the superblock's, as FILESYSTEMS
 * does); without that, st_dev, which on btrfs or overlayfs may differ.
 */
static int fs_args_open(const struct options *o, struct fs_arg *a)
{
	struct statx stx;
	struct stat sb;
	unsigned int i;

	for (i = 0; i < o->nr_fs; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].path = o->fs[i];
		a[i].fd = -1;
	}
	for (i = 0; i < o->nr_fs; i++) {
		if (stat(a[i].path, &sb)) {
			err_hint(errno, NULL, "--fs %s", a[i].path);
			fs_args_close(a, o->nr_fs);
			return EXIT_ERROR;
		}
		if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
			goto not_dir;
		a[i].fd = open(a[i].path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (a[i].fd < 0) {
			err_hint(errno, NULL, "--fs %s", a[i].path);
			fs_args_close(a, o->nr_fs);
			return EXIT_ERROR;
		}
		if (fstat(a[i].fd, &sb) || (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode)))
			goto not_dir;	/* replaced since stat() */
		if (!statx(a[i].fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) &&
		    (stx.stx_mask & STATX_MNT_ID))
			a[i].mnt = mount_by_id(stx.stx_mnt_id);
		if (a[i].mnt) {
			a[i].major = a[i].mnt->major;
			a[i].minor = a[i].mnt->minor;
			a[i].exact = 1;
		} else {
			a[i].major = major(sb.st_dev);
			a[i].minor = minor(sb.st_dev);
			a[i].mnt = mount_by_dev(a[i].major, a[i].minor);
		}
	}
	return EXIT_OK;
not_dir:
	fprintf(stderr, "%s: --fs %s: not a directory or regular file: name one on the filesystem to freeze (its mount point, say)\n",
		prog, a[i].path);
	fs_args_close(a, o->nr_fs);
	return EXIT_USAGE;
}

/* Whether every --fs is on one and the same filesystem, for certain. */
static int fs_args_one(const struct fs_arg *a, unsigned int nr)
{
	unsigned int i;

	for (i = 1; i < nr; i++)
		if (!a[0].exact || !a[i].exact ||
		    a[i].major != a[0].major || a[i].minor != a[0].minor)
			return 0;
	return 1;
}

/* "the filesystem of PATH, ext4 on /mnt" (or "device 8:1" if not mounted here) */
static void fs_arg_desc(FILE *m, const struct fs_arg *a)
{
	if (a->mnt)
		fprintf(m, "the filesystem of %s, %s on %s", a->path, a->mnt->type,
			a->mnt->point);
	else
		fprintf(m, "the filesystem of %s, device %u:%u", a->path, a->major,
			a->minor);
}

/*
 * What a FREEZE's errno means. The module does not say which filesystem
 * refused: with one, it is named; with several, *list asks the caller to
 * list them after the message. NULL: nothing to add.
 */
static char *freeze_hint(int fd, int e, const struct freezeguard_req *req,
			 const struct fs_arg *a, unsigned int nr, int *list)
{
	int one = nr && fs_args_one(a, nr);
	const char *busy;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	*list = 0;
	m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	switch (e) {
	case EBUSY:
		busy = busy_now(fd, req->name, req->generation);
		if (busy) {
			fputs(busy, m);
			break;
		}
		fputs("the session was frozen or freezing, or still freezing the filesystems of a freeze that had ended", m);
		if (one) {
			fputs(", or ", m);
			fs_arg_desc(m, a);
			fputs(", is frozen already, by fsfreeze or another session", m);
		} else if (nr) {
			fputs(", or one of the filesystems is frozen already, by fsfreeze or another session", m);
			*list = 1;
		}
		break;
	case EOPNOTSUPP:
		if (one) {
			fs_arg_desc(m, a);
			fputs(", cannot be frozen", m);
		} else if (nr) {
			fputs("one of the filesystems cannot be frozen", m);
			*list = 1;
		}
		break;
	case EPERM:
		fputs(errno_hint(EPERM), m);
		if (one) {
			fputs(", also in the user namespace that owns ", m);
			fs_arg_desc(m, a);
		} else if (nr) {
			fputs(", also in the user namespace that owns each filesystem", m);
			*list = 1;
		}
		break;
	case ETIMEDOUT:
		if (nr)
			fprintf(m, "its deadline, %u ms after the request, passed while the filesystems were being frozen: they were thawed again, and the freeze ended as timed out",
				req->timeout_ms);
		break;
	case ECANCELED:
		if (nr)
			fputs("it was aborted while its filesystems were being frozen: they were thawed again", m);
		break;
	case EBADF:
		if (nr)
			fputs("a --fs descriptor was refused: a freezectl bug", m);
		break;
	case EINVAL:
		fprintf(m, "a timeout above the module parameter %s",
			nr ? "fs_max_timeout_ms" : "max_timeout_ms");
		if (req->flags & (FREEZEGUARD_FLAG_FS | FREEZEGUARD_FLAG_OWNED))
			fprintf(m, ", or a module without %s freezes",
				nr ? "filesystem" : "owned");
		break;
	case EACCES:
		fputs(errno_hint(EACCES), m);
		break;
	}
	fclose(m);
	if (!len) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * FREEZE, with the filesystems of the --fs a[0 .. o->nr_fs - 1] if any,
 * and flags (FREEZEGUARD_FLAG_OWNED).
 */
static int freeze_req(int fd, const struct options *o, const char *name,
		      const struct fs_arg *a, unsigned int flags,
		      struct freezeguard_req *out)
{
	__s32 fds[FREEZEGUARD_FS_MAX];
	struct freezeguard_req req;
	unsigned int i;
	char *hint;
	int e, list;

	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	req.timeout_ms = o->timeout_ms < 0 ? 0 : (uint32_t)o->timeout_ms;
	req.flags = flags;
	if (o->nr_fs) {
		for (i = 0; i < o->nr_fs; i++)
			fds[i] = a[i].fd;
		req.flags |= FREEZEGUARD_FLAG_FS;
		req.fds = (uintptr_t)fds;
		req.nr_fds = o->nr_fs;
	}
	if (ioctl(fd, FREEZEGUARD_IOC_FREEZE, &req)) {
		e = errno;
		hint = freeze_hint(fd, e, &req, a, o->nr_fs, &list);
		err_hint(e, hint, "freeze %s", name);
		free(hint);
		for (i = 0; list && i < o->nr_fs; i++) {
			if (a[i].mnt)
				fprintf(stderr, "%s:   --fs %s: %s on %s (%u:%u)\n", prog,
					a[i].path, a[i].mnt->type, a[i].mnt->point,
					a[i].major, a[i].minor);
			else
				fprintf(stderr, "%s:   --fs %s: device %u:%u\n", prog,
					a[i].path, a[i].major, a[i].minor);
		}
		/* the deadline passed while FREEZING: the freeze timed out */
		return e == ETIMEDOUT ? EXIT_TIMED_OUT : EXIT_ERROR;
	}
	*out = req;
	return EXIT_OK;
}

static int do_freeze(int fd, const struct options *o, const char *name,
		     char **argv __attribute__((unused)))
{
	struct fs_arg a[FREEZEGUARD_FS_MAX];
	struct freezeguard_filesystems f;
	struct freezeguard_req req;
	int rc, known = 1;

	rc = fs_args_open(o, a);
	if (rc != EXIT_OK)
		return rc;
	rc = freeze_req(fd, o, name, a, (o->owned ? FREEZEGUARD_FLAG_OWNED : 0) |
			(o->guard ? FREEZEGUARD_FLAG_GUARD : 0), &req);
	fs_args_close(a, o->nr_fs);	/* the module keeps its own references */
	if (rc != EXIT_OK)
		return rc;
	if (o->quiet) {	/* for scripts: gen=$(freezectl freeze -q NAME) */
		printf("%llu\n", (unsigned long long)req.generation);
		return rc;
	}
	memset(&f, 0, sizeof(f));
	if (o->nr_fs)
		known = !filesystems_get(fd, name, req.generation, &f);
	if (o->json) {
		printf("{\"name\":\"%s\",\"generation\":%llu,\"timeout_ms\":%u,\"filesystems\":",
		       name, (unsigned long long)req.generation, req.timeout_ms);
		fs_print_json(&f, known);
		puts("}");
		return rc;
	}
	if (o->guard)
		printf("%s: guarding, generation %llu: userspace's freeze of these is thawed in %u ms unless thawed in time (thaw %s --generation %llu)\n",
		       name, (unsigned long long)req.generation, req.timeout_ms,
		       name, (unsigned long long)req.generation);
	else
		printf("%s: frozen, generation %llu, times out in %u ms\n",
		       name, (unsigned long long)req.generation, req.timeout_ms);
	if (known)
		fs_print_text(&f);
	else
		printf("   Filesystems: %u, not read (the session changed meanwhile)\n", o->nr_fs);
	if (o->owned)
		printf("   Owned by this freezectl: the freeze is aborted as it exits\n");
	return rc;
}

/* CLOCK_MONOTONIC in ns, the clock of WAIT's deadline_ns. */
static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

static int do_wait(int fd, const struct options *o, const char *name,
		   char **argv __attribute__((unused)))
{
	struct freezeguard_status st;
	struct freezeguard_wait w;
	unsigned long long generation, deadline = 0;	/* 0: no limit */
	unsigned int state;

	/* Absolute, computed once: every retried WAIT keeps the same deadline. */
	if (o->timeout_ms > 0)
		deadline = now_ns() + (unsigned long long)o->timeout_ms * 1000000ULL;
	memset(&st, 0, sizeof(st));
	strcpy(st.name, name);
	if (ioctl(fd, FREEZEGUARD_IOC_STATUS, &st)) {
		err_errno(errno, "wait %s", name);
		return EXIT_ERROR;
	}
	state = st.state;
	generation = st.generation;
	if (o->state && (int)state == o->state)
		goto done;
	if (o->timeout_ms == 0)		/* check once, do not wait */
		goto timeout;
	for (;;) {
		memset(&w, 0, sizeof(w));
		strcpy(w.name, name);
		w.state = state;
		w.generation = generation;
		w.deadline_ns = deadline;
		if (ioctl(fd, FREEZEGUARD_IOC_WAIT, &w)) {
			if (errno == EINTR)
				continue;
			if (errno == ETIME)
				goto timeout;
			err_errno(errno, "wait %s", name);
			return EXIT_ERROR;
		}
		/* The session as WAIT found it after the change, not before. */
		state = w.state;
		generation = w.generation;
		if (!o->state || (int)state == o->state)
			break;
	}
done:
	if (!o->quiet)
		printf("%s: %s, generation %llu\n", name, label_of(states, state)->name,
		       generation);
	return EXIT_OK;
timeout:
	if (o->state)
		fprintf(stderr, "%s: wait %s: not %s within %lld ms (%s, generation %llu)\n",
			prog, name, label_of(states, (unsigned int)o->state)->name,
			o->timeout_ms, label_of(states, state)->name, generation);
	else
		fprintf(stderr, "%s: wait %s: no change within %lld ms (still %s, generation %llu)\n",
			prog, name, o->timeout_ms, label_of(states, state)->name, generation);
	return EXIT_WAIT_TIMEOUT;
}

/* run: the signals forwarded to PROGRAM. */
static const int run_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define RUN_NSIGNALS (sizeof(run_signals) / sizeof(run_signals[0]))
static volatile sig_atomic_t run_signal;	/* the last one received */
static volatile pid_t run_child;	/* set before the handlers are installed */

/*
 * Every such signal is passed on, also one the terminal sent to PROGRAM's
 * process group already (PROGRAM may get a ^C twice): PROGRAM may have left
 * our process group, a hangup reaches only the session leader, and a ^C
 * typed before the fork is still pending here. Better twice than never.
 */
static void run_forward(int sig)
{
	int saved = errno;

	run_signal = sig;
	if (run_child > 0)
		kill(run_child, sig);
	errno = saved;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	case SIGQUIT:
		return "SIGQUIT";
	}
	return "a signal";
}

/* Why run's freeze did not hold until PROGRAM ended: how its thaw failed. */
static const char *run_not_held(int thaw_err)
{
	switch (thaw_err) {
	case 0:		/* thawed in time, but not all it froze stayed frozen */
		return "one of its filesystems was thawed by someone else";
	case ETIMEDOUT:
		return "it timed out";
	case ECANCELED:
		return "it was aborted";
	case EALREADY:
		return "it was thawed by someone else";
	}
	return "it had ended";
}

static int do_run(int fd, const struct options *o, const char *name, char **argv)
{
	struct sigaction sa, orig[RUN_NSIGNALS];
	struct fs_arg a[FREEZEGUARD_FS_MAX];
	struct options thaw_o = *o;
	struct freezeguard_req req;
	sigset_t block, orig_mask;
	int rc, e, thaw_err, reserved, status = 0, exec_err = 0, ep[2];
	siginfo_t si;
	pid_t pid, w;
	size_t i;

	if (fs_args_open(o, a) != EXIT_OK)
		return EXIT_RUN_FAILED;
	/*
	 * The child tells why its exec failed through this pipe (closed on a
	 * successful exec), and we say it after the thaw: our stderr may be
	 * on a filesystem the freeze holds.
	 */
	if (pipe2(ep, O_CLOEXEC) < 0) {
		err_errno(errno, "run %s: pipe", name);
		fs_args_close(a, o->nr_fs);
		return EXIT_RUN_FAILED;
	}

	/*
	 * If our parent left SIGCHLD ignored, the child is reaped behind our
	 * back and waitpid fails with ECHILD.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);

	/*
	 * From FREEZE until the handlers are in place, a signal stays pending
	 * instead of killing us with the session frozen.
	 */
	sigemptyset(&block);
	for (i = 0; i < RUN_NSIGNALS; i++) {
		sigaddset(&block, run_signals[i]);
		sigaction(run_signals[i], NULL, &orig[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &orig_mask);

	/*
	 * A freeze with filesystems is always owned by our open device:
	 * should freezectl die (SIGKILL, a crash), the module aborts it and
	 * thaws them at once instead of at the deadline.
	 */
	rc = freeze_req(fd, o, name, a,
			o->owned || o->nr_fs ? FREEZEGUARD_FLAG_OWNED : 0, &req);
	fs_args_close(a, o->nr_fs);	/* the module keeps its own references */
	if (rc != EXIT_OK) {
		sigprocmask(SIG_SETMASK, &orig_mask, NULL);
		close(ep[0]);
		close(ep[1]);
		return EXIT_RUN_FAILED;	/* also a deadline passed while FREEZING */
	}
	/* From here on, thaw exactly the freeze we made, never a later one. */
	thaw_o.generation = req.generation;
	thaw_o.current = 0;
	thaw_o.in_run = 1;

	pid = fork();
	if (pid == 0) {
		/*
		 * PROGRAM gets default dispositions (a signal our own parent
		 * had ignored stays ignored, as under nohup) and our mask.
		 */
		for (i = 0; i < RUN_NSIGNALS; i++)
			if (orig[i].sa_handler != SIG_IGN)
				signal(run_signals[i], SIG_DFL);
		sigprocmask(SIG_SETMASK, &orig_mask, NULL);
		close(fd);
		close(ep[0]);
		execvp(argv[0], argv);
		e = errno;
		if (write(ep[1], &e, sizeof(e)) < 0)
			e = errno;
		/* as timeout(1) says it */
		_exit(e == ENOENT ? EXIT_RUN_NOTFOUND : EXIT_RUN_NOEXEC);
	}
	close(ep[1]);
	if (pid < 0) {
		e = errno;
		close(ep[0]);
		/* Thaw first: our stderr may be on a filesystem we froze. */
		do_req(fd, &thaw_o, FREEZEGUARD_IOC_THAW, "thaw", name, NULL, NULL);
		err_errno(e, "run %s: fork", name);
		return EXIT_RUN_FAILED;
	}

	/* Forward what would have killed us, wait for PROGRAM, then thaw. */
	run_child = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = run_forward;
	sa.sa_mask = block;
	for (i = 0; i < RUN_NSIGNALS; i++)
		if (orig[i].sa_handler != SIG_IGN)
			sigaction(run_signals[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
	/*
	 * Wait without reaping: while PROGRAM is a zombie its pid cannot be
	 * reused, so the handler never signals a stranger. Then block the
	 * signals and reap it.
	 */
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	sigprocmask(SIG_BLOCK, &block, NULL);
	run_child = 0;
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	e = errno;

	/*
	 * Thaw before writing anything: our stdout or stderr may be on a
	 * filesystem we froze, and a write there would wait for the deadline.
	 */
	rc = do_req(fd, &thaw_o, FREEZEGUARD_IOC_THAW, "thaw", name, NULL, &thaw_err);
	if (read(ep[0], &exec_err, sizeof(exec_err)) != sizeof(exec_err))
		exec_err = 0;	/* exec worked: the pipe closed with nothing */
	close(ep[0]);
	reserved = w == pid && WIFEXITED(status) &&
		   (WEXITSTATUS(status) == EXIT_RUN_NOT_HELD ||
		    WEXITSTATUS(status) == EXIT_RUN_FAILED);
	if (w != pid)
		err_errno(e, "run %s: waitpid", name);
	else if (exec_err)
		fprintf(stderr, "%s: run %s: %s: %s\n", prog, name, argv[0],
			strerror(exec_err));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		;	/* nothing to say */
	else if (run_signal)
		;	/* said below */
	else if (reserved && rc == EXIT_OK)
		fprintf(stderr, "%s: run %s: %s exited %d, a status run reserves for itself: exit %d\n",
			prog, name, argv[0], WEXITSTATUS(status), EXIT_ERROR);
	else if (WIFEXITED(status))
		fprintf(stderr, "%s: run %s: %s exited with status %d\n",
			prog, name, argv[0], WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "%s: run %s: %s killed by signal %d (%s)\n",
			prog, name, argv[0], WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		fprintf(stderr, "%s: run %s: %s: unknown wait status 0x%x\n",
			prog, name, argv[0], (unsigned int)status);
	if (rc != EXIT_OK)
		fprintf(stderr, "%s: run %s: the freeze did not hold until %s finished (%s%s): the snapshot is not consistent\n",
			prog, name, argv[0], run_not_held(thaw_err),
			o->nr_fs && (thaw_err == ETIMEDOUT || thaw_err == ECANCELED) ?
			", its filesystems were thawed under it" : "");
	if (rc == EXIT_OK && !o->quiet)
		printf("%s: generation %llu thawed in time\n", name,
		       (unsigned long long)req.generation);
	if (run_signal)
		fprintf(stderr, "%s: run %s: interrupted by %s: forwarded to %s%s\n",
			prog, name, signal_name(run_signal), argv[0],
			rc == EXIT_OK ? ", thawed" : "");
	if (rc != EXIT_OK)
		return EXIT_RUN_NOT_HELD;
	/* as a shell that got the signal would exit, whatever PROGRAM did */
	if (run_signal)
		return EXIT_RUN_SIGNAL + run_signal;
	if (reserved)
		return EXIT_ERROR;
	/* PROGRAM's own status; 126, 127 also: not executable, not found */
	if (w == pid && WIFEXITED(status))
		return WEXITSTATUS(status);
	if (w == pid && WIFSIGNALED(status))
		return EXIT_RUN_SIGNAL + WTERMSIG(status);
	return EXIT_RUN_FAILED;
}

/* A decimal number: digits only, no sign or space strtoull would accept. */
static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* Commands; those without fn are a plain request with the ioctl ioc. */
static const struct command {
	const char *name;
	int takes_name;
	int takes_program;
	unsigned long ioc;
	int (*fn)(int fd, const struct options *o, const char *name, char **argv);
} commands[] = {
	{ "freeze", 1, 0, 0, do_freeze },
	{ "guard", 1, 0, 0, do_freeze },	/* o.guard */
	{ "thaw", 1, 0, FREEZEGUARD_IOC_THAW, NULL },
	{ "abort", 1, 0, FREEZEGUARD_IOC_ABORT, NULL },
	{ "reset", 1, 0, FREEZEGUARD_IOC_RESET, NULL },
	{ "create", 1, 0, FREEZEGUARD_IOC_CREATE, NULL },
	{ "remove", 1, 0, FREEZEGUARD_IOC_REMOVE, NULL },
	{ "status", 1, 0, 0, do_status },
	{ "list", 0, 0, 0, do_list },
	{ "wait", 1, 0, 0, do_wait },
	{ "run", 1, 1, 0, do_run },
	{ NULL, 0, 0, 0, NULL },
};

enum { OPT_OWNED = 256 };	/* long only */

int main(int argc, char **argv)
{
	/* "+": stop at COMMAND, leaving argv as it is (optstring + 1 permutes) */
	static const char optstring[] = "+t:g:cs:f:jqd:hV";
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "generation", required_argument, NULL, 'g' },
		{ "current", no_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' },
		{ "fs", required_argument, NULL, 'f' },
		{ "owned", no_argument, NULL, OPT_OWNED },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .device = FREEZEGUARD_DEVICE, .timeout_ms = -1 };
	unsigned long long v;
	const char *cmd, *name = NULL;
	int c, fd, rc, nargs, usage_rc = EXIT_USAGE;

	/*
	 * A usage error of run exits 125, as 2 may be PROGRAM's: find COMMAND,
	 * the first word that is not an option, before parsing anything.
	 */
	opterr = 0;
	while (getopt_long(argc, argv, optstring, longopts, NULL) != -1)
		;
	if (optind < argc && !strcmp(argv[optind], "run"))
		usage_rc = EXIT_RUN_FAILED;
	optind = 0;	/* parse again from the start, saying what is wrong */
	opterr = 1;
	while ((c = getopt_long(argc, argv, optstring + 1, longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_u64(optarg, UINT32_MAX, &v)) {
				fprintf(stderr, "%s: --timeout: not a number of ms from 0 to %u: '%s'\n",
					prog, UINT32_MAX, optarg);
				return usage_rc;
			}
			o.timeout_ms = (long long)v;
			break;
		case 'g':
			if (parse_u64(optarg, ULLONG_MAX, &o.generation) || !o.generation) {
				fprintf(stderr, "%s: --generation: not a generation number (1 or more): '%s'\n",
					prog, optarg);
				return usage_rc;
			}
			break;
		case 'c':
			o.current = 1;
			break;
		case 's':
			o.state = state_parse(optarg);
			if (o.state < 0) {
				fprintf(stderr, "%s: --state: one of STABLE, FREEZING, FROZEN, FAILED, not '%s'\n",
					prog, optarg);
				return usage_rc;
			}
			break;
		case 'f':
			if (o.nr_fs == FREEZEGUARD_FS_MAX) {
				fprintf(stderr, "%s: --fs: at most %d filesystems in one freeze\n",
					prog, FREEZEGUARD_FS_MAX);
				return usage_rc;
			}
			o.fs[o.nr_fs++] = optarg;
			break;
		case OPT_OWNED:
			o.owned = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'd':
			o.device = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("freezectl %s\n", FREEZECTL_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return usage_rc;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return usage_rc;
	}
	cmd = argv[optind++];
	for (c = 0; commands[c].name && strcmp(commands[c].name, cmd); c++)
		;
	if (!commands[c].name) {
		fprintf(stderr, "%s: unknown command '%s' (see --help)\n", prog, cmd);
		return usage_rc;
	}
	nargs = argc - optind;
	if (commands[c].takes_name) {
		if (nargs < 1) {
			fprintf(stderr, "%s: %s: missing session NAME (see --help)\n", prog, cmd);
			return usage_rc;
		}
		name = argv[optind++];
		nargs--;
		if (name_check(name))
			return usage_rc;
	}
	if (commands[c].takes_program ? nargs < 1 : nargs != 0) {
		fprintf(stderr, "%s: %s: %s (see --help)\n", prog, cmd,
			commands[c].takes_program ? "missing -- PROGRAM" : "too many arguments");
		return usage_rc;
	}
	/* thaw and abort name the freeze they end; nothing else takes one. */
	if (commands[c].ioc == FREEZEGUARD_IOC_THAW || commands[c].ioc == FREEZEGUARD_IOC_ABORT) {
		if (!o.generation && !o.current) {
			fprintf(stderr, "%s: %s %s: name the freeze to end with --generation G (as freeze printed it), or --current to end whatever freeze is current (an administrator's override)\n",
				prog, cmd, name);
			return usage_rc;
		}
		if (o.generation && o.current) {
			fprintf(stderr, "%s: %s %s: --generation and --current exclude each other\n",
				prog, cmd, name);
			return usage_rc;
		}
	} else if (o.generation || o.current) {
		fprintf(stderr, "%s: %s: --generation and --current are for thaw and abort only\n",
			prog, cmd);
		return usage_rc;
	}
	if ((o.nr_fs || o.owned) && commands[c].fn != do_freeze && commands[c].fn != do_run) {
		fprintf(stderr, "%s: %s: --fs is for freeze, guard and run only, --owned for freeze and run\n",
			prog, cmd);
		return usage_rc;
	}
	o.guard = !strcmp(cmd, "guard");
	if (o.guard && !o.nr_fs) {
		fprintf(stderr, "%s: guard %s: name the filesystems to guard with --fs PATH\n",
			prog, name);
		return usage_rc;
	}
	/* guard returns at once: an owned guard would end (and thaw) as it does */
	if (o.guard && o.owned) {
		fprintf(stderr, "%s: guard %s: --owned would end the guard as freezectl exits, at once\n",
			prog, name);
		return usage_rc;
	}
	fd = open_device(&o);
	if (fd < 0)
		return commands[c].fn == do_run ? EXIT_RUN_FAILED : EXIT_ERROR;
	if (commands[c].fn)
		rc = commands[c].fn(fd, &o, name, argv + optind);
	else
		rc = do_req(fd, &o, commands[c].ioc, cmd, name, NULL, NULL);
	close(fd);
	return rc;
}
