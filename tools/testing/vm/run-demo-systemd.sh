#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# LUO_GUEST=systemd make run: one live update of a systemd host.  Boots the
# systemd guest (Documentation/systemd-guest.rst) on our kernel with two
# services that keep 1 MiB each, one in its fd store, one in a LUO session
# of its own; `systemctl kexec`; each verifies its state byte for byte in
# the new kernel.  Prints what systemd and LUO said, and ends with the
# blackout each service lived through, as luoblackout --systemd shows it.
set -u
cd "$(dirname "$0")/../../.."
: "${LUO_FLAVOR:=ours}"
reuse=yes
[ "$LUO_FLAVOR" = mainline ] && reuse=EINVAL
export LUO_FLAVOR
out=build/vm/demo-systemd
report=build/demo-systemd-report.txt
LUO_SESSION_REUSE=$reuse tools/testing/vm/luovm run -q -n demo-systemd --guest systemd \
	--plan selftests/systemd/update.plan >"$report" 2>&1
rc=$?

echo
echo "A live update of a systemd host ($LUO_FLAVOR kernel, logs in $out/):"
grep -h '^# guest:\|^# accel:\|^# cpus:' "$report" | sed 's/^# /  /'
grep -h '^# timing:' "$report" | sed 's/^# timing: /  host: /'
echo
echo "What systemd and LUO said about it:"
grep -h "systemd-shutdown.*LUO\|luo: live update\|luo: Retrieved" "$out/console.log" 2>/dev/null |
	sed 's/^\[[^]]*\] /  /'
sed -n '/^@@LUOVM cmd-begin 2 3 /,/^@@LUOVM cmd-end 2 3 /p' "$out/user.log" 2>/dev/null |
	grep '^ok\|^not ok' | sed 's/^/  /'
echo
echo "The services after the update:"
sed -n '/^@@LUOVM cmd-begin 2 1 /,/^@@LUOVM cmd-end 2 2 /p' "$out/user.log" 2>/dev/null |
	grep '^ok\|^not ok' | sed 's/^/  /'
echo
echo "What each service lived through (luoblackout --systemd):"
sed -n '/^@@LUOVM cmd-begin 2 4 /,/^@@LUOVM cmd-end 2 4 /p' "$out/user.log" 2>/dev/null |
	grep -v '^@@LUOVM' | sed 's/^/  /'
if [ $rc -eq 0 ]; then
	echo "RESULT: PASS: both services have their state back, intact"
else
	echo "RESULT: FAIL"
	cat "$report"
fi
exit $rc
