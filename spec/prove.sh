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
	-wp-prover "z3,cvc4" -wp-timeout 20
)
files=(module/fsm.c spec/properties.c)
extra=()
[ "$mode" = --negative ] && extra=(-cpp-extra-args=-DFSM_KB915331_BUG -wp-fct fsm_timeout)

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

if [ "$mode" != --negative ]; then
	echo "$summary  (${secs}s, z3+cvc4, -wp-rte)"
	if [ $rc -ne 0 ]; then
		echo "prove: NOT every goal is proved; failed goals:" >&2
		grep -E '^\[wp\] \[(Failed|Unknown|Timeout)\]|ERROR' "$out" >&2
		exit 1
	fi
	exit 0
fi

# Negative control: the proof must fail, and on the race properties.
failed=$(grep -oE '^\[wp\] \[(Failed|Unknown|Timeout)\] Goal [A-Za-z0-9_]+' "$out" | awk '{print $4}')
echo "$summary  on the KB 915331 variant (${secs}s)"
race=$(printf '%s\n' "$failed" | grep -E '^typed_fsm_timeout_(after_end|stale_worker)_')
if [ $rc -eq 0 ] || [ -z "$race" ]; then
	echo "prove-negative: WP did not reject the KB 915331 variant on the race properties" >&2
	exit 1
fi
echo "race goals not proved on the variant:"
printf '%s\n' "$race" | sed 's/^/  /'
echo "as required, WP rejects the KB 915331 variant: $(printf '%s\n' "$race" | wc -l) race goals and $(printf '%s\n' "$failed" | grep -vcE '^typed_fsm_timeout_(after_end|stale_worker)_') others unproved"
exit 0
