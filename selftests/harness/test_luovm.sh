#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the VM runner itself (tools/vm/luovm): each case boots a guest with
# a plan built to pass or to fail in one particular way, and checks that the
# runner's exit code and report say exactly that.  A runner that passed a
# broken plan would make every other test of this repository worthless.
set -u
cd "$(dirname "$0")/../.."

LUOVM=tools/vm/luovm
K=${LUO_BUILD:-build}/kernel-ours/bzImage
KM=${LUO_BUILD:-build}/kernel-mainline/bzImage
n=0 passed=0 failed=0

# check NAME EXPECTED_EXIT REGEX [luovm run arguments...]
# The run's report must exit with EXPECTED_EXIT and contain REGEX.
check() {
	local name=$1 want=$2 rx=$3 out rc
	shift 3
	n=$((n + 1))
	out=$($LUOVM run -q -n "harness-$name" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qE -- "$rx" <<<"$out"; then
		passed=$((passed + 1))
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "not ok $n $name # exit $rc (expected $want), /$rx/ $(grep -qE -- "$rx" <<<"$out" && echo found || echo 'not found')"
		sed 's/^/#   /' <<<"$out" | tail -n 60
	fi
}

echo "TAP version 13"
echo "1..12"

# A plan that must pass: two stages around a real kexec.  Stage 2 proves it
# runs in a new kernel (new boot_id), with KHO and LUO enabled, and sees the
# file stage 1 left in the shared run directory.
check two-stage-pass 0 'ok 5 stage 2: .*boot_id' -k "$K" \
	-c 'cat /proc/sys/kernel/random/boot_id > $LUOVM_RUN/boot1' \
	-c 'grep -qw kho=on /proc/cmdline && grep -qw liveupdate=1 /proc/cmdline' \
	-c 'test -c /dev/liveupdate' \
	--kexec \
	-c 'test -s $LUOVM_RUN/boot1' \
	-c '! cmp -s $LUOVM_RUN/boot1 /proc/sys/kernel/random/boot_id'

# Across flavors: stage 2 is a different kernel, and the runner checks that
# the kernel it asked for is the one that runs.  (Mainline to ours: ours
# refuses mainline's handover cleanly, while mainline's LUO panics on any
# handover it cannot read, ours included.)
check kexec-other-flavor 0 'ok 2 stage 2: uname' -k "$KM" \
	-c 'uname -r | grep -q -- -luo-mainline' --kexec "$K" -c 'uname -r | grep -q -- -luo-ours'

# A deliberately failing command in stage 2 fails the run, and is named.
check fail-in-stage-2 1 'not ok 2 stage 2: false # exit code 1' -k "$K" -c true --kexec -c false

# A guest that never reaches stage 2 is reported as such, not as a pass.
check never-reaches-stage-2 1 'missing stage: stage 2 never started' -k "$K" \
	-c 'exec $LUOVM_TOOLS/luovm-kexec poweroff' --kexec -c true

# A kexec that the kernel refuses is reported, and so is the missing stage.
check kexec-refused 1 'kexec refused: .*end of stage 1' -k "$K" -c true \
	--kexec tools/vm/guest-init -c true

# A TAP "not ok" fails the command even when it exits 0.
check tap-not-ok 1 'not ok 1 stage 1: .*1 TAP test\(s\) not ok' -k "$K" \
	-c "printf 'TAP version 13\n1..2\nok 1 a\nnot ok 2 b\n'"

# A skip is not a pass, unless the caller says so.
check skip-fails 1 'skipped \(exit code 4\)' -k "$K" -c 'exit 4'
check skip-allowed 0 'ok 1 stage 1: exit 4 # SKIP' -k "$K" --allow-skip -c 'exit 4'

# Kernel faults fail the run with the trace: a panic, and a WARN.
check kernel-panic 1 'kernel panic: .*Kernel panic - not syncing: sysrq' -k "$K" \
	-c 'echo c > /proc/sysrq-trigger' --kexec -c true
check kernel-warn 1 'kernel WARNING: .*lkdtm' -k "$K" \
	-c 'echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT'

# A hung stage is stopped at its time limit.
check stage-timeout 1 'timeout: a stage exceeded 20.0 s' -k "$K" --stage-timeout 20 \
	-c 'sleep 600'

# A malformed plan is refused before anything boots.
bad=$(mktemp)
printf 'true\n[stage 1]\n' >"$bad"
check bad-plan 2 'a command before \[stage 1\]' --plan "$bad"
rm -f "$bad"

echo "harness: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
