# SPDX-License-Identifier: GPL-2.0
# Scenarios run inside the test VM (busybox sh). Each check prints one
# "FGTAP ok - ..." or "FGTAP not ok - ..." line; the host counts them.

P=/sys/module/freezeguard/parameters
SCALE=${SCALE:-1}

ms() { echo $(($1 * SCALE)); }			# a duration, scaled
pause() { usleep $(($1 * SCALE * 1000)); }	# pause MS, scaled

tap() {	# tap STATUS DESCRIPTION
	if [ "$1" = 0 ]; then echo "FGTAP ok - $2"; else echo "FGTAP not ok - $2"; fi
}

# expect EXIT DESCRIPTION COMMAND...: run it, check its exit code
expect() {
	want=$1 desc=$2
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ]; then
		tap 0 "$desc"
	else
		tap 1 "$desc: exit $rc, wanted $want: $(echo "$out" | tr '\n' ' ')"
	fi
}

# field NAME KEY: a field of `freezectl status --json NAME`
field() {
	freezectl status --json "$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

# check DESCRIPTION NAME KEY VALUE [KEY VALUE]...
check() {
	desc=$1 name=$2
	shift 2
	js=$(freezectl status --json "$name" 2>&1)
	while [ $# -ge 2 ]; do
		case "$js" in
		*"\"$1\":$2,"*|*"\"$1\":$2}"*|*"\"$1\":\"$2\""*) ;;
		*) tap 1 "$desc: wanted $1=$2 in $js"; return ;;
		esac
		shift 2
	done
	tap 0 "$desc"
}

kmsg_lines() { dmesg | wc -l; }

scenario_load() {
	expect 0 "insmod freezeguard.ko" insmod /freezeguard.ko
	[ -c /dev/freezeguard ] && [ "$(stat -c %a /dev/freezeguard)" = 600 ]
	tap $? "/dev/freezeguard is a char device, mode 0600 (got $(stat -c %a /dev/freezeguard 2>&1))"
}

scenario_freeze_thaw() {
	expect 0 "freeze s1" freezectl freeze s1 --timeout $(ms 10000)
	check "s1 FROZEN, generation 1" s1 state FROZEN generation 1 vss_state 3
	expect 0 "thaw s1 in time" freezectl thaw s1
	check "s1 STABLE after thaw, 1 thaw counted" s1 state STABLE last_error NONE thaws 1 timeouts 0
}

scenario_freeze_timeout() {
	expect 0 "freeze s2 with a $(ms 300) ms deadline" freezectl freeze s2 --timeout $(ms 300)
	pause 1000
	check "s2 FAILED / TIMEOUT after its deadline" s2 state FAILED vss_state 9 last_error TIMEOUT hresult 0x800423F2 timeouts 1
	expect 3 "thaw after the timeout exits 3" freezectl thaw s2
	expect 1 "freeze of a FAILED session is refused (EBUSY)" freezectl freeze s2
	expect 0 "reset s2" freezectl reset s2
	check "s2 STABLE after reset" s2 state STABLE last_error NONE
	dmesg | grep -q "freezeguard: session s2: freeze of generation 1 timed out after $(ms 300) ms"
	tap $? "timeout warning in the kernel log names session, generation and timeout"
}

scenario_stale_worker() {
	echo 1 > $P/fault_skip_cancel
	expect 0 "freeze s3 ($(ms 300) ms)" freezectl freeze s3 --timeout $(ms 300)
	expect 0 "thaw s3 (its timer left armed)" freezectl thaw s3
	expect 0 "freeze s3 again ($(ms 10000) ms)" freezectl freeze s3 --timeout $(ms 10000)
	pause 1000
	check "second freeze survives the first deadline" s3 state FROZEN generation 2 timeouts 0
	expect 0 "thaw s3 generation 2" freezectl thaw s3 --generation 2
	echo 0 > $P/fault_skip_cancel
}

scenario_abort() {
	expect 0 "freeze s4" freezectl freeze s4 --timeout $(ms 10000)
	expect 0 "abort s4" freezectl abort s4
	check "s4 STABLE / ABORTED" s4 state STABLE last_error ABORTED aborts 1
	expect 1 "thaw after abort is refused (EALREADY)" freezectl thaw s4
}

scenario_list() {
	out=$(freezectl list --json)
	case "$out" in
	\[*'"name":"s1"'*'"name":"s4"'*\]) tap 0 "list --json is an array holding every session" ;;
	*) tap 1 "list --json: $out" ;;
	esac
	freezectl list | grep -q "^Session name: 's2'"
	tap $? "list prints sessions as vssadmin list writers does"
}

scenario_wait_cli() {
	freezectl freeze s5 --timeout $(ms 300) >/dev/null
	expect 0 "wait --state FAILED returns when the deadline passes" freezectl wait s5 --state FAILED --timeout $(ms 5000)
	expect 4 "wait for a state that does not come exits 4" freezectl wait s5 --state FROZEN --timeout $(ms 200)
}

