#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove the core with Frama-C WP.
#   spec/prove.sh             prove module/fsm.c (the file compiled into the
#                             module) and spec/properties.c; exit 0 only if
#                             every goal, RTE included, is proved.
#   spec/prove.sh --negative  the same specification against the KB 915331
#                             variant of fsm.c (-DFSM_KB915331_BUG); exit 0
#                             only if WP fails, and fails on the race
#                             properties (fsm_timeout's after_end and
#                             stale_worker behaviors). Only fsm_timeout, the
#                             one function the variant changes, is proved.
#   spec/prove.sh --lost-thaw the lost-thaw variant (-DFSM_LOST_THAW_BUG:
#                             a freeze that timed out while FREEZING does
#                             not release its filesystems when the freeze
#                             completes); exit 0 only if WP fails on
#                             fsm_frozen's frozen_after_end behavior or its
#                             invariant (property 7).
#
# frama-c exits 0 even with unproved goals; -report-unclassified-* makes
# any unproved goal, failed smoke test or warning an error.
set -u
cd "$(dirname "$0")/.." || exit 1

mode=${1:-positive}
out=build/prove-${mode#--}.log
mkdir -p build

# WP finds no prover until why3 has looked for them once.
[ -f "$HOME/.why3.conf" ] || why3 config detect >/dev/null

FRAMAC_FLAGS=(
	-report-unclassified-warning ERROR
	-report-unclassified-unknown ERROR
	-wp -wp-rte -warn-unsigned-overflow -warn-signed-overflow
	-wp-smoke-tests -wp-split
	-wp-prover "z3,cvc4" -wp-timeout 30
)
files=(module/fsm.c spec/properties.c)
extra=()
case $mode in
--negative)
	extra=(-cpp-extra-args=-DFSM_KB915331_BUG -wp-fct fsm_timeout)
	variant="the KB 915331 variant"
	must='^typed_fsm_timeout_(after_end|stale_worker)_' ;;
--lost-thaw)
	extra=(-cpp-extra-args=-DFSM_LOST_THAW_BUG -wp-fct fsm_frozen)
	variant="the lost-thaw variant"
	must='^typed_fsm_frozen_(frozen_after_end_ensures|ensures_inv)' ;;
esac

start=$(date +%s)
frama-c "${FRAMAC_FLAGS[@]}" "${extra[@]}" "${files[@]}" -then -report-classify >"$out" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
summary=$(grep -E '^\[wp\] Proved goals:' "$out" | tail -n 1)

if [ -z "$summary" ]; then
	echo "prove: frama-c gave no goal count (exit $rc); see $out" >&2
	tail -n 20 "$out" >&2
	exit 1
fi

if [ "$mode" = positive ]; then
	echo "$summary  (${secs}s, z3+cvc4, -wp-rte)"
	if [ $rc -ne 0 ]; then
		echo "prove: NOT every goal is proved; failed goals:" >&2
		grep -E '^\[wp\] \[(Failed|Unknown|Timeout)\]|ERROR' "$out" >&2
		exit 1
	fi
	exit 0
fi

# Negative control: the proof must fail, and on the properties the bug breaks.
failed=$(grep -oE '^\[wp\] \[(Failed|Unknown|Timeout)\] Goal [A-Za-z0-9_]+' "$out" | awk '{print $4}')
echo "$summary  on $variant (${secs}s)"
caught=$(printf '%s\n' "$failed" | grep -E "$must")
if [ $rc -eq 0 ] || [ -z "$caught" ]; then
	echo "prove ${mode#--}: WP did not reject $variant on the properties it breaks" >&2
	exit 1
fi
echo "goals not proved on $variant:"
printf '%s\n' "$caught" | sed 's/^/  /'
echo "as required, WP rejects $variant: $(printf '%s\n' "$caught" | wc -l) goals of the broken properties and $(printf '%s\n' "$failed" | grep -vcE "$must") others unproved"
exit 0
