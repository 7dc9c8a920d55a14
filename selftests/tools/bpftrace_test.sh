#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bpftrace_test.sh [LUOVM OPTION...]: the bpftrace toolkit across a real
# live update.  Boots the guest on selftests/tools/bpftrace.plan: in each
# kernel, selftests/tools/bpftrace_check.py runs every tools/bpftrace/*.bt
# and every one-liner of Documentation/bpftrace.rst around its stage of
# luo_workload (and, in the first kernel, a kexec refused by an injected
# serialize error) and checks each program's output against what the
# workload did.
#
# Prints the checkers' TAP (each check of each program, both kernels),
# then the runner's report, and ends with "bpftrace: N passed, M failed":
# the checks of both stages, plus one failure if the run itself failed
# (a kernel warning, a stage that never ran, a checker that crashed).
# Exits non-zero when anything failed.  Logs: build/vm/bpftrace/ (each
# program's output under bpftrace/stage1/ and bpftrace/stage2/, the
# reports in report.log).
set -eu
cd "$(dirname "$0")/../.."

name=bpftrace
run=build/vm/$name
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t0=$(date +%s)
echo "# $name: the plan in the guest"
# Up to ~20 bpftrace processes start at once in each stage; under TCG that
# takes minutes on a loaded host: more than the runner's default 300 s.
rc=0
tools/testing/vm/luovm run -q -n "$name" --plan selftests/tools/bpftrace.plan \
	--stage-timeout 900 --timeout 2000 "$@" >"$tmp/luovm.log" 2>&1 || rc=$?

# The checkers' TAP, from the guest's output.
passed=0 failed=0
for stage in 1 2; do
	echo "# $name: stage $stage"
	if [ -f "$run/user.log" ]; then
		awk -v s="$stage" '
			/^@@LUOVM cmd-begin / { on = ($3 == s && $0 ~ /bpftrace_check/) ; next }
			/^@@LUOVM / { on = 0; next }
			on && /^(ok |not ok |#|1\.\.)/ { print "  " $0 }' "$run/user.log" |
			tee "$tmp/stage$stage.tap"
	fi
	# "# bpftrace_check stage N: P passed, F failed": "P F".
	c=$(sed -n "s/.*bpftrace_check stage $stage: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p" \
		"$tmp/stage$stage.tap" 2>/dev/null | tail -n 1 || true)
	if [ -n "$c" ]; then
		passed=$((passed + ${c% *})) failed=$((failed + ${c#* }))
	else
		echo "not ok stage $stage: bpftrace_check printed no summary (see $run/user.log)"
		failed=$((failed + 1))
	fi
done

echo "# $name: the runner's report"
sed 's/^/  /' "$tmp/luovm.log"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "not ok the run failed (luovm exited $rc) though every check passed"
	failed=1
fi
cp "$tmp/luovm.log" "$run/report.log" 2>/dev/null || true

echo "# $name: $(($(date +%s) - t0)) s; logs in $run/"
echo "$name: $passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
