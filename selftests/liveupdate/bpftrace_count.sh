#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bpftrace_count.sh EVENT=COUNT... -- COMMAND [ARG...]
#
# Proves that the liveupdate tracepoints are usable from BPF, and that a
# command makes exactly the transitions it should: bpftrace attaches to
# all of them (tracepoint:liveupdate:*), counts every hit while COMMAND
# runs, and the counts it prints must be exactly the expected ones, with
# every event not named at zero.  EVENT is a tracepoint name with or
# without its "luo_" prefix, e.g.
#
#   bpftrace_count.sh session_create=2 file_preserve=7 flb_preserve=1 -- \
#	build/selftests/luo_workload --stage 1
#
# The counts are system-wide: run it when nothing else uses LUO (the KUnit
# tests that also fire these events run at boot, before any command).
# COMMAND must exit 0 too.  One TAP line per check; exit 0 only when all
# pass.
set -eu

usage() {
	echo "usage: $0 EVENT=COUNT... -- COMMAND [ARG...]" >&2
	exit 2
}

expect=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	case $1 in
	*=*) ;;
	*) usage ;;
	esac
	ev=${1%%=*} count=${1#*=}
	ev=luo_${ev#luo_}
	case $count in
	''|*[!0-9]*) usage ;;
	esac
	expect="$expect$ev $count
"
	shift
done
[ $# -ge 2 ] || usage
shift

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# bpftrace -c runs an ELF executable only, without a shell, and does not
# pass its exit code on: run the command through a script of /bin/sh that
# writes the code down.
{
	echo '#!/bin/sh'
	printf 'exec 3>%s\n' "$tmp/rc"
	for a in "$@"; do
		printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
	done
	printf '3>&-\necho $? >&3\n'
} >"$tmp/cmd.sh"

rc=0
bpftrace -e 'tracepoint:liveupdate:* { @[probe] = count(); }' -c "/bin/sh $tmp/cmd.sh" \
	>"$tmp/out" 2>&1 || rc=$?
cat "$tmp/out"

n=0 failed=0
result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		shift
		echo "ok $n $*"
	else
		shift
		failed=$((failed + 1))
		echo "not ok $n $*"
	fi
}

if [ "$rc" -eq 0 ]; then
	result ok "bpftrace attached to tracepoint:liveupdate:* and exited 0"
else
	result bad "bpftrace exited $rc"
fi
cmd_rc=$(cat "$tmp/rc" 2>/dev/null || echo none)
if [ "$cmd_rc" = 0 ]; then
	result ok "the command exited 0: $*"
else
	result bad "the command exited $cmd_rc: $*"
fi
if grep -q '^Attaching 19 probes' "$tmp/out"; then
	result ok "bpftrace found the 19 liveupdate tracepoints"
else
	result bad "bpftrace did not attach 19 probes: $(grep '^Attaching' "$tmp/out" || echo none)"
fi

# "@[tracepoint:liveupdate:luo_file_preserve]: 7"
sed -n 's/^@\[tracepoint:liveupdate:\(luo_[a-z_]*\)\]: \([0-9]*\)$/\1 \2/p' "$tmp/out" \
	>"$tmp/counts"
# Every event counted or expected, each checked once.
for ev in $( (cut -d' ' -f1 "$tmp/counts"; printf '%s' "$expect" | cut -d' ' -f1) | sort -u); do
	want=$(printf '%s' "$expect" | awk -v e="$ev" '$1 == e { print $2 }')
	got=$(awk -v e="$ev" '$1 == e { print $2 }' "$tmp/counts")
	if [ "${got:-0}" = "${want:-0}" ]; then
		result ok "$ev fired ${got:-0} times"
	else
		result bad "$ev fired ${got:-0} times, expected ${want:-0}"
	fi
done

echo "1..$n"
echo "# bpftrace_count: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
