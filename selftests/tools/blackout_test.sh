#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# blackout_test.sh [LUOVM OPTION...]: the tests of luoblackout
# (tools/luoblackout, Documentation/tools/luoblackout.rst).
#
#  1. On the host, no guest: blackout_host.py feeds luoblackout synthetic
#     records of every kind (a full history, aborted and running updates,
#     an unknown clock rate, a later layout version, broken files) and
#     proves prom_lint.py, the strict checker of the metrics, rejects each
#     malformation it is meant to catch.
#  2. In guests of our kernel: blackout.plan, real live updates of
#     luo_workload (fresh, in progress, done, aborted by an injected freeze
#     error, done again), each report held against the record.
#  3. luoblackout arm and collect (blackout_arm.sh): across a live update
#     of our kernel, against the record (blackout_arm.plan); across one of
#     mainline's (blackout_mainline.plan); refused with LUO off.
#  4. In a guest of mainline's kernel: blackout_mainline.plan, exit 2; in
#     one of ours booted with liveupdate=0: blackout_luo_off.plan, exit 2.
#  5. When promtool is there (PROMTOOL=path, or on PATH), the metrics the
#     guests left are also run through "promtool check metrics".
#
# Ends with "blackout: N passed, M failed" (the sum of all reports); exits
# non-zero when anything failed.  Logs: build/vm/blackout/,
# build/vm/blackout-mainline/, build/vm/blackout-luo-off/ (report.log of
# each, host.log in the first;
# running/, update1/, aborted/, update2/ hold the reports the guest
# saved).
set -u
cd "$(dirname "$0")/../.."

build=${LUO_BUILD:-build}
tool=$build/tools/luoblackout
run=build/vm/blackout
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

. selftests/lib/tap.sh

t0=$(date +%s)
if [ ! -x "$tool" ]; then
	echo "not ok 1 $tool is not built (make tools)"
	echo "blackout: 0 passed, 1 failed"
	exit 1
fi

echo "# blackout: on the host (synthetic records, the metrics checker)"
python3 selftests/tools/blackout_host.py --tool "$tool" >"$tmp/host.log" 2>&1
rc=$?
grep -v '^ok ' "$tmp/host.log"
tally "$tmp/host.log" $rc

echo "# blackout: live updates of our kernel"
tools/testing/vm/luovm run -q -n blackout --plan selftests/tools/blackout.plan "$@" 2>&1 |
	tee "$tmp/luovm.log"
tally "$tmp/luovm.log" "${PIPESTATUS[0]}"
cp "$tmp/luovm.log" "$run/report.log" 2>/dev/null || true
cp "$tmp/host.log" "$run/host.log" 2>/dev/null || true

echo "# blackout: arm and collect across a live update of our kernel"
tools/testing/vm/luovm run -q -n blackout-arm --plan selftests/tools/blackout_arm.plan "$@" 2>&1 |
	tee "$tmp/arm.log"
tally "$tmp/arm.log" "${PIPESTATUS[0]}"
cp "$tmp/arm.log" build/vm/blackout-arm/report.log 2>/dev/null || true

echo "# blackout: mainline's kernel"
tools/testing/vm/luovm run -q -n blackout-mainline --plan selftests/tools/blackout_mainline.plan "$@" 2>&1 |
	tee "$tmp/mainline.log"
tally "$tmp/mainline.log" "${PIPESTATUS[0]}"
cp "$tmp/mainline.log" build/vm/blackout-mainline/report.log 2>/dev/null || true

echo "# blackout: our kernel with LUO off"
tools/testing/vm/luovm run -q -n blackout-luo-off --plan selftests/tools/blackout_luo_off.plan \
	--append liveupdate=0 "$@" 2>&1 | tee "$tmp/luo-off.log"
tally "$tmp/luo-off.log" "${PIPESTATUS[0]}"
cp "$tmp/luo-off.log" build/vm/blackout-luo-off/report.log 2>/dev/null || true

promtool=${PROMTOOL:-$(command -v promtool || true)}
if [ -n "$promtool" ]; then
	echo "# blackout: promtool check metrics on the guests' metrics"
	n=0
	for f in "$run"/*/luoblackout.prom; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if "$promtool" check metrics <"$f" >"$tmp/promtool.log" 2>&1; then
			echo "ok $n - promtool check metrics $f"
			passed=$((passed + 1))
		else
			echo "not ok $n - promtool check metrics $f"
			sed 's/^/#   /' "$tmp/promtool.log"
			failed=$((failed + 1))
		fi
	done
	if [ "$n" -eq 0 ]; then
		echo "not ok 1 - no metrics left by the guests in $run"
		failed=$((failed + 1))
	fi
else
	echo "# blackout: no promtool (PROMTOOL= or PATH): prom_lint.py alone checked the metrics"
fi

echo "# blackout: $(($(date +%s) - t0)) s; logs in $run/, build/vm/blackout-arm/," \
	"build/vm/blackout-mainline/, build/vm/blackout-luo-off/"
echo "blackout: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
