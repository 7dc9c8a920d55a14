#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fentry_stage.sh 1|2 BUILD: one stage of selftests/tools/fentry.plan, run
# in a guest of the mainline flavor, whose LUO has no liveupdate events:
# luosnoop, luolat and luotop (build/tools) trace its functions instead
# (fentry mode) around the standard workload, as a user would run them.
# Everything they print is left in $LUOVM_RUN/snoop-lat/fentry-STAGE/ and
# checked there by selftests/tools/check_fentry.py (TAP, also in check.tap).
#
#   1  The tools in the background around "luo_workload --memfd-only
#      --stage 1" (two sessions of three memfds, held for the kexec) and
#      "luo_opbench" (sessions made, a memfd preserved, closed); then each
#      tool forced into the tracepoint mode (exit 2, one sentence), luolat
#      and luosnoop asked to time or see what this mode cannot (exit 1, one
#      sentence).
#   2  In the next kernel, the tools around "luo_workload --memfd-only
#      --stage 2": the sessions retrieved, every file retrieved, checked
#      and finished.
#
# BUILD is the build directory (the plan's ${LUO_BUILD}).  Exits with the
# checker's status.
set -u
cd "$(dirname "$0")/../.." || exit 2

stage=${1:?usage: $0 1|2 BUILD}
build=${2:?usage: $0 1|2 BUILD}
tools=${LUOVM_TOOLS:-$build/tools}
run=${LUOVM_RUN:-/tmp}
out=$run/snoop-lat/fentry-$stage
rm -rf "$out"
mkdir -p "$out"
: >"$out/status"

. selftests/tools/stage_lib.sh

uname -r >"$out/release"
"$build/selftests/luo_workload" --memfd-only --describe >"$out/workload.json"
fact rc-describe $?

start snoop luosnoop --json
start snoop-text luosnoop
start lat luolat --json
start top luotop -b -d 0.5
wait_ready

case $stage in
1)
	"$build/selftests/luo_workload" --memfd-only --stage 1 >"$out/workload.log" 2>&1
	fact rc-workload $?
	"$tools/luo_opbench" -n 20 -l ob >"$out/opbench.log" 2>&1
	fact rc-opbench $?
	sleep 1
	stop_all
	# What this mode cannot do, asked for.
	"$tools/luosnoop" --mode tracepoint >"$out/snoop-tp.out" 2>"$out/snoop-tp.err"
	fact rc-snoop-tp $?
	"$tools/luolat" -m tracepoint >"$out/lat-tp.out" 2>"$out/lat-tp.err"
	fact rc-lat-tp $?
	"$tools/luotop" -b -n 1 -m tracepoint >"$out/top-tp.out" 2>"$out/top-tp.err"
	fact rc-top-tp $?
	"$tools/luolat" -o file_freeze >"$out/lat-freeze.out" 2>"$out/lat-freeze.err"
	fact rc-lat-freeze $?
	"$tools/luosnoop" -o file_freeze >"$out/snoop-freeze.out" 2>"$out/snoop-freeze.err"
	fact rc-snoop-freeze $?
	;;
2)
	"$build/selftests/luo_workload" --memfd-only --stage 2 >"$out/workload.log" 2>&1
	fact rc-workload $?
	sleep 1
	stop_all
	;;
*)
	echo "usage: $0 1|2 BUILD" >&2
	exit 2
	;;
esac

check check_fentry.py "$out/workload.log"
