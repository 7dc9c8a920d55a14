# SPDX-License-Identifier: GPL-2.0
#
# run_suites LOGDIR "NAME COMMAND..."...: run each suite (COMMAND is shell
# words, quotes honoured), keep its output in
# LOGDIR/NAME.log, and close with the sum of their results.  Sourced by
# run_checks.sh (make check) and compat/run_compat.sh (make check-compat).
# Returns 0 only when every suite exited 0 and no check failed.

run_suites() {
	# Words of its own: a suite's command runs in its scope, and bash's
	# locals are what the functions it calls see of their names.
	local _rs_logdir=$1 _rs_s _rs_name _rs_cmd _rs_t0 _rs_rc _rs_counts _rs_p _rs_f
	local _rs_passed=0 _rs_failed=0 _rs_bad=()
	shift
	mkdir -p "$_rs_logdir"
	for _rs_s in "$@"; do
		_rs_name=${_rs_s%% *} _rs_cmd=${_rs_s#* }
		echo "== $_rs_name: $_rs_cmd"
		_rs_t0=$(date +%s)
		eval "$_rs_cmd" 2>&1 | tee "$_rs_logdir/$_rs_name.log"
		_rs_rc=${PIPESTATUS[0]}
		# Each suite closes with "... N passed, M failed ..."; a suite
		# that failed without counting a failure still counts as one.
		_rs_counts=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$_rs_logdir/$_rs_name.log" |
			tail -n 1)
		_rs_p=$(echo "$_rs_counts" | awk '{ print $1 + 0 }')
		_rs_f=$(echo "$_rs_counts" | awk '{ print $3 + 0 }')
		if [ "$_rs_rc" -ne 0 ] && [ "$_rs_f" -eq 0 ]; then
			_rs_f=1
		fi
		_rs_passed=$((_rs_passed + _rs_p)) _rs_failed=$((_rs_failed + _rs_f))
		[ "$_rs_rc" -eq 0 ] || _rs_bad+=("$_rs_name")
		echo "== $_rs_name: exit $_rs_rc, $_rs_p passed, $_rs_f failed ($(($(date +%s) - _rs_t0)) s)"
	done
	[ ${#_rs_bad[@]} -eq 0 ] ||
		echo "failed suites: ${_rs_bad[*]} (logs in $_rs_logdir/ and build/vm/)"
	echo "check: $_rs_passed passed, $_rs_failed failed"
	[ "$_rs_failed" -eq 0 ] && [ ${#_rs_bad[@]} -eq 0 ]
}
