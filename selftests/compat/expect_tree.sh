#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# expect_tree.sh SERIES FLAVOR: this stage runs the FLAVOR kernel built on
# Linux SERIES (e.g. 7.3 ours), as the kernel's release string says
# (X.Y.Z-luo-FLAVOR).  Guards the upgrade tests against a kexec that
# silently went into the wrong kernel.
set -u
release=$(uname -r)
case $release in
"$1".*-luo-"$2")
	echo "expect_tree: running $release: Linux $1, $2"
	exit 0
	;;
esac
echo "expect_tree: running $release, not Linux $1 with the $2 LUO"
exit 1
