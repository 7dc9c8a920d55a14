#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# luotop_check.sh STEP: the checks of luotop in the guest, one step per
# command of selftests/tools/luotop.plan.  Each prints one TAP line per
# check and exits 0 only when all passed.
#
#   mainline   on a kernel without the liveupdate events: luotop -b runs in
#              fentry mode and says so, and that it cannot list the
#              sessions held before it started; with -m tracepoint, batch
#              or not, it exits 2 with one sentence on stderr and nothing
#              else; so does luols, which has no iterator to read
#   many       more sessions than luotop's table has slots (1024), so that
#              some are followed in its hash: luo_bench makes 1100 sessions
#              of 2 files, closes them, makes them again and holds them;
#              luotop -b, started first, must list each once with its 2
#              files, and none once they are closed; luols too, the
#              iterators read over many read()s
#   batch1     a kernel no live update led to: -b -n N prints N reports
#              and says so; then luotop -b watches luo_workload --stage 1
#              and must show its sessions and files per handler (as
#              luo_workload --describe lists them) and its operations,
#              with the totals and percentiles that bpftrace, watching
#              too, computes from the same events; and exit 0 on SIGTERM;
#              its own programs' cost shown, bpf_stats on only while it
#              runs
#   held       after batch1, the workload's sessions held: luols -j and
#              luotop -b, both started after them, list every session and
#              file exactly as luo_workload made them (check_listing.py)
#   held-in    the same after the kexec, before the workload retrieves
#              them: incoming, not retrieved
#   tmux-start starts the interactive luotop in a detached 80x24 tmux
#              session, before the workload of stage 2
#   batch2     after the kexec: luotop -b watches luo_workload --stage 2
#              (sessions retrieved and finished, files per handler, the
#              operations against bpftrace, the liveupdate-number, what
#              the kernel received at boot, the waterfall of update #1
#              from the record), and the interactive luotop shows rates
#   tmux-keys  the interactive luotop started by tmux-start: the screen,
#              then the keys h, s, p, a resize and q, capturing the pane
#              between them; the exit code, the terminal restored; then
#              two more runs ended by SIGINT (^C) and SIGTERM
#
# LUOTOP names the binary (default ${LUO_BUILD:-build}/tools/luotop); the
# reports and pane captures are left in $LUOVM_RUN (or /tmp).
set -u

LUOTOP=${LUOTOP:-${LUO_BUILD:-build}/tools/luotop}
LUOLS=${LUOLS:-$(dirname "$LUOTOP")/luols}
WORKLOAD=${WORKLOAD:-${LUO_BUILD:-build}/selftests/luo_workload}
OUT=${LUOVM_RUN:-/tmp}
T="tmux -L luotop-check"
W=80 H=24

. "$(dirname "$0")/../lib/tap.sh"
# What the workload does: NR_SESSIONS, SESSIONS, MEMFD, NR_MEMFD, ...
wl=$(python3 -B "$(dirname "$0")/../lib/workload.py" shell) || exit 1
eval "$wl"
# files_of SESSION: the number of files the workload preserves in it.
files_of() {
	echo "$SESSIONS $SESSION_FILES" |
		awk -v s="$1" '{ n = NF / 2; for (i = 1; i <= n; i++) if ($i == s) print $(i + n) }'
}
# result ok|bad DESCRIPTION...
result() {
	if [ "$1" = ok ]; then
		shift
		tap_ok "$@"
	else
		shift
		tap_not_ok "$@"
	fi
}
# check DESCRIPTION COMMAND...: one result from a command's exit code.
check() {
	tap_check "$@"
}
finish() {
	tap_end
	exit
}

