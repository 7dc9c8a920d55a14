#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# trace_events.sh [--enabled]: proves that the kernel offers exactly the
# liveupdate tracepoints of include/trace/events/liveupdate.h, one per
# operation of bpf/luo_ops.h's LUO_OP_MAPPER (the toolkit's list), each with
# the documented fields (type and name, in order, after the common ones)
# and the documented print format, so that tools reading the ring buffer,
# perf or bpftrace find what the header promises.  With --enabled, each
# event must also be enabled already (by trace_event=liveupdate:* on the
# kernel command line), which the boot-time event tests rely on.
#
# One TAP line per event; exit 0 only when all pass.
set -u

tracing=/sys/kernel/tracing
enabled=0
[ "${1:-}" = --enabled ] && enabled=1

# The event classes: fields, then the print format, as documented.
session_fields='__data_loc char[] session|unsigned long nr_files|int result'
session_fmt='session=%s files=%lu result=%d'
file_fields='__data_loc char[] session|__data_loc char[] handler|u64 token|'\
'u64 duration_ns|int result'
file_fmt='session=%s handler=%s token=%llu result=%d duration_ns=%llu'
flb_fields='__data_loc char[] flb|__data_loc char[] handler|u64 count|u64 duration_ns|int result'
flb_fmt='flb=%s handler=%s count=%llu result=%d duration_ns=%llu'
# The events of their own.
begin_fields='unsigned long nr_sessions|unsigned long nr_files'
begin_fmt='sessions=%lu files=%lu'
end_fields="$begin_fields|u64 duration_ns|int result"
end_fmt='sessions=%lu files=%lu result=%d duration_ns=%llu'
serialize_fields="$begin_fields|unsigned long nr_flbs|u64 bytes|u64 duration_ns|int result"
serialize_fmt='sessions=%lu files=%lu flbs=%lu bytes=%llu result=%d duration_ns=%llu'
incoming_fields='u64 number|unsigned long nr_sessions|unsigned long nr_files|'\
'unsigned long dropped|unsigned long nr_flbs|int result'
incoming_fmt='number=%llu sessions=%lu files=%lu dropped=%lu flbs=%lu result=%d'

# event|fields|print format, for each operation of bpf/luo_ops.h's
# LUO_OP_MAPPER (an event is "luo_" and the operation's name): the events
# the kernel offers must be that list, each with the fields of its class.
ops=$(python3 -B "$(dirname "$0")/../../tools/lib/luo_names.py" op-classes) || exit 1
nr_ops=$(echo "$ops" | wc -l)
events=$(echo "$ops" | while read -r op class; do
	case $class in
	SESSION) echo "luo_$op|$session_fields|$session_fmt" ;;
	FILE) echo "luo_$op|$file_fields|$file_fmt" ;;
	FLB) echo "luo_$op|$flb_fields|$flb_fmt" ;;
	*)
		case $op in
		reboot_begin) echo "luo_$op|$begin_fields|$begin_fmt" ;;
		reboot_end) echo "luo_$op|$end_fields|$end_fmt" ;;
		serialize) echo "luo_$op|$serialize_fields|$serialize_fmt" ;;
		incoming) echo "luo_$op|$incoming_fields|$incoming_fmt" ;;
		# An event of its own added without its fields documented here fails.
		*) echo "luo_$op|undocumented|undocumented" ;;
		esac
		;;
	esac
done)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/../lib/tap.sh"

if [ ! -r "$tracing/available_events" ]; then
	echo "not ok 1 no $tracing/available_events: tracefs not mounted or no tracing"
	exit 1
fi

tap_init trace_events

# Exactly these events, no more, no fewer.
want=$(echo "$events" | cut -d'|' -f1 | sort)
have=$(sed -n 's/^liveupdate://p' "$tracing/available_events" | sort)
if [ "$want" = "$have" ]; then
	tap_ok "available_events lists the $nr_ops liveupdate events of LUO_OP_MAPPER"
else
	tap_not_ok "available_events: the liveupdate events differ from the header's"
	echo "$want" >"$tmp/want"
	echo "$have" >"$tmp/have"
	diff "$tmp/want" "$tmp/have" | sed 's/^/#   /'
fi

# The system directory holds one directory per event, and the two files
# every system has.
extra=$(ls "$tracing/events/liveupdate" 2>/dev/null | grep -vxF -e enable -e filter |
	grep -vxF "$want" || true)
if [ -d "$tracing/events/liveupdate" ] && [ -z "$extra" ]; then
	tap_ok "events/liveupdate/ holds no other event"
else
	tap_not_ok "events/liveupdate/ is missing or holds other events: $extra"
fi

echo "$events" | while IFS= read -r line; do
	ev=${line%%|*}
	rest=${line#*|}
	fmt=${rest##*|}
	fields=${rest%|*}
	dir=$tracing/events/liveupdate/$ev
	if [ ! -r "$dir/format" ]; then
		echo "not ok - $ev: no $dir/format"
		continue
	fi
	# "field:TYPE NAME;" of the event's own fields, in order.
	got=$(sed -n 's/^[[:space:]]*field:\(.*\);[[:space:]]*offset:.*/\1/p' "$dir/format" |
	      grep -v ' common_' | paste -sd'|' -)
	# The literal of 'print fmt: "...", args'.
	gotfmt=$(sed -n 's/^print fmt: "\(.*\)", .*/\1/p' "$dir/format")
	why=
	[ "$got" = "$fields" ] || why="fields '$got', expected '$fields'"
	[ "$gotfmt" = "$fmt" ] || why="${why:+$why; }print fmt '$gotfmt', expected '$fmt'"
	if [ "$enabled" = 1 ] && [ "$(cat "$dir/enable" 2>/dev/null)" != 1 ]; then
		why="${why:+$why; }not enabled (trace_event=liveupdate:* missing from the command line?)"
	fi
	if [ -z "$why" ]; then
		echo "ok - $ev: $(echo "$fields" | tr '|' ',')"
	else
		echo "not ok - $ev: $why"
	fi
done >"$tmp/out"
# Number the lines of the loop, which ran in a subshell.
while IFS= read -r line; do
	case $line in
	"ok - "*) tap_ok "${line#ok - }" ;;
	"not ok - "*) tap_not_ok "${line#not ok - }" ;;
	esac
done <"$tmp/out"

# Every event checked: the two checks above and one per event.
[ "$TAP_N" -eq $((nr_ops + 2)) ] || tap_not_ok "$TAP_N checks for $nr_ops events"
tap_end
