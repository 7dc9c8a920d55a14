#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# snoop_lat_test.sh [LUOVM OPTION...]: luosnoop and luolat (tools/luosnoop,
# tools/luolat, built in build/tools) across a real live update.  Two
# guests:
#
#   snoop-lat           selftests/tools/snoop_lat.plan on our kernel: the
#                       tools run in the background, with and without
#                       filters, as text and JSON, around luo_workload's
#                       two stages and a kexec refused after the freezes;
#                       selftests/tools/check_snoop_lat.py checks what they
#                       printed in the guest, after each stage.
#   snoop-lat-mainline  selftests/tools/fentry.plan on the mainline
#                       flavor, whose LUO has no liveupdate events: luosnoop,
#                       luolat and luotop trace its functions (fentry mode)
#                       across a live update of luo_workload --memfd-only,
#                       checked by selftests/tools/check_fentry.py.
#
# Prints each runner's TAP report and ends with "snoop-lat: N passed, M
# failed": the runners' results (one per command, one per run) plus every
# check of the checker (its TAP, kept in build/vm/NAME/snoop-lat/STAGE/
# check.tap next to the tools' output).  Exits non-zero when anything
# failed.
set -u
cd "$(dirname "$0")/../.." || exit 2

name=snoop-lat
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. selftests/lib/tap.sh

passed=0 failed=0 bad=0
t0=$(date +%s)

# run NAME PLAN STAGE...: one guest, then the checks its STAGEs left.
run() {
	local run=$1 plan=$2 rc p f s

	shift 2
	echo "# $name: $run ($plan)"
	tools/testing/vm/luovm run -q -n "$run" --plan "$plan" "${LUOVM_ARGS[@]}" 2>&1 |
		tee "$tmp/$run.log"
	rc=${PIPESTATUS[0]}
	read -r p f < <(counts "$tmp/$run.log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
	[ "$rc" -eq 0 ] || bad=1
	cp "$tmp/$run.log" "build/vm/$run/report.log" 2>/dev/null
	for s in "$@"; do
		local tap=build/vm/$run/snoop-lat/$s/check.tap
		if [ -f "$tap" ]; then
			p=$(grep -cE '^ok ' "$tap")
			f=$(grep -cE '^not ok ' "$tap")
			echo "# $run: stage $s: $p checks passed, $f failed ($tap)"
		else
			echo "# $run: stage $s: no checks ran ($tap missing)"
			p=0 f=1
		fi
		passed=$((passed + p)) failed=$((failed + f))
	done
}

LUOVM_ARGS=("$@")
run snoop-lat selftests/tools/snoop_lat.plan 1 2
run snoop-lat-mainline selftests/tools/fentry.plan fentry-1 fentry-2

echo "# $name: $(($(date +%s) - t0)) s; logs in build/vm/snoop-lat/ and build/vm/snoop-lat-mainline/"
echo "$name: $passed passed, $failed failed"
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ]
