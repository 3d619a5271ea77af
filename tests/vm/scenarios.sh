# SPDX-License-Identifier: GPL-2.0
# Scenarios run inside the test VM (busybox sh). Each check prints one
# "FGTAP ok - ..." or "FGTAP not ok - ..." line; the host counts them.
# $(ms N) is always a number, so it is left unquoted as an argument:
# shellcheck disable=SC2046

P=/sys/module/freezeguard/parameters
D=/sys/kernel/debug/freezeguard	# the tests' fault knobs
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

# running NAME: a process of that name (its comm, not its arguments) runs
running() { grep -qx "$1" /proc/[0-9]*/comm 2>/dev/null; }

uptime_s() { t=$(cut -d' ' -f1 /proc/uptime); echo "${t%.*}"; }

scenario_load() {
	expect 0 "insmod freezeguard.ko" insmod /freezeguard.ko
	[ -c /dev/freezeguard ] && [ "$(stat -c %a /dev/freezeguard)" = 600 ]
	tap $? "/dev/freezeguard is a char device, mode 0600 (got $(stat -c %a /dev/freezeguard 2>&1))"
	# both take it from debian/changelog (scripts/version)
	v=$(cat /sys/module/freezeguard/version 2>/dev/null)
	[ -n "$v" ] && [ "$(freezectl --version)" = "freezectl $v" ]
	tap $? "the module's version ('$v') is freezectl's ('$(freezectl --version 2>&1)')"
}

scenario_freeze_thaw() {
	g=$(freezectl freeze -q s1 --timeout $(ms 10000))
	tap $? "freeze -q s1 prints its freeze id ($g)"
	check "s1 FROZEN, generation $g, 1 freeze" s1 state FROZEN generation "$g" vss_state 3 freezes 1
	expect 2 "thaw without naming a freeze is a usage error" freezectl thaw s1
	expect 2 "--generation ' -1' is a usage error, not 2^64-1" freezectl thaw s1 --generation ' -1'
	expect 0 "thaw s1 --generation $g in time" freezectl thaw s1 --generation "$g"
	check "s1 STABLE after thaw, 1 thaw counted" s1 state STABLE last_error NONE thaws 1 timeouts 0
	expect 1 "thaw of the thawed freeze again: EALREADY" freezectl thaw s1 --generation "$g"
}

scenario_freeze_timeout() {
	g=$(freezectl freeze -q s2 --timeout $(ms 300))
	pause 1000
	check "s2 FAILED / TIMEOUT after its deadline" s2 state FAILED vss_state 9 last_error TIMEOUT hresult 0x800423F2 timeouts 1
	expect 3 "thaw after the timeout exits 3" freezectl thaw s2 --generation "$g"
	dmesg | grep -q "freezeguard: session s2: freeze $g timed out after $(ms 300) ms"
	tap $? "timeout warning in the kernel log names session, freeze id and timeout"
	# A failure never blocks the next freeze; the late thawer still learns.
	g2=$(freezectl freeze -q s2 --timeout $(ms 10000))
	tap $? "a FAILED session freezes again ($g2)"
	[ "${g2:-0}" -gt "$g" ] 2>/dev/null
	tap $? "the new freeze has a new, higher id ($g -> $g2)"
	expect 3 "late thaw of the timed-out freeze still exits 3" freezectl thaw s2 --generation "$g"
	check "the late thaw left the new freeze alone" s2 state FROZEN generation "$g2" freezes 2 timeouts 1
	expect 0 "thaw of the new freeze" freezectl thaw s2 --generation "$g2"
	expect 0 "reset s2" freezectl reset s2
	check "s2 STABLE after reset" s2 state STABLE last_error NONE
	expect 3 "after a reset, the timed-out freeze is still reported timed out" freezectl thaw s2 --generation "$g"
}

# The first freeze's deadline fires (thaw's cancel switched off) and its
# worker is held back until a second freeze has begun: it must reach the
# core as a stale worker of the first freeze and leave the second alone.
# The KB 915331 worker fails the second freeze here.
scenario_stale_worker() {
	echo 1 > $D/fault_skip_cancel
	echo $(($(ms 800) * 1000)) > $D/fault_worker_delay_us
	g1=$(freezectl freeze -q s3 --timeout $(ms 300))
	expect 0 "thaw s3's first freeze (its timer left armed)" freezectl thaw s3 --generation "$g1"
	pause 450	# the first deadline fires; its worker sleeps 800 ms
	g2=$(freezectl freeze -q s3 --timeout $(ms 10000))
	tap $? "freeze s3 again while the first worker is held back"
	pause 1000	# the first freeze's worker has run now
	check "the second freeze survives the first freeze's worker" s3 state FROZEN generation "$g2" timeouts 0
	echo 0 > $D/fault_worker_delay_us
	echo 0 > $D/fault_skip_cancel
	expect 0 "thaw s3's second freeze" freezectl thaw s3 --generation "$g2"
}

scenario_abort() {
	g=$(freezectl freeze -q s4 --timeout $(ms 10000))
	expect 0 "abort s4" freezectl abort s4 --generation "$g"
	check "s4 STABLE / ABORTED" s4 state STABLE last_error ABORTED aborts 1
	expect 1 "thaw of the aborted freeze is refused (ECANCELED)" freezectl thaw s4 --generation "$g"
	freezectl thaw s4 --generation "$g" 2>&1 | grep -q "aborted"
	tap $? "and says the freeze had been aborted"
	expect 1 "thaw --current of a session that is not frozen (EALREADY)" freezectl thaw s4 --current
	g=$(freezectl freeze -q s4 --timeout $(ms 10000))
	expect 0 "thaw --current ends whatever freeze is current (the override)" freezectl thaw s4 --current
}

# The issue that made freeze ids unique: a run whose freeze timed out, then
# the session removed and re-created, then the run's thaw. It must never
# hear success about the other freeze.
scenario_identity() {
	freezectl run idn --timeout $(ms 500) -- usleep $(($(ms 500) * 4000)) >/tmp/run.out 2>&1 &
	pid=$!
	pause 1000	# the run's freeze has timed out
	expect 0 "remove the FAILED session while its run still runs" freezectl remove idn
	g=$(freezectl freeze -q idn --timeout $(ms 10000))
	tap $? "someone else freezes a new session of the same name ($g)"
	wait $pid
	rc=$?
	[ $rc = 124 ] && ! grep -q "thawed in time" /tmp/run.out
	tap $? "the first run's thaw is not a success: exit 124 (exit $rc: $(tr '\n' ' ' </tmp/run.out))"
	check "the other freeze is still frozen" idn state FROZEN generation "$g"
	expect 0 "thaw it" freezectl thaw idn --generation "$g"
	a=$(freezectl freeze -q ida --timeout $(ms 10000))
	b=$(freezectl freeze -q idb --timeout $(ms 10000))
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
	tap $? "two sessions' freezes have different ids ($a, $b)"
	expect 1 "a freeze id of another session is unknown here (ESTALE)" freezectl thaw ida --generation "$b"
	freezectl thaw ida --generation "$a"
	freezectl thaw idb --generation "$b"
}

scenario_list() {
	out=$(freezectl list --json)
	case "$out" in
	\[*'"name":"s1"'*'"name":"s4"'*\]) tap 0 "list --json is an array holding every session" ;;
	*) tap 1 "list --json: $out" ;;
	esac
	freezectl list | grep -q "^Session name: 's2'"
	tap $? "list prints sessions as vssadmin list writers does"
	freezectl create o1 && freezectl create o2 && freezectl remove o1 && freezectl create o3
	out=$(freezectl list --json)
	case "$out" in
	*'"name":"o2"'*'"name":"o3"'*) tap 0 "list keeps creation order after a removal" ;;
	*) tap 1 "list order after create o1, o2, remove o1, create o3: $out" ;;
	esac
	freezectl remove o2; freezectl remove o3
	# the same sessions, in the same order, without freezectl: debugfs
	g=$(freezectl freeze -q dbg --timeout $(ms 60000))
	line=$(grep '^dbg ' $D/sessions)
	# shellcheck disable=SC2086 # its fields, split
	set -- $line
	[ "$2 $3 $4 $5 $7" = "FROZEN NONE $g $(ms 60000) 1" ] && [ "$6" -gt 0 ] && [ "$6" -le $(ms 60000) ]
	tap $? "debugfs freezeguard/sessions shows dbg FROZEN, its freeze id, timeout and time left ($line)"
	[ "$(grep -v '^#' $D/sessions | cut -d' ' -f1 | tr '\n' ' ')" = "$(freezectl list --json | tr ',' '\n' | sed -n 's/.*"name":"\([^"]*\)".*/\1/p' | tr '\n' ' ')" ]
	tap $? "debugfs freezeguard/sessions lists what LIST lists, in its order"
	freezectl thaw dbg --current; freezectl remove dbg
}

scenario_wait_cli() {
	freezectl freeze s5 --timeout $(ms 300) >/dev/null
	expect 0 "wait --state FAILED returns when the deadline passes" freezectl wait s5 --state FAILED --timeout $(ms 5000)
	expect 4 "wait for a state that does not come exits 4" freezectl wait s5 --state FROZEN --timeout $(ms 200)
	expect 0 "wait --timeout 0 checks once: already FAILED" freezectl wait s5 --state FAILED --timeout 0
	expect 4 "wait --timeout 0 checks once: not FROZEN" freezectl wait s5 --state FROZEN --timeout 0
	# without --state: print what WAIT returned, not the state before
	g=$(freezectl freeze -q s5 --timeout $(ms 10000))
	freezectl wait s5 --timeout $(ms 5000) >/tmp/wait.out 2>&1 &
	pid=$!
	pause 300
	freezectl thaw s5 --generation "$g"
	wait $pid
	rc=$?
	[ $rc = 0 ] && grep -q "s5: STABLE, generation $g" /tmp/wait.out
	tap $? "wait without --state prints the state it woke to (exit $rc: $(cat /tmp/wait.out))"
	# SIGSTOP/SIGCONT must not end a wait (it restarts, same deadline)
	g=$(freezectl freeze -q s5 --timeout $(ms 10000))
	freezectl wait s5 --state STABLE --timeout $(ms 5000) >/tmp/wait.out 2>&1 &
	pid=$!
	pause 300
	kill -STOP $pid; pause 100; kill -CONT $pid
	pause 300
	freezectl thaw s5 --generation "$g"
	wait $pid
	rc=$?
	tap $rc "wait survives SIGSTOP/SIGCONT and sees the thaw (exit $rc: $(cat /tmp/wait.out))"
}

# run's exit codes, timeout(1)'s: never one the program's status can take.
scenario_run() {
	expect 0 "run: freeze, true, thaw in time" freezectl run s6 --timeout $(ms 5000) -- true
	expect 1 "run: a program that exits 1 exits 1 (and thaws)" freezectl run s6 --timeout $(ms 5000) -- false
	expect 3 "run: a program that exits 3, thawed in time, exits 3" \
		freezectl run s6 --timeout $(ms 5000) -- sh -c 'exit 3'
	check "run left s6 STABLE" s6 state STABLE thaws 3
	expect 124 "run: a program outlasting the deadline exits 124" freezectl run s6 --timeout $(ms 200) -- usleep $(($(ms 200) * 5000))
	expect 124 "run: a freeze aborted under the program exits 124, though it exits 0" \
		freezectl run s6 --timeout $(ms 5000) -- freezectl abort s6 --current
	expect 124 "run: a freeze thawed by someone else under the program exits 124" \
		freezectl run s6 --timeout $(ms 5000) -- freezectl thaw s6 --current
	freezectl run s6 --timeout $(ms 5000) -- sh -c 'exit 124' >/tmp/run.out 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q "sh exited 124, a status run reserves for itself" /tmp/run.out
	tap $? "run: a program that exits 124, thawed in time, exits 1 and says why (exit $rc: $(tr '\n' ' ' </tmp/run.out))"
	expect 1 "run: a program that exits 125, thawed in time, exits 1" \
		freezectl run s6 --timeout $(ms 5000) -- sh -c 'exit 125'
	expect 125 "run: a usage error exits 125 (2 may be the program's)" freezectl run s6 --bogus -- true
	expect 125 "run: a missing device exits 125" freezectl --device /nonexistent run s6 -- true
	g=$(freezectl freeze -q s6 --timeout $(ms 10000))
	rm -f /tmp/ran
	expect 125 "run: a refused freeze (EBUSY: s6 frozen) exits 125" \
		freezectl run s6 --timeout $(ms 5000) -- touch /tmp/ran
	[ ! -e /tmp/ran ]
	tap $? "run: the program of a refused freeze is not run"
	expect 0 "thaw s6 after the refused run" freezectl thaw s6 --generation "$g"
	echo 'echo ran' >/tmp/noexec
	chmod 644 /tmp/noexec
	expect 126 "run: a program that cannot be executed exits 126" freezectl run s6 --timeout $(ms 5000) -- /tmp/noexec
	expect 127 "run: a program not found exits 127" freezectl run s6 --timeout $(ms 5000) -- /nonexistent
	check "run: thawed after 126 and 127" s6 state STABLE timeouts 1
	expect 0 "run from a parent that ignores SIGCHLD" fgtest ignore-sigchld freezectl run s6 --timeout $(ms 5000) -- true
	# SIGTERM to freezectl: forwarded to the program, waited for, thawed
	freezectl run s7 --timeout $(ms 20000) -- sleep 30 >/tmp/run.out 2>&1 &
	pid=$!
	pause 500
	running sleep
	tap $? "run: the program runs under freezectl"
	t0=$(uptime_s)
	kill -TERM $pid
	wait $pid
	rc=$?
	t1=$(uptime_s)
	[ $rc = 143 ] && [ $((t1 - t0)) -lt 15 ]
	tap $? "run: SIGTERM to freezectl ends the program and exits 143 after the thaw, at once ($((t1 - t0)) s of the program's 30; exit $rc: $(tr '\n' ' ' </tmp/run.out))"
	check "run: SIGTERM left s7 thawed at once" s7 state STABLE thaws 1 timeouts 0
	! running sleep
	tap $? "run: the program got the signal too (no orphan left)"
	# a program that survives the SIGTERM and exits 0: still 128 + SIGTERM
	freezectl run s8 --timeout $(ms 20000) -- sh -c 'trap "exit 0" TERM; while :; do usleep 100000; done' >/tmp/run.out 2>&1 &
	pid=$!
	pause 500
	kill -TERM $pid
	wait $pid
	rc=$?
	[ $rc = 143 ] && grep -q "thawed in time" /tmp/run.out
	tap $? "run: SIGTERM forwarded to a program that traps it and exits 0 exits 143, thawed in time (exit $rc: $(tr '\n' ' ' </tmp/run.out))"
	g=$(freezectl freeze -q s6 --timeout $(ms 10000))
	out=$(freezectl remove s6 2>&1)
	case $out in
	*"(the session is frozen)"*) tap 0 "remove of a frozen session: EBUSY, and the hint says frozen (not FAILED)" ;;
	*) tap 1 "remove of a frozen session: $out" ;;
	esac
	expect 0 "thaw s6 after the refused remove" freezectl thaw s6 --generation "$g"
}

