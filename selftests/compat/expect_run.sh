#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# expect_run.sh NAME REGEX WHY LUOVM-RUN-ARGS...: a luovm run that must fail
# in one particular way: exit 1 with a report line matching REGEX (e.g. the
# next kernel's panic).  Ends with "NAME: 1 passed, 0 failed" when it did,
# "0 passed, 1 failed" and the report otherwise.  WHY goes into the run's
# "planted" file: its console breaks the rules of check_consoles.py on
# purpose (a kernel that panics early brings up no CPUs).
set -u
cd "$(dirname "$0")/../.." || exit 2
name=$1 rx=$2 why=$3
shift 3
out=$(tools/testing/vm/luovm run -q -n "$name" "$@" 2>&1)
rc=$?
echo "$out"
echo "$why" >"build/vm/$name/planted"
if [ "$rc" -eq 1 ] && grep -qE -- "$rx" <<<"$out"; then
	echo "ok 1 $name: failed as expected: /$rx/"
	echo "$name: 1 passed, 0 failed"
	exit 0
fi
echo "not ok 1 $name: exit $rc (expected 1), /$rx/ $(grep -qE -- "$rx" <<<"$out" && echo found || echo 'not found')"
echo "$name: 0 passed, 1 failed"
exit 1
