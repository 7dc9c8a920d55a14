# SPDX-License-Identifier: GPL-2.0
#
# Shared by the guests' init scripts (guest-init, guest-systemd-stage):
# sourced, with the stage's output already on the user terminal (ttyS1).

# mark WORDS: a line luovm reads as a marker, not as a command's output.
mark() { printf '@@LUOVM %s\n' "$*"; }

# run_stage DIR STAGE: report the stage's beginning, run each command of
# DIR/stageSTAGE.cmds between markers, report its end.
run_stage() {
	local dir=$1 stage=$2 i=0 cmd cpus
	cpus=$(grep -c '^processor' /proc/cpuinfo)
	mark "stage-begin $stage $(uname -r) cpus=$cpus"
	if [ -f "$dir/stage$stage.cmds" ]; then
		while IFS= read -r cmd; do
			i=$((i + 1))
			mark "cmd-begin $stage $i $cmd"
			sh -c "$cmd" </dev/null
			mark "cmd-end $stage $i rc=$?"
		done <"$dir/stage$stage.cmds"
	else
		mark "error no commands for stage $stage in $dir"
	fi
	mark "stage-end $stage"
}

# next_stage_cmdline STAGE: the kernel command line of the stage after it.
next_stage_cmdline() {
	sed "s/luovm\.stage=$1/luovm.stage=$(($1 + 1))/" /proc/cmdline
}
