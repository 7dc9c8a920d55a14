#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# expect_update.sh NUMBER SESSIONS FILES: this kernel was reached by live
# update NUMBER and received SESSIONS sessions with FILES files, none
# dropped, as LUO reported at boot.
set -u
line="luo: live update #$1: $2 sessions with $3 files received, 0 dropped"
if dmesg | grep -F "$line"; then
	exit 0
fi
echo "expected '$line' in the kernel log; LUO said:"
dmesg | grep 'luo:'
exit 1
