# SPDX-License-Identifier: GPL-2.0
#
# run_suites LOGDIR "NAME COMMAND..."...: run each suite (COMMAND is shell
# words, quotes honoured), keep its output in
# LOGDIR/NAME.log, and close with the sum of their results.  Sourced by
# run_checks.sh (make check) and compat/run_compat.sh (make check-compat).
# Returns 0 only when every suite exited 0 and no check failed.
#
# A NAME ending in "&" starts the suite in the background, its output only
# in its log, while the suites after it run; the entry "wait" waits for
# every suite started so, then shows and counts each one's log in the
# order they started.  (A guest under TCG keeps about one of two CPUs
# busy: two suites that time nothing can share the host.)  RUN_SUITES_PIDS
# holds the pids of those not yet waited for, for a caller's trap to stop.

RUN_SUITES_PIDS=()

# _suite_done NAME RC T0 [T1]: count LOGDIR/NAME.log's results (the suite
# ran from T0 to T1, or to now).
_suite_done() {
	local name=$1 rc=$2 t0=$3 t1=${4:-$(date +%s)} counts p f
	# Each suite closes with "... N passed, M failed ..."; a suite
	# that failed without counting a failure still counts as one.
	counts=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$logdir/$name.log" | tail -n 1)
	p=$(echo "$counts" | awk '{ print $1 + 0 }')
	f=$(echo "$counts" | awk '{ print $3 + 0 }')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
	[ "$rc" -eq 0 ] || bad+=("$name")
	echo "== $name: exit $rc, $p passed, $f failed ($((t1 - t0)) s)"
}

run_suites() {
	# Names of its own: the suites' commands run in its scope (bash's
	# locals are visible to the functions they call).
	local logdir=$1 _rs_s _rs_cmd _rs_t0 _rs_t1 _rs_rc _rs_b _rs_pid _rs_bg=() \
		name passed=0 failed=0 bad=()
	shift
	mkdir -p "$logdir"
	for _rs_s in "$@"; do
		name=${_rs_s%% *} _rs_cmd=${_rs_s#* }
		if [ "$_rs_s" = wait ]; then
			for _rs_b in ${_rs_bg[@]+"${_rs_bg[@]}"}; do
				read -r name _rs_pid _rs_t0 <<<"$_rs_b"
				wait "$_rs_pid"
				_rs_rc=$?
				# Reaped: its pid may now name another process.
				mapfile -t RUN_SUITES_PIDS < <(printf '%s\n' \
					${RUN_SUITES_PIDS[@]+"${RUN_SUITES_PIDS[@]}"} | grep -vx "$_rs_pid")
				read -r _rs_rc _rs_t1 <"$logdir/$name.rc" || _rs_t1=
				rm -f "$logdir/$name.rc"
				echo "== $name: (in the background) $(cat "$logdir/$name.cmd")"
				cat "$logdir/$name.log"
				rm -f "$logdir/$name.cmd"
				_suite_done "$name" "$_rs_rc" "$_rs_t0" "$_rs_t1"
			done
			_rs_bg=()
			continue
		fi
		_rs_t0=$(date +%s)
		if [ "${name%&}" != "$name" ]; then
			name=${name%&}
			echo "== $name: $_rs_cmd (started in the background)"
			echo "$_rs_cmd" >"$logdir/$name.cmd"
			rm -f "$logdir/$name.rc"
			(
				(eval "$_rs_cmd") >"$logdir/$name.log" 2>&1
				echo "$? $(date +%s)" >"$logdir/$name.rc"
			) &
			_rs_bg+=("$name $! $_rs_t0")
			RUN_SUITES_PIDS+=("$!")
			continue
		fi
		echo "== $name: $_rs_cmd"
		eval "$_rs_cmd" 2>&1 | tee "$logdir/$name.log"
		_rs_rc=${PIPESTATUS[0]}
		_suite_done "$name" "$_rs_rc" "$_rs_t0"
	done
	[ ${#_rs_bg[@]} -eq 0 ] || echo "run_suites: suites started in the background and never" \
		"waited for (no \"wait\" after them): $(printf '%s\n' "${_rs_bg[@]}" | cut -d' ' -f1 | paste -sd' ')"
	[ ${#bad[@]} -eq 0 ] || echo "failed suites: ${bad[*]} (logs in $logdir/ and build/vm/)"
	echo "check: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ ${#bad[@]} -eq 0 ] && [ ${#_rs_bg[@]} -eq 0 ]
}
