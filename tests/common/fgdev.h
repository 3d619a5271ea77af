/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The calls on /dev/freezeguard that the in-VM test program (fgtest) and
 * the benchmark (fgbench) share: open the device, one ioctl returning its
 * errno, a request by name, STATUS, the monotonic clock, a module
 * parameter.
 */
#ifndef FGDEV_H
#define FGDEV_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/freezeguard.h>

static inline int dev_open(void)
{
	int fd = open(FREEZEGUARD_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		perror(FREEZEGUARD_DEVICE);
		exit(1);
	}
	return fd;
}

/* ioctl, returning 0 or the errno. */
static inline int io(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static inline struct freezeguard_req req_of(const char *name)
{
	struct freezeguard_req r;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "%s", name);
	return r;
}

static inline int req_flags(int fd, unsigned long cmd, const char *name,
			    uint32_t timeout_ms, uint64_t gen, uint32_t flags,
			    uint64_t *gen_out)
{
	struct freezeguard_req r = req_of(name);
	int e;

	r.timeout_ms = timeout_ms;
	r.generation = gen;
	r.flags = flags;
	e = io(fd, cmd, &r);
	if (gen_out)
		*gen_out = r.generation;
	return e;
}

static inline int req(int fd, unsigned long cmd, const char *name,
		      uint32_t timeout_ms, uint64_t gen, uint64_t *gen_out)
{
	return req_flags(fd, cmd, name, timeout_ms, gen, 0, gen_out);
}

static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline int status(int fd, const char *name,
			 struct freezeguard_status *st)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", name);
	return io(fd, FREEZEGUARD_IOC_STATUS, st);
}

/* Write a module parameter of freezeguard; exit on failure. */
static inline void sysparam(const char *param, const char *value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/freezeguard/parameters/%s", param);
	f = fopen(path, "w");
	if (!f || fputs(value, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

#endif
