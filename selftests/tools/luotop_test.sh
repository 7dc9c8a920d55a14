#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# luotop_test.sh [LUOVM OPTION...]: luotop (tools/luotop) in guests, across
# a real live update: its refusal of a kernel without the liveupdate
# events, its batch mode watching luo_workload preserve, then retrieve and
# finish its sessions, and its interactive screen driven through tmux
# (selftests/tools/luotop.plan; selftests/tools/luotop_check.sh does the
# checking in the guest).
#
# Prints the runner's TAP report and ends with "luotop: N passed, M failed",
# N and M counting the checks of luotop_check.sh (each a TAP line in the
# guest) and the runner's own results beyond them (a stage that did not
# run, a kernel oops); exits non-zero when anything failed.  Logs:
# build/vm/luotop/ (report.log: the report; user.log: every check's line;
# the batch reports and the pane captures the checks looked at).
set -eu
cd "$(dirname "$0")/../.."

name=luotop
run=build/vm/$name
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t0=$(date +%s)
echo "# $name: the plan in the guest"
# Without pipefail a pipeline's status is tee's: the runner's is kept.
tools/testing/vm/luovm run -q -n "$name" --plan selftests/tools/luotop.plan "$@" 2>&1 |
	tee "$tmp/luovm.log"
rc=${PIPESTATUS[0]}
cp "$tmp/luovm.log" "$run/report.log" 2>/dev/null || true

# The checks: the TAP lines the guest printed, at the start of a line, of
# every luotop_check.sh step.
passed=0 failed=0
if [ -f "$run/user.log" ]; then
	passed=$(grep -cE '^ok [0-9]+ ' "$run/user.log" || true)
	failed=$(grep -cE '^not ok [0-9]+ ' "$run/user.log" || true)
	echo "# $name: the checks that failed in the guest:"
	grep -E '^not ok [0-9]+ ' "$run/user.log" | sed 's/^/#   /' || true
fi
# The runner's failures that no failed check accounts for: the run itself,
# a step that did not finish or exited non-zero without a "not ok".
checked=$(grep -cE '^not ok [0-9]+ stage [0-9]+: selftests/tools/luotop_check.sh .*# [0-9]+ TAP test\(s\) not ok' "$tmp/luovm.log" || true)
runner_failed=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$tmp/luovm.log" | tail -n 1 | awk '{ print $3 }')
extra=$(( ${runner_failed:-1} - checked ))
[ "$extra" -gt 0 ] && failed=$((failed + extra))
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
# Every step of the plan must have run.
want=$(grep -c '^selftests/tools/luotop_check.sh ' selftests/tools/luotop.plan)
steps=$(grep -cE '^(not )?ok [0-9]+ stage [0-9]+: selftests/tools/luotop_check.sh' "$tmp/luovm.log" || true)
if [ "$steps" -ne "$want" ]; then
	echo "# $name: $steps of the $want steps reported"
	[ "$failed" -eq 0 ] && failed=1
fi

echo "# $name: $(($(date +%s) - t0)) s; logs in $run/"
echo "$name: $passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
