#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the upstream LUO selftests of a flavor's tree, static, against that
# flavor's exported uapi headers.  They are not part of this repository: they
# are built from the downloaded tree, into OUT/selftests/.
#
#   upstream-selftests.sh OUT      (OUT = build/kernel-FLAVOR)
set -eu

out=$(cd "$1" && pwd)
dir=$out/src/tools/testing/selftests/liveupdate
[ -f "$dir/Makefile" ] || {
	echo "upstream-selftests: $dir is missing: build the flavor's tree first" >&2
	exit 1
}
mkdir -p "$out/selftests"
# The upstream Makefile leaves its objects beside the sources; in our
# hard-link farm those are new files, so the tree itself stays untouched.
LDFLAGS=-static make -s -C "$dir" OUTPUT="$out/selftests" \
	KHDR_INCLUDES="-isystem $out/headers/usr/include" all
for t in liveupdate luo_kexec_simple luo_multi_session luo_stress_sessions luo_stress_files; do
	[ -x "$out/selftests/$t" ] || {
		echo "upstream-selftests: $t was not built" >&2
		exit 1
	}
done