scenario_wait_poll() {
	fgtest wait -s "$SCALE"
}

scenario_abi() {
	before=$(kmsg_lines)
	fgtest abi
	after=$(kmsg_lines)
	[ "$before" = "$after" ]
	tap $? "bad input leaves no kernel log noise ($before -> $after lines)"
}

scenario_list_stall() {
	fgtest list-stall
}

scenario_freeze_remove_race() {
	fgtest freeze-remove -n $((10000 / SCALE))
}

scenario_race() {
	fgtest race -n $((2000 / SCALE)) -d $(ms 4)
	# Every cancel "lost", and the worker held back: workers of thawed
	# generations run after the thaw (the KB 915331 window, wide open).
	echo 1 > $D/fault_skip_cancel
	echo $(($(ms 2) * 1000)) > $D/fault_worker_delay_us
	fgtest race -n $((1000 / SCALE)) -d $(ms 4)
	echo 0 > $D/fault_skip_cancel
	echo 0 > $D/fault_worker_delay_us
}

T=/sys/kernel/tracing
# trace_start: the module's tracepoints on, in an empty trace buffer.
# Without record-cmd, a precaution: recording the task names hooks the
# scheduler's own tracepoints, rewriting code that both CPUs run all the
# time, and QEMU's multi-threaded TCG can keep running the old bytes of
# code rewritten under it (tests/vm/run-vm: a hang seen with the
# function_graph tracer).
trace_start() {
	mount -t tracefs nodev $T 2>/dev/null
	echo 0 >$T/tracing_on && echo >$T/trace && echo 0 >$T/options/record-cmd &&
		echo 1 >$T/events/freezeguard/enable && echo 1 >$T/tracing_on
}
trace_stop() { echo 0 >$T/events/freezeguard/enable; }

# trace_of SESSION: that session's events in the trace buffer, in order,
# one per line: the event's name without "freezeguard_", then its fields
# gen cause from to verdict release dev type err stuck (those it has)
trace_of() {
	awk -v want="$1" '
	{
		ev = ""; delete f
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^freezeguard_[a-z_]*:$/) { ev = substr($i, 13, length($i) - 13); continue }
			if (ev != "" && split($i, kv, "=") == 2) f[kv[1]] = kv[2]
		}
		if (ev == "" || f["session"] != want) next
		line = ev
		n = split("gen cause from to verdict release dev type err stuck", keys, " ")
		for (i = 1; i <= n; i++) if (keys[i] in f) line = line " " keys[i] "=" f[keys[i]]
		print line
	}' $T/trace
}

# trace_field SESSION N KEY: KEY of the session's Nth event (from 1)
trace_field() {
	awk -v want="$1" -v n="$2" -v key="$3" '
	/freezeguard_[a-z_]*:/ && index($0, " session=" want " ") && ++seen == n {
		for (i = 1; i <= NF; i++) if (index($i, key "=") == 1) print substr($i, length(key) + 2)
	}' $T/trace
}

