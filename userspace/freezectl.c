// SPDX-License-Identifier: GPL-2.0
/*
 * freezectl: drive /dev/freezeguard sessions (see freezectl(8)).
 *
 * Exit codes: 0 success; 1 error; 2 usage; 3 a thaw (or abort, or run's
 * thaw) was refused because that freeze had already timed out, so the
 * snapshot taken under it is not consistent; 4 wait timed out.
 */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/freezeguard.h>

#define FREEZECTL_VERSION "0.1.0"

enum exit_code {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_TIMED_OUT = 3,	/* the freeze timed out before thaw */
	EXIT_WAIT_TIMEOUT = 4,
};

struct options {
	const char *device;
	int json;
	int quiet;
	long long timeout_ms;	/* -1: not given */
	unsigned long long generation;
	int state;		/* wait --state; 0: any change */
};

static const char *prog = "freezectl";

static void usage(FILE *f)
{
	fprintf(f,
"Usage: freezectl [OPTIONS] COMMAND [NAME] [-- PROGRAM [ARGS...]]\n"
"Drive freezeguard sessions: freeze/thaw with a deadline, KB 915331-proof.\n"
"\n"
"Commands:\n"
"  freeze NAME [--timeout MS]   freeze (create NAME if needed); prints the generation\n"
"  thaw NAME [--generation G]   thaw; exit 3 if the freeze had timed out\n"
"  abort NAME [--generation G]  abandon the freeze\n"
"  reset NAME                   FAILED -> STABLE, clearing the last error\n"
"  create NAME                  create a session without freezing it\n"
"  remove NAME                  remove a session that is not frozen\n"
"  status NAME [--json]         show one session\n"
"  list [--json]                show every session (like vssadmin list writers)\n"
"  wait NAME [--state S] [--timeout MS]\n"
"                               wait until NAME is in state S (STABLE, FROZEN,\n"
"                               FAILED), or until it changes; exit 4 on timeout\n"
"  run NAME [--timeout MS] -- PROGRAM [ARGS...]\n"
"                               freeze, run PROGRAM, thaw; exit 3 if the thaw\n"
"                               came too late, 1 if PROGRAM failed\n"
"\n"
"Options:\n"
"  -t, --timeout MS      freeze: deadline in ms (0 = module default, 60000)\n"
"                        wait: give up after MS ms\n"
"  -g, --generation G    thaw/abort only generation G (default: the current one)\n"
"  -s, --state S         wait for state S\n"
"  -j, --json            print status and list as JSON\n"
"  -q, --quiet           print nothing on success\n"
"  -d, --device PATH     device (default " FREEZEGUARD_DEVICE ")\n"
"  -h, --help            this help\n"
"  -V, --version         version\n"
"\n"
"Exit codes: 0 success, 1 error, 2 usage, 3 the freeze timed out before thaw\n"
"(the snapshot is not consistent), 4 wait timed out. See freezectl(8).\n");
}

static void __attribute__((format(printf, 2, 3)))
err_errno(int e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s", strerror(e));
	switch (e) {
	case ETIMEDOUT:
		fputs(" (the freeze timed out before thaw: the snapshot taken under it is not consistent)", stderr);
		break;
	case EALREADY:
		fputs(" (the session is not frozen)", stderr);
		break;
	case ESTALE:
		fputs(" (that generation is not the current one)", stderr);
		break;
	case EBUSY:
		fputs(" (the session is frozen, or FAILED: reset it first)", stderr);
		break;
	case EACCES:
	case EPERM:
		fputs(" (freezeguard needs root / CAP_SYS_ADMIN)", stderr);
		break;
	}
	fputc('\n', stderr);
}

static int open_device(const struct options *o)
{
	int fd = open(o->device, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		err_errno(errno, "%s", o->device);
		if (errno == ENOENT)
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
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@+-") != n) {
		fprintf(stderr, "%s: invalid session name '%s': 1 to %d characters from [A-Za-z0-9._:@+-]\n",
			prog, name, FREEZEGUARD_NAME_LEN - 1);
		return -1;
	}
	return 0;
}

