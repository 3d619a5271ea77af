#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove freezeguard with Frama-C WP: the core, the glue and the ioctl
# checks, each the file compiled into the module.
#   spec/prove.sh             prove three files, in eight lanes, two
#                             at a time:
#                               glue     module/session.c, against the
#                                        kernel as spec/kernel/ models it
#                                        (lanes glue-rest, glue-hard,
#                                        glue-freeze, glue-next)
#                               request  module/request.c: what each ioctl
#                                        accepts (lane request)
#                               core     module/fsm.c + spec/properties.c
#                                        (lanes core-rest, core-hard,
#                                        core-ends)
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
#     hung-sync    fsm.c with -DFSM_HUNG_SYNC_BUG: a freeze that ends while
#                  FREEZING keeps those frozen so far until the one still
#                  syncing completes
#     unlocked     session.c with spec/negative/unlocked.patch: the worker
#                  calls the core before it takes the lock
#     clock-early  session.c with spec/negative/clock-early.patch: a thaw
#                  reads the clock before it takes the lock
#     freeze-clock-early  session.c with
#                  spec/negative/freeze-clock-early.patch: FREEZE's second
#                  step, once a filesystem froze, reads the clock before
#                  it takes the lock back
#     reserved     request.c with spec/negative/reserved.patch: FREEZE,
#                  THAW... accept a non-zero reserved0
#   spec/prove.sh --negative NAME   that one control only
#
# frama-c exits 0 even with unproved goals; -report-unclassified-warning
# makes any warning an error, and every lane must prove every goal it
# generates ("N / N"), failed smoke tests included.
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
	# "no \from for an assigned pointer": precision for callers, not soundness
	-wp-warn-key pedantic-assigns=inactive
)
# A prover's time on one goal, wall clock. The proof's lanes run two at a
# time, each with four provers at a time (-wp-par): eight on two cores, a
# quarter of a core each when all are busy, so the slowest goal (z3's
# 18 s alone; cvc4 takes 66 s on freeze_outcome's lock_inv with a VM
# running beside it) needs some 72 s; 180 s leaves room for a busy
# machine. The limit costs nothing when the goal is proved (its provers
# stop at the first proof). The negative controls run side by side, and each goal one of
# them cannot prove runs to the limit: 30 s.
PROOF_TIMEOUT=${PROOF_TIMEOUT:-180}
NEGATIVE_TIMEOUT=30
# The glue: the kernel's headers are spec/kernel/include/linux/*.h. WP's
# memory model assumes (and would print) that a session and its
# filesystems, which are allocated (kmem_cache_zalloc(), kzalloc()), do
# not overlap the module's static variables (fg_events, the fault knobs,
# the freeze id counter).
GLUE_FLAGS=(
	"-cpp-extra-args=-nostdinc -Ispec/kernel/include -Iinclude -Imodule -DKBUILD_MODNAME=\"freezeguard\""
	-wp-no-warn-memory-model
)
# The function of session.c outside the proof (every other one is in):
# fg_freeze_ids_init() runs once at load, before any session, and only
# seeds the freeze id counter.
GLUE_NOT_YET=fg_freeze_ids_init
# FREEZE's first critical section, in a lane of its own without
# -wp-split: its paths (refusals, the core's verdicts, the ghost record of
# a pending filesystem freeze) multiply the split parts of each goal
# eightfold (some 900 goals, half an hour here); whole, its goals are 100
# or so and the provers take them.
GLUE_FREEZE=fg_session_freeze,freeze_open
# The core's three largest functions (thaw, abort and timeout: half its
# goals), in a lane of their own.
CORE_ENDS=fsm_thaw,fsm_abort,fsm_timeout
# Which prover: cvc4 alone proves every goal but 15 (819 s here, with a
# 20 s limit); racing z3 beside it on every goal, as this script did
# before, took 1544 s, and z3 alone proves less. The properties with a
# goal that only z3 proves here (in 2 to 20 s, where cvc4 runs out of
# time) are proved with both, in every function, in lanes of their own
# (-hard, -wp-prop NAMES); the other lanes prove everything else
# (-wp-prop=-NAME...) with cvc4 alone. So the lanes of a file still cover
# each of its goals once. A lane that fails is run again with both
# provers (positive(), below): which prover a lane starts with never
# decides whether a goal is proved. The smoke tests (WP's best-effort
# search for contradictory assumptions and dead code: a smoke test passes
# when the provers cannot prove false there) run in the cvc4 lanes, with
# cvc4 alone (WP makes none where properties are named): z3 no longer
# searches there as well.
BOTH_PROVERS=z3,cvc4
ONE_PROVER=cvc4
#   fsm_abort, fsm_frozen: ensures holds_kept, done, too_late_pushed;
#   spec/properties.c: thawed_by_another, timeout_while_freezing,
#   late_thawer_after_refreeze, deadline_while_one_syncs: their asserts
CORE_HARD=holds_kept,done,too_late_pushed,not_twice,expired_unreleased,nothing_released_yet,released_once,no_second_release,failure_does_not_block,released_at_deadline,all_released,timed_out,still_timed_out,late_told,nothing_more
#   fg_session_step: session_react()'s requires glue_held, releasing
GLUE_HARD=glue_held,releasing
# The freezing of each filesystem after the first critical section
# (freeze_next() and its loop): its paths through the core's verdicts
# make goals cvc4 alone loses on a busy machine; a lane of its own, with
# both provers.
GLUE_NEXT=freeze_next,freeze_finish
# WP's cache, build/wp-cache: a prover's verdict on a task (the goal as
# sent to it, byte for byte, and the prover's name and version) is not
# asked for again, so a re-run sends only the goals that changed. It
# keeps failures too (a timeout on a busy machine), but WP takes a
# timeout from it only if it was as long as the limit asked for now: a
# lane that fails runs again with twice the limit, so its timeouts go to
# the provers again, and its proved goals come from the cache (the
# first pass of a fresh checkout put them there); a lane that had both
# provers the first time is proved again from nothing (rebuild). A
# fresh checkout (CI) has no cache and sends every goal; PROVE_CACHE=none
# does that here (and on the second pass too); PROVE_CACHE=rebuild sends
# every goal and keeps the verdicts. The negative controls
# never use it, and use both provers: a control must fail where the
# proof, with all its provers, would.
PROVE_CACHE=${PROVE_CACHE:-update}
cache_mode=$PROVE_CACHE again_provers=
# The negative controls (see the top of this file).
NEGATIVES=(kb915331 lost-thaw hung-sync unlocked clock-early freeze-clock-early reserved)

