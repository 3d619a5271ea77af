#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove freezeguard with Frama-C WP: the core, the glue and the ioctl
# checks, each the file compiled into the module.
#   spec/prove.sh             prove, in three runs:
#                               glue     module/session.c, against the
#                                        kernel as spec/kernel/ models it
#                               request  module/request.c: what each ioctl
#                                        accepts
#                               core     module/fsm.c + spec/properties.c
#                             exit 0 only if every goal of each, RTE
#                             included, is proved.
#   spec/prove.sh --core, --glue, --request   one of the three
#   spec/prove.sh --negative  every negative control; exit 0 only if WP
#                             rejects each one on the property its bug
#                             breaks:
#     kb915331     fsm.c with -DFSM_KB915331_BUG: the worker fails the
#                  session without checking its own freeze is still open
#     lost-thaw    fsm.c with -DFSM_LOST_THAW_BUG: a freeze that timed out
#                  while FREEZING does not release its filesystems
#     unlocked     session.c with spec/negative/unlocked.patch: the worker
#                  calls the core before it takes the lock
#     clock-early  session.c with spec/negative/clock-early.patch: a thaw
#                  reads the clock before it takes the lock
#     reserved     request.c with spec/negative/reserved.patch: FREEZE,
#                  THAW... accept a non-zero reserved0
#   spec/prove.sh --negative NAME   that one control only
#
# frama-c exits 0 even with unproved goals; -report-unclassified-* makes
# any unproved goal, failed smoke test or warning an error.
set -u
cd "$(dirname "$0")/.." || exit 1
mkdir -p build

# WP finds no prover until why3 has looked for them once.
[ -f "$HOME/.why3.conf" ] || why3 config detect >/dev/null

FRAMAC_FLAGS=(
	-report-unclassified-warning ERROR
	-report-unclassified-unknown ERROR
	-wp -wp-rte -warn-unsigned-overflow -warn-signed-overflow
	-wp-smoke-tests -wp-split
	-wp-prover "z3,cvc4" -wp-timeout 30
	# "no \from for an assigned pointer": precision for callers, not soundness
	-wp-warn-key pedantic-assigns=inactive
)
# The glue: the kernel's headers are spec/kernel/include/linux/*.h. WP's
# memory model assumes (and would print) that a session and its
# filesystems, which are kzalloc()ed, do not overlap the module's static
# variables (fg_events, the fault knobs, the freeze id counter).
GLUE_FLAGS=(
	"-cpp-extra-args=-nostdinc -Ispec/kernel/include -Iinclude -Imodule -DKBUILD_MODNAME=\"freezeguard\""
	-wp-no-warn-memory-model
)
# The functions of session.c not yet inside the proof (every other one is):
# fg_session_freeze and freeze_outcome (the second critical section, after
# the sync, rests on the lock model's rely that no other thread ends a
# FREEZING hold: its goals are not all proved yet); fg_session_filesystems
# (the lock invariant, and the entries already filled, across each
# fs_entry_fill() under the lock: not all proved yet; fs_entry_fill()
# itself is proved); fg_freeze_ids_init() runs at load, before any
# session.
GLUE_NOT_YET=fg_session_freeze,freeze_outcome,fg_session_filesystems,\
fg_freeze_ids_init

# run NAME DIR FILES... -- FLAGS...: frama-c on FILES from DIR, log in
# build/prove-NAME.log, exit status in build/prove-NAME.rc
run() {
	local name=$1 dir=$2 log=$PWD/build/prove-$1.log
	shift 2
	local files=()
	while [ "$1" != -- ]; do files+=("$1"); shift; done
	shift
	local start
	start=$(date +%s)
	(cd "$dir" && frama-c "${FRAMAC_FLAGS[@]}" "$@" "${files[@]}" \
		-then -report-classify) >"$log" 2>&1
	echo $? >"build/prove-$name.rc"
	echo $(( $(date +%s) - start )) >"build/prove-$name.secs"
}

summary() {
	grep -E '^\[wp\] Proved goals:' "build/prove-$1.log" | tail -n 1 |
		sed 's/^\[wp\] Proved goals: *//'
}

