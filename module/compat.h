/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard: every difference between the kernels it builds on
 * (Debian's 6.1, 6.1-rt and 6.12) lives here.
 */
#ifndef FREEZEGUARD_COMPAT_H
#define FREEZEGUARD_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/version.h>

/* hrtimer_setup() replaced hrtimer_init() + assigning ->function in 6.13. */
static inline void fg_hrtimer_setup(struct hrtimer *timer,
				    enum hrtimer_restart (*fn)(struct hrtimer *))
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(timer, fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
#else
	hrtimer_init(timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	timer->function = fn;
#endif
}

#endif /* FREEZEGUARD_COMPAT_H */
