# SPDX-License-Identifier: GPL-2.0
#
# run_suites LOGDIR "NAME COMMAND..."...: run each suite (COMMAND is shell
# words, quotes honoured), keep its output in
# LOGDIR/NAME.log, and close with the sum of their results.  Sourced by
# run_checks.sh (make check) and compat/run_compat.sh (make check-compat).
# Returns 0 only when every suite exited 0 and no check failed.

run_suites() {
	local logdir=$1 s name cmd t0 rc counts p f passed=0 failed=0 bad=()
	shift
	mkdir -p "$logdir"
	for s in "$@"; do
		name=${s%% *} cmd=${s#* }
		echo "== $name: $cmd"
		t0=$(date +%s)
		eval "$cmd" 2>&1 | tee "$logdir/$name.log"
		rc=${PIPESTATUS[0]}
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
		echo "== $name: exit $rc, $p passed, $f failed ($(($(date +%s) - t0)) s)"
	done
	[ ${#bad[@]} -eq 0 ] || echo "failed suites: ${bad[*]} (logs in $logdir/ and build/vm/)"
	echo "check: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ ${#bad[@]} -eq 0 ]
}
