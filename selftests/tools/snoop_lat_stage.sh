#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# snoop_lat_stage.sh 1|2 BUILD: one stage of selftests/tools/
# snoop_lat.plan, run in the guest.  It runs luosnoop
# and luolat (build/tools) the way a user would, around what the stage is
# about, leaves everything they printed in $LUOVM_RUN/snoop-lat/STAGE/, and
# has selftests/tools/check_snoop_lat.py check it (TAP, also kept in
# check.tap there).
#
#   1         Both tools in the background (several luosnoop with filters,
#             text and JSON, two luolat; perf and trace-cmd recording the
#             liveupdate events: tracers.sh) around "luo_workload --stage 1"
#             and then a kexec refused through fail_function: the
#             injected -EIO of luo_hook_serialize comes after every file
#             was frozen, so the reboot's freezes and unfreezes are seen
#             by tools that are still running (a real kexec kills them).
#   2         Both tools (and perf and trace-cmd) in the background around
#             "luo_workload --stage 2",
#             run itself under "luosnoop -- COMMAND"; then -d SECONDS,
#             "luolat INTERVAL COUNT" and the exit code of "-- COMMAND";
#             then luosnoop stopped while luo_opbench fills its ring; then
#             -p and --cgroup on two luo_opbench in two cgroups; last,
#             the BPF programs luolat and luosnoop load, with -o and
#             without.
#
# The tools on a kernel without the liveupdate events (mainline's, fentry
# mode): selftests/tools/fentry_stage.sh.
#
# BUILD is the build directory (the plan's ${LUO_BUILD}).  Exits with the
# checker's status.
set -u
cd "$(dirname "$0")/../.." || exit 2

stage=${1:?usage: $0 1|2 BUILD}
build=${2:?usage: $0 1|2 BUILD}
tools=${LUOVM_TOOLS:-$build/tools}
run=${LUOVM_RUN:-/tmp}
out=$run/snoop-lat/$stage
rm -rf "$out"
mkdir -p "$out"
: >"$out/status"

. selftests/tools/stage_lib.sh
. selftests/tools/tracers.sh

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
	tracers_start

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
	tracers_report
	;;
