#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# save_waterfall.sh N: in the systemd guest, after the Nth update, each test
# service's blackout as luoblackout --systemd shows it (text, here), and
# what waterfall_check.py holds against each other on the host, saved in
# the run directory under waterfall/N/: SERVICE.json, SERVICE.prom and the
# service's own stamps (SERVICE.stamps).
set -eu
n=${1:?usage: save_waterfall.sh N}
out=$LUOVM_RUN/waterfall/$n
mkdir -p "$out"
for svc in fdstore session; do
	unit=luo-svc-$svc.service
	stamps=/run/luo-svc/$svc
	cp "$stamps" "$out/$svc.stamps"
	"$LUOVM_TOOLS/luoblackout" --systemd "$stamps" --unit "$unit"
	"$LUOVM_TOOLS/luoblackout" --systemd "$stamps" --unit "$unit" --json \
		--prom "$out/$svc.prom" >"$out/$svc.json"
done