# run NAME DIR FILES... -- FLAGS...: frama-c on FILES from DIR, log in
# build/prove-NAME.log, exit status in build/prove-NAME.rc
run() {
	local name=$1 dir=$2 log=$PWD/build/prove-$1.log cpu=$PWD/build/prove-$1.cpu
	shift 2
	local files=()
	while [ "$1" != -- ]; do files+=("$1"); shift; done
	shift
	local start
	start=$(date +%s)
	rm -f "build/prove-$name".{rc,secs}
	# /usr/bin/time counts the provers' CPU too (frama-c waits for them),
	# and adds each run's to the lane's
	(cd "$dir" && /usr/bin/time -a -f '%U %S' -o "$cpu" \
		frama-c "${FRAMAC_FLAGS[@]}" "$@" "${files[@]}" \
		-then -report-classify) >"$log" 2>&1
	echo $? >"build/prove-$name.rc"
	echo $(( $(date +%s) - start )) >"build/prove-$name.secs"
}

summary() {
	grep -E '^\[wp\] Proved goals:' "build/prove-$1.log" | tail -n 1 |
		sed 's/^\[wp\] Proved goals: *//'
}

# but A,B...: WP's selection of every property but A, B...: -A,-B...
but() {
	echo "-${1//,/,-}"
}

# hard_props LANE: the properties that the -hard lane of LANE's file
# proves with both provers (and its other lanes leave out)
hard_props() {
	case $1 in
	core-*) echo "$CORE_HARD" ;;
	glue-*) echo "$GLUE_HARD" ;;
	esac
}