# wait_for SECONDS COMMAND...: until the command succeeds; 1 on timeout.
wait_for() {
	w_end=$(($(date +%s) + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$w_end" ] && return 1
		sleep 0.2
	done
}

# The last complete report of a batch output: from its last title line
# (in linear time: a report of the many step is 3,300 lines).
last_report() {
	l_from=$(grep -n '^luotop - ' "$1" | tail -n 1 | cut -d: -f1)
	[ -n "$l_from" ] && tail -n "+$l_from" "$1"
}

# settle FILE: until a report of luotop -b's output FILE began after now
# and another after it.  A report luotop is writing when it is told to
# stop is written whole: the last report is then one of the present.
settle() {
	s_from=$(grep -c '^luotop - ' "$1")
	wait_for 120 sh -c "[ \$(grep -c '^luotop - ' '$1') -ge $((s_from + 2)) ]"
}

# row FILE PATTERN: FILE has a line matching the extended regex.
row() {
	grep -Eq -- "$2" "$1"
}

# check_op REPORT OP HANDLER TOTAL: the row exists, TOTAL events, no error.
check_op() {
	got=$(awk -v op="$2" -v h="$3" '$1 == op && $2 == h { print $4 "/" $5 }' "$1")
	if [ "$got" = "$4/0" ]; then
		result ok "$2 x $3: $4 events, no error"
	else
		result bad "$2 x $3: expected $4 events and no error, got '${got:-no row}' (TOTAL/ERR)"
	fi
}

# p99_sorted PANE: the operations' P99 (the last column, "-" lowest) never
# grows from one row to the next.
p99_sorted() {
	awk '
	function ns(v, u) {
		return v * (u == "s" ? 1e9 : u == "ms" ? 1e6 : u == "us" ? 1e3 : 1)
	}
	/^OPERATION/ { o = 1; next }
	/^  \.\.\./ || /^Last/ { o = 0 }
	o && NF > 2 {
		v = $NF == "-" ? -1 : ns($(NF - 1), $NF)
		if (rows++ && v > prev)
			bad = 1
		prev = v
	}
	END { exit bad || !rows }' "$1"
}

# bpftrace, the witness: bt_start, bt_stop, bt_compare.
. "$(dirname "$0")/luotop_bt.sh"

# watch_batch NAME COMMAND...: run the command while luotop -b reports every
# 0.5 s into $OUT/NAME.txt, then end luotop with SIGTERM once it has
# reported twice more; the last report goes to $OUT/NAME.last.
watch_batch() {
	name=$1
	shift
	rm -f "$OUT/$name.txt"
	t0=$(date +%s.%N)
	"$LUOTOP" -b -d 0.5 >"$OUT/$name.txt" 2>"$OUT/$name.err" &
	pid=$!
	if wait_for 120 grep -q '^Iteration 1,' "$OUT/$name.txt"; then
		result ok "luotop -b attached and reported in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
	else
		result bad "luotop -b did not report within 120 s: $(cat "$OUT/$name.err")"
	fi
	"$@"
	rc=$?
	check "the workload exited 0: $*" [ "$rc" -eq 0 ]
	# Two more reports, the last of them with the workload over.
	it=$(grep -c '^Iteration' "$OUT/$name.txt")
	wait_for 30 sh -c "[ \$(grep -c '^Iteration' '$OUT/$name.txt') -ge $((it + 2)) ]"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	check "luotop -b exited 0 on SIGTERM (rc=$rc)" [ "$rc" -eq 0 ]
	check "luotop -b wrote nothing on stderr" [ ! -s "$OUT/$name.err" ]
	last_report "$OUT/$name.txt" >"$OUT/$name.last"
	echo "# the last report of luotop -b ($OUT/$name.last):"
	sed 's/^/#   /' "$OUT/$name.last"
}

# Interactive: the pane, as text.
pane() {
	$T capture-pane -p -t luotop >"$OUT/pane.txt" 2>/dev/null
	cat "$OUT/pane.txt"
}
# pane_has REGEX: the pane shows it (waiting up to 10 s for a redraw).
pane_has() {
	wait_for 10 sh -c "$T capture-pane -p -t luotop | grep -Eq -- '$1'"
}
pane_lacks() {
	wait_for 10 sh -c "! $T capture-pane -p -t luotop | grep -Eq -- '$1'"
}
# save NAME: keep the current pane as $OUT/pane-NAME.txt.
save() {
	pane >"$OUT/pane-$1.txt"
}

# start_tmux TAG [OPTION...]: luotop (with the options) in a detached WxH
# tmux session, through a shell that notes the terminal's settings before
# and after, luotop's pid and its exit code, and stays (so that the pane
# can be read after luotop).
start_tmux() {
	d=$OUT/tmux-$1
	shift
	rm -rf "$d"
	mkdir -p "$d"
	cat >"$d/run.sh" <<EOF
#!/bin/sh
trap : INT TERM
stty -g >"$d/stty.before"
sh -c 'echo \$\$ >"$d/pid"; exec "\$0" "\$@"' "$LUOTOP" $*
echo \$? >"$d/rc"
stty -g >"$d/stty.after"
echo "luotop exited"
exec sleep 3600
EOF
	chmod +x "$d/run.sh"
	$T kill-session -t luotop 2>/dev/null
	$T new-session -d -s luotop -x $W -y $H "$d/run.sh"
}
# ended TAG HOW: luotop of start_tmux TAG has exited 0, with the terminal
# as it found it, and its screen is gone (alternate screen left).
ended() {
	d=$OUT/tmux-$1
	if wait_for 10 test -s "$d/rc"; then
		check "$2: luotop exited with code 0 (got $(cat "$d/rc"))" [ "$(cat "$d/rc")" = 0 ]
	else
		result bad "$2: luotop did not exit within 10 s"
	fi
	check "$2: the terminal's settings are restored (stty -g before = after)" \
		cmp -s "$d/stty.before" "$d/stty.after"
	pane_has '^luotop exited' || true
	save "$1-after"
	check "$2: the dashboard is gone from the terminal, the shell's screen is back" \
		sh -c "grep -q '^luotop exited' '$OUT/pane-$1-after.txt' && ! grep -q '^luotop - ' '$OUT/pane-$1-after.txt'"
}

# The runs bpf_stats counted for luosnoop's programs (those loaded after
# it started) while it traced luo_opbench -n 10: 0 when the stats are off.
prog_ids() {
	bpftool prog show --json | python3 -c '
import json, sys
print(" ".join(str(p["id"]) for p in json.load(sys.stdin)))'
}

snoop_runs() {
	local dir sp old

	dir=$(dirname "$LUOTOP")
	old=$(prog_ids)
	"$dir/luosnoop" >/dev/null 2>"$OUT/snoop-runs.err" &
	sp=$!
	for _ in $(seq 1 300); do
		grep -q '^Tracing' "$OUT/snoop-runs.err" && break
		sleep 0.1
	done
	"$dir/luo_opbench" -n 10 >/dev/null 2>&1
	bpftool prog show --json | OLD="$old" python3 -c '
import json, os, sys
old = set(os.environ["OLD"].split())
print(sum(p.get("run_cnt", 0) for p in json.load(sys.stdin) if str(p["id"]) not in old))'
	kill -INT "$sp"
	wait "$sp"
}

step=${1:-}
tap_init "luotop_check $step"
case $step in
mainline)
	# Mainline's LUO has no liveupdate events: luotop traces its
	# functions (fentry mode) and says so; forced to the tracepoints, it
	# exits 2 with one sentence (selftests/tools/fentry.plan checks the
	# fentry mode's figures).
	"$LUOTOP" -b -n 1 -d 0 >"$OUT/mainline-fentry.out" 2>"$OUT/mainline-fentry.err"
	rc=$?
	check "luotop -b runs on mainline's LUO (rc=$rc)" [ "$rc" -eq 0 ]
	check "its title names the fentry mode, and what the mode does not show" \
		sh -c "grep -q '^luotop - .*mode: fentry\$' '$OUT/mainline-fentry.out' && grep -q '^Mode fentry: .*not seen: file_freeze' '$OUT/mainline-fentry.out'"
	"$LUOTOP" -b -n 1 -m tracepoint >"$OUT/mainline.out" 2>"$OUT/mainline.err"
	rc=$?
	cat "$OUT/mainline.err"
	check "luotop -b -m tracepoint exits 2 on a kernel without the events (rc=$rc)" [ "$rc" -eq 2 ]
	check "it says so in one sentence on stderr" \
		sh -c "[ \$(wc -l <'$OUT/mainline.err') -eq 1 ] && grep -q '^luotop: this kernel has no liveupdate events' '$OUT/mainline.err'"
	check "and prints nothing on stdout" [ ! -s "$OUT/mainline.out" ]
	"$LUOTOP" -m tracepoint >"$OUT/mainline.out" 2>"$OUT/mainline.err" </dev/null
	rc=$?
	check "luotop -m tracepoint (interactive) exits 2 the same way, before touching the terminal (rc=$rc)" \
		sh -c "[ $rc -eq 2 ] && [ ! -s '$OUT/mainline.out' ] && grep -q '^luotop: this kernel has no liveupdate events' '$OUT/mainline.err'"
	check "luotop -b says it cannot list the sessions held before it started" \
		row "$OUT/mainline-fentry.out" '^\(sessions held before luotop started: not listed, this kernel has no LUO iterator\)$'
	"$LUOLS" >"$OUT/mainline-ls.out" 2>"$OUT/mainline-ls.err"
	rc=$?
	cat "$OUT/mainline-ls.err"
	check "luols exits 2 on a kernel without the LUO iterators, one sentence on stderr, nothing on stdout (rc=$rc)" \
		sh -c "[ $rc -eq 2 ] && [ ! -s '$OUT/mainline-ls.out' ] && [ \$(wc -l <'$OUT/mainline-ls.err') -eq 1 ] && grep -q '^luols: this kernel has no LUO iterators' '$OUT/mainline-ls.err'"
	;;
many)
	n=1100
	bench=$(dirname "$LUOTOP")/luo_bench
	"$LUOTOP" -b -d 0.5 >"$OUT/many-held.txt" 2>&1 &
	top_held=$!
	"$LUOTOP" -b -d 0.5 >"$OUT/many-closed.txt" 2>&1 &
	top_closed=$!
	wait_for 120 grep -q '^luotop - ' "$OUT/many-held.txt" &&
		wait_for 120 grep -q '^luotop - ' "$OUT/many-closed.txt"
	"$bench" scale --stage 1 --sessions $n --files 2 --reps 2 --session many \
		>"$OUT/many-bench.txt" 2>&1
	rc=$?
	holder=$(sed -n 's/.* holder=\([0-9][0-9]*\).*/\1/p' "$OUT/many-bench.txt")
	check "luo_bench made $n sessions of 2 files, closed them, made them again (rc=$rc)" \
		sh -c "[ $rc -eq 0 ] && [ -n '$holder' ]"
	settle "$OUT/many-held.txt"
	kill -TERM "$top_held"
	wait "$top_held"
	last_report "$OUT/many-held.txt" >"$OUT/many-held.last"
	rows=$(grep -cE '^many-[0-9]+ +out +2 +- +- +open$' "$OUT/many-held.last")
	names=$(grep -E '^many-' "$OUT/many-held.last" | awk '{ print $1 }' | sort -u | wc -l)
	all=$(grep -cE '^many-[0-9]+ +(out|in) ' "$OUT/many-held.last")
	check "held: each of the $n sessions listed once, outgoing, open, with its 2 files ($rows such rows, $names names, $all rows in all)" \
		sh -c "[ $rows -eq $n ] && [ $names -eq $n ] && [ $all -eq $n ]"
	# The files table (the iterator, at that report): each file once.
	frows=$(grep -E '^many-[0-9]+ +[0-9]+ +memfd-v2 +preserved +[0-9]+$' "$OUT/many-held.last" | awk '{ print $1, $2 }' | sort -u | wc -l)
	fall=$(grep -cE '^many-[0-9]+ +[0-9]+ ' "$OUT/many-held.last")
	check "held: luotop's files table lists each of the $((2 * n)) files once, preserved ($frows distinct, $fall rows)" \
		sh -c "[ $frows -eq $((2 * n)) ] && [ $fall -eq $((2 * n)) ]"
	check "held: memfd-v2 holds the $((2 * n)) files preserved" \
		row "$OUT/many-held.last" "^memfd-v2 +$((2 * n)) +0 +0 +0\$"
	# luols reads the iterators in many read()s (a record is 160 bytes):
	# each resumes where the last one stopped, in a session or between two.
	"$LUOLS" -j >"$OUT/many-ls.json" 2>"$OUT/many-ls.err"
	rc=$?
	check "held: luols lists each of the $n sessions once, open, with its 2 files, each file once (rc=$rc)" \
		python3 -c "
