#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: run every test suite, keep each one's output in
# build/check/SUITE.log, and close with the sum of their results.
set -u
cd "$(dirname "$0")/.."
. selftests/suites.sh
mkdir -p build/check
# The console check at the end reads only the guests of this run.
touch build/check/.started

run_suites build/check \
	"harness selftests/harness/test_luovm.sh" \
	"kernel-tree selftests/harness/test_kernel_tree.sh" \
	"upstream-ours env LUO_FLAVOR=ours tools/vm/luovm run -q -n upstream-ours --plan tools/vm/plans/upstream.plan" \
	"upstream-mainline env LUO_FLAVOR=mainline tools/vm/luovm run -q -n upstream-mainline --plan tools/vm/plans/upstream.plan" \
	"luo-debug env LUO_FLAVOR=debug tools/vm/luovm run -q -n luo-debug --plan selftests/liveupdate/luo.plan" \
	"fuzz selftests/fuzz/fuzz_test.sh -n fuzz --seconds 30" \
	"concurrency-smp4 tools/vm/luovm run -q -n concurrency-smp4 --smp 4 -c build/selftests/luo_concurrency -c build/selftests/luo_concurrency -c build/selftests/luo_concurrency" \
	"chain-256m tools/vm/luovm run -q -n chain-256m --plan selftests/liveupdate/chain.plan" \
	"from-mainline tools/vm/luovm run -q -n from-mainline --plan selftests/liveupdate/from_mainline.plan" \
	"luo-trace selftests/liveupdate/trace_test.sh" \
	"luo-inject tools/vm/luovm run -q -n luo-inject --plan selftests/liveupdate/inject.plan" \
	"systemd-ours selftests/systemd/systemd_test.sh ours" \
	"systemd-mainline selftests/systemd/systemd_test.sh mainline" \
	"snoop-lat selftests/tools/snoop_lat_test.sh" \
	"blackout selftests/tools/blackout_test.sh" \
	"luotop selftests/tools/luotop_test.sh" \
	"bpftrace selftests/tools/bpftrace_test.sh" \
	"perf selftests/perf/perf_test.sh" \
	"consoles selftests/harness/check_consoles.py --since build/check/.started build/vm"
