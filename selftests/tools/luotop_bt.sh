# SPDX-License-Identifier: GPL-2.0
#
# luotop_bt.sh: bpftrace as luotop's independent witness, for
# luotop_check.sh (sourced after its helpers: result, check, wait_for; OUT).
#
#   bt_start NAME   bpftrace writes the file and FLB events to $OUT/NAME.bt
#   bt_stop         ends it (SIGINT, then SIGKILL after 60 s)
#   bt_compare REP  luotop's totals and percentiles in report REP against
#                   what bpftrace's copies of the events make

# bt_start NAME: bpftrace, as an independent witness, writes one line per
# file or FLB event ("luo_file_preserve|memfd-v2|4000000": event, handler,
# duration_ns) into $OUT/NAME.bt, until bt_stop.
bt_start() {
	bt=$OUT/$1.bt
	bpftrace -e 'tracepoint:liveupdate:luo_file_*, tracepoint:liveupdate:luo_flb_* {
		printf("%s|%s|%llu\n", probe, str(args->handler), args->duration_ns); }' \
		>"$bt" 2>&1 &
	bt_pid=$!
	if wait_for 120 grep -q '^Attaching' "$bt"; then
		result ok "bpftrace attached to the file and FLB events"
	else
		result bad "bpftrace did not attach within 120 s: $(cat "$bt")"
	fi
}
# bpftrace has printed each event as it came: what is compared is in $bt.
# Once (1 run in about 8) it did not exit on SIGINT under TCG and held the
# stage until its timeout: it gets 60 s, then SIGKILL, and a note.
bt_stop() {
	kill -INT "$bt_pid"
	if ! wait_for 60 exited "$bt_pid"; then
		echo "# bpftrace did not exit within 60 s of SIGINT: killed"
		kill -KILL "$bt_pid"
		wait_for 10 exited "$bt_pid" || return 0
	fi
	wait "$bt_pid"
}

# exited PID: the process is gone or a zombie (exited, not yet waited for).
exited() {
	! grep -qs '^State:[[:space:]]*[^Z]' "/proc/$1/status"
}

# bt_compare REPORT: for every operation x handler bpftrace saw, luotop's
# TOTAL, P50 and P99 in REPORT are what bpftrace's events make: the count,
# and the percentiles as luotop defines them (the upper bound of the log2
# bucket that holds the 50th and 99th percent of the events whose
# callback took a measurable time, "-" when none did).
bt_compare() {
	report=$1
	awk -F'|' '
	function fmt(ns) {
		if (ns < 1000) return sprintf("%d ns", ns)
		if (ns < 1000000) return sprintf("%.2f us", ns / 1e3)
		if (ns < 1000000000) return sprintf("%.2f ms", ns / 1e6)
		return sprintf("%.2f s", ns / 1e9)
	}
	function pct(k, p,    s, seen) {
		if (!timed[k]) return "-"
		for (s = 0; s < 40; s++) {
			seen += slot[k, s]
			if (seen * 100 >= p * timed[k])
				return fmt(2 ^ (s + 1) - 1)
		}
	}
	/^tracepoint:liveupdate:/ {
		op = $1; sub(/^tracepoint:liveupdate:luo_/, "", op)
		k = op " " ($2 == "" ? "-" : $2)
		n[k]++
		d[k] = d[k] " " $3
		if ($3 > 0) {
			v = $3; s = 0
			while (v > 1 && s < 39) { v = int(v / 2); s++ }
			slot[k, s]++
			timed[k]++
		}
	}
	END {
		for (k in n)
			printf "%s %d %s %s|%s\n", k, n[k], pct(k, 50), pct(k, 99), d[k]
	}' "$bt" | sort >"$bt.expected"
	while IFS='|' read -r want durations; do
		# shellcheck disable=SC2086 # its words: op, handler, ...
		set -- $want
		got=$(awk -v op="$1" -v h="$2" '$1 == op && $2 == h {
			s = $1 " " $2 " " $4; for (i = 6; i <= NF; i++) s = s " " $i; print s }' "$report")
		if [ "$got" = "$want" ]; then
			result ok "$1 x $2: luotop's TOTAL P50 P99 = bpftrace's: $want (durations, ns:$durations)"
		else
			result bad "$1 x $2: luotop says '${got:-no row}', bpftrace's events make '$want' (durations, ns:$durations)"
		fi
	done <"$bt.expected"
	check "bpftrace saw file or FLB events to compare" test -s "$bt.expected"
}