import json, sys
d = json.load(open('$OUT/many-ls.json'))
s = [x for x in d['sessions'] if x['name'].startswith('many-')]
names = {x['name'] for x in s}
files = [(x['name'], f['token']) for x in s for f in x['file_list']]
ok = (len(s) == $n and len(names) == $n and all(x['state'] == 'open' and x['files'] == 2 for x in s)
      and len(files) == 2 * $n and len(set(files)) == 2 * $n and len(d['sessions']) == $n)
print('# %d sessions (%d names), %d files (%d distinct), %d listed in all' % (
    len(s), len(names), len(files), len(set(files)), len(d['sessions'])))
sys.exit(0 if ok and $rc == 0 else 1)"
	[ -n "$holder" ] && kill "$holder"
	wait_for 120 sh -c "! kill -0 $holder"
	settle "$OUT/many-closed.txt"
	kill -TERM "$top_closed"
	wait "$top_closed"
	last_report "$OUT/many-closed.txt" >"$OUT/many-closed.last"
	check "closed: no session listed, no file preserved" \
		sh -c "! grep -q '^many-' '$OUT/many-closed.last' && grep -q '^(no session' '$OUT/many-closed.last' && grep -Eq '^memfd-v2 +0 +0 +0 +0\$' '$OUT/many-closed.last'"
	"$LUOLS" >"$OUT/many-ls-closed.txt" 2>&1
	rc=$?
	check "closed: luols lists no session (rc=$rc)" \
		sh -c "[ $rc -eq 0 ] && grep -qx '(no session)' '$OUT/many-ls-closed.txt'"
	;;
