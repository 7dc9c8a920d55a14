#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# trace_test.sh [LUOVM OPTION...]: the liveupdate tracepoints across a real
# live update.  Proves that both kernels fire exactly the events their part
# of the update calls for, with the right fields: the guest checks what it
# can see (the events and their formats, bpftrace's counts, the new
# kernel's trace buffer, the live-update record: selftests/liveupdate/
# trace.plan), and the host checks the kernel console, which alone holds
# the old kernel's reboot-time events (reboot_begin, file_freeze,
# serialize, reboot_end fire inside the kexec; their trace buffer dies with
# that kernel, but tp_printk prints them on ttyS0 first).
#
# Prints the runner's TAP report, then the console checker's, and ends
# with "luo-trace: N passed, M failed" (the sum of both); exits non-zero
# when anything failed.  Logs: build/vm/luo-trace/ (report.log and
# console-check.log are the two reports).
set -eu
cd "$(dirname "$0")/../.."

name=luo-trace
run=build/vm/$name
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. selftests/lib/tap.sh

# trace_event= enables the events from boot, tp_printk copies them to the
# console.  trace_clock=global: a kernel that could not calibrate its TSC
# (it happens under TCG on a busy host: "Marking TSC unstable due to could
# not calculate TSC khz") otherwise switches the trace clock at
# late_initcall ("Unstable clock detected"), which empties the buffer and
# loses luo_incoming, fired before it.  log_buf_len: tp_printk puts every
# event in the kernel log, the KUnit suites' (thousands at each boot)
# among them; the record check reads the log's "live update #N" line,
# which 128 KiB let them push out.
append="trace_event=liveupdate:* tp_printk trace_clock=global log_buf_len=4M"

t0=$(date +%s)
echo "# $name: the plan in the guest"
# Without pipefail a pipeline's status is tee's: the runner's is kept.
tools/testing/vm/luovm run -q -n "$name" --plan selftests/liveupdate/trace.plan \
	--append "$append" "$@" 2>&1 | tee "$tmp/luovm.log"
rc=${PIPESTATUS[0]}
read -r p1 f1 < <(counts "$tmp/luovm.log")
if [ "$rc" -ne 0 ] && [ "$f1" -eq 0 ]; then
	f1=1
fi

echo "# $name: every kernel's events on the console"
if [ -f "$run/console.log" ]; then
	record=()
	[ -f "$run/record.txt" ] && record=(--record "$run/record.txt")
	python3 selftests/liveupdate/check_trace_console.py --console "$run/console.log" \
		"${record[@]}" | tee "$tmp/checker.log"
	crc=${PIPESTATUS[0]}
	read -r p2 f2 < <(counts "$tmp/checker.log")
else
	echo "not ok 1 $run/console.log: the run left no console log"
	crc=1 p2=0 f2=1
fi
if [ "$crc" -ne 0 ] && [ "$f2" -eq 0 ]; then
	f2=1
fi
# Both reports next to the run's logs.
cp "$tmp/luovm.log" "$run/report.log" 2>/dev/null || true
cp "$tmp/checker.log" "$run/console-check.log" 2>/dev/null || true

echo "# $name: $(($(date +%s) - t0)) s; logs in $run/"
echo "$name: $((p1 + p2)) passed, $((f1 + f2)) failed"
[ "$rc" -eq 0 ] && [ "$crc" -eq 0 ] && [ $((f1 + f2)) -eq 0 ]
