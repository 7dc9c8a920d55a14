# SPDX-License-Identifier: GPL-2.0
#
# tap.sh: the shell side of the one test library (sourced; POSIX sh, so
# that busybox's sh and bash both take it).  Its TAP is ktap.py's:
#
#   tap_init NAME        "TAP version 13"; counts from 0
#   tap_ok DESC          "ok N DESC"
#   tap_not_ok DESC      "not ok N DESC"
#   tap_result RC DESC   ok when RC is 0
#   tap_check DESC CMD.. ok when CMD succeeds (its output discarded)
#   tap_end              "1..N", "# NAME: P passed, F failed"; returns 0
#                        only when all passed
#
# and the suites' sums of the reports they ran:
#
#   counts LOG           "P F" of LOG's last "P passed, F failed", or "0 1"
#                        when it has none
#   tally LOG RC         add LOG's counts to $passed and $failed; a command
#                        that failed (RC != 0) without a failure counts one

tap_init() {
	TAP_NAME=$1 TAP_N=0 TAP_FAILED=0
	echo "TAP version 13"
}

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N $*"
}

tap_not_ok() {
	TAP_N=$((TAP_N + 1)) TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N $*"
}

tap_result() {
	if [ "$1" -eq 0 ]; then
		shift
		tap_ok "$@"
	else
		shift
		tap_not_ok "$@"
	fi
}

tap_check() {
	_tap_desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		tap_ok "$_tap_desc"
	else
		tap_not_ok "$_tap_desc"
	fi
}

tap_end() {
	echo "1..$TAP_N"
	echo "# $TAP_NAME: $((TAP_N - TAP_FAILED)) passed, $TAP_FAILED failed"
	[ "$TAP_FAILED" -eq 0 ]
}

counts() {
	_c=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" 2>/dev/null | tail -n 1)
	if [ -n "$_c" ]; then
		echo "$_c" | awk '{ print $1 + 0, $3 + 0 }'
	else
		echo "0 1"
	fi
}

tally() {
	# shellcheck disable=SC2046
	set -- "$1" "$2" $(counts "$1")
	if [ "$2" -ne 0 ] && [ "$4" -eq 0 ]; then
		set -- "$1" "$2" "$3" 1
	fi
	passed=$((${passed:-0} + $3)) failed=$((${failed:-0} + $4))
}