# The tracepoints: a freeze that times out, its late thaw, a freeze thawed
# in time -- each step of the core, in order, with its freeze id, cause,
# states and verdict; the timeout's lateness from the core's own clock.
scenario_trace() {
	trace_start
	tap $? "tracefs has the freezeguard events, enabled"
	bad=$(grep -hE 'FSM_|FG_|\{ -[0-9]' $T/events/freezeguard/*/format)
	[ -z "$bad" ]
	tap $? "the events' format files give every enum's value, none negative, as trace-cmd and perf need $bad"
	g=$(freezectl freeze -q tr --timeout $(ms 300))
	pause 1000
	freezectl thaw tr --generation "$g" 2>/dev/null	# late: exit 3
	g2=$(freezectl freeze -q tr --timeout $(ms 10000))
	freezectl thaw tr --generation "$g2"
	trace_stop
	got=$(trace_of tr)
	want="transition gen=$g cause=freeze from=STABLE to=FROZEN verdict=FROZE release=0
transition gen=$g cause=deadline from=FROZEN to=FAILED verdict=EXPIRED release=0
transition gen=$g cause=thaw from=FAILED to=FAILED verdict=E_TIMED_OUT release=0
transition gen=$g2 cause=freeze from=FAILED to=FROZEN verdict=FROZE release=0
transition gen=$g2 cause=thaw from=FROZEN to=STABLE verdict=THAWED release=0"
	[ "$got" = "$want" ]
	tap $? "freezeguard_transition: freeze, deadline, late thaw, freeze, thaw, in order: $(echo "$got" | tr '\n' '|')"
	d=$(trace_field tr 1 deadline) t0=$(trace_field tr 1 clock)
	d2=$(trace_field tr 2 deadline) t2=$(trace_field tr 2 clock) late=$(trace_field tr 2 late_ns)
	t3=$(trace_field tr 3 clock)
	[ -n "$d" ] && [ "$d" = "$d2" ] && [ $((d - t0)) = $(($(ms 300) * 1000000)) ] &&
		[ "$t2" -ge "$d" ] && [ "$late" = $((t2 - d)) ] && [ "$t3" = "$t2" ]
	tap $? "the freeze's deadline is its clock + $(ms 300) ms; the timeout keeps it, is stamped at or after it ($late ns late) and the late thaw, which changes nothing, leaves the clock at the timeout's"
	freezectl remove tr
}

scenario_rmmod_frozen() {
	for s in s1 s2 s3 s4 s5 s6 s7 idn ida idb race0 race1 fr; do freezectl remove $s 2>/dev/null; done
	before=$(freezectl freeze -q idreload --timeout $(ms 60000))
	i=0
	while [ $i -lt 100 ]; do
		freezectl freeze -q "rm$i" --timeout $(ms $((2000 + i * 100))) || break
		i=$((i + 1))
	done
	tap $((100 - i)) "100 sessions frozen with pending deadlines ($i)"
	# a worker queued and held back when rmmod comes: rmmod must wait for it
	echo $(($(ms 500) * 1000)) > $D/fault_worker_delay_us
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
	after=$(freezectl freeze -q idreload --timeout $(ms 60000))
	[ "${after:-0}" -gt "${before:-0}" ] 2>/dev/null
	tap $? "freeze ids do not restart after a reload ($before -> $after)"
	expect 1 "a freeze of the earlier load is unknown to the new one (ESTALE)" freezectl thaw idreload --generation "$before"
	freezectl thaw idreload --generation "$after"
	expect 0 "rmmod again" rmmod freezeguard
	! insmod /freezeguard.ko default_timeout_ms=7200000 2>/dev/null &&
		! grep -q '^freezeguard ' /proc/modules
	tap $? "insmod with default_timeout_ms above max_timeout_ms is refused"
	expect 0 "insmod with both raised, in either order" \
		insmod /freezeguard.ko default_timeout_ms=7200000 max_timeout_ms=7300000
	expect 0 "rmmod" rmmod freezeguard
}

# param VALUE: write a module parameter; its exit status is the write's
param() { (echo "$2" > "$P/$1") 2>/dev/null; }

# A parameter write that would make every default freeze fail is refused.
scenario_params() {
	! param default_timeout_ms 7200000
	tap $? "default_timeout_ms above max_timeout_ms is refused"
	! param default_timeout_ms 0
	tap $? "default_timeout_ms 0 is refused"
	! param max_timeout_ms 1000
	tap $? "max_timeout_ms below default_timeout_ms is refused"
	! param max_timeout_ms 86400001
	tap $? "max_timeout_ms above one day is refused"
	[ ! -e $P/fault_skip_cancel ] && [ ! -e $P/fault_worker_delay_us ] && [ -f $D/fault_skip_cancel ]
	tap $? "fault knobs are in debugfs, not module parameters"
	[ "$(cat $P/default_timeout_ms) $(cat $P/max_timeout_ms)" = "60000 3600000" ]
	tap $? "refused writes change nothing ($(cat $P/default_timeout_ms) $(cat $P/max_timeout_ms))"
	param max_timeout_ms 7300000 && param default_timeout_ms 7200000
	tap $? "raising max_timeout_ms, then default_timeout_ms, is accepted"
	param default_timeout_ms 60000 && param max_timeout_ms 3600000
	tap $? "and lowering them back"
	expect 0 "a freeze asking for the default still works" freezectl freeze -q params
	freezectl thaw params --current >/dev/null
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
	# the core's table, the sessions suite, the request checks
	for summary in "fsm_test_transition: pass:23" "freezeguard_session: pass:8" \
		"freezeguard_request: pass:3"; do
		dmesg | grep -q "# $summary fail:0 skip:0"
		tap $? "KUnit reported $summary fail:0 skip:0"
	done
}

suite_main() {
	scenario_kunit
	scenario_load
	scenario_params
	scenario_freeze_thaw
	scenario_freeze_timeout
	scenario_stale_worker
	scenario_abort
	scenario_identity
	scenario_list
	scenario_wait_cli
	scenario_run
	scenario_wait_poll
	scenario_abi
	scenario_list_stall
	scenario_freeze_remove_race
	scenario_race
	scenario_trace
	scenario_rmmod_frozen
}

# What README's main job shows a user: a backup's snapshot runs under a
# freeze of the filesystem that the deadline bounds.
suite_demo() {
	mkdir -p /mnt/data
	mount -t ext4 /dev/vda /mnt/data
	set -x
	insmod /freezeguard.ko
	freezectl run backup --fs /mnt/data --timeout 5000 -- sh -c 'echo snapshot taken'
	gen=$(freezectl freeze -q db --fs /mnt/data --timeout 5000)
	freezectl status db
	freezectl thaw db --generation "$gen"
	gen=$(freezectl freeze -q db --fs /mnt/data --timeout 500)
	sleep 1
	freezectl status db
	freezectl thaw db --generation "$gen"
	echo "exit code $?"
	freezectl run backup --fs /mnt/data --timeout 500 -- sleep 1
	echo "exit code $?"
	freezectl freeze logs --timeout 60000
	freezectl list
	freezectl list --json
	rmmod freezeguard
	umount /mnt/data
	set +x
	echo "FGTAP ok - demo ran"
}

# --- Benchmarks (suites bench, bench_smoke; bench/run boots them) -----------
# fgbench prints its figures as FGBENCH lines; bench/report reads them.
# bench_smoke runs each benchmark briefly, to show that it yields numbers.
bench_all() {	# bench_all COST_OPTIONS SCALE_OPTIONS DEADLINE_OPTIONS
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null	# deadline's tracepoint
	expect 0 "insmod freezeguard.ko" insmod /freezeguard.ko
	# the deadline's baseline: delayed_works in the kernel
	expect 0 "insmod fgbench_delayed.ko" insmod /fgbench_delayed.ko
	for what in cost scale deadline; do
		# shellcheck disable=SC2086 # $1 is a list of options
		fgbench "$what" $1
		tap $? "fgbench $what $1: ran to the end"
		shift
	done
	expect 0 "rmmod fgbench_delayed" rmmod fgbench_delayed
	expect 0 "rmmod freezeguard" rmmod freezeguard
}

# bench_fs K FIO_SECONDS FS...: fgbench fs on each FS, idle, then with
# fio writing to it (and checking what it wrote) for FIO_SECONDS, which
# must outlast fgbench: whether it did is a test
bench_fs() {
	k=$1 fio_s=$2
	shift 2
	fs_setup_check
	fs_mount_all
	expect 0 "insmod freezeguard.ko" insmod /freezeguard.ko
	for fs in "$@"; do
		fgbench fs -m "/mnt/$fs:$fs" -k "$k"
		tap $? "fgbench fs -m /mnt/$fs:$fs -k $k: ran to the end"
		fio_start "/mnt/$fs" "$fio_s"
		wait_file "/tmp/fio.$fs.rand" 60	# past fio's fill
		tap $? "fio on /mnt/$fs writes at random"
		fgbench fs -m "/mnt/$fs:$fs" -k "$k" -l fio
		tap $? "fgbench fs -m /mnt/$fs:$fs -k $k -l fio: ran to the end"
		[ ! -e "/tmp/fio.$fs.rand-end" ]
		tap $? "fio on /mnt/$fs still wrote at random when fgbench fs ended"
		fio_wait "/mnt/$fs" 120
	done
	expect 0 "rmmod freezeguard" rmmod freezeguard
	fs_umount_all
}

# bench_profile N: where the kernel time of a FREEZE+THAW goes, beside a
# null ioctl (STATUS of a session that does not exist): the
# function_graph tracer under fg_ioctl, five calls deep, over N of each;
# per function its calls and median time, as FGPROFILE lines. Only the
# module's functions and the kernel calls it makes are traced (patching
# every function stalls a TCG guest for seconds). The tracer slows what
# it times: the shares say where the time goes, not how long a call takes
# untraced; the syscall itself is outside fg_ioctl.
PROFILE_KERNEL_FNS="capable mutex_lock mutex_unlock _copy_from_user _copy_to_user
	hrtimer_start_range_ns hrtimer_try_to_cancel cancel_work __wake_up
	ktime_get kmalloc_trace kfree __fdget fput"
bench_profile() {
	T=/sys/kernel/tracing
	mount -t tracefs nodev $T 2>/dev/null
	expect 0 "insmod freezeguard.ko" insmod /freezeguard.ko
	for f in $PROFILE_KERNEL_FNS; do	# each that this kernel has
		echo "$f" >>$T/set_ftrace_filter
	done 2>/dev/null
	bad=''
	# a tracer's own options exist once it is the current tracer; an
	# interrupt's functions would be counted under the ioctl it hit
	for set in ":mod:freezeguard >>set_ftrace_filter" "fg_ioctl set_graph_function" \
		   "5 max_graph_depth" "0 tracing_on" "function_graph current_tracer" \
		   "funcgraph-tail trace_options" "nofuncgraph-irqs trace_options" \
		   " trace" "1 tracing_on"; do
		case ${set#* } in
		'>>'*) echo "${set%% *}" >>"$T/${set#* >>}" ;;
		*) echo "${set%% *}" >"$T/${set#* }" ;;
		esac 2>/dev/null || bad="$bad ${set#* }"
	done
	[ -z "$bad" ]
	tap $? "function_graph tracer under fg_ioctl ($(wc -l <$T/set_ftrace_filter) functions)${bad:+; refused:$bad}"
	fgbench calls -n "$1"
	tap $? "fgbench calls -n $1"
	echo 0 >$T/tracing_on
	# " 1)               |    name() {", " 1)   3.456 us    |      name();" or
	# " 1)   9.1 us      |    } /* name */": the depth from the indentation
	# after the bar, two spaces a level; each call is counted under its
	# caller (inlined functions are their callers' time)
	awk -F'|' '
		{
			body = $2; match(body, /^ */); depth = (RLENGTH - 2) / 2 + 1
			fn = body; sub(/^ */, "", fn); sub(/ \[freezeguard\]/, "", fn)
			if (fn ~ /\) \{$/) { sub(/\(.*/, "", fn); stack[depth] = fn; next }
			if (fn ~ /^\} \/\* /) { sub(/^\} \/\* /, "", fn); sub(/ \*\/.*/, "", fn) }
			else if (fn ~ /\(\);/) sub(/\(\);.*/, "", fn)
			else next
			if (!match($1, /[0-9.]+ us/)) next
			us = substr($1, RSTART, RLENGTH - 3) + 0
			if (depth == 1) next	# fg_ioctl: every ioctl alike
			key = stack[depth - 1] " " fn
			v[key, ++n[key]] = us
		}
		END {
			for (k in n) {
				m = n[k]
				for (i = 2; i <= m; i++) {	# insertion sort, m <= a few hundred
					x = v[k, i]
					for (j = i - 1; j >= 1 && v[k, j] > x; j--) v[k, j + 1] = v[k, j]
					v[k, j + 1] = x
				}
				split(k, w, " ")
				printf "FGPROFILE caller=%s fn=%s calls=%d median_ns=%.0f\n",
					w[1], w[2], m, v[k, int((m + 1) / 2)] * 1000
			}
		}
	' $T/trace | sort
	# each call is two lines (its start, its end): 3 calls a round
	lines=$(grep -c 'fg_ioctl' $T/trace)
	lost=$(cat $T/per_cpu/cpu*/stats | awk '/^overrun:/ { n += $2 } END { print n + 0 }')
	[ "$lines" -ge $((6 * $1)) ] && [ "$lost" = 0 ]
	tap $? "the trace has $lines fg_ioctl lines (>= $((6 * $1))), $lost events overwritten"
	echo nop >$T/current_tracer
	echo >$T/set_ftrace_filter
	expect 0 "rmmod freezeguard" rmmod freezeguard
}

suite_bench() {
	bench_profile 200
	bench_all "-n 2000" "-n 2000 -s 1,100,10000" "-d 10,100,1000,10000,60000 -k 16"
	# shellcheck disable=SC2086 # a list of filesystems
	bench_fs 16 60 $FS_ALL
}

suite_bench_smoke() {
	bench_profile 5
	bench_all "-n 20" "-n 20 -s 1,100,2000" "-d 10,100 -k 2"
	bench_fs 2 15 ext4
}

# --- Real filesystems (suite fs) ---------------------------------------------
# run-vm attaches ext4 as /dev/vda, xfs as /dev/vdb and btrfs as /dev/vdc,
# and checks the images with their own checkers after the power-off.
FIO=/usr/bin/fio		# Debian's, with its libraries
FSFREEZE=/usr/sbin/fsfreeze	# util-linux's, not busybox's
FS_DISKS="ext4:vda xfs:vdb btrfs:vdc"
FS_ALL="ext4 xfs btrfs"

# publish FILE TEXT: FILE appears with TEXT in it, all at once (a rename):
# a waiter that polls for FILE never reads it created but still empty
publish() { echo "$2" >"$1.part" && mv "$1.part" "$1"; }

# wait_file FILE SECONDS: wait until FILE exists, at most SECONDS (scaled);
# the writer of FILE uses publish
wait_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt $(($2 * SCALE * 10)) ]; do
		usleep 100000
		i=$((i + 1))
	done
	[ -e "$1" ]
}

# The modules init loaded (Debian kernels), the disks and the filesystems.
fs_setup_check() {
	if [ -f /fsmod/order ]; then
		# only a module whose hardware is missing may fail (No such device)
		bad=$(grep -v 'No such device' /tmp/fsmod.err 2>/dev/null)
		[ -z "$bad" ]
		tap $? "the $(wc -l </fsmod/order) disk and filesystem modules load ($(tr '\n' ' ' </fsmod/order); refused for want of hardware: $(grep -c 'No such device' /tmp/fsmod.err 2>/dev/null)) $(echo "$bad" | tr '\n' ' ')"
	fi
	for f in $FS_DISKS; do
		wait_file "/sys/block/${f#*:}" 5 && [ -b "/dev/${f#*:}" ]
		tap $? "virtio disk /dev/${f#*:} is there (for ${f%%:*})"
		grep -qw "${f%%:*}" /proc/filesystems
		tap $? "the kernel knows ${f%%:*}"
	done
	out=$($FIO --version 2>&1)
	tap $? "fio runs in the guest ($out)"
	out=$($FSFREEZE --version 2>&1)
	tap $? "util-linux fsfreeze runs in the guest ($out)"
}

# fs_mount_all: mount the three disks on /mnt/ext4, /mnt/xfs, /mnt/btrfs
fs_mount_all() {
	for f in $FS_DISKS; do
		mkdir -p "/mnt/${f%%:*}"
		expect 0 "mount /dev/${f#*:} (${f%%:*}) on /mnt/${f%%:*}" \
			mount -t "${f%%:*}" "/dev/${f#*:}" "/mnt/${f%%:*}"
	done
}

# fs_umount_all: unmount them again (each must succeed)
fs_umount_all() {
	for fs in $FS_ALL; do
		expect 0 "umount /mnt/$fs" umount "/mnt/$fs"
	done
}