batch1)
	t0=$(date +%s.%N)
	"$LUOTOP" -b -n 3 -d 0.2 >"$OUT/n3.txt" 2>&1
	rc=$?
	check "luotop -b -n 3 exits 0 (rc=$rc)" [ "$rc" -eq 0 ]
	check "luotop -b -n 3 prints 3 reports" [ "$(grep -c '^luotop - ' "$OUT/n3.txt")" -eq 3 ]
	check "numbered 1 to 3" sh -c "grep -o '^Iteration [0-9]*' '$OUT/n3.txt' | tr '\n' ' ' | grep -qx 'Iteration 1 Iteration 2 Iteration 3 '"
	echo "# luotop -b -n 3 -d 0.2 took $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
	check "a kernel no update led to: liveupdate #0" row "$OUT/n3.txt" '^luotop - .*liveupdate #0 '
	check "nothing received at boot" row "$OUT/n3.txt" '^At boot: no live update in the kernel log'
	check "no update in the record" row "$OUT/n3.txt" '^Last update: none in the record'

	bt_start stage1
	watch_batch stage1 "$WORKLOAD" --stage 1
	bt_stop
	r=$OUT/stage1.last
	bt_compare "$r"
	for s in $SESSIONS; do
		n=$(files_of "$s")
		check "sessions: $s outgoing, open, $n files" row "$r" "^$s +out +$n +- +- +open\$"
	done
	check "handlers: $MEMFD holds $NR_MEMFD preserved files" row "$r" "^$MEMFD +$NR_MEMFD +0 +0 +0\$"
	check "handlers: $TEST holds $NR_TEST preserved file(s)" row "$r" "^$TEST +$NR_TEST +0 +0 +0\$"
	check_op "$r" session_create - "$NR_SESSIONS"
	check_op "$r" file_preserve "$MEMFD" "$NR_MEMFD"
	check_op "$r" file_preserve "$TEST" "$NR_TEST"
	check_op "$r" flb_preserve "$TEST" "$NR_FLBS"
	check "session_create has no callback time: p50 and p99 are -" \
		sh -c "awk '\$1 == \"session_create\"' '$r' | grep -Eq ' - +-\$'"
	check "file_preserve x $MEMFD had a rate > 0 while the workload ran" \
		sh -c "awk '\$1 == \"file_preserve\" && \$2 == \"$MEMFD\" && \$3 > 0 { f = 1 } END { exit !f }' '$OUT/stage1.txt'"
	check "and 0.0/s in the last report, after it" \
		sh -c "awk '\$1 == \"file_preserve\" && \$2 == \"$MEMFD\" && \$3 == \"0.0\" { f = 1 } END { exit !f }' '$r'"
	# session_create, file_preserve x each handler, flb_preserve.
	check "no operation of another kind was seen" \
		sh -c "[ \$(awk '/^OPERATION/ { o = 1; next } /^\$/ { o = 0 } o' '$r' | wc -l) -eq $((1 + NR_HANDLERS + 1)) ]"
	check "its own BPF programs' cost is shown, from runs it made" \
		row "$r" "^luotop's own BPF programs: [1-9][0-9]* runs, [0-9.]+ [nu]s a run\$"
	# bpf_stats: on only while luotop runs (bpftop's rule, through
	# BPF_ENABLE_STATS: the sysctl kernel.bpf_stats_enabled does not show
	# it), seen in another program's counts: luosnoop's programs count
	# their runs over luo_opbench -n 10 only while something holds the
	# stats on.
	before=$(snoop_runs)
	"$LUOTOP" -b -d 0.2 >"$OUT/stats.txt" 2>&1 &
	p=$!
	for _ in $(seq 1 300); do
		grep -q '^luotop - ' "$OUT/stats.txt" && break
		sleep 0.1
	done
	during=$(snoop_runs)
	kill -INT "$p"
	wait "$p"
	after=$(snoop_runs)
	check "bpf_stats on only while luotop runs: luosnoop's programs counted $before, $during, $after runs before, while, after" \
		sh -c "[ '$before' = 0 ] && [ '$during' -gt 0 ] && [ '$after' = 0 ]"
	;;