2)
	# /proc/uptime is CLOCK_BOOTTIME, here CLOCK_MONOTONIC (the guest
	# never suspends): luosnoop -T's start lies between the uptime before
	# it was started and the uptime once it said it traced.
	fact uptime-before-tools "$(cut -d' ' -f1 /proc/uptime)"
	start snoop luosnoop --json
	start snoop-text luosnoop -T
	start snoop-failed luosnoop --json --failed
	start lat luolat --json
	start lat-text luolat -T
	wait_ready
	fact uptime-tools-ready "$(cut -d' ' -f1 /proc/uptime)"
	tracers_start

	# The workload under "luosnoop -- COMMAND", which must pass its
	# exit code on; the command's own output goes to a file.
	fact uptime-before-cmd "$(cut -d' ' -f1 /proc/uptime)"
	"$tools/luosnoop" --json -T --op session_retrieve,session_finish -- \
		sh -c 'echo $$ >"$1"; exec "$2" --stage 2 >"$3" 2>&1' sh \
		"$out/pid-workload" "$build/selftests/luo_workload" "$out/workload.log" \
		>"$out/snoop-cmd.out" 2>"$out/snoop-cmd.err"
	fact rc-snoop-cmd $?
	fact pid-workload "$(cat "$out/pid-workload")"
	sleep 1
	stop_all
	tracers_report

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
	# luosnoop INTERVAL COUNT: COUNT summaries, then it exits; with a
	# command, a summary a second and one at its end.
	t0=$(date +%s.%N)
	timeout 60 "$tools/luosnoop" 1 2 >"$out/snoop-count.out" 2>"$out/snoop-count.err"
	fact rc-snoop-count $?
	fact secs-snoop-count "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"
	timeout 120 "$tools/luosnoop" --json 1 -- "$tools/luo_opbench" -n 10 \
		>"$out/snoop-interval.out" 2>"$out/snoop-interval.err"
	fact rc-snoop-interval $?
	# A command that writes to luosnoop's stdout as fast as it can, a
	# line a write(2), while luosnoop prints many events: every line
	# stays whole, ours and its.
	timeout 120 "$tools/luosnoop" --json -- sh -c '
		yes writer | dd bs=7 iflag=fullblock status=none &
		w=$!
		"$1" -n 200 -l shared -s shared
		r=$?
		sleep 0.3
		kill "$w"
		wait "$w"
		exit "$r"' sh "$tools/luo_opbench" \
		>"$out/snoop-shared.out" 2>"$out/snoop-shared.err"
	fact rc-snoop-shared $?
	# The exit code of the command, and of one that cannot run.
	"$tools/luosnoop" -- sh -c 'exit 3' >"$out/snoop-exit3.out" 2>&1
	fact rc-snoop-exit3 $?
	"$tools/luosnoop" -- /nonexistent/command >"$out/snoop-noexec.out" 2>&1
	fact rc-snoop-noexec $?

	# A ring that fills: luo_opbench on one CPU makes more events than
	# that CPU's ring holds while one luosnoop is stopped; another one
	# runs.  Then luo_opbench moving from CPU to CPU,
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

	# luo_opbench moves itself every 25 iterations: 19 moves, and its
	# 2,000 events fit in any one CPU's ring, so what this checks (the
	# order across CPUs, the names) does not hang on when the guest lets
	# the readers run.
	mkfifo "$go"
	sh -c 'read -r go <"$1"; exec "$2" -n 500 -m 25' sh "$go" \
		"$tools/luo_opbench" >"$out/opbench2.log" 2>&1 &
	wpid=$!
	fact pid-opbench2 $wpid
	start snoop-moving luosnoop --json --pid "$wpid"
	# Without the creates: names still right where sessions reuse addresses.
	start snoop-nocreate luosnoop --json --pid "$wpid" -o file_preserve,session_release
	wait_ready
	echo go >"$go"
	rm -f "$go"
	wait $wpid
	fact rc-opbench2 $?
	fact moves-opbench2 "$(sed -n 's/.* moves=\([0-9]*\).*/\1/p' "$out/opbench2.log")"
	sleep 1
	stop_all

	# -p and --cgroup: two luo_opbench, each in a cgroup (v2) of its own,
	# one after the other (/dev/liveupdate has one user at a time) once
	# the tools trace (check_filters.py).
	cg=$(mktemp -d /tmp/snoop-cg.XXXXXX)
	mount -t cgroup2 none "$cg"
	fact rc-cgroup-mount $?
	mkdir "$cg/luo-a" "$cg/luo-b"
	go=$(mktemp -u /tmp/snoop-filter-go.XXXXXX)
	for g in a b; do
		sh -c 'echo $$ >"$1/cgroup.procs" || exit 99
		       while [ ! -e "$2-$4" ]; do sleep 0.05; done
		       exec "$3" -n 10 -s "filter-$4"' sh "$cg/luo-$g" "$go" "$tools/luo_opbench" "$g" \
			>"$out/opbench-$g.log" 2>&1 &
		eval "pid_$g=\$!"
	done
	fact pid-opbench-a "$pid_a"
	fact pid-opbench-b "$pid_b"
	start filter-cg luosnoop --json --cgroup "$cg/luo-a"
	start filter-pid luosnoop --json -p "$pid_b"
	start filter-lat-cg luolat --json --cgroup "$cg/luo-a"
	start filter-lat-pid luolat --json -p "$pid_b"
	start filter-top luotop -b -d 0.5 --cgroup "$cg/luo-a"
	wait_ready
	touch "$go-a"
	wait "$pid_a"
	fact rc-opbench-a $?
	touch "$go-b"
	wait "$pid_b"
	fact rc-opbench-b $?
	rm -f "$go-a" "$go-b"
	sleep 1
	stop_all
	"$tools/luosnoop" --cgroup /nonexistent >"$out/filter-badcg.out" 2>"$out/filter-badcg.err"
	fact rc-filter-badcg $?
	rmdir "$cg/luo-a" "$cg/luo-b"
	umount "$cg" && rmdir "$cg"
	# The programs each tool loads, started alone (bpftool's listings
	# before and once it traces: progs-NAME.before, .after): only those
	# of the events it uses and -o asks for.
	for t in "lat luolat" "lat-o luolat -o file_preserve" "snoop luosnoop" \
		 "snoop-o luosnoop -o file_unpreserve" "snoop-flb luosnoop -o flb_preserve"; do
		set -- $t
		name=progs-$1
		shift
		bpftool prog show --json >"$out/$name.before"
		start "$name" "$@"
		wait_ready
		bpftool prog show --json >"$out/$name.after"
		stop_all
	done
	fact cpus-possible "$(cat /sys/devices/system/cpu/possible)"
	;;
*)
	echo "usage: $0 1|2 BUILD" >&2
	exit 2
	;;
esac

check check_snoop_lat.py "$out/kexec.log" "$out/inject.err"
