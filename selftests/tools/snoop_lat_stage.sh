#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# snoop_lat_stage.sh 1|2|mainline BUILD: one stage of selftests/tools/
# snoop_lat.plan (or no_events.plan), run in the guest.  It runs luosnoop
# and luolat (build/tools) the way a user would, around what the stage is
# about, leaves everything they printed in $LUOVM_RUN/snoop-lat/STAGE/, and
# has selftests/tools/check_snoop_lat.py check it (TAP, also kept in
# check.tap there).
#
#   1         Both tools in the background (several luosnoop with filters,
#             text and JSON, two luolat) around "luo_workload --stage 1"
#             and then a kexec refused through fail_function: the
#             injected -EIO of luo_hook_serialize comes after every file
#             was frozen, so the reboot's freezes and unfreezes are seen
#             by tools that are still running (a real kexec kills them).
#   2         Both tools in the background around "luo_workload --stage 2",
#             run itself under "luosnoop -- COMMAND"; then -d SECONDS,
#             "luolat INTERVAL COUNT" and the exit code of "-- COMMAND";
#             then luosnoop stopped while luo_opbench fills its ring.
#   mainline  A kernel without the liveupdate events: both tools must exit
#             2 with one sentence.
#
# BUILD is the build directory (the plan's ${LUO_BUILD}).  Exits with the
# checker's status.
set -u
cd "$(dirname "$0")/../.." || exit 2

stage=${1:?usage: $0 1|2|mainline BUILD}
build=${2:?usage: $0 1|2|mainline BUILD}
tools=${LUOVM_TOOLS:-$build/tools}
run=${LUOVM_RUN:-/tmp}
out=$run/snoop-lat/$stage
rm -rf "$out"
mkdir -p "$out"
: >"$out/status"

# NAME=VALUE facts for the checker.
fact() {
	echo "$1 $2" >>"$out/status"
}

declare -A pids

# start NAME TOOL ARG...: TOOL in the background, output in NAME.out/.err.
start() {
	local name=$1 tool=$2

	shift 2
	"$tools/$tool" "$@" >"$out/$name.out" 2>"$out/$name.err" &
	pids[$name]=$!
	echo "$tool $*" >"$out/$name.cmd"
}

# Wait until every tool started says it is tracing (attached), or died.
wait_ready() {
	local name waiting

	for _ in $(seq 1 600); do
		waiting=0
		for name in "${!pids[@]}"; do
			if ! grep -q '^Tracing' "$out/$name.err" 2>/dev/null &&
			   kill -0 "${pids[$name]}" 2>/dev/null; then
				waiting=1
			fi
		done
		[ "$waiting" -eq 0 ] && break
		sleep 0.2
	done
	for name in "${!pids[@]}"; do
		if grep -q '^Tracing' "$out/$name.err"; then
			fact "ready-$name" yes
		else
			fact "ready-$name" no
		fi
	done
}

# SIGINT to every tool, and their exit codes (-1: still running after 60 s).
stop_all() {
	local name pid rc

	for name in "${!pids[@]}"; do
		kill -INT "${pids[$name]}" 2>/dev/null
	done
	for name in "${!pids[@]}"; do
		pid=${pids[$name]}
		for _ in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid"
			wait "$pid"
			rc=-1
		else
			wait "$pid"
			rc=$?
		fi
		fact "rc-$name" "$rc"
	done
	pids=()
}

fail_function=/sys/kernel/debug/fail_function
clear_injection() {
	[ -w "$fail_function/inject" ] && echo >"$fail_function/inject"
}

cat /sys/devices/system/clocksource/clocksource0/current_clocksource >"$out/clocksource" 2>/dev/null
uname -r >"$out/release"

case $stage in
1)
	# The workload waits for the tools: its pid is known to -p.
	go=$(mktemp -u /tmp/snoop-lat-go.XXXXXX)
	mkfifo "$go"
	sh -c 'read -r go <"$1"; exec "$2" --stage 1' sh "$go" \
		"$build/selftests/luo_workload" >"$out/workload.log" 2>&1 &
	wpid=$!
	fact pid-workload $wpid
	start snoop luosnoop --json
	start snoop-text luosnoop
	start snoop-failed luosnoop --json --failed
	start snoop-handler luosnoop --json --handler luo-test-v1
	start snoop-session luosnoop --json --session wl-b --op file_preserve --op file_freeze
	start snoop-pid luosnoop --json --pid "$wpid"
	start lat luolat --json
	start lat-freeze luolat --json -o file_freeze -H memfd-v2
	start lat-text luolat -T
	wait_ready

	echo go >"$go"
	rm -f "$go"
	wait $wpid
	fact rc-workload $?

	# A kexec refused after every file was frozen: luo_hook_serialize
	# returns -EIO (-5), once.
	trap clear_injection EXIT
	{
		echo luo_hook_serialize >"$fail_function/inject" &&
		printf %#x -5 >"$fail_function/luo_hook_serialize/retval" &&
		echo 100 >"$fail_function/probability" &&
		echo 1 >"$fail_function/interval" &&
		echo 1 >"$fail_function/times" &&
		echo 0 >"$fail_function/verbose"
	} 2>"$out/inject.err"
	fact rc-inject $?
	"$tools/luovm-kexec" load-exec "$build/kernel-ours/bzImage" "$(cat /proc/cmdline)" \
		>"$out/kexec.log" 2>&1 &
	fact pid-kexec $!
	wait $!
	fact rc-kexec $?
	clear_injection
	fact rc-clear-injection $?
	trap - EXIT
	# Both tools print what they have when they stop.
	sleep 1
	stop_all
	;;
