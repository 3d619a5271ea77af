/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/errno.h> for the proof: spec/kernel/kernel.h */
#include "../../kernel.h"