# lane NAME: one frama-c run of a part of a file. A lane proves some
# functions (-wp-fct) or all but some (-wp-skip-fct), and some properties
# (-wp-prop) or all but some, so the properties of the others are unknown
# to it (REVIEW, not ERROR); the lanes of a file together cover every
# goal of every function, and every goal each lane generates must be
# proved (positive(), below).
lane() {
	local provers=$ONE_PROVER hard mode=$cache_mode
	hard=$(hard_props "$1")
	case $1 in *-hard | glue-next)
		provers=$BOTH_PROVERS
		# proved again: z3 ran here the first time, and the cache
		# would give back its failures (z3 errors on a busy machine)
		[ -z "$again_provers" ] || [ "$mode" = none ] || mode=rebuild ;;
	esac
	[ -z "$again_provers" ] || provers=$again_provers
	echo "$provers" >"build/prove-$1.provers"
	local common=(-wp-cache "$mode" -wp-prover "$provers")
	local glue=(. module/session.c -- "${GLUE_FLAGS[@]}" "${common[@]}"
		    -report-unclassified-unknown REVIEW)
	local core=(. module/fsm.c spec/properties.c -- "${common[@]}"
		    -report-unclassified-unknown REVIEW)
	case $1 in
	core-ends) run "$1" "${core[@]}" -wp-fct "$CORE_ENDS" -wp-prop="$(but "$hard")" ;;
	core-hard) run "$1" "${core[@]}" -wp-prop "$hard" ;;
	core-rest) run "$1" "${core[@]}" -wp-skip-fct "$CORE_ENDS" -wp-prop="$(but "$hard")" ;;
	glue-freeze) run "$1" "${glue[@]}" -wp-fct "$GLUE_FREEZE" -wp-no-split ;;
	glue-hard) run "$1" "${glue[@]}" -wp-skip-fct "$GLUE_NOT_YET,$GLUE_FREEZE" -wp-prop "$hard" ;;
	glue-next) run "$1" "${glue[@]}" -wp-fct "$GLUE_NEXT" -wp-prop="$(but "$hard")" ;;
	glue-rest) run "$1" "${glue[@]}" -wp-skip-fct "$GLUE_NOT_YET,$GLUE_FREEZE,$GLUE_NEXT" -wp-prop="$(but "$hard")" ;;
	request) run "$1" . module/request.c -- "${GLUE_FLAGS[@]}" "${common[@]}" ;;
	esac
}

# lanes NAME...: the lanes, two at a time on two cores, the longest first
lanes() {
	local name
	for name in "$@"; do
		[ "$(jobs -rp | wc -l)" -lt 2 ] || wait -n
		lane "$name" &
	done
	wait
}

# lane_ok NAME: the lane ran to its end and proved every goal it made
lane_ok() {
	local s
	s=$(summary "$1")
	[ -n "$s" ] && [ "$(cat "build/prove-$1.rc" 2>/dev/null)" = 0 ] &&
		[ "$(echo "$s" | awk '{print $1}')" = "$(echo "$s" | awk '{print $3}')" ]
}

