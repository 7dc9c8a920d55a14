#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the VM runner itself (tools/testing/vm/luovm): each case boots a guest with
# a plan built to pass or to fail in one particular way, and checks that the
# runner's exit code and report say exactly that.  A runner that passed a
# broken plan would make every other test of this repository worthless.
set -u
cd "$(dirname "$0")/../.."

LUOVM=tools/testing/vm/luovm
K=${LUO_BUILD:-build}/kernel-ours/bzImage
KM=${LUO_BUILD:-build}/kernel-mainline/bzImage
KD=${LUO_BUILD:-build}/kernel-debug/bzImage
n=0 passed=0 failed=0

# check NAME EXPECTED_EXIT REGEX [luovm run arguments...]
# The run's report must exit with EXPECTED_EXIT and contain REGEX.  The
# run's output stays in $out, its wall time in $secs.
check() {
	local name=$1 want=$2 rx=$3 rc t0
	shift 3
	n=$((n + 1))
	t0=$(date +%s)
	out=$($LUOVM run -q -n "harness-$name" "$@" 2>&1)
	rc=$?
	secs=$(($(date +%s) - t0))
	if [ "$rc" -eq "$want" ] && grep -qE -- "$rx" <<<"$out"; then
		passed=$((passed + 1))
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "not ok $n $name # exit $rc (expected $want), /$rx/ $(grep -qE -- "$rx" <<<"$out" && echo found || echo 'not found')"
		sed 's/^/#   /' <<<"$out" | tail -n 60
	fi
}

# verify NAME WHAT COMMAND...: one more test line, ok when COMMAND succeeds.
verify() {
	local name=$1 what=$2
	shift 2
	n=$((n + 1))
	if "$@"; then
		passed=$((passed + 1))
		echo "ok $n $name: $what"
	else
		failed=$((failed + 1))
		echo "not ok $n $name: $what"
	fi
}

# plant NAME WHY: the run broke a rule of check_consoles.py on purpose.
plant() {
	echo "$2" >"${LUO_BUILD:-build}/vm/harness-$1/planted"
}

echo "TAP version 13"

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
	--kexec tools/testing/vm/guest-init -c true

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

# The debug kernel's checkers fail the run too: a KASAN report (a double
# free, which KASAN's allocator hooks see from any caller) and, in the same
# boot, a leak: luo_test_leak forgets 16 objects, and kmemleak's scans at
# the end of the stage must report every one of them.
check debug-kasan 1 'kernel BUG: .*KASAN: double-free' -k "$KD" \
	-c 'echo SLAB_FREE_DOUBLE > /sys/kernel/debug/provoke-crash/DIRECT' \
	-c 'echo 16 > /sys/kernel/debug/luo_test_leak'
verify debug-kmemleak "the planted leak failed the run" \
	grep -q 'kmemleak: unreferenced objects at the end of stage 1' <<<"$out"
leaked=$(grep -c 'luo_test_leak_write' "${LUO_BUILD:-build}/vm/harness-debug-kasan/user.log")
verify debug-kmemleak "kmemleak reported the 16 planted objects ($leaked)" test "$leaked" -eq 16

# A hung stage is stopped at its time limit.
check stage-timeout 1 'timeout: a stage exceeded 20.0 s' -k "$K" --stage-timeout 20 \
	-c 'sleep 600'

# A malformed plan is refused before anything boots.
bad=$(mktemp)
printf 'true\n[stage 1]\n' >"$bad"
check bad-plan 2 'a command before \[stage 1\]' --plan "$bad"
rm -f "$bad"
# Units are the systemd guest's, and must exist: refused before a boot.
check unit-host-guest 2 'units \(unit =, --unit\) need the systemd guest' -k "$K" \
	--guest host --unit selftests/systemd/units/luo-svc-fdstore.service -c true
check unit-missing 2 'unit selftests/systemd/units/none.service does not exist' -k "$K" \
	--guest systemd --unit selftests/systemd/units/none.service -c true

# The accelerator (tools/testing/vm/luovm_accel.py).  No KVM device: TCG, and the
# report says why.
LUOVM="env LUOVM_ACCEL=auto LUOVM_KVM_DEVICE=/nonexistent/kvm tools/testing/vm/luovm" \
	check accel-no-kvm 0 '# accel: tcg \(no /nonexistent/kvm\)' -k "$K" -c true

# A KVM that never runs a guest (qemu-kvm-hangs: a paused QEMU that prints
# nothing): the probe gives up within its timeout, the run falls back to TCG
# with a notice, and a live update passes under TCG.  The verdict is cached:
# the next run does not probe again.  A forced KVM there fails within the
# probe's timeout.
fake=$(mktemp -d)
hangenv="LUOVM_KVM_DEVICE=/dev/null LUOVM_ACCEL_CACHE=$fake/accel.json
LUOVM_PROBE_TIMEOUT=5 QEMU_HANGS_LOG=$fake/calls"
hang="env LUOVM_ACCEL=auto $hangenv tools/testing/vm/luovm --qemu selftests/harness/qemu-kvm-hangs"
LUOVM=$hang check accel-kvm-hangs 0 \
	'luovm: using TCG: /dev/null is there, but a probe guest under KVM printed nothing and no marker within 5 s' \
	-k "$K" -c 'test -c /dev/liveupdate' --kexec -c 'test -c /dev/liveupdate'
verify accel-kvm-hangs "probed once under KVM, then ran under TCG" \
	test "$(paste -sd, "$fake/calls" 2>/dev/null)" = kvm,tcg
verify accel-kvm-hangs "the report states the accelerator" \
	grep -qE '^# accel: tcg \(/dev/null is there' <<<"$out"
verify accel-kvm-hangs "TCG cached for this host" \
	grep -q '"accel": "tcg"' "$fake/accel.json"
LUOVM=$hang check accel-cached 0 '# accel: tcg \(/dev/null is there, but .*verdict cached in ' -k "$K" -c true
verify accel-cached "the notice again" grep -q '^luovm: using TCG: /dev/null is there' <<<"$out"
verify accel-cached "no second probe" test "$(paste -sd, "$fake/calls")" = kvm,tcg,tcg
LUOVM="env LUOVM_ACCEL=kvm $hangenv tools/testing/vm/luovm --qemu selftests/harness/qemu-kvm-hangs" \
	check accel-forced-kvm 2 \
	'LUOVM_ACCEL=kvm, but KVM does not run guests here: a probe guest under KVM printed nothing' \
	-k "$K" -c true
verify accel-forced-kvm "failed within the probe's timeout (${secs} s)" test "$secs" -le 15
rm -rf "$fake"

# Every CPU QEMU was given must be online in every stage: a guest told to
# use fewer fails the run.
check cpus-offline 1 'CPUs offline: stage 1 runs on 1 of the 2 CPUs' -k "$K" \
	--append nr_cpus=1 -c true
plant cpus-offline "nr_cpus=1: one CPU of two on purpose"

# A guest must power off, not halt: without ACPI (acpi=off) it halts, and
# the run fails at once instead of waiting for its time limit.
check halt 1 'halted instead of powering off' -k "$K" --append acpi=off \
	--stage-timeout 120 -c true
verify halt "ended by the halt, not by the stage timeout (${secs} s)" \
	eval '! grep -q "^# timeout:" <<<"$out"'
plant halt "acpi=off: one CPU and a halt on purpose"

echo "1..$n"
echo "harness: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
