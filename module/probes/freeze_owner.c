// SPDX-License-Identifier: GPL-2.0
/* Kbuild feature probe (see Kbuild): the later form, holder and owner. */
#include <linux/fs.h>

int fg_probe(struct super_block *sb);
int fg_probe(struct super_block *sb)
{
	return freeze_super(sb, FREEZE_HOLDER_KERNEL, NULL) +
	       thaw_super(sb, FREEZE_HOLDER_KERNEL, NULL);
}