# positive [core|glue|request]: every file, or one, as lanes run two at a
# time on two cores, the longest first. Each frama-c is busy itself most
# of the time (it simplifies every goal); its provers run beside it.
positive() {
	local start rc=0 name file lanes=() files=("$@")
	[ ${#files[@]} -gt 0 ] || files=(core glue request)
	# every lane of each file (a lane is named after its file), the
	# longest first
	for name in core-rest glue-rest core-ends glue-next glue-freeze core-hard glue-hard request; do
		for file in "${files[@]}"; do
			case $name in "$file" | "$file"-*) lanes+=("$name") ;; esac
		done
	done
	for name in "${lanes[@]}"; do rm -f "build/prove-$name.cpu"; done
	start=$(date +%s)
	# Two lanes, each with four provers at a time, on two cores. WP's
	# scheduler sleeps 50 ms between rounds and starts at most -wp-par
	# goals a round, even those Qed proves at once: at two, the rounds
	# alone took half of the time.
	FRAMAC_FLAGS+=(-wp-par 4 -wp-timeout "$PROOF_TIMEOUT"
		       -wp-cache-dir "$PWD/build/wp-cache")
	lanes "${lanes[@]}"
	local again=()
	for name in "${lanes[@]}"; do lane_ok "$name" || again+=("$name"); done
	if [ ${#again[@]} -gt 0 ]; then
		echo "prove: ${again[*]}: not every goal proved; again, with both provers and twice the time" >&2
		# the first pass's log tells which goals a prover lost
		for name in "${again[@]}"; do
			cp "build/prove-$name.log" "build/prove-$name.first.log"
		done
		again_provers=$BOTH_PROVERS
		# and twice the time: a goal a busy machine starved the first
		# time (z3 takes 58 s alone on one of freeze_next's)
		FRAMAC_FLAGS+=(-wp-timeout $((PROOF_TIMEOUT * 2)))
		lanes "${again[@]}"
	fi
	for name in "${lanes[@]}"; do
		local s
		s=$(summary "$name")
		if [ -z "$s" ]; then
			echo "prove $name: frama-c gave no goal count (exit $(cat build/prove-"$name".rc)); see build/prove-$name.log" >&2
			tail -n 20 "build/prove-$name.log" >&2
			rc=1
			continue
		fi
		printf 'prove %-11s %s goals proved (%ss, %s CPU-s, %s)\n' "$name" "$s" \
			"$(cat build/prove-"$name".secs)" "$(cpu_secs "$name")" \
			"$(cat build/prove-"$name".provers)"
		# "N / M": every goal WP generated, proved
		if ! lane_ok "$name"; then
			echo "prove $name: NOT every goal is proved; failed goals:" >&2
			grep -E '^\[wp\] \[(Failed|Unknown|Timeout)\]|ERROR' "build/prove-$name.log" >&2
			rc=1
		fi
	done
	# a -hard lane must still prove each property it names: a name that
	# selects nothing (renamed, say) would leave it to cvc4 alone
	for name in core-hard glue-hard; do
		case " ${lanes[*]} " in *" $name "*) ;; *) continue ;; esac
		local prop props
		props=$(hard_props "$name")
		for prop in ${props//,/ }; do
			grep -qE "^\[wp\] \[[^]]*\] Goal typed_[A-Za-z0-9_]*_(assert|ensures|requires)_${prop}(_part[0-9]+)? : Valid" "build/prove-$name.log" || {
				echo "prove $name: no goal of property $prop proved: is it still named so?" >&2
				rc=1
			}
		done
	done
	for file in "${files[@]}"; do
		local proved=0 total=0 n m
		for name in "${lanes[@]}"; do
			case $name in "$file"*) ;; *) continue ;; esac
			read -r n _ m < <(summary "$name")
			proved=$((proved + ${n:-0})) total=$((total + ${m:-0}))
		done
		printf 'prove %-11s %s / %s goals proved in all\n' "$file" "$proved" "$total"
	done
	local secs=$(( $(date +%s) - start )) hits
	hits=$(cache_hits "${lanes[@]}")
	echo "prove: ${secs}s in all (two lanes at a time; $(cpu_secs "${lanes[@]}") CPU-s), cvc4, with z3 beside it in the -hard lanes ($PROOF_TIMEOUT s a goal), -wp-rte, cache: $PROVE_CACHE ($hits prover verdicts reused from build/wp-cache)"
	# what make bench reports as the proof's cost: a whole proof only
	[ "${#files[@]}" -lt 3 ] || [ "$rc" != 0 ] ||
		echo "cost what=prove seconds=$secs cache=$cache_mode reused=$hits date=$(date -u +%F)" >build/prove.cost
	return $rc
}

# cpu_secs LANE...: the CPU time the lanes took, frama-c and its provers
cpu_secs() {
	local name n=0 t
	for name in "$@"; do
		# a line "USER SYS" per run (GNU time adds one of its own when
		# the command fails)
		t=$(awk '/^[0-9.]+ [0-9.]+$/ {s += $1 + $2} END {printf "%d", s}' \
			"build/prove-$name.cpu" 2>/dev/null)
		n=$((n + ${t:-0}))
	done
	echo "$n"
}

# cache_hits LANE...: how many prover verdicts the lanes took from WP's
# cache (WP's own count: "[wp] [Cache] found:N, ...")
cache_hits() {
	local name n=0 found
	for name in "$@"; do
		found=$(sed -n 's/^\[wp\] \[Cache\] found:\([0-9]*\).*/\1/p' "build/prove-$name.log" 2>/dev/null | tail -n 1)
		n=$((n + ${found:-0}))
	done
	echo "$n"
}