# fio_start DIR SECONDS: fio in the background on DIR/fio.data (16 MiB of
# 4 KiB blocks, each carrying a crc32c of its data), three jobs in a row:
# fill writes the whole file; rand writes blocks at random for SECONDS,
# reading each batch of 64 back and checking it (verify_backlog); check
# then reads the whole file with O_DIRECT, from the disk, and checks every
# block. A mismatch stops fio with an error. Its output goes to
# /tmp/fio.<name of DIR>, its exit code to /tmp/fio.<name>.rc.
FIO_BLOCKS=4096
fio_start() {
	name=${1##*/}
	rm -f "/tmp/fio.$name" "/tmp/fio.$name.rc" "/tmp/fio.$name.rand" \
		"/tmp/fio.$name.rand-end"
	( $FIO --filename="$1/fio.data" --size=$((FIO_BLOCKS * 4))k --bs=4k \
		--ioengine=psync --verify=crc32c --verify_fatal=1 \
		--verify_state_save=0 \
		--name=fill --rw=write --do_verify=0 --end_fsync=1 \
		--name=rand --stonewall --rw=randwrite --fsync=64 \
		--verify_backlog=64 --time_based --runtime="$2" \
		--exec_prerun="touch /tmp/fio.$name.rand" \
		--exec_postrun="touch /tmp/fio.$name.rand-end" \
		--name=check --stonewall --rw=read --direct=1 \
		>"/tmp/fio.$name" 2>&1
	  publish "/tmp/fio.$name.rc" $? ) &
}

# fio_wait DIR SECONDS: wait at most SECONDS (scaled) for DIR's fio; ok
# only if fio exited 0, each job reports err=0, rand read blocks back to
# check them as it went, and check read and checked every block
fio_wait() {
	dir=$1 name=${1##*/}
	if ! wait_file "/tmp/fio.$name.rc" "$2"; then
		tap 1 "fio on $1 still runs $(($2 * SCALE)) s after its end (blocked?): $(tail -n 3 "/tmp/fio.$name" | tr '\n' ' ')"
		return
	fi
	rc=$(cat "/tmp/fio.$name.rc")
	sed "s/^/fio $name: /" "/tmp/fio.$name"	# to the console log, for a post-mortem
	# "issued rwts: total=READS,WRITES,...", one line per job in job order
	set -- $(sed -n 's/.*issued rwts: total=\([0-9]*\),\([0-9]*\),.*/\1 \2/p' "/tmp/fio.$name") \
		0 0 0 0 0 0
	errs=$(grep -iE 'verify|crc32c|err=|fio:' "/tmp/fio.$name" | grep -v 'err= 0' | head -n 3 | tr '\n' ' ')
	[ "$rc" = 0 ] && [ "$(grep -c 'err= 0' "/tmp/fio.$name")" = 3 ] && [ -z "$errs" ] &&
		[ "$2" = $FIO_BLOCKS ] && [ "$3" -gt 0 ] && [ "$4" -gt 0 ] && [ "$5" = $FIO_BLOCKS ]
	tap $? "fio on $dir: exit $rc; $2 blocks filled, $4 written at random with $3 read back and checked as it went, then $5 of $FIO_BLOCKS read from the disk and checked${errs:+: $errs}"
}

# --- freezeguard's filesystem freezes (suite fs) -----------------------------
mono() { fgtest mono; }	# CLOCK_MONOTONIC in ms
# fsms N: a long filesystem-freeze timeout, scaled but within the
# module's fs_max_timeout_ms (60000)
fsms() { v=$(($1 * SCALE)); [ $v -gt 60000 ] && v=60000; echo $v; }

# writer_start FS TAG: a writer to /mnt/FS in the background; when it ends,
# "EXIT END_MS" goes to /tmp/w.TAG
writer_start() {
	rm -f "/tmp/w.$2"
	( dd if=/dev/zero of="/mnt/$1/w.$2" bs=4k count=4 conv=fsync 2>/dev/null
	  publish "/tmp/w.$2" "$? $(mono)" ) &
}
writer_done() { [ -e "/tmp/w.$1" ] && [ "$(cut -d' ' -f1 "/tmp/w.$1")" = 0 ]; }
writer_end() { cut -d' ' -f2 "/tmp/w.$1"; }
# writer_waits FS TAG DESCRIPTION: a writer to /mnt/FS, started now, is
# still blocked half a second later
writer_waits() {
	writer_start "$1" "$2"
	pause 500
	! writer_done "$2"
	tap $? "$3"
}
# writer_resumes TAG SECONDS DESCRIPTION: writer TAG finishes within
# SECONDS (scaled)
writer_resumes() {
	wait_file "/tmp/w.$1" "$2" && writer_done "$1"
	tap $? "$3"
}

# fs_json NAME: freezectl status --json NAME, on one line
fs_json() { freezectl status --json "$1" 2>&1 | tr -d '\n '; }

# A freeze with a filesystem blocks its writers until the thaw, and the
# thaw releases it: the filesystem is no longer frozen or held.
scenario_fs_thaw() {
	for fs in $FS_ALL; do
		g=$(freezectl freeze -q "t$fs" --fs "/mnt/$fs" --timeout $(fsms 20000))
		tap $? "freeze -q t$fs --fs /mnt/$fs ($g)"
		js=$(fs_json "t$fs")
		case $js in *'"state":"FROZEN"'*'"held":true'*) tap 0 "t$fs FROZEN, /mnt/$fs held";;
		*) tap 1 "t$fs FROZEN, /mnt/$fs held: $js";; esac
		writer_waits "$fs" t "a writer to /mnt/$fs waits while t$fs holds it"
		expect 0 "thaw t$fs --generation $g" freezectl thaw "t$fs" --generation "$g"
		writer_resumes t 10 "the writer to /mnt/$fs resumes after the thaw"
		js=$(fs_json "t$fs")
		case $js in *'"held":false'*'"frozen":false'*) tap 0 "t$fs holds nothing after the thaw";;
		*) tap 1 "t$fs holds nothing after the thaw: $js";; esac
	done
}

# The deadline thaws: a writer blocked by a freeze nobody thaws resumes
# at its deadline. Prints the time from the deadline to the writer resumed
# (measured from before the FREEZE: an upper bound).
scenario_fs_deadline() {
	t=$(ms 1500)
	for fs in $FS_ALL; do
		t0=$(mono)
		g=$(freezectl freeze -q "d$fs" --fs "/mnt/$fs" --timeout "$t")
		writer_waits "$fs" d "a writer to /mnt/$fs waits while freeze $g holds it"
		wait_file /tmp/w.d $((t / 1000 + 20)) && writer_done d &&
			[ "$(writer_end d)" -ge $((t0 + t)) ]
		tap $? "the writer to /mnt/$fs resumes when freeze $g reaches its deadline, not before"
		echo "fsresume: $fs: deadline to writer resumed $(($(writer_end d) - t0 - t)) ms (freeze of $t ms, not owner-bound)"
		check "d$fs FAILED / TIMEOUT" "d$fs" state FAILED last_error TIMEOUT
		expect 3 "the late thaw of d$fs exits 3" freezectl thaw "d$fs" --generation "$g"
	done
}

# Owner-bound: freezectl run holds the freeze; SIGKILL it, and the
# filesystem is thawed at once (abort), not at the deadline.
scenario_fs_owner() {
	for fs in $FS_ALL; do
		freezectl run "o$fs" --fs "/mnt/$fs" --timeout $(fsms 30000) -- sleep 60 &
		pid=$!
		i=0
		while [ "$(field "o$fs" state)" != FROZEN ] && [ $i -lt 100 ]; do usleep 50000; i=$((i + 1)); done
		writer_start "$fs" o
		pause 300
		! writer_done o
		tap $? "a writer to /mnt/$fs waits while freezectl run holds it"
		t0=$(mono)
		kill -9 $pid
		writer_resumes o 10 "the writer to /mnt/$fs resumes once the owner is SIGKILLed"
		echo "fsresume: $fs: owner SIGKILLed to writer resumed $(($(writer_end o) - t0)) ms (deadline was $(fsms 30000) ms away)"
		check "o$fs ended ABORTED by its owner's death, not at the deadline" "o$fs" state STABLE last_error ABORTED aborts 1
		grep -lx sleep /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3 |
			while read -r p; do kill "$p" 2>/dev/null; done	# the program run ran
	done
	dmesg | grep -q "session oext4: the owner of freeze .* is gone: aborting it"
	tap $? "the kernel log says the owner of oext4's freeze is gone"
	out=$(freezectl run oa --fs /mnt/ext4 --timeout $(fsms 20000) -- freezectl abort oa --current 2>&1)
	rc=$?
	[ $rc = 124 ] && case $out in *"its filesystems were thawed under it"*) ;; *) false ;; esac
	tap $? "run whose freeze is aborted under its program exits 124: its filesystems were thawed under it (exit $rc: $(echo "$out" | tr '\n' ' '))"
}

# run's own messages wait for its thaw: with stderr on the filesystem it
# froze, a program that cannot be run is told at once, not at the deadline
# (a message written while frozen would wait for it, and turn 127 into 124).
scenario_fs_run_stderr() {
	t0=$(mono)
	freezectl run rs --fs /mnt/ext4 --timeout $(fsms 20000) -- /nonexistent 2>/mnt/ext4/run.err
	rc=$?
	t1=$(mono)
	[ $rc = 127 ] && [ $((t1 - t0)) -lt $(fsms 10000) ] && grep -q "No such file" /mnt/ext4/run.err
	tap $? "run of a missing program with stderr on the filesystem it froze: exit $rc (127) after $((t1 - t0)) ms, its message written after the thaw ($(cat /mnt/ext4/run.err))"
}

# The deadline passes while FREEZING (the sync outlasts it; here the
# fault knob holds the freeze back once the filesystem froze): the worker
# ends it timed out, and the filesystem is thawed the moment the freeze
# completes. A lost thaw would leave the writer blocked.
scenario_fs_freezing_timeout() {
	echo $(($(ms 1000) * 1000)) > $D/fault_freeze_delay_us
	expect 3 "a freeze whose deadline passes while FREEZING exits 3" \
		freezectl freeze fz --fs /mnt/ext4 --timeout $(ms 300)
	echo 0 > $D/fault_freeze_delay_us
	check "fz FAILED / TIMEOUT" fz state FAILED last_error TIMEOUT timeouts 1
	writer_start ext4 fz
	writer_resumes fz 5 "/mnt/ext4 was thawed: a writer finishes at once"
	js=$(fs_json fz)
	case $js in *'"held":false'*'"frozen":false'*) tap 0 "fz holds nothing";;
	*) tap 1 "fz holds nothing: $js";; esac
	# and while FREEZING, a thaw is refused and an abort ends it
	echo $(($(ms 1500) * 1000)) > $D/fault_freeze_delay_us
	freezectl freeze -q fz --fs /mnt/ext4 --timeout $(fsms 20000) >/tmp/fz.out 2>&1 &
	fzpid=$!
	pause 500
	check "fz FREEZING while the filesystem freezes" fz state FREEZING
	expect 1 "thaw while FREEZING: EBUSY" freezectl thaw fz --current
	expect 0 "abort while FREEZING" freezectl abort fz --current
	wait $fzpid
	[ $? = 1 ] && grep -q "Operation canceled" /tmp/fz.out
	tap $? "the FREEZE that was aborted while FREEZING fails with ECANCELED, exit 1 ($(cat /tmp/fz.out))"
	echo 0 > $D/fault_freeze_delay_us
	writer_start ext4 fz2
	writer_resumes fz2 5 "/mnt/ext4 was thawed after the abort"
}

# One filesystem, two sessions; a second filesystem that cannot freeze,
# or is held by another session: nothing of the refused freeze stays frozen.
scenario_fs_busy() {
	ga=$(freezectl freeze -q ba --fs /mnt/xfs --timeout $(fsms 20000))
	expect 1 "a second session freezing /mnt/xfs: EBUSY" \
		freezectl freeze bb --fs /mnt/ext4 --fs /mnt/xfs --timeout $(fsms 20000)
	writer_start ext4 bb
	writer_resumes bb 5 "/mnt/ext4, named first, was not left frozen: its writer finishes"
	check "bb ended, nothing held" bb state STABLE last_error ABORTED
	expect 1 "freezing a tmpfs with ext4: EOPNOTSUPP" \
		freezectl freeze bc --fs /mnt/ext4 --fs /tmp --timeout $(fsms 20000)
	writer_start ext4 bc
	writer_resumes bc 5 "/mnt/ext4 is not frozen after the refused freeze"
	expect 0 "thaw ba" freezectl thaw ba --generation "$ga"
	expect 2 "more than 16 --fs is a usage error" freezectl freeze bd \
		--fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 \
		--fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 \
		--fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 --fs /mnt/ext4 \
		--fs /mnt/ext4 --fs /mnt/ext4
}