2)
	start snoop luosnoop --json
	start snoop-text luosnoop
	start snoop-failed luosnoop --json --failed
	start lat luolat --json
	start lat-text luolat -T
	wait_ready

	# The workload under "luosnoop -- COMMAND", which must pass its
	# exit code on; the command's own output goes to a file.
	"$tools/luosnoop" --json --op session_retrieve,session_finish -- \
		sh -c 'echo $$ >"$1"; exec "$2" --stage 2 >"$3" 2>&1' sh \
		"$out/pid-workload" "$build/selftests/luo_workload" "$out/workload.log" \
		>"$out/snoop-cmd.out" 2>"$out/snoop-cmd.err"
	fact rc-snoop-cmd $?
	fact pid-workload "$(cat "$out/pid-workload")"
	sleep 1
	stop_all

	# -d: stops by itself; luolat INTERVAL COUNT: COUNT summaries.  (A
	# tool that does not stop is killed: exit code 124.)
	t0=$(date +%s.%N)
	timeout 60 "$tools/luosnoop" --json -d 2 >"$out/snoop-d.out" 2>"$out/snoop-d.err"
	fact rc-snoop-d $?
	fact secs-snoop-d "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
	t0=$(date +%s.%N)
	timeout 60 "$tools/luolat" --json 1 3 >"$out/lat-count.out" 2>"$out/lat-count.err"
	fact rc-lat-count $?
	fact secs-lat-count "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
	# The exit code of the command, and of one that cannot run.
	"$tools/luosnoop" -- sh -c 'exit 3' >"$out/snoop-exit3.out" 2>&1
	fact rc-snoop-exit3 $?
	"$tools/luosnoop" -- /nonexistent/command >"$out/snoop-noexec.out" 2>&1
	fact rc-snoop-noexec $?

	# A ring that fills: luo_opbench on one CPU makes more events than
	# that CPU's ring holds while one luosnoop is stopped; another one
	# runs.  Then luo_opbench moved from CPU to CPU every 10 ms or so,
	# under two luosnoop: one of every event, one of no session's
	# create (selftests/tools/check_snoop_ring.py).
	cpu=$(($(nproc) - 1))
	go=$(mktemp -u /tmp/snoop-ring-go.XXXXXX)
	mkfifo "$go"
	taskset -c "$cpu" sh -c 'read -r go <"$1"; exec "$2" -n 1000' sh "$go" \
		"$tools/luo_opbench" >"$out/opbench.log" 2>&1 &
	wpid=$!
	start snoop-all luosnoop --json --pid "$wpid"
	start snoop-full luosnoop --json --pid "$wpid"
	wait_ready
	kill -STOP "${pids[snoop-full]}"
	echo go >"$go"
	rm -f "$go"
	wait $wpid
	fact rc-opbench $?
	kill -CONT "${pids[snoop-full]}"
	sleep 1
	stop_all

	mkfifo "$go"
	sh -c 'read -r go <"$1"; exec "$2" -n 2000' sh "$go" \
		"$tools/luo_opbench" >"$out/opbench2.log" 2>&1 &
	wpid=$!
	fact pid-opbench2 $wpid
	start snoop-moving luosnoop --json --pid "$wpid"
	# Without the creates: names still right where sessions reuse addresses.
	start snoop-nocreate luosnoop --json --pid "$wpid" -o file_preserve,session_release
	wait_ready
	echo go >"$go"
	rm -f "$go"
	moves=0
	while kill -0 "$wpid" 2>/dev/null; do
		taskset -p -c $((moves % $(nproc))) "$wpid" >/dev/null 2>&1 &&
			moves=$((moves + 1))
		sleep 0.01
	done
	wait $wpid
	fact rc-opbench2 $?
	fact moves-opbench2 $moves
	sleep 1
	stop_all
	fact cpus-possible "$(cat /sys/devices/system/cpu/possible)"
	;;
mainline)
	"$tools/luosnoop" --json >"$out/snoop.out" 2>"$out/snoop.err"
	fact rc-snoop $?
	"$tools/luosnoop" -s wl-a -- true >"$out/snoop-cmd.out" 2>"$out/snoop-cmd.err"
	fact rc-snoop-cmd $?
	"$tools/luolat" >"$out/lat.out" 2>"$out/lat.err"
	fact rc-lat $?
	"$tools/luolat" --json 1 1 >"$out/lat-count.out" 2>"$out/lat-count.err"
	fact rc-lat-count $?
	;;
*)
	echo "usage: $0 1|2|mainline BUILD" >&2
	exit 2
	;;
esac

python3 selftests/tools/check_snoop_lat.py --stage "$stage" --dir "$out" | tee "$out/check.tap"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	# What the tools said, for the runner's report.
	for f in "$out"/*.err "$out"/kexec.log "$out"/inject.err; do
		[ -s "$f" ] && sed "s|^|# ${f##*/}: |" "$f" | head -n 20
	done
fi
exit "$rc"
