#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# toolkit.sh start|stop none|planted: attach (detach) every program of the
# toolkit the way a user runs it: luosnoop, luolat and luotop -b in the
# background, until each says it is tracing.  With "planted", the events
# plant of luo_plant comes along: a tracing program that costs 300 us per
# file event, the regression the toolkit-cost test must catch.  Run in the
# guest by selftests/perf/perf.plan; output kept in /tmp/luo-toolkit/.
set -u
cd "$(dirname "$0")/../.." || exit 2
what=${1:?usage: $0 start|stop none|planted}
mode=${2:?usage: $0 start|stop none|planted}
tools=${LUOVM_TOOLS:-build/tools}
plant=${LUO_BUILD:-build}/selftests/luo_plant
dir=/tmp/luo-toolkit
mkdir -p "$dir"

case $what in
start)
	"$tools/luosnoop" >"$dir/luosnoop.out" 2>"$dir/luosnoop.err" &
	echo $! >"$dir/luosnoop.pid"
	"$tools/luolat" >"$dir/luolat.out" 2>"$dir/luolat.err" &
	echo $! >"$dir/luolat.pid"
	# One snapshot a minute: luotop's programs are attached all along, but
	# a redraw each second would share the guest's CPUs with the
	# operations timed, a cost of the display, not of tracing.
	"$tools/luotop" -b -d 60 >"$dir/luotop.out" 2>"$dir/luotop.err" &
	echo $! >"$dir/luotop.pid"
	for _ in $(seq 1 300); do
		if grep -q '^Tracing' "$dir/luosnoop.err" && grep -q '^Tracing' "$dir/luolat.err" &&
		   [ -s "$dir/luotop.out" ]; then
			"$plant" --mode "$mode" attach events || exit 1
			# Their start-up (luotop's first snapshots) is not their
			# cost per operation: let it pass.
			sleep 3
			echo "toolkit: luosnoop, luolat and luotop attached"
			exit 0
		fi
		for t in luosnoop luolat luotop; do
			if ! kill -0 "$(cat "$dir/$t.pid")" 2>/dev/null; then
				echo "toolkit: $t exited before it attached:"
				cat "$dir/$t.err"
				exit 1
			fi
		done
		sleep 0.2
	done
	echo "toolkit: not attached after 60 s"
	exit 1
	;;
stop)
	"$plant" --mode "$mode" detach events
	rc=0
	for t in luosnoop luolat luotop; do
		pid=$(cat "$dir/$t.pid" 2>/dev/null) || continue
		kill -INT "$pid" 2>/dev/null
		for _ in $(seq 1 150); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "toolkit: $t did not stop on SIGINT"
			kill -KILL "$pid"
			rc=1
		fi
		rm -f "$dir/$t.pid"
	done
	# The kernel frees their programs and maps in deferred work: let it
	# run before the next operations are timed without them.
	sleep 2
	echo "toolkit: stopped"
	exit $rc
	;;
*)
	echo "usage: $0 start|stop none|planted"
	exit 2
	;;
esac
