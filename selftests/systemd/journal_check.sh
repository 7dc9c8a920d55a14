#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# journal_check.sh N: in the systemd guest, after the Nth live update of
# the run, what systemd says about it (TAP): KExecCount counts N updates;
# this boot's journal has no LUO error; systemd-shutdown preserved the fd
# stores before each of the N kexecs (the kernel console of the run,
# console.log in the run directory: the journal of a boot ends before
# systemd-shutdown runs; a loss it reports there is loss_check.sh's).
set -u
n=${1:?usage: journal_check.sh N}
fail=0 i=0
tap() {
	i=$((i + 1))
	if [ "$1" = 0 ]; then echo "ok $i $2"; else echo "not ok $i $2"; fail=1; fi
}

echo "TAP version 13"
echo "1..3"
count=$(systemctl show -p KExecCount --value)
tap "$([ "$count" = "$n" ]; echo $?)" "KExecCount is $n ($count)"

# The LUO lines of this boot (the host name, luovm, is lower case), but
# for the KUnit suites of the ours flavor, whose garbage handovers are
# refused by design.
lines=$(journalctl -b -o short-monotonic --no-pager |
	grep -E 'LUO|liveupdate|luo[_:]|[Ff]d ?store' | grep -vE 'kernel: +(#|ok |not ok )|kunit')
echo "$lines" | sed 's/^/# /'
errors=$(echo "$lines" | grep -iE 'fail|error|cannot|unable|lost across')
tap "$([ -z "$errors" ]; echo $?)" "no LUO error in this boot's journal"

preserved=$(grep -c "Preserved fd stores in LUO session 'systemd' for kexec" \
	"$LUOVM_RUN/console.log")
tap "$([ "$preserved" = "$n" ]; echo $?)" \
	"systemd-shutdown preserved the fd stores before each of the $n kexecs ($preserved)"

exit $fail
