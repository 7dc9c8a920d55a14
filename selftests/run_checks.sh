#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: run every test suite, keep each one's output in
# build/check/SUITE.log, and close with the sum of their results.
#
# make check builds only our kernel before this script; the mainline and
# debug kernels are built here, one after the other, in the background,
# while the suites that do not boot them run: a TCG guest keeps the host
# about half busy (54 % of both CPUs over snoop-lat), and the builds run
# under SCHED_IDLE, so they take only the CPU time the guests leave idle
# and never slow them.  The pseudo-suites "kernel-mainline" and
# "kernel-debug" wait for their kernel, and fail the run if its build
# failed: the suites on ours come first, then those that also boot
# mainline, then those on the debug kernel, then the timing-sensitive perf
# suite, alone.
set -u
cd "$(dirname "$0")/.."
. selftests/suites.sh
mkdir -p build/check
# The console check at the end reads only the guests of this run.
touch build/check/.started

rm -f build/check/kernel-*.build.rc
# make passes its command line's variables (BUILD=, KSRC=, ...) down
# through MAKEFLAGS.
(
	for flavor in mainline debug; do
		t0=$(date +%s) rc=0
		chrt --idle 0 make -s "kernel-$flavor" >"build/check/kernel-$flavor.build.log" 2>&1 ||
			rc=$?
		echo "$rc $(($(date +%s) - t0))" >"build/check/kernel-$flavor.build.rc"
	done
) &
bg=$!

kill_tree() {
	local p
	for p in $(pgrep -P "$1"); do
		kill_tree "$p"
	done
	kill "$1" 2>/dev/null
}
# An interrupted make check leaves no build behind it.
trap '[ -e build/check/kernel-debug.build.rc ] || kill_tree $bg' EXIT
trap 'exit 130' INT TERM

# The pseudo-suite of FLAVOR: the background build's output and its exit
# code (run in a pipeline's subshell, so it watches for the file, not the
# process).
wait_kernel() {
	local log=build/check/kernel-$1.build.log rc_file=build/check/kernel-$1.build.rc
	local t0 rc secs

	t0=$(date +%s)
	while [ ! -e "$rc_file" ] && kill -0 "$bg" 2>/dev/null; do
		sleep 2
	done
	cat "$log"
	read -r rc secs <"$rc_file" || rc=1 secs=?
	if [ "$rc" -ne 0 ]; then
		echo "# kernel-$1: the background build failed (exit $rc after $secs s):" \
			"the suites below that boot the $1 kernel run an old one or none"
		return "$rc"
	fi
	echo "# kernel-$1: built in the background in $secs s, waited $(($(date +%s) - t0)) s for it"
}

run_suites build/check \
	"kernel-tree selftests/harness/test_kernel_tree.sh" \
	"upstream-ours env LUO_FLAVOR=ours tools/vm/luovm run -q -n upstream-ours --plan tools/vm/plans/upstream.plan" \
	"concurrency-smp4 tools/vm/luovm run -q -n concurrency-smp4 --smp 4 -c build/selftests/luo_concurrency -c build/selftests/luo_concurrency -c build/selftests/luo_concurrency" \
	"chain-256m tools/vm/luovm run -q -n chain-256m --plan selftests/liveupdate/chain.plan" \
	"luo-trace selftests/liveupdate/trace_test.sh" \
	"luo-inject tools/vm/luovm run -q -n luo-inject --plan selftests/liveupdate/inject.plan" \
	"systemd-ours selftests/systemd/systemd_test.sh ours" \
	"kernel-mainline wait_kernel mainline" \
	"upstream-mainline env LUO_FLAVOR=mainline tools/vm/luovm run -q -n upstream-mainline --plan tools/vm/plans/upstream.plan" \
	"from-mainline tools/vm/luovm run -q -n from-mainline --plan selftests/liveupdate/from_mainline.plan" \
	"systemd-mainline selftests/systemd/systemd_test.sh mainline" \
	"snoop-lat selftests/tools/snoop_lat_test.sh" \
	"blackout selftests/tools/blackout_test.sh" \
	"luotop selftests/tools/luotop_test.sh" \
	"bpftrace selftests/tools/bpftrace_test.sh" \
	"kernel-debug wait_kernel debug" \
	"harness selftests/harness/test_luovm.sh" \
	"luo-debug env LUO_FLAVOR=debug tools/vm/luovm run -q -n luo-debug --plan selftests/liveupdate/luo.plan" \
	"fuzz selftests/fuzz/fuzz_test.sh -n fuzz --seconds 30" \
	"perf selftests/perf/perf_test.sh" \
	"consoles selftests/harness/check_consoles.py --since build/check/.started build/vm"