# An administrator's fsfreeze under a session. 6.6+: the session freezes
# as the kernel holder, so fsfreeze -u cannot thaw it, fsfreeze -f nests,
# and the session's thaw leaves the administrator's freeze in place.
# Before 6.6 there are no holders: fsfreeze -f is EBUSY, fsfreeze -u thaws
# the session's freeze, which the session notices and reports.
scenario_fs_admin() {
	case $(uname -r) in
	6.1.*)
		g=$(freezectl freeze -q ad --fs /mnt/ext4 --timeout $(fsms 20000))
		expect 1 "6.1: fsfreeze -f under a session: EBUSY" $FSFREEZE -f /mnt/ext4
		expect 0 "6.1: fsfreeze -u under a session thaws it (no holders)" $FSFREEZE -u /mnt/ext4
		js=$(fs_json ad)
		case $js in *'"lost":true'*) tap 0 "the session reports the filesystem thawed under it (lost)";;
		*) tap 1 "the session reports the filesystem thawed under it (lost): $js";; esac
		expect 1 "thaw ad in time exits 1: a filesystem was thawed under it" \
			freezectl thaw ad --generation "$g"
		dmesg | grep -q "session ad: ext4 filesystem .* was thawed by someone else during freeze $g"
		tap $? "the kernel log says ad's filesystem was thawed by someone else"
		expect 124 "6.1: run whose program thaws its filesystem (fsfreeze -u: lost) exits 124" \
			freezectl run al --fs /mnt/ext4 --timeout $(fsms 20000) -- $FSFREEZE -u /mnt/ext4
		;;
	*)
		g=$(freezectl freeze -q ad --fs /mnt/ext4 --timeout $(fsms 20000))
		expect 1 "fsfreeze -u under a session: EINVAL, no userspace freeze to thaw (Debian's 6.12 alone says 0)" \
			$FSFREEZE -u /mnt/ext4
		writer_waits ext4 ad0 "fsfreeze -u does not thaw the session's freeze (kernel holder): a writer still waits"
		expect 0 "fsfreeze -f under a session nests" $FSFREEZE -f /mnt/ext4
		# qemu-guest-agent's thaw: FITHAW until it fails
		n=0
		while [ $n -lt 50 ] && $FSFREEZE -u /mnt/ext4 2>/dev/null; do n=$((n + 1)); done
		[ $n = 1 ]
		tap $? "a thawer that repeats FITHAW until it fails (as qemu-guest-agent) stops once it thawed the userspace freeze ($n thaws said 0)"
		writer_waits ext4 ad1 "and the session's freeze still holds: a writer waits"
		expect 0 "fsfreeze -f under a session nests, again" $FSFREEZE -f /mnt/ext4
		expect 0 "thaw ad" freezectl thaw ad --generation "$g"
		writer_waits ext4 ad "the administrator's freeze survives the session's thaw"
		js=$(fs_json ad)
		case $js in *'"lost":false'*) tap 0 "no loss reported";; *) tap 1 "no loss reported: $js";; esac
		g=$(freezectl freeze -q ad --fs /mnt/ext4 --timeout $(ms 500))
		tap $? "a session freezes the filesystem the administrator holds frozen (nested)"
		pause 1500
		check "ad timed out" ad state FAILED last_error TIMEOUT
		! writer_done ad
		tap $? "the administrator's freeze survives the session's timeout"
		expect 0 "fsfreeze -u" $FSFREEZE -u /mnt/ext4
		wait_file /tmp/w.ad 5 && wait_file /tmp/w.ad0 5 && wait_file /tmp/w.ad1 5 &&
			writer_done ad && writer_done ad0 && writer_done ad1
		tap $? "the writers resume after the administrator's thaw"
		;;
	esac
}

# --- Guards: a deadline for someone else's freeze (suite fs) ---------------
# guard_expect_thawed NAME FS TAG T0 T: writer TAG to /mnt/FS, started
# under guard NAME's userspace freeze, resumes within the guard's deadline
# (T ms from T0) + 1 s, and not before it; NAME shows /mnt/FS thawed by it
guard_expect_thawed() {
	wait_file "/tmp/w.$3" $(($5 / 1000 + 20)) && writer_done "$3" &&
		[ "$(writer_end "$3")" -ge $(($4 + $5)) ] &&
		[ "$(writer_end "$3")" -le $(($4 + $5 + $(ms 1000))) ]
	tap $? "the writer to /mnt/$2 resumes within guard $1's deadline + 1 s, not before ($(($(writer_end "$3") - $4 - $5)) ms after it)"
	js=$(fs_json "$1")
	case $js in *'"state":"FAILED"'*'"guarded":false,"guard_thawed":true'*) tap 0 "$1 timed out and says it thawed /mnt/$2";;
	*) tap 1 "$1 timed out and says it thawed /mnt/$2: $js";; esac
}

# fsfreeze by hand under a guard: thawed by the module at the deadline,
# exactly once; a guard thawed in time releases nothing. Only a thaw by
# the guard's generation ends it in time; any other end thaws.
scenario_fs_guard() {
	t=$(ms 1500)
	for fs in $FS_ALL; do
		t0=$(mono)
		g=$(freezectl guard -q "g$fs" --fs "/mnt/$fs" --timeout "$t")
		tap $? "guard g$fs --fs /mnt/$fs ($g)"
		expect 0 "fsfreeze -f /mnt/$fs under guard g$fs" $FSFREEZE -f "/mnt/$fs"
		js=$(fs_json "g$fs")
		case $js in *'"state":"FROZEN"'*'"held":false,"frozen":true'*'"guarded":true,"guard_thawed":false'*) tap 0 "g$fs guards /mnt/$fs, frozen by someone else, holds nothing";;
		*) tap 1 "g$fs guards /mnt/$fs, frozen by someone else, holds nothing: $js";; esac
		writer_waits "$fs" "g$fs" "a writer to /mnt/$fs waits while fsfreeze holds it"
		guard_expect_thawed "g$fs" "$fs" "g$fs" "$t0" "$t"
		expect 1 "the late fsfreeze -u of /mnt/$fs finds it thawed already (EINVAL)" $FSFREEZE -u "/mnt/$fs"
		expect 3 "the late thaw of guard g$fs exits 3" freezectl thaw "g$fs" --generation "$g"
	done
	# in time: the guard ends, the freeze it bounded is left as it is
	g=$(freezectl guard -q gi --fs /mnt/ext4 --timeout $(ms 1500))
	$FSFREEZE -f /mnt/ext4
	expect 0 "guard gi thawed in time" freezectl thaw gi --generation "$g"
	pause 2500
	writer_waits ext4 gi "a guard thawed in time releases nothing: fsfreeze's freeze stays"
	js=$(fs_json gi)
	case $js in *'"state":"STABLE"'*'"guard_thawed":false'*) tap 0 "gi says it thawed nothing";;
	*) tap 1 "gi says it thawed nothing: $js";; esac
	expect 0 "fsfreeze -u ends the freeze gi bounded" $FSFREEZE -u /mnt/ext4
	writer_resumes gi 5 "and its writer resumes"
	# a freeze made before the guard is bounded as well
	$FSFREEZE -f /mnt/xfs
	t0=$(mono)
	freezectl guard gb --fs /mnt/xfs --timeout "$t" >/dev/null
	writer_start xfs gb
	guard_expect_thawed gb xfs gb "$t0" "$t"
	# nothing frozen at the deadline: nothing thawed
	freezectl guard gn --fs /mnt/ext4 --timeout $(ms 300) >/dev/null
	pause 1000
	js=$(fs_json gn)
	case $js in *'"state":"FAILED"'*'"guard_thawed":false'*) tap 0 "a guard of a filesystem nobody froze thaws nothing";;
	*) tap 1 "a guard of a filesystem nobody froze thaws nothing: $js";; esac
	# one claim per filesystem: guards and sessions exclude each other
	g=$(freezectl guard -q gx --fs /mnt/ext4 --timeout $(fsms 20000))
	expect 1 "a second guard of /mnt/ext4: EBUSY" freezectl guard gy --fs /mnt/ext4
	expect 1 "a session's freeze of a guarded filesystem: EBUSY" \
		freezectl freeze gz --fs /mnt/ext4 --timeout $(fsms 20000)
	expect 0 "thaw gx" freezectl thaw gx --generation "$g"
	g=$(freezectl freeze -q gz --fs /mnt/ext4 --timeout $(fsms 20000))
	expect 1 "a guard of a filesystem a session holds: EBUSY" freezectl guard gy --fs /mnt/ext4
	expect 0 "thaw gz" freezectl thaw gz --generation "$g"
	expect 2 "guard without --fs is a usage error" freezectl guard gy
	# an abort is an emergency release: it thaws what the guard bounds
	$FSFREEZE -f /mnt/ext4
	freezectl guard ga --fs /mnt/ext4 --timeout $(fsms 30000) >/dev/null
	writer_start ext4 ga
	expect 0 "abort --current of guard ga" freezectl abort ga --current
	writer_resumes ga 5 "the abort thawed fsfreeze's freeze of /mnt/ext4: its writer resumes"
	# an administrator's fsfreeze -u racing the deadline (either may win):
	# a freeze made afterwards is nobody's to end
	for i in 1 2 3; do
		$FSFREEZE -f /mnt/ext4
		freezectl guard gr --fs /mnt/ext4 --timeout $(ms 500) >/dev/null
		pause $((360 + 60 * i))
		$FSFREEZE -u /mnt/ext4 2>/dev/null
		admin=$?
		pause 1000
		js=$(fs_json gr)
		case $js in *'"guard_thawed":true'*) by_guard=1;; *) by_guard=0;; esac
		$FSFREEZE -f /mnt/ext4 && writer_waits ext4 "gr$i" "a freeze after race $i is not ended by anyone ($js, fsfreeze -u exit $admin)" &&
			$FSFREEZE -u /mnt/ext4
		writer_resumes "gr$i" 5 "race $i: its writer resumes at fsfreeze -u (the guard thawed: $by_guard)"
		freezectl reset gr >/dev/null
	done
	# a guard that ends while it is still taking its filesystems (the
	# fault knob holds each step back a second): it thaws all of them
	for fs in $FS_ALL; do
		$FSFREEZE -f "/mnt/$fs"
		writer_start "$fs" "gm$fs"
	done
	echo $(($(ms 1000) * 1000)) > $D/fault_freeze_delay_us
	expect 3 "a guard whose deadline passes while it takes its filesystems exits 3" \
		freezectl guard gm --fs /mnt/ext4 --fs /mnt/xfs --fs /mnt/btrfs --timeout $(ms 300)
	echo 0 > $D/fault_freeze_delay_us
	for fs in $FS_ALL; do
		writer_resumes "gm$fs" 10 "and thaws fsfreeze's freeze of /mnt/$fs: its writer resumes"
	done
	expect 2 "guard --owned is a usage error (the guard would end as freezectl exits)" \
		freezectl guard gy --fs /mnt/ext4 --owned
	dmesg | grep -q "guard gext4: ext4 filesystem .* was still frozen by userspace when freeze .* ended: thawed"
	tap $? "the kernel log says guard gext4 thawed /mnt/ext4"
}