# negative NAME: prove the variant; succeed only if WP rejects it on the
# goals its bug breaks (the pattern), whatever else it fails. Where the
# property has a name, the control proves only it (-wp-prop): the rest of
# the function is the positive proof's, and proving it again costs most
# of a control's time (freeze_next() alone makes some 1800 goals).
negative() {
	local name=$1 must dir=. files=(module/fsm.c) extra=()
	case $name in
	kb915331)
		extra=(-cpp-extra-args=-DFSM_KB915331_BUG -wp-fct fsm_timeout)
		must='^typed_fsm_timeout_(after_end|stale_worker)_' ;;
	lost-thaw)
		extra=(-cpp-extra-args=-DFSM_LOST_THAW_BUG -wp-fct fsm_frozen)
		must='^typed_fsm_frozen_(frozen_after_end_ensures|ensures_inv)' ;;
	hung-sync)
		extra=(-cpp-extra-args=-DFSM_HUNG_SYNC_BUG -wp-fct fsm_end -wp-prop "holds,release,inv")
		must='^typed_fsm_end_ensures_(holds|release|inv)' ;;
	*)
		[ -f "spec/negative/$name.patch" ] || {
			echo "prove --negative: no control named $name (one of: ${NEGATIVES[*]})" >&2
			return 2
		}
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
			extra=("${GLUE_FLAGS[@]}" -wp-fct fg_session_run_worker -wp-prop locked)
			must='^typed_fg_session_run_worker_call_fsm_timeout_requires_locked' ;;
		clock-early)
			extra=("${GLUE_FLAGS[@]}" -wp-fct fg_session_step -wp-prop mono)
			must='^typed_fg_session_step_call_fsm_thaw_requires_mono' ;;
		freeze-clock-early)
			extra=("${GLUE_FLAGS[@]}" -wp-fct freeze_next -wp-prop mono)
			must='^typed_freeze_next_call_fsm_frozen(_one)?_requires_mono' ;;
		*)
			echo "prove --negative $name: spec/negative/$name.patch has no entry here" >&2
			return 2 ;;
		esac ;;
	esac
	rm -f "build/prove-negative-$name.cpu"
	run "negative-$name" "$dir" "${files[@]}" -- "${extra[@]}" \
		-wp-prover "$BOTH_PROVERS" -wp-timeout "$NEGATIVE_TIMEOUT" -wp-cache none
	local log=build/prove-negative-$name.log failed caught
	# a goal unproved only because a prover broke (an error, where z3
	# says "Failed" on every goal it does not prove) proves nothing about
	# the variant: it counts as caught only where cvc4 ran on it and
	# answered (Unknown: it found no proof; Timeout: none in 30 s)
	failed=$(awk '/^\[wp\] / {goal = ""}
		/^\[wp\] \[(Failed|Unknown|Timeout)\] Goal / {goal = $4}
		goal != "" && /^  CVC4 [0-9.]+: (Unknown|Timeout)/ {print goal; goal = ""}' "$log")
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
	# All at once: most of a control's time is its provers running to the
	# timeout on goals that are false (the point of a control), a wall-clock
	# wait that runs as well side by side; goals that slow down meanwhile
	# may fail too, which a control allows.
	for n in "${NEGATIVES[@]}"; do
		rm -f "build/prove-negative-$n.out" "build/prove-negative-$n.done"
		(negative "$n" >"build/prove-negative-$n.out" 2>&1
		 echo $? >"build/prove-negative-$n.done") &
	done
	wait
	rc=0
	for n in "${NEGATIVES[@]}"; do
		cat "build/prove-negative-$n.out"
		[ "$(cat "build/prove-negative-$n.done" 2>/dev/null)" = 0 ] || rc=1
	done
	exit $rc ;;
*)
	echo "usage: spec/prove.sh [--core | --glue | --request | --negative [$(IFS='|'; echo "${NEGATIVES[*]}")]]" >&2
	exit 2 ;;
esac
