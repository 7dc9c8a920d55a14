#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# systemd_test.sh ours|mainline: systemd as the LUO client, in the systemd
# guest (Documentation/systemd-guest.rst).  Waits for the guest's tree
# (make check builds it in the background), runs the flavor's plan (ours:
# chain.plan, two chained updates, the second losing a service's store, its
# kernel booted with tp_printk; mainline: update.plan, one), then holds
# luoblackout's service waterfalls the guest saved against the services'
# own stamps (waterfall_check.py).  Ends with "systemd-FLAVOR: N passed, M
# failed"; logs in build/vm/systemd-FLAVOR/.
set -u
cd "$(dirname "$0")/../.."
flavor=${1:?usage: systemd_test.sh ours|mainline}
name=systemd-$flavor
case $flavor in
ours) plan=selftests/systemd/chain.plan reuse=yes append=tp_printk ;;
mainline) plan=selftests/systemd/update.plan reuse=EINVAL append= ;;
*) echo "usage: systemd_test.sh ours|mainline" >&2; exit 2 ;;
esac
passed=0 failed=0
. selftests/lib/tap.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if tools/testing/build/rootfs-systemd.sh build/rootfs/systemd >"$log" 2>&1; then
	LUO_FLAVOR=$flavor LUO_SESSION_REUSE=$reuse tools/testing/vm/luovm run -q -n "$name" \
		--guest systemd --plan "$plan" --append "$append" 2>&1 | tee "$log"
	tally "$log" "${PIPESTATUS[0]}"
	selftests/systemd/waterfall_check.py "build/vm/$name" "$flavor" 2>&1 | tee "$log"
	tally "$log" "${PIPESTATUS[0]}"
else
	cat "$log"
	echo "not ok 1 the systemd guest's tree (tools/testing/build/rootfs-systemd.sh)"
	failed=1
fi
echo "$name: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
