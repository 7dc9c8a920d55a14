#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# perf_test.sh: the perf-regression tests, and their self-check.  Runs
# selftests/perf/perf.plan twice in luovm: as is ("perf"), where every test
# of perf_check.py must pass, then with a regression planted for each test
# ("perf-planted", LUO_PERF_MODE=planted), where every test must fail and
# name what regressed.  Before both, perf_check_test.py checks the
# toolkit-cost estimator on samples kept from earlier runs.  Both runs'
# logs and samples stay in build/vm/.
set -u
cd "$(dirname "$0")/../.." || exit 2
t0=$(date +%s)
passed=0 failed=0 rc=0

. selftests/lib/tap.sh
# count LOG RC: tally LOG's report (selftests/lib/tap.sh); any failed command fails the suite.
count() {
	tally "$1" "$2"
	[ "$2" -eq 0 ] || rc=1
}

# The toolkit-cost estimator on samples kept from real runs: no guest.
echo "# perf-check-samples: perf_check.py on selftests/perf/samples/"
mkdir -p build/vm
selftests/perf/perf_check_test.py | tee build/vm/perf-check-samples.tap
count build/vm/perf-check-samples.tap "${PIPESTATUS[0]}"

for mode in none planted; do
	name=perf planted=()
	if [ "$mode" = planted ]; then
		name=perf-planted planted=(--planted)
	fi
	run=build/vm/$name
	echo "# $name: perf.plan with LUO_PERF_MODE=$mode"
	LUO_PERF_MODE=$mode tools/testing/vm/luovm run -q -n "$name" --mem 3G \
		--plan selftests/perf/perf.plan >"/tmp/$name.$$.log" 2>&1
	vrc=$?
	cat "/tmp/$name.$$.log"
	count "/tmp/$name.$$.log" $vrc
	mv "/tmp/$name.$$.log" "$run/report.log" 2>/dev/null
	echo "# $name: the tests' verdicts"
	selftests/perf/perf_check.py "${planted[@]}" "$run" | tee "$run/perf-check.tap"
	count "$run/perf-check.tap" "${PIPESTATUS[0]}"
done

echo "# perf: $(($(date +%s) - t0)) s; logs in build/vm/perf/ and build/vm/perf-planted/"
echo "perf: $passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