scenario_run() {
	expect 0 "run: freeze, true, thaw in time" freezectl run s6 --timeout $(ms 5000) -- true
	expect 1 "run: a failing program exits 1 (and thaws)" freezectl run s6 --timeout $(ms 5000) -- false
	check "run left s6 STABLE" s6 state STABLE thaws 2
	expect 3 "run: a program outlasting the deadline exits 3" freezectl run s6 --timeout $(ms 200) -- usleep $(($(ms 200) * 5000))
	freezectl reset s6
}

scenario_wait_poll() {
	fgtest wait -s $SCALE
}

scenario_abi() {
	before=$(kmsg_lines)
	fgtest abi
	after=$(kmsg_lines)
	[ "$before" = "$after" ]
	tap $? "bad input leaves no kernel log noise ($before -> $after lines)"
}

scenario_race() {
	fgtest race -n $((2000 / SCALE)) -d $(ms 4)
	# Every cancel "lost", and the worker held back: workers of thawed
	# generations run after the thaw (the KB 915331 window, wide open).
	echo 1 > $P/fault_skip_cancel
	echo $(($(ms 2) * 1000)) > $P/fault_worker_delay_us
	fgtest race -n $((1000 / SCALE)) -d $(ms 4)
	echo 0 > $P/fault_skip_cancel
	echo 0 > $P/fault_worker_delay_us
}

scenario_rmmod_frozen() {
	for s in s1 s2 s3 s4 s5 s6 race0 race1; do freezectl remove $s 2>/dev/null; done
	i=0
	while [ $i -lt 100 ]; do
		freezectl freeze -q "rm$i" --timeout $(ms $((2000 + i * 100))) || break
		i=$((i + 1))
	done
	tap $((100 - i)) "100 sessions frozen with pending deadlines ($i)"
	# a worker queued and held back when rmmod comes: rmmod must wait for it
	echo $(($(ms 500) * 1000)) > $P/fault_worker_delay_us
	freezectl freeze -q rmlate --timeout 1
	pause 100
	start=$(cut -d' ' -f1 /proc/uptime)
	expect 0 "rmmod with 100 sessions frozen" rmmod freezeguard
	end=$(cut -d' ' -f1 /proc/uptime)
	echo "rmmod took $start -> $end s (uptime)"
	[ ! -e /dev/freezeguard ] && ! grep -q '^freezeguard ' /proc/modules
	tap $? "module and device are gone"
	pause 3000	# past every deadline: nothing of the module may run now
	expect 0 "insmod again" insmod /freezeguard.ko
	[ "$(freezectl list --json)" = "[]" ]
	tap $? "no session survives a reload"
	expect 0 "rmmod again" rmmod freezeguard
}

# The KUnit suites (on kernels with CONFIG_KUNIT): load, read KTAP back.
scenario_kunit() {
	[ -f /freezeguard_test.ko ] || return 0
	expect 0 "insmod freezeguard_test.ko (KUnit runs at load)" insmod /freezeguard_test.ko
	rmmod freezeguard_test
	# "        ok N desc" (a parameter), "    ok N case"
	dmesg | sed -n 's/^\[[^]]*\] //p' | sed -n \
		-e 's/^        \(not ok\|ok\) [0-9]* \(.*\)/FGTAP \1 - kunit: parameter: \2/p' \
		-e 's/^    \(not ok\|ok\) [0-9]* \(.*\)/FGTAP \1 - kunit: \2/p'
	# the core's table, then the sessions suite
	for summary in "fsm_test_transition: pass:20" "freezeguard_session: pass:5"; do
		dmesg | grep -q "# $summary fail:0 skip:0"
		tap $? "KUnit reported $summary fail:0 skip:0"
	done
}

suite_main() {
	scenario_kunit
	scenario_load
	scenario_freeze_thaw
	scenario_freeze_timeout
	scenario_stale_worker
	scenario_abort
	scenario_list
	scenario_wait_cli
	scenario_run
	scenario_wait_poll
	scenario_abi
	scenario_race
	scenario_rmmod_frozen
}

# The KB 915331 variant of the module: the race test must see the bug.
suite_negative() {
	expect 0 "insmod freezeguard.ko (KB 915331 variant)" insmod /freezeguard.ko
	echo 1 > $P/fault_skip_cancel
	fgtest race -b -n 300 -d 4
	echo 0 > $P/fault_skip_cancel
	rmmod freezeguard
}

# What README's main job shows a user.
suite_demo() {
	set -x
	insmod /freezeguard.ko
	freezectl freeze db --timeout 5000
	freezectl status db
	freezectl thaw db
	freezectl freeze db --timeout 500
	sleep 1
	freezectl status db
	freezectl thaw db
	echo "exit code $?"
	freezectl freeze logs --timeout 60000
	freezectl list
	freezectl list --json
	freezectl reset db
	rmmod freezeguard
	set +x
	echo "FGTAP ok - demo ran"
}
