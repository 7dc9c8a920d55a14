#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kunit_results.sh SUITE MIN: print the KTAP results of a built-in KUnit
# suite (it ran at boot) and fail unless at least MIN of its cases passed
# and none failed or was skipped.
set -u
suite=$1 min=$2
f=/sys/kernel/debug/kunit/$suite/results
[ -r "$f" ] || { echo "not ok 1 $suite: no results at $f (suite not built in?)"; exit 1; }
cat "$f"
ok=$(grep -cE '^[[:space:]]+ok [0-9]+ ' "$f")
bad=$(grep -cE '^[[:space:]]*not ok |# SKIP' "$f")
echo "# $suite: $ok cases passed, $bad failed or skipped, at least $min expected"
[ "$ok" -ge "$min" ] && [ "$bad" -eq 0 ]
