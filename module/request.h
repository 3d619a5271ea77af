/* SPDX-License-Identifier: GPL-2.0 */
/*
 * freezeguard's ioctl arguments, checked (request.c): what each ioctl
 * accepts, as ACSL predicates, and the functions that decide it. The
 * predicates are the specification; spec/prove.sh proves each check
 * returns 0 exactly when its predicate holds.
 */
#ifndef FREEZEGUARD_REQUEST_H
#define FREEZEGUARD_REQUEST_H

#include <linux/types.h>
#include <uapi/linux/freezeguard.h>

/**
 * enum fg_req_kind - what a struct freezeguard_req asks for
 * @FG_REQ_FREEZE: FREEZE: a timeout, filesystems, an owner may be given
 * @FG_REQ_END: THAW, ABORT: names a freeze (a generation, or
 *	FREEZEGUARD_FLAG_CURRENT)
 * @FG_REQ_PLAIN: RESET, CREATE, REMOVE: a name only
 */
enum fg_req_kind { FG_REQ_FREEZE, FG_REQ_END, FG_REQ_PLAIN };

#define FG_REQ_FLAGS_KNOWN (FREEZEGUARD_FLAG_CURRENT | FREEZEGUARD_FLAG_FS | \
			    FREEZEGUARD_FLAG_OWNED | FREEZEGUARD_FLAG_GUARD)

/*@
  // FREEZEGUARD_NAME_CHARS, byte by byte
  predicate name_char(char c) =
    ('A' <= c <= 'Z') || ('a' <= c <= 'z') || ('0' <= c <= '9') ||
    c == '.' || c == '_' || c == ':' || c == '@' || c == '+' || c == '-';

  // 1 to FREEZEGUARD_NAME_LEN - 1 name bytes, then a NUL
  predicate name_ok(char *n) =
    \exists integer len; 1 <= len < FREEZEGUARD_NAME_LEN && n[len] == 0 &&
      \forall integer i; 0 <= i < len ==> name_char(n[i]);

  // The known flags are the four lowest bits (a static_assert in
  // freezeguard_main.c): a larger value has an unknown one.
  predicate req_ok(struct freezeguard_req *r, enum fg_req_kind kind,
		   integer max_timeout_ms) =
    r->flags <= FG_REQ_FLAGS_KNOWN &&
    ((r->flags & FREEZEGUARD_FLAG_CURRENT) != 0 ==> kind == FG_REQ_END) &&
    ((r->flags & FREEZEGUARD_FLAG_FS) != 0 ==> kind == FG_REQ_FREEZE) &&
    ((r->flags & FREEZEGUARD_FLAG_OWNED) != 0 ==> kind == FG_REQ_FREEZE) &&
    ((r->flags & FREEZEGUARD_FLAG_GUARD) != 0 ==>
       (r->flags & FREEZEGUARD_FLAG_FS) != 0) &&
    r->reserved0 == 0 && r->reserved[0] == 0 && r->reserved[1] == 0 &&
    (kind == FG_REQ_FREEZE ? r->timeout_ms <= max_timeout_ms :
			     r->timeout_ms == 0) &&
    ((r->flags & FREEZEGUARD_FLAG_FS) != 0 ?
       r->fds != 0 && 1 <= r->nr_fds <= FREEZEGUARD_FS_MAX :
       r->fds == 0 && r->nr_fds == 0) &&
    (kind == FG_REQ_END ?
       (r->generation == 0 <==> (r->flags & FREEZEGUARD_FLAG_CURRENT) != 0) :
       r->generation == 0) &&
    name_ok(&r->name[0]);

  // STATUS in: the name; every other field STATUS reads must be zero
  predicate status_ok(struct freezeguard_status *st) =
    st->flags == 0 && st->reserved0 == 0 && st->nr_fs == 0 &&
    st->fs_flags == 0 && st->reserved[0] == 0 && st->reserved[1] == 0 &&
    name_ok(&st->name[0]);

  predicate filesystems_ok(struct freezeguard_filesystems *f) =
    f->flags == 0 && f->reserved[0] == 0 && f->reserved[1] == 0 &&
    name_ok(&f->name[0]);

  predicate list_ok(struct freezeguard_list *l) =
    l->flags == 0 && l->reserved0 == 0 && l->reserved[0] == 0 &&
    l->reserved[1] == 0 && 1 <= l->capacity <= FREEZEGUARD_LIST_MAX &&
    l->cursor <= 4294967295;

  predicate wait_ok(struct freezeguard_wait *w) =
    w->flags == 0 && w->reserved[0] == 0 && w->reserved[1] == 0 &&
    name_ok(&w->name[0]);
*/

/*@ requires \valid_read(name + (0 .. FREEZEGUARD_NAME_LEN - 1));
  @ assigns \nothing;
  @ ensures \result <==> name_ok(name);
  @*/
bool fg_name_valid(const char *name);

/*@ requires \valid_read(req);
  @ assigns \nothing;
  @ ensures \result == 0 || \result == -EINVAL;
  @ ensures \result == 0 <==> req_ok(req, kind, max_timeout_ms);
  @*/
int fg_req_check(const struct freezeguard_req *req, enum fg_req_kind kind,
		 u32 max_timeout_ms);

/*@ requires \valid_read(st);
  @ assigns \nothing;
  @ ensures \result == 0 || \result == -EINVAL;
  @ ensures \result == 0 <==> status_ok(st);
  @*/
int fg_status_check(const struct freezeguard_status *st);

/*@ requires \valid_read(f);
  @ assigns \nothing;
  @ ensures \result == 0 || \result == -EINVAL;
  @ ensures \result == 0 <==> filesystems_ok(f);
  @*/
int fg_filesystems_check(const struct freezeguard_filesystems *f);

/*@ requires \valid_read(l);
  @ assigns \nothing;
  @ ensures \result == 0 || \result == -EINVAL;
  @ ensures \result == 0 <==> list_ok(l);
  @*/
int fg_list_check(const struct freezeguard_list *l);

/*@ requires \valid_read(w);
  @ assigns \nothing;
  @ ensures \result == 0 || \result == -EINVAL;
  @ ensures \result == 0 <==> wait_ok(w);
  @*/
int fg_wait_check(const struct freezeguard_wait *w);

#endif /* FREEZEGUARD_REQUEST_H */
