# SPDX-License-Identifier: GPL-2.0
"""luobench: the systemd group, a systemd host's services across one
`systemctl kexec` (Documentation/systemd-guest.rst): its plan, and the
samples read from the waterfalls luoblackout --systemd left in the guest.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
from luobench_common import BUILD, BenchError  # noqa: E402

# The test's own plan: luobench.py's run_vm gives it its variables.
SYSTEMD_PLAN = "selftests/systemd/update.plan"

# The services of the systemd plan, and the phases of luoblackout --systemd
# that make each metric (the kernel's part: all between systemd-shutdown's
# end and systemd's start; LUO's own: its freeze, serialize and shutdown).
SYSTEMD_SERVICES = (("fdstore", "fd-store service"), ("session", "LUOSession= service"))
SYSTEMD_PHASES = {
    "stop_jobs_ns": ("stop-jobs",),
    "manager_exit_ns": ("manager-exit",),
    "systemd_shutdown_ns": ("systemd-shutdown",),
    "kernel_ns": ("reboot", "luo-freeze", "luo-serialize", "luo-shutdown", "luo-boot",
                  "boot", "kexec-boot"),
    "luo_ns": ("luo-freeze", "luo-serialize", "luo-shutdown"),
    "systemd_startup_ns": ("systemd-startup",),
    "service_restore_ns": ("service-restore",),
}


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