static void status_print_json(const struct freezeguard_status *st)
{
	printf("{\"name\":\"%s\",\"state\":\"%s\",\"vss_state\":%u,"
	       "\"last_error\":\"%s\",\"hresult\":\"0x%08X\","
	       "\"generation\":%llu,\"timeout_ms\":%u,\"frozen_ms\":%llu,"
	       "\"time_left_ms\":%llu,\"thaws\":%llu,\"timeouts\":%llu,"
	       "\"aborts\":%llu}",
	       st->name, label_of(states, st->state)->name, st->state,
	       label_of(errors, st->last_error)->name, st->hresult,
	       (unsigned long long)st->generation, st->timeout_ms,
	       (unsigned long long)st->frozen_ns / 1000000,
	       (unsigned long long)st->time_left_ns / 1000000,
	       (unsigned long long)st->thaws, (unsigned long long)st->timeouts,
	       (unsigned long long)st->aborts);
}

/* As `vssadmin list writers` shows a writer. */
static void status_print_text(const struct freezeguard_status *st)
{
	printf("Session name: '%s'\n", st->name);
	printf("   State: [%u] %s (%s)\n", st->state, label_of(states, st->state)->text,
	       label_of(states, st->state)->name);
	printf("   Last error: %s\n", label_of(errors, st->last_error)->text);
	printf("   Generation: %llu\n", (unsigned long long)st->generation);
	if (st->state == FREEZEGUARD_STATE_FROZEN)
		printf("   Frozen for: %llu ms of %u ms, time left: %llu ms\n",
		       (unsigned long long)st->frozen_ns / 1000000, st->timeout_ms,
		       (unsigned long long)st->time_left_ns / 1000000);
	printf("   Thaws: %llu, timeouts: %llu, aborts: %llu\n",
	       (unsigned long long)st->thaws, (unsigned long long)st->timeouts,
	       (unsigned long long)st->aborts);
}

static int do_status(int fd, const struct options *o, const char *name,
		     char **argv __attribute__((unused)))
{
	struct freezeguard_status st;

	memset(&st, 0, sizeof(st));
	strcpy(st.name, name);
	if (ioctl(fd, FREEZEGUARD_IOC_STATUS, &st)) {
		err_errno(errno, "status %s", name);
		return EXIT_ERROR;
	}
	if (o->json) {
		status_print_json(&st);
		putchar('\n');
	} else {
		status_print_text(&st);
	}
	return EXIT_OK;
}

static int do_list(int fd, const struct options *o,
		   const char *name __attribute__((unused)),
		   char **argv __attribute__((unused)))
{
	struct freezeguard_status st[64];
	struct freezeguard_list l;
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
			if (o->json) {
				if (n)
					putchar(',');
				status_print_json(&st[i]);
			} else {
				if (n)
					putchar('\n');
				status_print_text(&st[i]);
			}
		}
	} while (l.cursor);
	if (o->json)
		puts("]");
	else if (!n && !o->quiet)
		printf("No sessions.\n");
	return EXIT_OK;
}

/* FREEZE, THAW, ABORT, RESET, CREATE, REMOVE. */
static int do_req(int fd, const struct options *o, unsigned long cmd,
		  const char *verb, const char *name,
		  struct freezeguard_req *out)
{
	struct freezeguard_req req;

	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	if (cmd == FREEZEGUARD_IOC_FREEZE)
		req.timeout_ms = o->timeout_ms < 0 ? 0 : (uint32_t)o->timeout_ms;
	if (cmd == FREEZEGUARD_IOC_THAW || cmd == FREEZEGUARD_IOC_ABORT)
		req.generation = o->generation;
	if (ioctl(fd, cmd, &req)) {
		int e = errno;

		err_errno(e, "%s %s", verb, name);
		return e == ETIMEDOUT ? EXIT_TIMED_OUT : EXIT_ERROR;
	}
	if (out)
		*out = req;
	return EXIT_OK;
}