held|held-in)
	# Started after the workload made its sessions: the present state.
	dir=out
	[ "$step" = held-in ] && dir=in
	"$LUOLS" -j >"$OUT/$step.json" 2>"$OUT/$step.err"
	rc=$?
	check "luols -j exits 0 (rc=$rc)" sh -c "[ $rc -eq 0 ] && [ ! -s '$OUT/$step.err' ]"
	"$LUOLS" >"$OUT/$step-ls.txt" 2>&1
	sed 's/^/#   /' "$OUT/$step-ls.txt"
	"$LUOTOP" -b -n 1 -d 0 >"$OUT/$step-top.txt" 2>&1
	rc=$?
	check "luotop -b -n 1, started after the sessions were made, exits 0 (rc=$rc)" [ "$rc" -eq 0 ]
	check "luols and luotop list the workload's sessions and files exactly ($dir)" \
		python3 -B "$(dirname "$0")/check_listing.py" "$dir" "$OUT/$step.json" "$OUT/$step-top.txt"
	# With -p (another task: PID 1), what LUO holds is not the filter's:
	# not listed, and the report says so.
	"$LUOTOP" -b -n 1 -d 0 -p 1 >"$OUT/$step-top-p.txt" 2>&1
	rc=$?
	check "luotop -b -p 1 lists none of the sessions held, and says why (rc=$rc)" \
		sh -c "[ $rc -eq 0 ] && ! grep -Eq '^wl-' '$OUT/$step-top-p.txt' && grep -q '^(sessions held before luotop started: not listed with -p or --cgroup' '$OUT/$step-top-p.txt'"
	;;
