// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard's ioctl arguments, checked: each fixed-size struct that
 * userspace passes in, after it is copied in and before anything acts on
 * it. Every flag must be one the ioctl knows, every reserved field zero,
 * the name valid and each number in range; anything else is -EINVAL. The
 * contracts in request.h say exactly what each check accepts, and WP
 * proves them (spec/prove.sh); this file is the one compiled.
 */
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/types.h>
#include <uapi/linux/freezeguard.h>

#include "request.h"

/* One byte of FREEZEGUARD_NAME_CHARS (a KUnit case checks the two agree). */
/*@ assigns \nothing;
  @ ensures \result <==> name_char(c);
  @*/
static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
	       c == '@' || c == '+' || c == '-';
}

bool fg_name_valid(const char *name)
{
	u32 i;

	/*@ loop invariant 0 <= i <= FREEZEGUARD_NAME_LEN;
	  @ loop invariant \forall integer k; 0 <= k < i ==>
	  @	name[k] != 0 && name_char(name[k]);
	  @ loop assigns i;
	  @ loop variant FREEZEGUARD_NAME_LEN - i;
	  @*/
	for (i = 0; i < FREEZEGUARD_NAME_LEN; i++) {
		if (!name[i])
			return i > 0;
		if (!is_name_char(name[i]))
			return false;
	}
	return false;	/* no NUL */
}

int fg_req_check(const struct freezeguard_req *req, enum fg_req_kind kind,
		 u32 max_timeout_ms)
{
	bool names_current = req->flags & FREEZEGUARD_FLAG_CURRENT;
	bool has_fs = req->flags & FREEZEGUARD_FLAG_FS;
	bool owned = req->flags & FREEZEGUARD_FLAG_OWNED;
	bool guard = req->flags & FREEZEGUARD_FLAG_GUARD;

	if (req->flags > FG_REQ_FLAGS_KNOWN ||
	    (names_current && kind != FG_REQ_END) ||
	    ((has_fs || owned) && kind != FG_REQ_FREEZE) ||
	    (guard && !has_fs) ||
	    req->reserved0 || req->reserved[0] || req->reserved[1])
		return -EINVAL;
	if (kind == FG_REQ_FREEZE ? req->timeout_ms > max_timeout_ms :
				    req->timeout_ms)
		return -EINVAL;
	if (has_fs && (!req->fds || !req->nr_fds ||
		       req->nr_fds > FREEZEGUARD_FS_MAX))
		return -EINVAL;
	if (!has_fs && (req->fds || req->nr_fds))
		return -EINVAL;
	/* A freeze is named, or "current" is said explicitly: never both. */
	if (kind == FG_REQ_END ? !req->generation != names_current : req->generation)
		return -EINVAL;
	return fg_name_valid(req->name) ? 0 : -EINVAL;
}

int fg_status_check(const struct freezeguard_status *st)
{
	if (st->flags || st->reserved0 || st->nr_fs || st->fs_flags ||
	    st->reserved[0] || st->reserved[1] || !fg_name_valid(st->name))
		return -EINVAL;
	return 0;
}

int fg_filesystems_check(const struct freezeguard_filesystems *f)
{
	if (f->flags || f->reserved[0] || f->reserved[1] ||
	    !fg_name_valid(f->name))
		return -EINVAL;
	return 0;
}

int fg_list_check(const struct freezeguard_list *l)
{
	if (l->flags || l->reserved0 || l->reserved[0] || l->reserved[1] ||
	    !l->capacity || l->capacity > FREEZEGUARD_LIST_MAX ||
	    l->cursor > U32_MAX)
		return -EINVAL;
	return 0;
}

int fg_wait_check(const struct freezeguard_wait *w)
{
	if (w->flags || w->reserved[0] || w->reserved[1] ||
	    !fg_name_valid(w->name))
		return -EINVAL;
	return 0;
}