# --- qemu-guest-agent (suite fs, fgqga=1) -----------------------------------
# Debian's qemu-ga on its virtio-serial port, with Debian's fsfreeze hook
# and freezeguard's (/etc/qemu/fsfreeze-hook.d/freezeguard); the host's
# commands come from tests/vm/qga-host, which this drives through a second
# port: host SECONDS JSON sends JSON to qemu-ga as the host would, and sets
# qms (ms from sending it to qemu-ga's answer) and qans (the answer, or
# TIMEOUT after SECONDS).
QGA=/usr/sbin/qemu-ga
QGA_LOG=/var/log/qga-fsfreeze-hook.log
# vport NAME: the device of the virtio-serial port named NAME
vport() {
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = "$1" ] && { echo "/dev/${p##*/}"; return 0; }
	done
	return 1
}
host() {
	echo "$1 $2" >&7
	# (qga-host answers within SECONDS; if it is not there, go on:
	# busybox's read has -t)
	# shellcheck disable=SC3045
	read -r -t $(($1 + 30)) qms qans <&7 || { qms=-1 qans="NO-HOST"; }
	echo "qga: $2 -> $qms ms: $qans"
}
# host_answers DESCRIPTION PATTERN: qemu-ga answered within 5 s (scaled),
# and its answer matches PATTERN
host_answers() {
	# shellcheck disable=SC2254 # PATTERN is a pattern
	case $qans in $2) [ "$qms" -ge 0 ] && [ "$qms" -lt $(ms 5000) ] ;; *) false ;; esac
	tap $? "$1 (answered in $qms ms: $qans)"
}
qga_conf() { echo "TIMEOUT_MS=$1" >/etc/freezeguard/qga-fsfreeze-hook.conf; }

scenario_fs_qga() {
	port=$(vport org.qemu.guest_agent.0) && ctl=$(vport fg.ctl)
	tap $? "the guest has qemu-ga's virtio-serial port ($port) and a control port ($ctl)"
	[ -n "$ctl" ] && [ -n "$port" ] || return
	mkdir -p /var/log /tmp/qga
	: >$QGA_LOG
	$QGA -m virtio-serial -p "$port" -t /tmp/qga -F/etc/qemu/fsfreeze-hook -l /tmp/qga/log &
	qga=$!
	exec 7<>"$ctl"
	host 60 '{"execute":"guest-ping"}'
	host_answers "Debian's qemu-ga answers the host's guest-ping" '{"return":{}*'
	ext4=$(stat -c %d /mnt/ext4)

	# the host freezes and thaws in time: the hook's guard ends in time
	qga_conf $(fsms 30000)
	host 30 '{"execute":"guest-fsfreeze-freeze"}'
	host_answers "guest-fsfreeze-freeze freezes ext4, xfs and btrfs" '{"return":3,*'
	js=$(fs_json "qemu-ga.$ext4")
	case $js in *'"state":"FROZEN"'*'"frozen":true'*'"guarded":true'*) tap 0 "the hook's guard qemu-ga.$ext4 bounds /mnt/ext4's freeze";;
	*) tap 1 "the hook's guard qemu-ga.$ext4 bounds /mnt/ext4's freeze: $js";; esac
	writer_waits ext4 q1 "a writer to /mnt/ext4 waits between the host's freeze and thaw"
	host 30 '{"execute":"guest-fsfreeze-thaw"}'
	host_answers "guest-fsfreeze-thaw thaws the three" '{"return":3,*'
	writer_resumes q1 10 "the writer resumes after the host's thaw"
	grep -q "freezeguard: /mnt/ext4: thawed in time" $QGA_LOG
	tap $? "the hook logs /mnt/ext4 thawed in time ($(grep /mnt/ext4 $QGA_LOG | tail -n 1))"

	# the host freezes and never thaws: the guard thaws at its deadline
	t=$(ms 2000)
	qga_conf "$t"
	t0=$(mono)
	host 30 '{"execute":"guest-fsfreeze-freeze"}'
	host_answers "guest-fsfreeze-freeze, with a deadline of $t ms" '{"return":3,*'
	writer_start ext4 q2
	wait_file /tmp/w.q2 $((t / 1000 + 20)) && writer_done q2 &&
		[ "$(writer_end q2)" -le $((t0 + t + $(ms 1000))) ]
	tap $? "a host that never thaws: /mnt/ext4 is writable within the deadline + 1 s ($(($(writer_end q2) - t0 - t)) ms after it)"
	host 30 '{"execute":"guest-fsfreeze-status"}'
	echo "qga: guest-fsfreeze-status after the deadline: $qans (qemu-ga's own record: it knows of no thaw but the host's)"
	host 30 '{"execute":"guest-fsfreeze-thaw"}'
	host_answers "the host's late guest-fsfreeze-thaw answers: nothing left to thaw" '{"return":0,*'
	grep -q "freezeguard: /mnt/ext4: TIMED OUT" $QGA_LOG
	tap $? "the hook logs that the host's thaw of /mnt/ext4 came too late ($(grep /mnt/ext4 $QGA_LOG | tail -n 1))"

	# a session holds /mnt/ext4 while the host freezes and thaws: every
	# answer comes, and the session's thaw says whether its freeze held
	qga_conf $(fsms 30000)
	g=$(freezectl freeze -q qs --fs /mnt/ext4 --timeout $(fsms 40000))
	host 30 '{"execute":"guest-fsfreeze-freeze"}'
	case $(uname -r) in
	6.1.*) host_answers "6.1: the host's freeze skips the filesystem the session holds (EBUSY): two of three" '{"return":2,*' ;;
	*) host_answers "the host's freeze nests in the session's" '{"return":3,*' ;;
	esac
	host 10 '{"execute":"guest-fsfreeze-thaw"}'
	host_answers "the host's thaw answers while a session holds /mnt/ext4" '{"return":*'
	case $(uname -r) in
	6.1.*)	# qemu-ga thawed every filesystem, the session's too: told
		expect 1 "6.1: qemu-ga's thaw took the session's freeze: its thaw exits 1 (lost)" \
			freezectl thaw qs --generation "$g" ;;
	*)
		writer_waits ext4 q3 "the session's freeze held through the host's thaw: a writer waits"
		expect 0 "the session's freeze held throughout: its thaw exits 0" \
			freezectl thaw qs --generation "$g"
		writer_resumes q3 10 "the writer resumes at the session's thaw" ;;
	esac
	kill $qga
	wait $qga 2>/dev/null
	exec 7>&-
}

# --- Snapshot tools under a session: LVM / device-mapper (suite fs) ---------
# Debian's lvm2 on the fourth disk (run-vm: fglvm=1, tests/vm/lvm.conf).
# device-mapper's suspend freezes the filesystem itself (lock_fs, through
# the block device's freeze); under a session that freeze must nest, on
# every kernel, and the session's freeze must outlive device-mapper's.
LVM=/usr/sbin/lvm
DMSETUP=/usr/sbin/dmsetup
lv() { LVM_SUPPRESS_FD_WARNINGS=1 $LVM "$@"; }

# lvm_setup: volume group fg on /dev/vdd, logical volume db with ext4,
# mounted on /mnt/lv
lvm_setup() {
	mkdir -p /run && mount -t tmpfs tmpfs /run && mkdir -p /run/lock/lvm /run/lvm /mnt/lv /mnt/snap
	out=$( { lv pvcreate -q /dev/vdd && lv vgcreate -q fg /dev/vdd &&
		lv lvcreate -q -y -L 64M -n db fg &&
		/usr/sbin/mke2fs -q -t ext4 /dev/fg/db &&
		mount -t ext4 /dev/fg/db /mnt/lv; } 2>&1)
	rc=$?
	[ $rc = 0 ] && out=''
	tap $rc "LVM: volume group fg on /dev/vdd, ext4 on fg/db mounted on /mnt/lv ($(lv version 2>&1 | head -n 1 | tr -s ' '))${out:+: $(echo "$out" | tr '\n' ' ')}"
}

# snap_check NAME DATA: the snapshot fg/NAME is clean by e2fsck -fn and,
# mounted read-only, holds /data with DATA (written before its freeze,
# never synced); then it is removed
snap_check() {
	fsck=$(/usr/sbin/e2fsck -fn "/dev/fg/$1" 2>&1)
	rc=$?
	got=$(mount -t ext4 -o ro "/dev/fg/$1" /mnt/snap 2>&1 && cat /mnt/snap/data 2>&1)
	umount /mnt/snap 2>/dev/null
	[ $rc = 0 ] && [ "$got" = "$2" ]
	tap $? "snapshot $1: e2fsck -fn exit $rc, mounted read-only it holds the data written before the freeze ('$got')$([ $rc = 0 ] || echo ": $fsck" | tr '\n' ' ')"
	lv lvremove -q -y "fg/$1" >/dev/null 2>&1
}

# lv_data TAG: write TAG's data to /mnt/lv/data, not synced: only the
# freeze's own sync puts it in the snapshot
lv_data() { echo "$1 $(mono)" >/mnt/lv/data; cat /mnt/lv/data; }

