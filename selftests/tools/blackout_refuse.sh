#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# blackout_refuse.sh KERNEL: a live update that the old kernel refuses, for
# luoblackout to show as aborted.  fail_function makes LUO's hook
# luo_hook_file_freeze return -EIO once (Documentation/liveupdate-
# tracing.rst, "BPF hooks"), then a kexec into KERNEL is attempted: LUO
# freezes, the first freeze fails, every file is thawed and reboot(2)
# returns EIO; the record keeps the aborted update.  The command line
# handed to KERNEL cannot boot (no root file system), so a kexec that was
# not refused ends the run with a panic instead of going on unnoticed.
#
# Prints one TAP line per check; exits 0 when the kexec was refused with
# EIO and the injection is gone.
set -u

kernel=$1
ff=/sys/kernel/debug/fail_function
. "$(dirname "$0")/../lib/tap.sh"
tap_init blackout_refuse
echo luo_hook_file_freeze >"$ff/inject" &&
	printf '%#x\n' -5 >"$ff/luo_hook_file_freeze/retval" &&
	echo 100 >"$ff/probability" && echo 1 >"$ff/interval" && echo 1 >"$ff/times"
tap_result $? "fail_function: luo_hook_file_freeze returns -EIO once"

out=$("$LUOVM_TOOLS/luovm-kexec" load-exec "$kernel" \
	"console=ttyS0 panic=-1 luoblackout.refused-kexec-was-not-refused" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
case $out in
*"reboot(KEXEC): Input/output error"*) ok=0 ;;
*) ok=1 ;;
esac
[ "$rc" -ne 0 ] || ok=1
tap_result $ok "the kexec reboot was refused with EIO (luovm-kexec exit $rc)"

echo "!luo_hook_file_freeze" >"$ff/inject"
! grep -q luo_hook_file_freeze "$ff/inject"
tap_result $? "the injection is removed"

tap_end
