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
# busy: two suites that time nothing can share the host.)

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
	local logdir=$1 s name cmd t0 t1 rc passed=0 failed=0 bad=() bg=() b pid
	shift
	mkdir -p "$logdir"
	for s in "$@"; do
		name=${s%% *} cmd=${s#* }
		if [ "$s" = wait ]; then
			for b in "${bg[@]}"; do
				read -r name pid t0 <<<"$b"
				wait "$pid"
				read -r rc t1 <"$logdir/$name.rc" || rc=1 t1=
				rm -f "$logdir/$name.rc"
				echo "== $name: (in the background) $(cat "$logdir/$name.cmd")"
				cat "$logdir/$name.log"
				rm -f "$logdir/$name.cmd"
				_suite_done "$name" "$rc" "$t0" "$t1"
			done
			bg=()
			continue
		fi
		t0=$(date +%s)
		if [ "${name%&}" != "$name" ]; then
			name=${name%&}
			echo "== $name: $cmd (started in the background)"
			echo "$cmd" >"$logdir/$name.cmd"
			(
				(eval "$cmd") >"$logdir/$name.log" 2>&1
				echo "$? $(date +%s)" >"$logdir/$name.rc"
			) &
			bg+=("$name $! $t0")
			continue
		fi
		echo "== $name: $cmd"
		eval "$cmd" 2>&1 | tee "$logdir/$name.log"
		rc=${PIPESTATUS[0]}
		_suite_done "$name" "$rc" "$t0"
	done
	[ ${#bg[@]} -eq 0 ] || echo "run_suites: suites started in the background and never" \
		"waited for (no \"wait\" after them): $(printf '%s\n' "${bg[@]}" | cut -d' ' -f1 | paste -sd' ')"
	[ ${#bad[@]} -eq 0 ] || echo "failed suites: ${bad[*]} (logs in $logdir/ and build/vm/)"
	echo "check: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ ${#bad[@]} -eq 0 ] && [ ${#bg[@]} -eq 0 ]
}
