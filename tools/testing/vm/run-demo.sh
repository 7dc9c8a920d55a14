#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make run: live-update a guest that preserves a memfd of known contents,
# verify it byte for byte in the new kernel, and print a short report.
# LUO_GUEST=systemd: the same for a systemd host (run-demo-systemd.sh).
set -u
cd "$(dirname "$0")/../../.."
if [ "${LUO_GUEST:-host}" = systemd ]; then
	exec tools/testing/vm/run-demo-systemd.sh
fi
: "${LUO_FLAVOR:=ours}" "${LUO_DEMO_MIB:=64}"
export LUO_FLAVOR LUO_DEMO_MIB
out=build/vm/demo
tools/testing/vm/luovm run -q -n demo --plan tools/testing/vm/plans/demo.plan >"build/demo-report.txt" 2>&1
rc=$?
echo
echo "Live update of a $LUO_DEMO_MIB MiB memfd ($LUO_FLAVOR kernel, logs in $out/):"
grep -h '^luo-demo:' "$out/user.log" 2>/dev/null | sed 's/^/  /'
grep -h 'luo: ' "$out/console.log" 2>/dev/null | grep -v 'luo: kunit:' | sed 's/^\[[^]]*\] /  kernel: /'
grep -h '^# timing:' build/demo-report.txt | sed 's/^# timing: /  host: /'
grep -h '^# accel:\|^# cpus:' build/demo-report.txt | sed 's/^# /  guest /'
echo "  kernels: $(sed -n 's/^@@LUOVM stage-begin \([0-9]*\) \([^ ]*\).*/stage \1 on \2/p' "$out/user.log" | paste -sd, - | sed 's/,/, /g')"
echo
echo "What the blackout cost, and luotop after the update:"
sed -n '/^@@LUOVM cmd-begin 2 2 /,/^@@LUOVM cmd-end 2 2 /p' "$out/user.log" 2>/dev/null |
	grep -v '^@@LUOVM' | sed 's/^/  /'
if [ $rc -eq 0 ]; then
	echo "RESULT: PASS: the memfd survived the kexec intact"
else
	echo "RESULT: FAIL"
	cat build/demo-report.txt
fi
exit $rc