static int do_freeze(int fd, const struct options *o, const char *name,
		     char **argv __attribute__((unused)))
{
	struct freezeguard_req req;
	int rc = do_req(fd, o, FREEZEGUARD_IOC_FREEZE, "freeze", name, &req);

	if (rc == EXIT_OK && !o->quiet) {
		if (o->json)
			printf("{\"name\":\"%s\",\"generation\":%llu,\"timeout_ms\":%u}\n",
			       name, (unsigned long long)req.generation, req.timeout_ms);
		else
			printf("%s: frozen, generation %llu, times out in %u ms\n",
			       name, (unsigned long long)req.generation, req.timeout_ms);
	}
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int do_wait(int fd, const struct options *o, const char *name,
		   char **argv __attribute__((unused)))
{
	struct freezeguard_status st;
	struct freezeguard_wait w;
	long long end = o->timeout_ms > 0 ? now_ms() + o->timeout_ms : 0;
	int first = 1;

	for (;;) {
		memset(&st, 0, sizeof(st));
		strcpy(st.name, name);
		if (ioctl(fd, FREEZEGUARD_IOC_STATUS, &st)) {
			err_errno(errno, "wait %s", name);
			return EXIT_ERROR;
		}
		if (o->state ? (int)st.state == o->state : !first)
			break;
		first = 0;
		memset(&w, 0, sizeof(w));
		strcpy(w.name, name);
		w.state = st.state;
		w.generation = st.generation;
		if (end) {
			long long left = end - now_ms();

			if (left <= 0) {
				errno = ETIME;
				goto timeout;
			}
			w.timeout_ms = left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
		}
		if (ioctl(fd, FREEZEGUARD_IOC_WAIT, &w)) {
			if (errno == ETIME)
				goto timeout;
			err_errno(errno, "wait %s", name);
			return EXIT_ERROR;
		}
		if (!o->state)
			break;
	}
	if (!o->quiet)
		printf("%s: %s, generation %llu\n", name, label_of(states, st.state)->name,
		       (unsigned long long)st.generation);
	return EXIT_OK;
timeout:
	err_errno(ETIME, "wait %s", name);
	return EXIT_WAIT_TIMEOUT;
}

static int do_run(int fd, const struct options *o, const char *name, char **argv)
{
	struct options thaw_o = *o;
	struct freezeguard_req req;
	int rc, status;
	pid_t pid;

	rc = do_req(fd, o, FREEZEGUARD_IOC_FREEZE, "freeze", name, &req);
	if (rc != EXIT_OK)
		return rc;
	pid = fork();
	if (pid == 0) {
		close(fd);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: run %s: %s: %s\n", prog, name, argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		err_errno(errno, "run %s: fork", name);
		status = -1;
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	/* Thaw exactly the freeze we made, never a later one. */
	thaw_o.generation = req.generation;
	rc = do_req(fd, &thaw_o, FREEZEGUARD_IOC_THAW, "thaw", name, NULL);
	if (rc != EXIT_OK)
		return rc;
	if (!o->quiet)
		printf("%s: generation %llu thawed in time\n", name,
		       (unsigned long long)req.generation);
	return status == 0 ? EXIT_OK : EXIT_ERROR;
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return -1;
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "generation", required_argument, NULL, 'g' },
		{ "state", required_argument, NULL, 's' },
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
	int c, fd, rc, nargs;

	while ((c = getopt_long(argc, argv, "t:g:s:jqd:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_u64(optarg, UINT32_MAX, &v)) {
				fprintf(stderr, "%s: --timeout: not a number of ms from 0 to %u: '%s'\n",
					prog, UINT32_MAX, optarg);
				return EXIT_USAGE;
			}
			o.timeout_ms = (long long)v;
			break;
		case 'g':
			if (parse_u64(optarg, ULLONG_MAX, &o.generation)) {
				fprintf(stderr, "%s: --generation: not a generation number: '%s'\n",
					prog, optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			o.state = state_parse(optarg);
			if (o.state < 0) {
				fprintf(stderr, "%s: --state: one of STABLE, FROZEN, FAILED, not '%s'\n",
					prog, optarg);
				return EXIT_USAGE;
			}
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
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[optind++];
	for (c = 0; commands[c].name && strcmp(commands[c].name, cmd); c++)
		;
	if (!commands[c].name) {
		fprintf(stderr, "%s: unknown command '%s' (see --help)\n", prog, cmd);
		return EXIT_USAGE;
	}
	nargs = argc - optind;
	if (commands[c].takes_name) {
		if (nargs < 1) {
			fprintf(stderr, "%s: %s: missing session NAME (see --help)\n", prog, cmd);
			return EXIT_USAGE;
		}
		name = argv[optind++];
		nargs--;
		if (name_check(name))
			return EXIT_USAGE;
	}
	if (commands[c].takes_program ? nargs < 1 : nargs != 0) {
		fprintf(stderr, "%s: %s: %s (see --help)\n", prog, cmd,
			commands[c].takes_program ? "missing -- PROGRAM" : "too many arguments");
		return EXIT_USAGE;
	}
	fd = open_device(&o);
	if (fd < 0)
		return EXIT_ERROR;
	if (commands[c].fn)
		rc = commands[c].fn(fd, &o, name, argv + optind);
	else
		rc = do_req(fd, &o, commands[c].ioc, cmd, name, NULL);
	close(fd);
	return rc;
}
