#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz_test.sh: luo_fuzz across a live update in a luovm guest
# (selftests/fuzz/fuzz.plan), on the debug flavor by default.
#
#   fuzz_test.sh [-n NAME] [--seed N] [--seconds S] [--fail LIST] [--smp N]
#                [--rounds N]
#
# --seconds is each stage's fuzzing time (the guest runs both stages);
# --fail is luo_fuzz's (slab,page,hooks; "none" for no fault injection);
# --rounds is the KUnit handover fuzzer's mutations in each boot (its
# kernel default is 200), seeded with the same seed.
# A run prints its seed: the same seed repeats each thread's choices and
# the handover fuzzer's mutations.
# make check runs it bounded; make fuzz runs it with FUZZ_SEED and
# FUZZ_SECONDS.  Logs in build/vm/NAME/.
set -u
cd "$(dirname "$0")/../.." || exit 2
name=fuzz seed=$(( $(date +%s) % 1000000 )) seconds=40 fail=slab,page,hooks smp=2 rounds=1000
while [ $# -gt 0 ]; do
	case $1 in
	-n) name=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--fail) fail=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	*) echo "usage: $0 [-n NAME] [--seed N] [--seconds S] [--fail LIST|none] [--smp N] [--rounds N]" >&2
	   exit 2 ;;
	esac
done
export LUO_FLAVOR=${LUO_FLAVOR:-debug}
args="--seed $seed --seconds $seconds"
[ "$fail" = none ] || args="$args --fail $fail"
export LUO_FUZZ_ARGS=$args
echo "# $name: luo_fuzz on the $LUO_FLAVOR kernel, $smp CPUs: $args; $rounds handover mutations a boot"
echo "# reproduce: selftests/fuzz/fuzz_test.sh --seed $seed --seconds $seconds --fail $fail --rounds $rounds"
# Each stage: its fuzzing, the boot and kmemleak's scans, with room to spare.
timeout=$(( seconds + 600 ))
tools/testing/vm/luovm run -q -n "$name" --smp "$smp" --mem 2G --stage-timeout "$timeout" \
	--timeout $(( 2 * timeout )) --plan selftests/fuzz/fuzz.plan \
	--append "luo_handover_fuzz_test.fuzz_seed=$seed luo_handover_fuzz_test.rounds=$rounds"
rc=$?
grep -h "requests in" "build/vm/$name/user.log" 2>/dev/null | sed 's/^/# /'
exit $rc
