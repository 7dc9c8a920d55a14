#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# loss_check.sh ERRNO_NAME: after an update in which luo_svc_fail failed
# the preserve of one memfd (the kernel booted with tp_printk and LUO's
# luo_file_preserve event enabled before the kexec), what systemd said and
# what LUO's events said agree (TAP).  Both are in the run's kernel console
# (console.log in the run directory): systemd-shutdown writes to the kernel
# log, and tp_printk prints the events there.
#   - exactly one preserve failed, in systemd's session, with the errno;
#   - systemd-shutdown reported exactly one fd lost, with the same token,
#     and went on: it preserved the rest ("Preserved fd stores ...");
#   - every other preserve of that shutdown succeeded.
set -u
err=${1:?usage: loss_check.sh ERRNO (e.g. EIO)}
log=$LUOVM_RUN/console.log
i=0 fail=0
tap() {
	i=$((i + 1))
	if [ "$1" = 0 ]; then echo "ok $i $2"; else echo "not ok $i $2"; fail=1; fi
}
errno_of() {
	case $1 in
	EIO) echo 5 ;; ENOMEM) echo 12 ;; EBUSY) echo 16 ;; EINVAL) echo 22 ;; *) echo 0 ;;
	esac
}

events=$(grep -o 'luo_file_preserve: session=[^ ]* handler=[^ ]* token=[0-9]* result=-*[0-9]*' "$log")
lost=$(grep -o "Failed to preserve LUO fd [0-9]* (name '[^']*') with token [0-9]*, will be lost across kexec: .*" "$log")
echo "TAP version 13"
echo "1..5"
echo "$events" | sed 's/^/# event: /'
echo "$lost" | sed 's/^/# systemd: /'

failed=$(echo "$events" | grep -v 'result=0$' | grep -c .)
tap "$([ "$failed" = 1 ]; echo $?)" "LUO's events: one preserve failed ($failed)"
ev=$(echo "$events" | grep -v 'result=0$' | head -n 1)
ev_token=$(echo "$ev" | sed -n 's/.* token=\([0-9]*\) .*/\1/p')
ev_result=$(echo "$ev" | sed -n 's/.* result=\(-*[0-9]*\)$/\1/p')
tap "$(echo "$ev" | grep -q 'session=systemd ' && [ "$ev_result" = "-$(errno_of "$err")" ]; echo $?)" \
	"it is in systemd's session, with -$err ($ev_result)"
n=$(echo "$lost" | grep -c .)
sd_token=$(echo "$lost" | sed -n 's/.* with token \([0-9]*\),.*/\1/p')
tap "$([ "$n" = 1 ] && [ -n "$sd_token" ] && [ "$sd_token" = "$ev_token" ]; echo $?)" \
	"systemd-shutdown reports one fd lost, token $sd_token, the event's token $ev_token"
ok=$(echo "$events" | grep 'session=systemd ' | grep -c 'result=0$')
tap "$([ "$ok" -ge 2 ]; echo $?)" "systemd's other preserves succeeded ($ok, the mapping among them)"
tap "$(tail -n +"$(grep -n "with token $sd_token, will be lost" "$log" | cut -d: -f1)" "$log" |
	grep -q "Preserved fd stores in LUO session 'systemd' for kexec"; echo $?)" \
	"systemd-shutdown went on and preserved the rest"
exit $fail
