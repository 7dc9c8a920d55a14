#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: run every test suite, keep each one's output in
# build/check/SUITE.log, and close with the sum of their results.
#
# The debug kernel serves only the suites after "kernel-debug" below (the
# harness's sanitizer checks, luo-debug, fuzz), so it is built here, in the
# background, while the suites before it run: a TCG guest keeps the host
# about half busy (54 % of both CPUs over snoop-lat), and the build runs
# under SCHED_IDLE, so it takes only the CPU time the guests leave idle and
# never slows them.  "kernel-debug" waits for it and fails the run if the
# build failed.  The timing-sensitive perf suite runs after it, alone.
# (The harness beside luo-debug and the fuzzer saved 2 min of a cold run,
# but the debug guest once hung in its second boot with the harness's
# guests beside it: one suite at a time.)
set -u
cd "$(dirname "$0")/.."
. selftests/suites.sh
mkdir -p build/check
# The console check at the end reads only the guests of this run.
touch build/check/.started

bg_log=build/check/kernel-debug.build.log bg_rc=build/check/kernel-debug.build.rc
rm -f "$bg_rc"
# make passes its command line's variables (BUILD=, KSRC=, ...) down
# through MAKEFLAGS.
(
	t0=$(date +%s) rc=0
	chrt --idle 0 make -s kernel-debug >"$bg_log" 2>&1 || rc=$?
	echo "$rc $(($(date +%s) - t0))" >"$bg_rc"
) &
debug_pid=$!

kill_tree() {
	local p
	for p in $(pgrep -P "$1"); do
		kill_tree "$p"
	done
	kill "$1" 2>/dev/null
}
# An interrupted make check leaves no build behind it.
trap '[ -e "$bg_rc" ] || kill_tree "$debug_pid"' EXIT
trap 'exit 130' INT TERM

# The pseudo-suite: the background build's output and its exit code (run
# in a pipeline's subshell, so it watches for the file, not the process).
wait_debug_kernel() {
	local t0 rc secs
	t0=$(date +%s)
	while [ ! -e "$bg_rc" ] && kill -0 "$debug_pid" 2>/dev/null; do
		sleep 2
	done
	cat "$bg_log"
	read -r rc secs <"$bg_rc" || rc=1 secs=?
	if [ "$rc" -ne 0 ]; then
		echo "# kernel-debug: the background build failed (exit $rc after $secs s):" \
			"the suites below that boot the debug kernel run an old one or none"
		return "$rc"
	fi
	echo "# kernel-debug: built in the background in $secs s, waited $(($(date +%s) - t0)) s for it"
}

run_suites build/check \
	"run-suites selftests/harness/test_suites.sh" \
	"luobench-host selftests/harness/test_luobench.py" \
	"kernel-tree selftests/harness/test_kernel_tree.sh" \
	"upstream-ours env LUO_FLAVOR=ours tools/testing/vm/luovm run -q -n upstream-ours --plan tools/testing/vm/plans/upstream.plan" \
	"upstream-mainline env LUO_FLAVOR=mainline tools/testing/vm/luovm run -q -n upstream-mainline --plan tools/testing/vm/plans/upstream.plan" \
	"concurrency-smp4 tools/testing/vm/luovm run -q -n concurrency-smp4 --smp 4 -c build/selftests/luo_concurrency -c build/selftests/luo_concurrency -c build/selftests/luo_concurrency" \
	"chain-256m tools/testing/vm/luovm run -q -n chain-256m --plan selftests/liveupdate/chain.plan" \
	"from-mainline tools/testing/vm/luovm run -q -n from-mainline --plan selftests/liveupdate/from_mainline.plan" \
	"luo-trace selftests/liveupdate/trace_test.sh" \
	"luo-inject tools/testing/vm/luovm run -q -n luo-inject --plan selftests/liveupdate/inject.plan" \
	"systemd-ours selftests/systemd/systemd_test.sh ours" \
	"systemd-mainline selftests/systemd/systemd_test.sh mainline" \
	"snoop-lat selftests/tools/snoop_lat_test.sh" \
	"blackout selftests/tools/blackout_test.sh" \
	"luotop selftests/tools/luotop_test.sh" \
	"bpftrace selftests/tools/bpftrace_test.sh" \
	"kernel-debug wait_debug_kernel" \
	"harness selftests/harness/test_luovm.sh" \
	"luo-debug env LUO_FLAVOR=debug tools/testing/vm/luovm run -q -n luo-debug --plan selftests/liveupdate/luo.plan" \
	"fuzz selftests/fuzz/fuzz_test.sh -n fuzz --seconds 30" \
	"perf selftests/perf/perf_test.sh" \
	"consoles selftests/harness/check_consoles.py --since build/check/.started build/vm"
