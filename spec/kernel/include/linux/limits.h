/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/limits.h> for the proof: spec/kernel/kernel.h */
#include "../../kernel.h"
