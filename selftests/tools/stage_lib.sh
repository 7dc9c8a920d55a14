#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stage_lib.sh, sourced by the tools' stage scripts (snoop_lat_stage.sh,
# fentry_stage.sh), which set $out (the stage's output directory) and
# $tools (where the tools are): the tools run in the background, as a user
# would run them, and the facts the checker reads ("NAME VALUE" lines of
# $out/status).

# NAME=VALUE facts for the checker.
fact() {
	echo "$1 $2" >>"$out/status"
}

declare -A pids

# start NAME TOOL ARG...: TOOL in the background, output in NAME.out/.err.
start() {
	local name=$1 tool=$2

	shift 2
	"$tools/$tool" "$@" >"$out/$name.out" 2>"$out/$name.err" &
	pids[$name]=$!
	echo "$tool $*" >"$out/$name.cmd"
}

# Whether tool NAME says it is tracing (attached): "Tracing ..." on
# stderr, or luotop's first report.
tracing() {
	grep -q '^Tracing' "$out/$1.err" 2>/dev/null ||
		grep -q '^luotop - ' "$out/$1.out" 2>/dev/null
}

# Wait until every tool started is tracing, or died (120 s at most).
wait_ready() {
	local name waiting

	for _ in $(seq 1 600); do
		waiting=0
		for name in "${!pids[@]}"; do
			if ! tracing "$name" && kill -0 "${pids[$name]}" 2>/dev/null; then
				waiting=1
			fi
		done
		[ "$waiting" -eq 0 ] && break
		sleep 0.2
	done
	for name in "${!pids[@]}"; do
		if tracing "$name"; then
			fact "ready-$name" yes
		else
			fact "ready-$name" no
		fi
	done
}

# SIGINT to every tool, and their exit codes (-1: still running after 60 s).
stop_all() {
	local name pid rc

	for name in "${!pids[@]}"; do
		kill -INT "${pids[$name]}" 2>/dev/null
	done
	for name in "${!pids[@]}"; do
		pid=${pids[$name]}
		for _ in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid"
			wait "$pid"
			rc=-1
		else
			wait "$pid"
			rc=$?
		fi
		fact "rc-$name" "$rc"
	done
	pids=()
}

# check CHECKER [FILE...]: the stage's checker (TAP, also in
# $out/check.tap), with what the tools said on stderr and the FILEs shown
# for the runner's report when a check failed; exits with its status.
check() {
	local checker=$1 rc f

	shift
	python3 "selftests/tools/$checker" --stage "$stage" --dir "$out" | tee "$out/check.tap"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		for f in "$out"/*.err "$@"; do
			[ -s "$f" ] && sed "s|^|# ${f##*/}: |" "$f" | head -n 20
		done
	fi
	exit "$rc"
}
