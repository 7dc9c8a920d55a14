#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# blackout_arm.sh STEP: luoblackout arm and collect in the guest, one step
# per command of selftests/tools/blackout_arm.plan (ours) and of
# blackout_mainline.plan and blackout_luo_off.plan.  One TAP line per
# check; exits 0 only when all passed.
#
#   arm           a kernel no update led to: collect finds nothing to
#                 collect (exit 1); arm holds a session of its own; a
#                 second arm is refused (exit 1) and leaves nothing; an arm
#                 killed leaves nothing (luols, where the kernel has it)
#   collect MODE  after the live update: collect reports the blackout
#                 (check_arm.py: the clocks, the phases, the events seen in
#                 MODE, tracepoint or fentry; on our LUO, against the
#                 record within 10 ms); then nothing is left, and a second
#                 collect finds no session (exit 1)
#   off           LUO disabled: arm and collect exit 1, saying so
#
# LUOBLACKOUT names the binary (default ${LUO_BUILD:-build}/tools/luoblackout);
# outputs are left in $LUOVM_RUN (or /tmp).
set -u

TOOL=${LUOBLACKOUT:-${LUO_BUILD:-build}/tools/luoblackout}
LUOLS=$(dirname "$TOOL")/luols
OUT=${LUOVM_RUN:-/tmp}
HERE=$(dirname "$0")

. "$HERE/../lib/tap.sh"

# run NAME ARGS...: the tool's stdout, stderr and exit code in $OUT/NAME.*
run() {
	n=$1
	shift
	"$TOOL" "$@" >"$OUT/$n.out" 2>"$OUT/$n.err"
	echo $? >"$OUT/$n.rc"
	sed 's/^/#   /' "$OUT/$n.out" "$OUT/$n.err"
}
rc() {
	cat "$OUT/$1.rc"
}
# refused NAME PATTERN: exit 1, one line on stderr matching, nothing on stdout.
refused() {
	[ "$(rc "$1")" -eq 1 ] && [ ! -s "$OUT/$1.out" ] &&
		[ "$(wc -l <"$OUT/$1.err")" -eq 1 ] && grep -Eq -- "$2" "$OUT/$1.err"
}
# held NAME: the sessions named NAME LUO holds, and their files, as luols
# lists them ("-" where the kernel has no iterator: luols exits 2).
# free NAME: no session NAME is held, on any LUO kernel: an arm of that
# name succeeds (and is disarmed at once).
free() {
	"$TOOL" arm -s "$1" >"$OUT/free.out" 2>&1 || return 1
	fp=$(sed -n 's/.* held by pid \([0-9][0-9]*\) .*/\1/p' "$OUT/free.out")
	[ -n "$fp" ] || return 1
	kill "$fp"
	for _ in $(seq 1 100); do
		kill -0 "$fp" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
held() {
	"$LUOLS" -j >"$OUT/ls.json" 2>/dev/null
	case $? in
	0) ;;
	2)	echo -		# no iterator (mainline's LUO)
		return ;;
	*)	echo "luols failed"
		return ;;
	esac
	python3 -c '
import json, sys
s = [x for x in json.load(open(sys.argv[1]))["sessions"] if x["name"] == sys.argv[2]]
print(" ".join("%s:%s:%d:%s" % (x["direction"], x["state"], x["files"],
      ",".join(f["handler"] + "/" + f["state"] for f in x["file_list"])) for x in s) or "none")
' "$OUT/ls.json" "$1"
}

step=${1:-}
tap_init "blackout_arm $step"
case $step in
arm)
	run collect0 collect
	tap_check "collect where no update led: exit 1, no session handed over" \
		refused collect0 '^luoblackout: no session luoblackout was handed over'
	run arm1 arm
	pid=$(sed -n 's/.* held by pid \([0-9][0-9]*\) .*/\1/p' "$OUT/arm1.out")
	tap_check "arm: exit 0, the pid that holds the session" \
		sh -c "[ $(rc arm1) -eq 0 ] && [ -n '$pid' ] && kill -0 '$pid'"
	h=$(held luoblackout)
	echo "# luols: $h"
	tap_check "arm: LUO holds its session, one memfd preserved (luols: $h)" \
		sh -c "[ '$h' = - ] || [ '$h' = 'out:open:1:memfd-v2/preserved' ]"
	run arm2 arm
	tap_check "a second arm: exit 1, already armed" refused arm2 '^luoblackout: already armed: LUO holds a session named luoblackout'
	h=$(held luoblackout)
	tap_check "and it left nothing: the one session still ($h)" \
		sh -c "[ '$h' = - ] || [ '$h' = 'out:open:1:memfd-v2/preserved' ]"
	run arm3 arm -s luoblackout-gone
	p3=$(sed -n 's/.* held by pid \([0-9][0-9]*\) .*/\1/p' "$OUT/arm3.out")
	[ -n "$p3" ] && kill "$p3"
	for _ in $(seq 1 100); do
		kill -0 "$p3" 2>/dev/null || break
		sleep 0.1
	done
	h=$(held luoblackout-gone)
	tap_check "an arm disarmed (its process killed): exit 0 first, then its session gone ($h)" \
		sh -c "[ $(rc arm3) -eq 0 ] && ! kill -0 '$p3' 2>/dev/null && { [ '$h' = - ] || [ '$h' = none ]; }"
	tap_check "and its name free again: an arm of it succeeds" free luoblackout-gone
	;;
collect)
	mode=${2:?collect MODE}
	run collect collect --json
	tap_check "collect: exit 0" [ "$(rc collect)" -eq 0 ]
	python3 -B "$HERE/check_arm.py" --mode "$mode" "$OUT/collect.out" >"$OUT/check_arm.txt" 2>&1
	tap_result $? "collect: the blackout, by the clocks of both kernels ($mode)"
	sed 's/^/#   /' "$OUT/check_arm.txt"
	h=$(held luoblackout)
	tap_check "collect finished its session: nothing left ($h)" \
		sh -c "[ '$h' = - ] || [ '$h' = none ]"
	tap_check "and closed it: its name is free, an arm of it succeeds" free luoblackout
	run collect2 collect
	tap_check "a second collect: exit 1, no session handed over" \
		refused collect2 '^luoblackout: no session luoblackout was handed over'
	;;
off)
	run arm-off arm
	tap_check "arm with LUO disabled: exit 1, LUO not enabled" \
		refused arm-off '^luoblackout: LUO is not enabled on this kernel'
	run collect-off collect
	tap_check "collect with LUO disabled: exit 1, LUO not enabled" \
		refused collect-off '^luoblackout: LUO is not enabled on this kernel'
	;;
*)
	echo "usage: $0 arm|collect MODE|off" >&2
	exit 2
	;;
esac
tap_end
