// SPDX-License-Identifier: GPL-2.0
/* Kbuild feature probe (see Kbuild): per-holder freeze counts (6.8+). */
#include <linux/fs.h>

int fg_probe(struct super_block *sb);
int fg_probe(struct super_block *sb)
{
	return sb->s_writers.freeze_kcount + sb->s_writers.freeze_ucount;
}
