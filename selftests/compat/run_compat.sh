#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-compat: our LUO and mainline's on the other supported tree,
# and live updates between the two trees.
#
#   run_compat.sh COMPAT_BUILD
#
# COMPAT_BUILD (e.g. build/compat-7.2) holds both flavors built on the
# other tree and their upstream selftests; the default tree's build is
# ${LUO_BUILD:-build}.  User space (tools/, selftests/) is the default
# build's: the same binaries run on both trees, the BPF tools through
# CO-RE.  Logs: build/check/compat-*.log and build/vm/compat-*/.
set -u
cd "$(dirname "$0")/../.." || exit 2
. selftests/suites.sh

build=${LUO_BUILD:-build}
compat=${1:?usage: run_compat.sh COMPAT_BUILD}
series() { cut -d. -f1,2 "$1/kernel-$2/kernelrelease"; }
for b in "$build" "$compat"; do
	for f in ours mainline; do
		[ -f "$b/kernel-$f/kernelrelease" ] || {
			echo "run_compat: $b/kernel-$f is not built"
			exit 2
		}
	done
done
here=$(series "$build" ours) other=$(series "$compat" ours)
[ "$here" != "$other" ] || {
	echo "run_compat: $build and $compat are both Linux $here: nothing to cross"
	exit 2
}
ln -sfn "$(realpath --relative-to="$compat" "$build/tools")" "$compat/tools"
ln -sfn "$(realpath --relative-to="$compat" "$build/selftests")" "$compat/selftests"
echo "# compat: this tree Linux $here ($build), other tree Linux $other ($compat)"

mkdir -p build/check
touch build/check/.compat-started
vm=tools/testing/vm/luovm
on_other="env LUO_BUILD=$compat"
# The upgrade plans: from the other tree into this one and back, with the
# upstream selftests of the tree they start from.
upgrade() {
	echo "env LUO_FROM=$compat LUO_FROM_SERIES=$other LUO_TO=$build LUO_TO_SERIES=$here" \
		"LUO_UPSTREAM=$compat/kernel-$1/selftests"
}

run_suites build/check \
	"compat-upstream-ours $on_other LUO_FLAVOR=ours $vm run -q -n compat-upstream-ours --plan tools/testing/vm/plans/upstream.plan" \
	"compat-upstream-mainline $on_other LUO_FLAVOR=mainline $vm run -q -n compat-upstream-mainline --plan tools/testing/vm/plans/upstream.plan" \
	"compat-chain-256m $on_other $vm run -q -n compat-chain-256m --plan selftests/liveupdate/chain.plan" \
	"compat-blackout $on_other $vm run -q -n compat-blackout --plan selftests/tools/blackout.plan" \
	"compat-snoop-lat $on_other $vm run -q -n compat-snoop-lat --plan selftests/tools/snoop_lat.plan" \
	"compat-fentry $on_other $vm run -q -n compat-fentry --plan selftests/tools/fentry.plan" \
	"compat-blackout-mainline $on_other $vm run -q -n compat-blackout-mainline --plan selftests/tools/blackout_mainline.plan" \
	"upgrade-ours $(upgrade ours) $vm run -q -n upgrade-ours --plan selftests/compat/upgrade.plan" \
	"upgrade-upstream $(upgrade ours) $vm run -q -n upgrade-upstream --plan selftests/compat/upgrade_upstream.plan" \
	"upgrade-mainline $(upgrade mainline) $vm run -q -n upgrade-mainline --plan selftests/compat/upgrade_mainline.plan" \
	"cross-flavor $(upgrade mainline) $vm run -q -n cross-flavor --plan selftests/compat/cross_flavor.plan" \
	"to-mainline $(upgrade mainline) selftests/compat/expect_run.sh to-mainline 'kernel panic: .*LUO state is incompatible|kernel panic: .*incoming tree failed' 'mainline panics on our handover, before bringing up its CPUs' --plan selftests/compat/to_mainline.plan" \
	"compat-consoles selftests/harness/check_consoles.py --since build/check/.compat-started build/vm"