scenario_fs_lvm() {
	lvm_setup
	d=$(lv_data alone)
	expect 0 "lvcreate -s alone" lv lvcreate -q -s -n s1 -L 16M fg/db
	snap_check s1 "$d"

	# freezectl run: the snapshot tool inside the session's freeze
	d=$(lv_data run)
	expect 0 "freezectl run --fs /mnt/lv -- lvcreate -s: both exit 0" \
		freezectl run lr --fs /mnt/lv --timeout $(fsms 30000) -- \
		$LVM lvcreate -q -s -n s2 -L 16M fg/db
	check "lr thawed in time, nothing lost" lr state STABLE last_error NONE thaws 1
	snap_check s2 "$d"

	# freeze -q; lvcreate -s; thaw --generation: device-mapper's resume
	# must leave the session's freeze in place
	d=$(lv_data between)
	g=$(freezectl freeze -q lq --fs /mnt/lv --timeout $(fsms 30000))
	tap $? "freeze -q lq --fs /mnt/lv ($g)"
	expect 0 "lvcreate -s while lq holds /mnt/lv" lv lvcreate -q -s -n s3 -L 16M fg/db
	writer_waits lv lq "after lvcreate, /mnt/lv is still frozen by lq: a writer waits"
	js=$(fs_json lq)
	case $js in *'"held":true,"frozen":true,"lost":false'*) tap 0 "lq holds /mnt/lv, frozen, not lost";;
	*) tap 1 "lq holds /mnt/lv, frozen, not lost: $js";; esac
	expect 0 "thaw lq --generation $g" freezectl thaw lq --generation "$g"
	writer_resumes lq 10 "the writer to /mnt/lv resumes after lq's thaw"
	snap_check s3 "$d"

	# dmsetup suspend (with lockfs) and resume under a session
	g=$(freezectl freeze -q ld --fs /mnt/lv --timeout $(fsms 30000))
	expect 0 "dmsetup suspend fg-db (freezes the filesystem) while ld holds it" $DMSETUP suspend fg-db
	js=$(fs_json ld)
	case $(uname -r) in
	6.1.*) want='"holders":null' ;;	# no freeze holders before 6.6
	*) want='"holders":{"kernel":true,"userspace":true}' ;;
	esac
	case $js in *"$want"*) tap 0 "ld's status while suspended: $want";;
	*) tap 1 "ld's status while suspended: wanted $want in $js";; esac
	expect 0 "dmsetup resume fg-db" $DMSETUP resume fg-db
	writer_waits lv ld "after the resume, /mnt/lv is still frozen by ld: a writer waits"
	expect 0 "thaw ld --generation $g" freezectl thaw ld --generation "$g"
	writer_resumes ld 10 "the writer to /mnt/lv resumes after ld's thaw"

	# a guard's deadline during device-mapper's suspend: device-mapper's
	# freeze is not the guard's to thaw (its resume thaws it)
	g=$(freezectl guard -q lg --fs /mnt/lv --timeout "$(fsms 3000)")
	tap $? "guard lg --fs /mnt/lv ($g)"
	expect 0 "dmsetup suspend fg-db (freezes the filesystem) under guard lg" $DMSETUP suspend fg-db
	js=$(fs_json lg)
	case $js in *'"state":"FROZEN"'*'"frozen":true'*'"guarded":true'*) tap 0 "lg guards /mnt/lv, frozen by device-mapper, before its deadline";;
	*) tap 1 "lg guards /mnt/lv, frozen by device-mapper, before its deadline: $js";; esac
	pause 4000
	js=$(fs_json lg)
	case $js in *'"state":"FAILED"'*'"guarded":false,"guard_thawed":false'*) tap 0 "lg's deadline passed during device-mapper's suspend: it thawed nothing";;
	*) tap 1 "lg's deadline passed during device-mapper's suspend: it thawed nothing: $js";; esac
	dmesg | grep -q "guard lg: .* freeze $g ended: left to device-mapper's resume"
	tap $? "and the kernel log says it left the filesystem to device-mapper's resume"
	expect 0 "dmsetup resume fg-db" $DMSETUP resume fg-db
	expect 3 "the late thaw of guard lg exits 3" freezectl thaw lg --generation "$g"
	d=$(lv_data guarded)
	expect 0 "lvcreate -s after lg (device-mapper's freeze count back to 0: it freezes)" \
		lv lvcreate -q -s -n s7 -L 16M fg/db
	snap_check s7 "$d"

	case $(uname -r) in
	6.1.*)
		# FITHAW takes a session's freeze on 6.1. Once the session has
		# seen that (any STATUS), it gives back its block-device freeze
		# count, so that device-mapper's next freeze really freezes
		# (with the count left, it would nest without freezing: a
		# snapshot without the data written since)
		g=$(freezectl freeze -q lf --fs /mnt/lv --timeout $(fsms 30000))
		$FSFREEZE -u /mnt/lv
		js=$(fs_json lf)
		case $js in *'"lost":true'*) tap 0 "6.1: lf sees /mnt/lv lost after fsfreeze -u";;
		*) tap 1 "6.1: lf sees /mnt/lv lost after fsfreeze -u: $js";; esac
		d=$(lv_data lost)
		expect 0 "6.1: lvcreate -s while lf's lost freeze is still open" \
			lv lvcreate -q -s -n s6 -L 16M fg/db
		snap_check s6 "$d"
		expect 1 "6.1: thaw lf exits 1 (lost)" freezectl thaw lf --generation "$g"
		;;
	esac

	# nothing left behind: device-mapper's block-device freeze count is
	# back to 0 (a count left over would refuse the mount, and make the
	# next snapshot nest without freezing the filesystem)
	out=$( { umount /mnt/lv && mount -t ext4 /dev/fg/db /mnt/lv; } 2>&1)
	tap $? "after the sessions and device-mapper, fg/db unmounts and mounts again (no freeze count left behind)${out:+: $out}"
	d=$(lv_data after)
	expect 0 "lvcreate -s after the sessions" lv lvcreate -q -s -n s5 -L 16M fg/db
	snap_check s5 "$d"

	# the baseline, for the record: fsfreeze, then lvcreate -s. Before
	# 6.6 freeze_super() does not nest and device-mapper gives up.
	$FSFREEZE -f /mnt/lv
	out=$(lv lvcreate -q -s -n s4 -L 16M fg/db 2>&1)
	rc=$?
	$FSFREEZE -u /mnt/lv
	case $(uname -r) in 6.1.*) want=5 ;; *) want=0 ;; esac
	[ $rc = $want ]
	tap $? "baseline: fsfreeze -f, then lvcreate -s exits $rc (this kernel: $want)$([ $rc = 0 ] || echo ": $out" | tr '\n' ' ')"
	$DMSETUP resume fg-db 2>/dev/null
	lv lvremove -q -y fg/s4 >/dev/null 2>&1
	scenario_fs_hung_sync
	umount /mnt/lv
	/usr/sbin/e2fsck -fn /dev/fg/db >/tmp/lv.fsck 2>&1
	tap $? "e2fsck -fn fg/db after the snapshots: clean $(tail -n 2 /tmp/lv.fsck | tr '\n' ' ')"
}

# exit_of PID: rc= the exit status of background job PID once it ends,
# or "running" if it has not within 10 s (scaled): bounded, so that a sync
# that never returns fails the test here, not at VM_TIMEOUT (not in a
# subshell: only this shell can wait for its job)
exit_of() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt $((100 * SCALE)) ]; do usleep 100000; i=$((i + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		rc=running
	else
		wait "$1"
		rc=$?
	fi
}

# A sync that never returns: the second filesystem's device is suspended
# without lockfs, with dirty data on it, so its freeze's sync waits until
# the device is resumed. The deadline still thaws the first one at once
# (within a second), and the second the moment its freeze completes.
scenario_fs_hung_sync() {
	out=$( { lv lvcreate -q -y -L 32M -n db2 fg && /usr/sbin/mke2fs -q -t ext4 /dev/fg/db2 &&
		mkdir -p /mnt/lv2 && mount -t ext4 /dev/fg/db2 /mnt/lv2; } 2>&1)
	tap $? "LVM: a second volume fg/db2 with ext4 on /mnt/lv2${out:+: $(echo "$out" | tr '\n' ' ')}"
	dd if=/dev/zero of=/mnt/lv2/dirty bs=1M count=4 2>/dev/null	# dirty, not synced
	expect 0 "dmsetup suspend --nolockfs fg-db2: its writes wait" $DMSETUP suspend --nolockfs fg-db2
	t=$(ms 2000)
	t0=$(mono)
	freezectl freeze hs --fs /mnt/lv --fs /mnt/lv2 --timeout "$t" >/tmp/hs.out 2>&1 &
	hspid=$!
	pause 300	# /mnt/lv freezes at once, /mnt/lv2's sync hangs
	writer_start lv hs
	pause 200
	js=$(fs_json hs)
	case $js in *'"mount":"/mnt/lv",'*'"held":true,'*'"mount":"/mnt/lv2",'*'"freezing":true'*)
		tap 0 "hs holds /mnt/lv and is freezing /mnt/lv2 (its sync hangs)";;
	*) tap 1 "hs holds /mnt/lv and is freezing /mnt/lv2 (its sync hangs): $js";; esac
	# (the bound is loose: what matters is that /mnt/lv2's device is still
	# suspended; the figure is printed, as fsresume lines are)
	wait_file /tmp/w.hs $((t / 1000 + 10)) && writer_done hs
	rc=$?
	late=$(($(writer_end hs) - t0 - t))
	echo "fsresume: hung sync: deadline to first filesystem's writer resumed $late ms (the second one's sync still hanging)"
	[ $rc = 0 ] && [ "$late" -ge 0 ] && [ "$late" -le $(ms 5000) ]
	tap $? "the deadline thaws /mnt/lv while /mnt/lv2's sync still hangs: its writer resumes $late ms after the deadline, before the device is resumed"
	check "hs ended FAILED / TIMEOUT at its deadline" hs state FAILED last_error TIMEOUT
	kill -0 $hspid 2>/dev/null
	tap $? "the FREEZE call still waits for /mnt/lv2's sync"
	js=$(fs_json hs)
	case $js in *'"mount":"/mnt/lv",'*'"held":false,'*'"mount":"/mnt/lv2",'*'"freezing":true'*)
		tap 0 "hs no longer holds /mnt/lv; /mnt/lv2 still freezing";;
	*) tap 1 "hs no longer holds /mnt/lv; /mnt/lv2 still freezing: $js";; esac
	expect 0 "dmsetup resume fg-db2" $DMSETUP resume fg-db2
	exit_of $hspid
	[ "$rc" = 3 ]
	tap $? "the FREEZE returns once the sync completes: exit $rc (timed out), $(tr '\n' ' ' </tmp/hs.out)"
	writer_start lv2 hs2
	wait_file /tmp/w.hs2 10 && writer_done hs2
	tap $? "/mnt/lv2 was thawed the moment its freeze completed: a writer finishes"
	js=$(fs_json hs)
	case $js in *'"held":true'*|*'"freezing":true'*) tap 1 "hs holds nothing: $js";;
	*) tap 0 "hs holds nothing";; esac

	# the first one named hangs: nothing is frozen, and those after it
	# are let go of at the deadline (another session may freeze them)
	dd if=/dev/zero of=/mnt/lv2/dirty2 bs=1M count=4 2>/dev/null
	expect 0 "dmsetup suspend --nolockfs fg-db2 again" $DMSETUP suspend --nolockfs fg-db2
	freezectl freeze hr --fs /mnt/lv2 --fs /mnt/lv --timeout "$t" >/tmp/hr.out 2>&1 &
	hrpid=$!
	i=0
	while [ "$(field hr state)" != FAILED ] && [ $i -lt $((t / 100 + 100)) ]; do usleep 100000; i=$((i + 1)); done
	check "hr, whose first filesystem's sync hangs, ended at its deadline" hr state FAILED last_error TIMEOUT
	g=$(freezectl freeze -q hx --fs /mnt/lv --timeout $(fsms 20000) 2>&1)
	tap $? "/mnt/lv, named after the hung /mnt/lv2, was let go of at hr's deadline: another session freezes it ($g)"
	expect 0 "thaw hx" freezectl thaw hx --generation "$g"
	expect 0 "dmsetup resume fg-db2" $DMSETUP resume fg-db2
	exit_of $hrpid
	[ "$rc" = 3 ]
	tap $? "hr's FREEZE returns once the sync completes: exit $rc (timed out)"
	writer_start lv2 hr
	writer_resumes hr 10 "/mnt/lv2 was thawed the moment its freeze completed: a writer finishes"
	umount /mnt/lv2
	/usr/sbin/e2fsck -fn /dev/fg/db2 >/tmp/lv2.fsck 2>&1
	tap $? "e2fsck -fn fg/db2: clean $(tail -n 1 /tmp/lv2.fsck)"
	lv lvremove -q -y fg/db2 >/dev/null 2>&1
}

# A filesystem one session holds is never another session's, even once
# someone else thawed the first one's freeze (6.1: fsfreeze -u does; 6.6+:
# it cannot): the second freeze is refused, and the first one's release
# never ends a freeze made since.
scenario_fs_claims() {
	g=$(freezectl freeze -q ca --fs /mnt/ext4 --timeout $(fsms 30000))
	$FSFREEZE -u /mnt/ext4 2>/dev/null
	expect 1 "a second session freezing /mnt/ext4 that ca holds (after fsfreeze -u): refused" \
		freezectl freeze cb --fs /mnt/ext4 --timeout $(fsms 30000)
	case $(uname -r) in
	6.1.*)
		js=$(fs_json ca)	# ca sees its freeze lost
		case $js in *'"lost":true'*) tap 0 "6.1: ca reports /mnt/ext4 lost";;
		*) tap 1 "6.1: ca reports /mnt/ext4 lost: $js";; esac
		expect 0 "6.1: fsfreeze -f after ca's freeze was lost" $FSFREEZE -f /mnt/ext4
		expect 1 "6.1: thaw ca exits 1 (lost)" freezectl thaw ca --generation "$g"
		writer_waits ext4 ca "6.1: ca's release did not thaw fsfreeze's freeze: a writer waits"
		expect 0 "fsfreeze -u" $FSFREEZE -u /mnt/ext4
		writer_resumes ca 10 "6.1: the writer resumes after fsfreeze -u"
		# the block device's freeze count was given back: a new freeze
		# freezes (a count left behind would nest without freezing)
		g=$(freezectl freeze -q ca --fs /mnt/ext4 --timeout $(fsms 30000))
		tap $? "6.1: a new freeze of /mnt/ext4 after the lost one ($g)"
		writer_waits ext4 ca2 "6.1: and it holds: a writer waits"
		expect 0 "thaw ca" freezectl thaw ca --generation "$g"
		writer_resumes ca2 10 "6.1: the writer resumes"
		;;
	*)
		expect 0 "thaw ca (fsfreeze -u could not take its freeze)" freezectl thaw ca --generation "$g"
		;;
	esac
}