tmux-start)
	# Refreshed every 2 s: batch2's poller then has 2 s, not 1, to see the
	# rate of the refresh that counted the retrieves, in a guest where
	# luotop -b, bpftrace and the workload share 2 CPUs with it (with 1 s
	# it missed it once).
	start_tmux main -d 2
	if pane_has '^luotop - ' && pane_has 'OPERATION'; then
		result ok "luotop runs in tmux (${W}x$H)"
	else
		result bad "luotop did not draw its screen in tmux"
		pane
	fi
	# Started before the workload retrieves: the sessions held are listed.
	check "the screen lists the $NR_SESSIONS sessions handed over, not retrieved yet" \
		pane_has "^Sessions: out 0 \\(0 files\\)  in $NR_SESSIONS \\($NR_SESSIONS waiting, 0 finished, 0 closed\\) \\| $(printf '<%s ' $SESSIONS | sed 's/ $//')"
	;;
batch2)
	# Meanwhile, the interactive luotop of tmux-start: its rates once it
	# refreshes after the retrieves (pane-busy.txt).
	rm -f "$OUT/pane-busy.txt"
	(
		end=$(($(date +%s) + 60))
		while [ "$(date +%s)" -lt "$end" ]; do
			$T capture-pane -p -t luotop >"$OUT/pane-poll.txt" 2>/dev/null
			if awk -v h="$MEMFD" '$1 == "file_retrieve" && $2 == h && $3 > 0 { f = 1 } END { exit !f }' "$OUT/pane-poll.txt"; then
				mv "$OUT/pane-poll.txt" "$OUT/pane-busy.txt"
				break
			fi
			sleep 0.1
		done
	) &
	poller=$!
	bt_start stage2
	watch_batch stage2 "$WORKLOAD" --stage 2
	bt_stop
	wait "$poller"
	check "the interactive luotop showed file_retrieve x $MEMFD at a rate > 0" test -s "$OUT/pane-busy.txt"
	r=$OUT/stage2.last
	bt_compare "$r"
	check "the liveupdate-number: #1" row "$r" '^luotop - .*liveupdate #1 '
	check "at boot: update #1 handed $NR_SESSIONS sessions, $NR_FILES files, $NR_FLBS FLB(s)" \
		row "$r" "^At boot: update #1 handed $NR_SESSIONS sessions, $NR_FILES files, $NR_FLBS FLBs \\(0 dropped\\)\$"
	for s in $SESSIONS; do
		n=$(files_of "$s")
		check "sessions: $s incoming, $n files, $n retrieved, $n finished, closed" \
			row "$r" "^$s +in +$n +$n +$n +finished,closed\$"
	done
	check "handlers: $MEMFD $NR_MEMFD files retrieved, $NR_MEMFD finished" \
		row "$r" "^$MEMFD +0 +$NR_MEMFD +$NR_MEMFD +0\$"
	check "handlers: $TEST $NR_TEST file(s) retrieved, $NR_TEST finished" \
		row "$r" "^$TEST +0 +$NR_TEST +$NR_TEST +0\$"
	check_op "$r" session_retrieve - "$NR_SESSIONS"
	check_op "$r" session_finish - "$NR_SESSIONS"
	check_op "$r" file_retrieve "$MEMFD" "$NR_MEMFD"
	check_op "$r" file_retrieve "$TEST" "$NR_TEST"
	check_op "$r" file_finish "$MEMFD" "$NR_MEMFD"
	check_op "$r" file_finish "$TEST" "$NR_TEST"
	check_op "$r" flb_finish "$TEST" "$NR_FLBS"
	check "the record: update #1 done, $NR_SESSIONS sessions, $NR_FILES files" \
		row "$r" "^Last update #1 \\(record\\): done, total .*, $NR_SESSIONS sessions, $NR_FILES files, [0-9]+ bytes\$"
	# The phases as the uapi record header lists them.
	for p in $(python3 -B "$(dirname "$0")/../../tools/lib/luo_names.py" phases); do
		check "the waterfall: phase $p, its share and its bar" \
			row "$r" "^  $p +([0-9.]+ [mun]?s|\\?) +[0-9.]+% \\|[ #]*#[ #]*\\|\$"
	done
	check "the shares of the phases add up to 100%" \
		sh -c "awk '/^Last update/ { w = 1; next } w && match(\$0, /[0-9.]+%/) { s += substr(\$0, RSTART, RLENGTH - 1) } END { exit !(s > 99 && s < 101) }' '$r'"
	;;
