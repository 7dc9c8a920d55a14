#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_kernel_tree.sh: tools/testing/build/kernel.sh keeps a flavor's object tree
# only while the flavor's source tree stays the same.  Switching trees
# (LINUX_SERIES=7.2 after 7.3) must drop the objects: the other tree's
# files carry their own release's mtimes, often older than the objects, so
# make would keep objects of the previous tree.  Two "trees" here are the
# unpacked default tree and a hard-link copy of it at another path; the
# cheap "headers" step of kernel.sh runs on each in a scratch directory.
set -u
cd "$(dirname "$0")/../.." || exit 2
tree=$(ls -d "${LUO_BUILD:-build}"/src/linux-*/ 2>/dev/null | head -n 1)
tree=${tree%/}
echo "TAP version 13"
if [ -z "$tree" ] || [ ! -f "$tree/.unpacked" ]; then
	echo "not ok 1 no unpacked tree under ${LUO_BUILD:-build}/src (make source first)"
	echo "kernel-tree: 0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d "${LUO_BUILD:-build}/tmp-kernel-tree.XXXXXX")
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
cp -al "$tree" "$tmp/other-tree"
. selftests/lib/tap.sh
tap_init kernel-tree

out=$tmp/kernel-mainline
tools/testing/build/kernel.sh mainline "$tree" "$out" . headers >"$tmp/1.log" 2>&1
tap_result $? "headers from the first tree"
touch "$out/obj/planted.o"
tools/testing/build/kernel.sh mainline "$tree" "$out" . headers >"$tmp/2.log" 2>&1
[ -f "$out/obj/planted.o" ]
tap_result $? "the same tree again keeps the objects"
tools/testing/build/kernel.sh mainline "$tmp/other-tree" "$out" . headers >"$tmp/3.log" 2>&1
tap_result $? "headers from another tree"
[ ! -e "$out/obj/planted.o" ] && grep -q "dropping its objects" "$tmp/3.log"
tap_result $? "another tree drops the objects of the first, and says so"
[ -f "$out/headers/usr/include/linux/liveupdate.h" ]
tap_result $? "the other tree's headers are installed"
tap_end