# A thaw that fails (the knob fault_thaw_fail: the next N thaws fail with
# EIO and change nothing, as a filesystem that refuses its thaw): the
# freeze is over (thaw exits 1 and names the filesystem), but the
# filesystem stays frozen, STUCK in status, JSON and the trace event, and
# claimed (no session may freeze it); the module thaws it again every
# second, and once the thaws work its writer resumes. A session removed
# while its filesystem is stuck leaves the retry to go on.
scenario_fs_stuck() {
	trace_start
	echo 1000000 > $D/fault_thaw_fail
	g=$(freezectl freeze -q st --fs /mnt/ext4 --timeout $(fsms 30000))
	tap $? "freeze st --fs /mnt/ext4 ($g)"
	out=$(freezectl thaw st --generation "$g" 2>&1)
	rc=$?
	case $rc:$out in 1:*"ext4 filesystem on /mnt/ext4"*"failed to thaw: it stays frozen"*)
		tap 0 "thaw st, whose thaw of /mnt/ext4 fails: exit 1, named";;
	*) tap 1 "thaw st, whose thaw of /mnt/ext4 fails: exit 1, named: exit $rc: $out";; esac
	check "st's freeze ended in time" st state STABLE thaws 1
	js=$(fs_json st)
	case $js in *'"held":false,"frozen":true,"lost":false,"freezing":false,"stuck":true'*)
		tap 0 "st's JSON: /mnt/ext4 not held, frozen, stuck";;
	*) tap 1 "st's JSON: /mnt/ext4 not held, frozen, stuck: $js";; esac
	freezectl status st | grep -q '/mnt/ext4 (ext4, .*): frozen.*, STUCK (its thaw failed'
	tap $? "status st: /mnt/ext4 frozen, STUCK"
	writer_waits ext4 st "a writer to the stuck /mnt/ext4 waits"
	expect 1 "another session freezing the stuck /mnt/ext4: refused (6.1: by the claim; 6.12: the kernel holder's freeze also refuses it)" \
		freezectl freeze sx --fs /mnt/ext4 --timeout $(fsms 30000)
	freezectl remove sx 2>/dev/null
	pause 1500	# a retry or more, which fail
	echo 0 > $D/fault_thaw_fail
	writer_resumes st 10 "once thaws work, the retry thaws /mnt/ext4: its writer resumes"
	trace_stop
	js=$(fs_json st)
	case $js in *'"held":false,"frozen":false,"lost":false,"freezing":false,"stuck":false'*)
		tap 0 "st's JSON: /mnt/ext4 neither frozen nor stuck any more";;
	*) tap 1 "st's JSON: /mnt/ext4 neither frozen nor stuck any more: $js";; esac
	# the release's failed thaw, at least one failed retry, then the
	# retry's thaw, all of freeze $g; nothing else
	dev=$(awk '$5 == "/mnt/ext4" { print $3 }' /proc/self/mountinfo)
	got=$(trace_of st | grep '^fs_thaw')
	fail="fs_thaw gen=$g dev=$dev type=ext4 err=-5 stuck=1"
	ok="fs_thaw gen=$g dev=$dev type=ext4 err=0 stuck=0"
	[ "$(echo "$got" | tail -n 1)" = "$ok" ] &&
		[ "$(echo "$got" | grep -cxF "$fail")" -ge 2 ] &&
		[ "$(echo "$got" | grep -cvxF "$fail")" = 1 ]
	tap $? "the trace: thaws of /mnt/ext4 fail with stuck=1, again and again, then one works: $(echo "$got" | sort | uniq -c | tr '\n' '|')"
	dmesg | grep -q "session st: ext4 filesystem $dev failed to thaw at the end of freeze $g: error -5; it stays frozen, and is thawed again every second" &&
		dmesg | grep -q "session st: ext4 filesystem $dev, stuck frozen at the end of freeze $g, is thawed now"
	tap $? "the kernel log tells the failed thaw and the retry's thaw"
	g=$(freezectl freeze -q st --fs /mnt/ext4 --timeout $(fsms 30000))
	tap $? "st freezes /mnt/ext4 again ($g)"
	expect 0 "and thaws it" freezectl thaw st --generation "$g"
	expect 0 "remove st" freezectl remove st

	# the session's freeze replaced, then the session removed, while
	# stuck: the retry goes on without them
	echo 1000000 > $D/fault_thaw_fail
	g=$(freezectl freeze -q so --fs /mnt/xfs --timeout $(fsms 30000))
	expect 1 "thaw so, whose thaw of /mnt/xfs fails" freezectl thaw so --generation "$g"
	expect 1 "so freezing the stuck /mnt/xfs again: refused" \
		freezectl freeze so --fs /mnt/xfs --timeout $(fsms 30000)
	expect 0 "remove so while /mnt/xfs is stuck" freezectl remove so
	writer_waits xfs so "a writer to the stuck /mnt/xfs waits"
	echo 0 > $D/fault_thaw_fail
	writer_resumes so 10 "the retry thaws /mnt/xfs of the removed so: its writer resumes"
	dmesg | grep -q "session so: xfs filesystem .*, stuck frozen at the end of freeze $g, is thawed now"
	tap $? "the kernel log tells so's thaw by the retry"
}

# fio verifying its data while freezeguard freezes, thaws, aborts and lets
# freezes time out, on the three filesystems at once. Under fio a sync may
# outlast a deadline: such a freeze exits 3 (timed out while FREEZING).
fio_cycle() {	# fio_cycle FS THEN: freeze, then thaw, abort or nothing
	g=$(freezectl freeze -q "f$1" --fs "/mnt/$1" --timeout "$3")
	case $? in
	0) ;;
	3) slow=$((slow + 1)); return ;;
	*) bad="$bad freeze($1)"; return ;;
	esac
	[ "$2" = none ] && return
	usleep 50000
	freezectl "$2" "f$1" --generation "$g" || bad="$bad $2($1)=$?"
}

scenario_fs_fio() {
	for fs in $FS_ALL; do fio_start "/mnt/$fs" 60; done
	end=$(($(uptime_s) + 55))
	cycles=0 slow=0 bad=''
	while [ "$(uptime_s)" -lt $end ]; do
		for fs in $FS_ALL; do
			fio_cycle "$fs" thaw $(ms 5000)
			fio_cycle "$fs" abort $(ms 5000)
			fio_cycle "$fs" none $(ms 100)
		done
		pause 300	# the last three time out
		cycles=$((cycles + 1))
	done
	[ $cycles -gt 0 ] && [ -z "$bad" ]
	tap $? "$cycles cycles of freeze+thaw, freeze+abort, freeze+timeout on each filesystem under fio ($slow syncs outlasted their deadline)${bad:+: failed:$bad}"
	for fs in $FS_ALL; do
		n=$(field "f$fs" freezes) t=$(field "f$fs" timeouts) st=$(field "f$fs" state)
		[ "$n" = $((3 * cycles)) ] && [ "$t" -ge $cycles ] && [ "$st" = FAILED ]
		tap $? "f$fs: $n freezes, every one ended ($t timed out, state $st)"
	done
	for fs in $FS_ALL; do fio_wait "/mnt/$fs" 120; done
}

# rmmod is refused while a filesystem is stuck after a failed thaw; it
# thaws every filesystem the module holds, retrying a thaw that fails.
scenario_fs_rmmod() {
	echo 1000000 > $D/fault_thaw_fail
	g=$(freezectl freeze -q rs --fs /mnt/ext4 --timeout $(fsms 30000))
	expect 1 "thaw rs, whose thaw of /mnt/ext4 fails (stuck)" freezectl thaw rs --generation "$g"
	writer_start ext4 rm3
	refcnt=$(cat /sys/module/freezeguard/refcnt)
	out=$(rmmod freezeguard 2>&1)
	rc=$?
	[ "$refcnt" = 1 ] && [ $rc != 0 ] && [ -d /sys/module/freezeguard ]
	tap $? "rmmod while /mnt/ext4 is stuck: refused, the module pinned (refcnt $refcnt, rmmod exit $rc: $out)"
	echo 0 > $D/fault_thaw_fail
	writer_resumes rm3 10 "the retry thaws /mnt/ext4: its writer resumes"
	refcnt=$(cat /sys/module/freezeguard/refcnt)
	[ "$refcnt" = 0 ]
	tap $? "and unpins the module (refcnt $refcnt)"
	# thaws that fail during the unload itself are retried there
	freezectl freeze rx --fs /mnt/xfs --fs /mnt/btrfs --timeout $(fsms 30000)
	writer_start btrfs rm
	pause 300
	! writer_done rm
	tap $? "a writer to /mnt/btrfs waits"
	# and a guard of fsfreeze's freeze of /mnt/ext4
	$FSFREEZE -f /mnt/ext4
	freezectl guard rg --fs /mnt/ext4 --timeout $(fsms 30000) >/dev/null
	writer_start ext4 rg
	echo 2 > $D/fault_thaw_fail	# both of rx's thaws at the unload
	expect 0 "rmmod with a filesystem freeze held, whose thaws fail once" rmmod freezeguard
	writer_resumes rm 5 "rmmod thawed /mnt/btrfs on a retry: its writer finished"
	writer_resumes rg 5 "rmmod ended guard rg: it thawed fsfreeze's freeze of /mnt/ext4"
	writer_start xfs rm2
	writer_resumes rm2 5 "and /mnt/xfs"
	# (no retry is queued during the unload: these are the unload's own)
	[ "$(dmesg | grep -c "session rx: .* filesystem .*, stuck frozen at the end of freeze .*, is thawed now")" = 2 ]
	tap $? "the kernel log tells both thawed by the unload's retries"
}

# The filesystem events: a freeze of ext4 that nobody thaws -- the core
# opens it FREEZING, ext4 freezes, the core makes it FROZEN, the deadline
# expires it and orders the release, ext4 thaws -- in that order.
scenario_fs_trace() {
	trace_start
	g=$(freezectl freeze -q ftr --fs /mnt/ext4 --timeout $(fsms 2000))
	i=0
	while [ "$(field ftr state)" != FAILED ] && [ $i -lt 100 ]; do pause 100; i=$((i + 1)); done
	trace_stop
	got=$(trace_of ftr)
	dev=$(awk '$5 == "/mnt/ext4" { print $3 }' /proc/self/mountinfo)	# its st_dev
	want="transition gen=$g cause=freeze from=STABLE to=FREEZING verdict=FREEZE_FS release=0
fs_freeze gen=$g dev=$dev type=ext4 err=0 stuck=0
transition gen=$g cause=frozen from=FREEZING to=FROZEN verdict=FROZE release=0
transition gen=$g cause=deadline from=FROZEN to=FAILED verdict=EXPIRED release=1
fs_thaw gen=$g dev=$dev type=ext4 err=0 stuck=0"
	[ "$got" = "$want" ]
	tap $? "freeze of ext4 to its deadline traces open, fs_freeze, frozen, expired, fs_thaw, in order: $(echo "$got" | tr '\n' '|')"
	freezectl remove ftr
}

suite_fs() {
	fs_setup_check
	fs_mount_all
	scenario_load
	fgtest fs-abi /mnt/ext4
	scenario_fs_thaw
	scenario_fs_deadline
	scenario_fs_owner
	scenario_fs_run_stderr
	scenario_fs_freezing_timeout
	scenario_fs_busy
	scenario_fs_admin
	scenario_fs_guard
	grep -q fgqga=1 /proc/cmdline && scenario_fs_qga
	scenario_fs_claims
	scenario_fs_stuck
	grep -q fglvm=1 /proc/cmdline && scenario_fs_lvm
	scenario_fs_trace
	fgtest race -n $((400 / SCALE)) -d $(ms 50) -f /mnt/ext4 -f /mnt/xfs
	# the KB 915331 window wide open, as in scenario_race
	echo 1 > $D/fault_skip_cancel
	echo $(($(ms 2) * 1000)) > $D/fault_worker_delay_us
	fgtest race -n $((200 / SCALE)) -d $(ms 50) -f /mnt/ext4 -f /mnt/xfs
	echo 0 > $D/fault_skip_cancel
	echo 0 > $D/fault_worker_delay_us
	scenario_fs_fio
	scenario_fs_rmmod
	fs_umount_all	# fails if any reference to a filesystem was left behind
}