tmux-keys)
	save start
	cat "$OUT/pane-start.txt"
	check "the dashboard: title with sort: rate and liveupdate #1" pane_has '^luotop - .*sort: rate .*liveupdate #1 '
	check "the dashboard: the sessions of the workload" \
		pane_has "^Sessions: .*in $NR_SESSIONS \\($NR_SESSIONS finished, $NR_SESSIONS closed\\) .*$(printf '<%s ' $SESSIONS | sed 's/ $//')"
	check "the dashboard: files per handler" pane_has "^$MEMFD +0 +$NR_MEMFD +$NR_MEMFD +0"
	check "the dashboard: the operations" pane_has "^file_retrieve +$MEMFD +[0-9.]+ +$NR_MEMFD +0 "
	check "the dashboard: the waterfall of update #1" pane_has '^Last update #1 \(record\): done'
	check "the dashboard: the keys in the footer" pane_has '^q quit +h help +s sort +p pause'
	check "the dashboard fills ${H} lines of at most ${W} columns" \
		sh -c "[ \$(wc -l <'$OUT/pane-start.txt') -eq $H ] && ! grep -q '.\{$((W + 1))\}' '$OUT/pane-start.txt'"

	$T send-keys -t luotop h
	check "h: the help appears" pane_has '\| luotop - keys +\|'
	save help
	check "h: it names every key" sh -c "grep -q 'q  *quit' '$OUT/pane-help.txt' && grep -q 's  *sort' '$OUT/pane-help.txt' && grep -q 'p  *pause' '$OUT/pane-help.txt'"
	$T send-keys -t luotop x
	check "any key closes the help" pane_lacks 'luotop - keys'

	$T send-keys -t luotop s
	check "s: the sort indicator says p99" pane_has '^luotop - .*sort: p99 '
	save p99
	check "s: by p99 the slowest first (the P99 column never grows)" p99_sorted "$OUT/pane-p99.txt"
	$T send-keys -t luotop s
	check "s: then name" pane_has '^luotop - .*sort: name '
	save name
	check "s: by name the operations are in order" \
		sh -c "awk '/^OPERATION/ { o = 1; next } /^  \\.\\.\\./ || /^Last/ { o = 0 } o { print \$1 \" \" \$2 }' '$OUT/pane-name.txt' >'$OUT/names' && [ -s '$OUT/names' ] && LC_ALL=C sort -c '$OUT/names'"
	$T send-keys -t luotop s
	check "s: and back to rate" pane_has '^luotop - .*sort: rate '

	$T send-keys -t luotop p
	check "p: the paused marker appears" pane_has '^luotop - .*sort: rate  PAUSED '
	save paused1
	sleep 2.5
	save paused2
	check "paused: the screen stands still (2.5 s apart)" cmp -s "$OUT/pane-paused1.txt" "$OUT/pane-paused2.txt"
	$T send-keys -t luotop p
	check "p again: the marker goes" pane_lacks 'PAUSED'
	save running1
	sleep 2.5
	save running2
	check "running: the screen is refreshed (the clock moves)" sh -c "! cmp -s '$OUT/pane-running1.txt' '$OUT/pane-running2.txt'"

	$T resize-window -t luotop -x 100 -y 30
	check "resized to 100x30: the footer moves to line 30" \
		wait_for 10 sh -c "$T capture-pane -p -t luotop | sed -n 30p | grep -q '^q quit'"
	save 100x30
	$T resize-window -t luotop -x 60 -y 16
	check "resized to 60x16: the footer moves to line 16" \
		wait_for 10 sh -c "$T capture-pane -p -t luotop | sed -n 16p | grep -q '^q quit'"
	save 60x16
	check "at 60x16: the title, the sessions and the operations, no line over 60 columns" \
		sh -c "grep -q '^luotop - .*sort: rate' '$OUT/pane-60x16.txt' && grep -q '^Sessions:' '$OUT/pane-60x16.txt' && grep -q '^OPERATION' '$OUT/pane-60x16.txt' && ! grep -q '.\{61\}' '$OUT/pane-60x16.txt'"
	$T resize-window -t luotop -x $W -y $H
	check "back to ${W}x$H: as before, waterfall included" \
		wait_for 10 sh -c "$T capture-pane -p -t luotop | sed -n ${H}p | grep -q '^q quit' && $T capture-pane -p -t luotop | grep -q '^  finish '"

	$T send-keys -t luotop q
	ended main "q"

	start_tmux int
	pane_has '^luotop - ' || true
	$T send-keys -t luotop C-c
	ended int "^C (SIGINT)"

	start_tmux term
	pane_has '^luotop - ' || true
	kill -TERM "$(cat "$OUT/tmux-term/pid")"
	ended term "SIGTERM"
	$T kill-server 2>/dev/null
	;;
*)
	echo "usage: $0 mainline|many|batch1|held|held-in|tmux-start|batch2|tmux-keys" >&2
	exit 2
	;;
esac
finish
