#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test_kernel_tree.sh: tools/testing/build/kernel.sh keeps a flavor's object tree
# only while the flavor's source tree stays the same.  Switching trees
# (LINUX_SERIES=7.2 after 7.3) must drop the objects: the other tree's
# files carry their own release's mtimes, often older than the objects, so
# make would keep objects of the previous tree.  What kernel.sh decides
# depends on the trees' paths and unpack stamps, not on their content, so
# the two "trees" here are small: a few files of the unpacked default tree,
# and a copy of those at another path whose Makefile differs.  kernel.sh's
# "farm" step (the source tree, nothing built) runs on each in a scratch
# directory, with the ours flavor so that the overlay is laid over each.
set -u
cd "$(dirname "$0")/../.." || exit 2
tree=$(ls -d "${LUO_BUILD:-build}"/src/linux-*/ 2>/dev/null | head -n 1)
tree=${tree%/}
if [ -z "$tree" ] || [ ! -f "$tree/.unpacked" ]; then
	echo "TAP version 13"
	echo "not ok 1 no unpacked tree under ${LUO_BUILD:-build}/src (make source first)"
	echo "kernel-tree: 0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d "${LUO_BUILD:-build}/tmp-kernel-tree.XXXXXX")
# Only directories made writable: the files are links into the unpacked tree.
trap 'find "$tmp" -type d -exec chmod u+w {} +; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/first-tree/kernel/liveupdate"
cp -al "$tree/Makefile" "$tree/.unpacked" "$tmp/first-tree/"
cp -al "$tree/kernel/liveupdate/." "$tmp/first-tree/kernel/liveupdate/"
cp -al "$tmp/first-tree" "$tmp/other-tree"
# A file the other release changed: its own inode, content and mtime.
rm "$tmp/other-tree/Makefile"
{ cat "$tree/Makefile"; echo "# the other tree"; } >"$tmp/other-tree/Makefile"
. selftests/lib/tap.sh
tap_init kernel-tree

out=$tmp/kernel-ours
farm() {
	tools/testing/build/kernel.sh ours "$1" "$out" . farm >"$tmp/$2.log" 2>&1
}
farm "$tmp/first-tree" 1
tap_result $? "the source tree from the first tree"
[ "$out/src/Makefile" -ef "$tmp/first-tree/Makefile" ] &&
	cmp -s kernel/liveupdate/luo_core.c "$out/src/kernel/liveupdate/luo_core.c"
tap_result $? "it holds the first tree's files, and the overlay over them"
mkdir -p "$out/obj"
touch "$out/obj/planted.o"
farm "$tmp/first-tree" 2 &&
	[ -f "$out/obj/planted.o" ] && ! grep -q "dropping its objects" "$tmp/2.log"
tap_result $? "the same tree again keeps the objects"
farm "$tmp/other-tree" 3
tap_result $? "the source tree from another tree"
[ ! -e "$out/obj/planted.o" ] && grep -q "dropping its objects" "$tmp/3.log"
tap_result $? "another tree drops the objects of the first, and says so"
[ "$out/src/Makefile" -ef "$tmp/other-tree/Makefile" ] &&
	cmp -s kernel/liveupdate/luo_core.c "$out/src/kernel/liveupdate/luo_core.c"
tap_result $? "the source tree now holds the other tree's files, and the overlay"
tools/testing/build/kernel.sh ours "$tmp/other-tree" "$tmp/none" . everything >"$tmp/4.log" 2>&1
[ $? -eq 2 ] && grep -q "unknown target 'everything'" "$tmp/4.log" && [ ! -e "$tmp/none" ]
tap_result $? "an unknown target: exit 2, one sentence, nothing made"
tap_end
