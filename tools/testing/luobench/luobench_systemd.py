# SPDX-License-Identifier: GPL-2.0
"""luobench: the systemd group, a systemd host's services across one
`systemctl kexec` (Documentation/systemd-guest.rst): its plan, and the
samples read from the waterfalls luoblackout --systemd left in the guest.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from luobench_common import BUILD, BenchError  # noqa: E402
from luo_names import SD_PART, SD_PHASE_NO_RECORD, SD_PHASES  # noqa: E402

# The test's own plan: luobench.py's run_vm gives it its variables.
SYSTEMD_PLAN = "selftests/systemd/update.plan"

# The services of the systemd plan, and the phases of luoblackout --systemd
# (tools/luoblackout/luoblackout_systemd.h) that make each metric: one per
# phase of systemd or the service ("stop-jobs": stop_jobs_ns); the kernel's
# part, all the kernel and LUO spend between systemd-shutdown's end and
# systemd's start, with or without the record; LUO's own work, of which.
SYSTEMD_SERVICES = (("fdstore", "fd-store service"), ("session", "LUOSession= service"))
SYSTEMD_PHASES = {}
for _p in SD_PHASES + [SD_PHASE_NO_RECORD]:
    if SD_PART[_p] in ("KERNEL", "LUO"):
        SYSTEMD_PHASES.setdefault("kernel_ns", []).append(_p)
    else:
        SYSTEMD_PHASES[_p.replace("-", "_") + "_ns"] = [_p]
SYSTEMD_PHASES["luo_ns"] = [p for p in SD_PHASES if SD_PART[p] == "LUO"]


def collect_systemd(run):
    """One sample per service: its blackout and phases, from its waterfall."""
    samples = []
    for svc, label in SYSTEMD_SERVICES:
        path = os.path.join(BUILD, "vm", run.name, "waterfall", "1", f"{svc}.json")
        try:
            with open(path) as f:
                w = json.load(f)
        except (OSError, ValueError) as e:
            raise BenchError(f"{run.name}: {path}: {e}")
        if not w.get("in_order"):
            raise BenchError(f"{run.name}: the waterfall of {svc} is out of order")
        ph = {p["name"]: p["ns"] for p in w["phases"]}
        metrics = {"total_ns": w["total_ns"]}
        for k, names in SYSTEMD_PHASES.items():
            got = [ph[n] for n in names if n in ph]
            metrics[k] = sum(got) if got else None
        samples.append({"workload": f"systemd-{svc}", "kind": "systemd", "label": label,
                        "flavor": run.flavor, "rep": run.rep, "run": run.name,
                        "metrics": metrics})
    return samples
