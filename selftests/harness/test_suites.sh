#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_suites.sh: selftests/suites.sh's run_suites, which make check and
# make check-compat run every suite through, on suites made of shell
# words: the sums, a failing suite, and a suite that is a function of the
# caller reading the caller's globals (run_checks.sh's wait for the debug
# kernel is one: a local of run_suites named as such a global once hid
# it).
set -u
cd "$(dirname "$0")/../.." || exit 2
. selftests/lib/tap.sh
. selftests/suites.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tap_init suites

# Globals such a function reads, named as run_suites' own words could be.
bg=the-callers s=the-callers name=the-callers cmd=the-callers rc=the-callers \
	logdir=the-callers passed=the-callers failed=the-callers bad=the-callers
globals() {
	echo "bg=$bg s=$s name=$name cmd=$cmd rc=$rc logdir=$logdir"
	echo "passed=$passed failed=$failed bad=$bad"
	echo "globals: 1 passed, 0 failed"
}
run_suites "$tmp/1" \
	"first echo first: 3 passed, 0 failed" \
	"bad echo bad: 1 passed, 1 failed; (exit 1)" \
	"uncounted false" \
	"fg globals" >"$tmp/1.out"
rc=$?
tail -n 1 "$tmp/1.out" | grep -qx 'check: 5 passed, 2 failed' && [ "$rc" -ne 0 ]
tap_result $? "the sums of every suite; a suite that fails without counting counts one"
grep -q '^failed suites: bad uncounted ' "$tmp/1.out" &&
	grep -qxE '== bad: exit 1, 1 passed, 1 failed \([01] s\)' "$tmp/1.out"
tap_result $? "each failed suite named, with its exit code"
grep -qx 'bg=the-callers s=the-callers name=the-callers cmd=the-callers rc=the-callers logdir=the-callers' \
	"$tmp/1.out" &&
	grep -qx 'passed=the-callers failed=the-callers bad=the-callers' "$tmp/1.out"
tap_result $? "a suite that is a function sees the caller's globals"
[ -s "$tmp/1/first.log" ] && [ -s "$tmp/1/fg.log" ]
tap_result $? "each suite's output in its log"
run_suites "$tmp/2" "ok echo ok: 2 passed, 0 failed" >"$tmp/2.out"
tap_result $? "all passed: exit 0"
tap_end