# positive [core|glue]: both (one after the other: each runs 4 provers at
# once already, and some goals need most of their 30 s on a loaded
# machine), or one.
positive() {
	local start rc=0 name parts=("$@")
	[ ${#parts[@]} -gt 0 ] || parts=(glue request core)
	start=$(date +%s)
	for name in "${parts[@]}"; do
		case $name in
		# A property is "unknown" once one of its call sites sits in a
		# skipped function; every goal generated must be proved all the
		# same (below).
		glue) run glue . module/session.c -- "${GLUE_FLAGS[@]}" \
			-wp-skip-fct "$GLUE_NOT_YET" -report-unclassified-unknown REVIEW ;;
		request) run request . module/request.c -- "${GLUE_FLAGS[@]}" ;;
		core) run core . module/fsm.c spec/properties.c -- ;;
		esac
	done
	for name in "${parts[@]}"; do
		local s
		s=$(summary "$name")
		if [ -z "$s" ]; then
			echo "prove $name: frama-c gave no goal count (exit $(cat build/prove-"$name".rc)); see build/prove-$name.log" >&2
			tail -n 20 "build/prove-$name.log" >&2
			rc=1
			continue
		fi
		printf 'prove %-7s %s goals proved (%ss)\n' "$name" "$s" "$(cat build/prove-"$name".secs)"
		# "N / M": every goal WP generated, proved
		if [ "$(cat build/prove-"$name".rc)" -ne 0 ] ||
		   [ "$(echo "$s" | awk '{print $1}')" != "$(echo "$s" | awk '{print $3}')" ]; then
			echo "prove $name: NOT every goal is proved; failed goals:" >&2
			grep -E '^\[wp\] \[(Failed|Unknown|Timeout)\]|ERROR' "build/prove-$name.log" >&2
			rc=1
		fi
	done
	echo "prove: $(( $(date +%s) - start ))s in all, z3+cvc4, -wp-rte"
	return $rc
}

# negative NAME: prove the variant; succeed only if WP rejects it on the
# goals its bug breaks (the pattern), whatever else it fails.
negative() {
	local name=$1 must dir=. files=(module/fsm.c) extra=()
	case $name in
	kb915331)
		extra=(-cpp-extra-args=-DFSM_KB915331_BUG -wp-fct fsm_timeout)
		must='^typed_fsm_timeout_(after_end|stale_worker)_' ;;
	lost-thaw)
		extra=(-cpp-extra-args=-DFSM_LOST_THAW_BUG -wp-fct fsm_frozen)
		must='^typed_fsm_frozen_(frozen_after_end_ensures|ensures_inv)' ;;
	unlocked | clock-early | reserved)
		dir=build/negative-$name
		rm -rf "$dir"
		mkdir -p "$dir"
		cp -r module include spec "$dir"/
		if ! patch -s --fuzz=0 -d "$dir" -p1 <"spec/negative/$name.patch"; then
			echo "prove --negative $name: spec/negative/$name.patch no longer applies" >&2
			return 1
		fi
		files=(module/session.c)
		case $name in
		reserved)
			files=(module/request.c)
			extra=("${GLUE_FLAGS[@]}" -wp-fct fg_req_check)
			must='^typed_fg_req_check_ensures_2' ;;
		unlocked)
			extra=("${GLUE_FLAGS[@]}" -wp-fct fg_session_run_worker)
			must='^typed_fg_session_run_worker_call_fsm_timeout_requires_locked' ;;
		clock-early)
			extra=("${GLUE_FLAGS[@]}" -wp-fct fg_session_step)
			must='^typed_fg_session_step_call_fsm_thaw_requires_mono' ;;
		esac ;;
	*)
		echo "prove --negative: no control named $name" >&2
		return 2 ;;
	esac
	run "negative-$name" "$dir" "${files[@]}" -- "${extra[@]}"
	local log=build/prove-negative-$name.log failed caught
	failed=$(grep -oE '^\[wp\] \[(Failed|Unknown|Timeout)\] Goal [A-Za-z0-9_]+' "$log" | awk '{print $4}')
	caught=$(printf '%s\n' "$failed" | grep -E "$must")
	echo "negative $name: $(summary "negative-$name") goals proved ($(cat "build/prove-negative-$name.secs")s)"
	if [ "$(cat "build/prove-negative-$name.rc")" -eq 0 ] || [ -z "$caught" ]; then
		echo "prove --negative $name: WP did NOT reject the variant on the property it breaks ($must)" >&2
		return 1
	fi
	printf '%s\n' "$caught" | sed 's/^/  not proved: /'
	echo "  as required, WP rejects $name: $(printf '%s\n' "$caught" | wc -l) goals of the broken property, $(printf '%s\n' "$failed" | grep -vcE "$must") others unproved"
}

case ${1:-} in
"")
	positive ;;
--core | --glue | --request)
	positive "${1#--}" ;;
--negative)
	if [ -n "${2:-}" ]; then
		negative "$2"
		exit
	fi
	# Two lanes on two cores: the KB 915331 control is the longest.
	(negative kb915331 >build/prove-negative-1.out 2>&1; echo $? >build/prove-negative-1.rc) &
	(rc=0
	 for n in lost-thaw unlocked clock-early reserved; do negative $n || rc=1; done \
		>build/prove-negative-2.out 2>&1
	 echo $rc >build/prove-negative-2.rc) &
	wait
	cat build/prove-negative-1.out build/prove-negative-2.out
	[ "$(cat build/prove-negative-1.rc)" -eq 0 ] && [ "$(cat build/prove-negative-2.rc)" -eq 0 ]
	exit ;;
*)
	echo "usage: spec/prove.sh [--core | --glue | --request | --negative [kb915331|lost-thaw|unlocked|clock-early|reserved]]" >&2
	exit 2 ;;
esac
