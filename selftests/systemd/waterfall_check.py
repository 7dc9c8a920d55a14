#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""waterfall_check.py - luoblackout --systemd against the services' own clocks.

  waterfall_check.py RUN_DIR ours|mainline

Reads what save_waterfall.sh left in RUN_DIR/waterfall/N/ after each update
N of a systemd guest's run: per test service, luoblackout's JSON and
Prometheus metrics and the service's own stamps.  Checks (TAP), for each:

- the phases are the expected ones, in order: systemd's shutdown, LUO's
  phases from the record on our kernel (one kexec-boot phase on
  mainline's, which keeps no record), the new kernel's boot, systemd's
  start-up up to the unit, the service's restore;
- each begins where the one before it ended, none is negative, and the
  boundaries are in order (no clock mapping disagrees);
- their sum is within 1 % of the blackout the service measured itself,
  from its stop stamp to its back stamp on the TSC;
- systemd's KExecCount is N;
- the metrics pass prom_lint.py.
Ends with "waterfall: P passed, F failed".
"""
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools", "lib"))
from ktap import Tap  # noqa: E402
from luo_names import SD_PHASES, SD_PHASES_NO_RECORD  # noqa: E402

# The waterfall's phases (tools/luoblackout/luoblackout_systemd.h): with the
# record on ours, the kernel's part as one phase on mainline's LUO.
PHASES = {"ours": SD_PHASES, "mainline": SD_PHASES_NO_RECORD}
LINT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "prom_lint.py")


def stamps(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            out[k] = v
    return out


def check_one(tap, d, n, svc, flavor):
    tag = f"update {n}, {svc}"
    try:
        with open(os.path.join(d, f"{svc}.json")) as f:
            w = json.load(f)
        st = stamps(os.path.join(d, f"{svc}.stamps"))
    except (OSError, ValueError) as e:
        tap.check(False, f"{tag}: the waterfall and stamps are readable ({e})")
        return
    names = [p["name"] for p in w["phases"]]
    tap.check(names == PHASES[flavor],
              f"{tag}: the phases, in order: {' '.join(names)}")
    at, contiguous = 0, True
    for p in w["phases"]:
        contiguous &= p["start_ns"] == at and p["ns"] >= 0
        at = p["start_ns"] + p["ns"]
    tap.check(w["in_order"] and contiguous,
              f"{tag}: each phase begins where the one before ended; boundaries in order")
    own = (int(st["back_tsc"]) - int(st["stop_tsc"])) * 1e6 / w["tsc_khz"]
    total = sum(p["ns"] for p in w["phases"])
    off = abs(total - own) / own if own > 0 else 1
    tap.check(off <= 0.01, f"{tag}: the phases sum to {total / 1e9:.3f} s, the service "
              f"measured {own / 1e9:.3f} s ({off * 100:.3f} % apart; 1 % allowed)")
    tap.check(w["kexec_count"] == n, f"{tag}: systemd's KExecCount is {w['kexec_count']}, "
              f"expected {n}")
    lint = subprocess.run([sys.executable, LINT, os.path.join(d, f"{svc}.prom")],
                          capture_output=True, text=True)
    tap.check(lint.returncode == 0, f"{tag}: the metrics pass prom_lint.py"
              + ("" if lint.returncode == 0 else f": {lint.stdout.strip()}"))
    for p in w["phases"]:
        print(f"#   {p['name']:<17} {p['ns'] / 1e9:9.3f} s")


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in PHASES:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    run, flavor = sys.argv[1], sys.argv[2]
    tap = Tap("waterfall")
    base = os.path.join(run, "waterfall")
    updates = sorted(int(x) for x in os.listdir(base)) if os.path.isdir(base) else []
    tap.check(bool(updates), f"{run}: waterfalls saved after {len(updates)} update(s)")
    for n in updates:
        for svc in ("fdstore", "session"):
            check_one(tap, os.path.join(base, str(n)), n, svc, flavor)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
