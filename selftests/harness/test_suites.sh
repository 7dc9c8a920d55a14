#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_suites.sh: selftests/suites.sh's run_suites, which make check and
# make check-compat run every suite through, on suites made of shell
# words: the sums, a failing suite, suites in the background ("NAME&"
# and "wait"), and a suite that is a function of the caller reading the
# caller's globals (run_checks.sh's wait for the debug kernel is one).
set -u
cd "$(dirname "$0")/../.." || exit 2
. selftests/lib/tap.sh
. selftests/suites.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_init suites

# Globals such a function reads, named as run_suites' own words could be.
bg=the-callers s=the-callers cmd=the-callers pid=the-callers
globals() {
	echo "bg=$bg s=$s cmd=$cmd pid=$pid"
	echo "globals: 1 passed, 0 failed"
}
run_suites "$tmp/1" \
	"slow& sleep 3; echo slow: 3 passed, 0 failed" \
	"bad& echo bad: 1 passed, 1 failed; exit 1" \
	"fg globals" \
	wait \
	"last echo last: 2 passed, 0 failed" >"$tmp/1.out"
rc=$?
tail -n 1 "$tmp/1.out" | grep -qx 'check: 7 passed, 1 failed' && [ "$rc" -ne 0 ]
tap_result $? "the sums of every suite, background ones too; a failed one fails the run"
grep -q '^bg=the-callers s=the-callers cmd=the-callers pid=the-callers$' "$tmp/1.out"
tap_result $? "a suite that is a function sees the caller's globals"
# Whole seconds: slow ran 3 s or a little more, bad under a second
# (reported after slow, 3 s in).
grep -q '^failed suites: bad ' "$tmp/1.out" &&
	grep -qxE '== slow: exit 0, 3 passed, 0 failed \([34] s\)' "$tmp/1.out" &&
	grep -qxE '== bad: exit 1, 1 passed, 1 failed \([01] s\)' "$tmp/1.out"
tap_result $? "each background suite reported with its exit code and its own time"
[ "$(grep -n '^== \(slow\|bad\|fg\|last\): exit' "$tmp/1.out" | cut -d' ' -f2 | paste -sd,)" = \
	"fg:,slow:,bad:,last:" ]
tap_result $? "background suites reported at the wait, in the order they started"
[ ! -e "$tmp/1/slow.rc" ] && [ ! -e "$tmp/1/slow.cmd" ] && [ -s "$tmp/1/slow.log" ]
tap_result $? "only the logs stay"
[ ${#RUN_SUITES_PIDS[@]} -eq 0 ]
tap_result $? "no pid left to stop once waited for"

run_suites "$tmp/2" "forgotten& echo forgotten: 1 passed, 0 failed" >"$tmp/2.out"
rc=$?
[ "$rc" -ne 0 ] && grep -q 'never waited for .*: forgotten$' "$tmp/2.out" &&
	[ ${#RUN_SUITES_PIDS[@]} -eq 1 ]
tap_result $? "a background suite with no wait after it fails the run, its pid left to stop"
wait
tap_end
