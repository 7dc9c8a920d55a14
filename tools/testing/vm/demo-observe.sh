#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make run, in the new kernel after the update: what the blackout cost
# (luoblackout's waterfall from the live-update record) and a luotop
# snapshot.  Mainline's LUO keeps no record and has no events: nothing to
# show there.
set -eu
if [ "$1" != ours ]; then
	echo "($1 kernel: no live-update record, no liveupdate events)"
	exit 0
fi
"$LUOVM_TOOLS/luoblackout"
echo
"$LUOVM_TOOLS/luotop" -b -n 1
