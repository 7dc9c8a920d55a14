#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tracers.sh, sourced by a stage script: perf and trace-cmd recording LUO's
# events, as Documentation/tools/perf-trace-cmd.rst shows a user, in the
# guest.  The stage script has $out (its output directory), fact() and the
# pids array of its tools (whose stop_all() sends them SIGINT and records
# "rc-NAME").
#
#   tracers_start   "perf record -e 'liveupdate:*' -a" and "trace-cmd record
#                   -e liveupdate" in the background, as pids[perf] and
#                   pids[trace-cmd]; returns once both record: perf starts
#                   with its events off (-D -1) and says "ack" when told to
#                   enable them through its control fifo; trace-cmd
#                   records once events/liveupdate/enable and tracing_on
#                   read 1 ("ready-perf", "ready-trace-cmd": yes or no).
#                   perf stops at SIGINT by raising it again: its exit code
#                   is then 130, trace-cmd's 0.
#   tracers_report  once stopped: "perf script" and "trace-cmd report" into
#                   $out/perf.txt and $out/trace-cmd.txt ("rc-perf-script",
#                   "rc-trace-cmd-report").

# Debian's perf is its own kernel's (6.1): any perf reads these events
# through the kernel's tracefs formats.
PERF=${PERF:-perf}
TRACE_CMD=${TRACE_CMD:-trace-cmd}

tracers_start() {
	local ready ack

	# The fifos and perf's data in the guest's own /tmp: perf cannot
	# write its data to the 9p share of $out ("Bad address").
	perf_tmp=$(mktemp -d /tmp/perf.XXXXXX)
	mkfifo "$perf_tmp/ctl" "$perf_tmp/ack"
	"$PERF" record -e 'liveupdate:*' -a -D -1 -o "$perf_tmp/perf.data" \
		--control "fifo:$perf_tmp/ctl,$perf_tmp/ack" \
		>"$out/perf.out" 2>"$out/perf.err" &
	pids[perf]=$!
	"$TRACE_CMD" record -e liveupdate -o "$out/trace-cmd.dat" \
		>"$out/trace-cmd.out" 2>"$out/trace-cmd.err" &
	pids[trace-cmd]=$!
	ready=no
	if exec 7<>"$perf_tmp/ctl" 8<>"$perf_tmp/ack"; then
		echo enable >&7
		read -r -t 60 ack <&8 && [ "$ack" = ack ] && ready=yes
		exec 7>&- 8>&-
	fi
	fact ready-perf $ready
	ready=no
	for _ in $(seq 1 300); do
		# Its events on, then the buffer (trace-cmd turns tracing_on off
		# first and on again once its recorders run).
		if [ "$(cat /sys/kernel/tracing/events/liveupdate/enable 2>/dev/null)" = 1 ] &&
		   [ "$(cat /sys/kernel/tracing/tracing_on 2>/dev/null)" = 1 ]; then
			ready=yes
			break
		fi
		kill -0 "${pids[trace-cmd]}" 2>/dev/null || break
		sleep 0.2
	done
	fact ready-trace-cmd $ready
}

tracers_report() {
	"$PERF" script -i "$perf_tmp/perf.data" -F comm,pid,event,trace \
		>"$out/perf.txt" 2>"$out/perf-script.err"
	fact rc-perf-script $?
	rm -rf "$perf_tmp"
	"$TRACE_CMD" report -i "$out/trace-cmd.dat" >"$out/trace-cmd.txt" \
		2>"$out/trace-cmd-report.err"
	fact rc-trace-cmd-report $?
}
