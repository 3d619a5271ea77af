// SPDX-License-Identifier: GPL-2.0
/* Kbuild feature probe (see Kbuild): the 6.6 form, with a freeze holder. */
#include <linux/fs.h>

int fg_probe(struct super_block *sb);
int fg_probe(struct super_block *sb)
{
	return freeze_super(sb, FREEZE_HOLDER_KERNEL) +
	       thaw_super(sb, FREEZE_HOLDER_KERNEL);
}
