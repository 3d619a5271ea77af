// SPDX-License-Identifier: GPL-2.0
/*
 * freezeguard's tracepoints (fg_trace.h), created here, and the functions
 * the rest of the module reaches them through.
 */
#define CREATE_TRACE_POINTS
#include "fg_trace.h"

void fg_trace_transition(const struct fg_session *s, unsigned int cause,
			 unsigned int from, int verdict)
{
	trace_freezeguard_transition(s, cause, from, verdict);
}

void fg_trace_fs_freeze(const char *session, u64 gen, const struct fg_fs *fs,
			int err)
{
	trace_freezeguard_fs_freeze(session, gen, fs, err);
}

void fg_trace_fs_thaw(const char *session, u64 gen, const struct fg_fs *fs,
		      int err)
{
	trace_freezeguard_fs_thaw(session, gen, fs, err);
}
