# SPDX-License-Identifier: GPL-2.0
"""luobench: the samples of a guest run, read from what it left in
build/vm/NAME/ and build/bench/plans/: the luobench result lines of
luo_bench, the lines its BPF programs print after liveupdate_reboot()
returns (and around getppid(), its calibration) and the new
kernel's LUO message on the console, the @@LUOVM markers of the blackout
(timeline.log), the accelerator and CPUs of luovm's report, the
live-update records of ours (luoblackout --json), and the tracing group's
tracing.json.
"""

import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from luo_names import PHASES, STEP_PHASES  # noqa: E402
from luobench_common import BUILD, BenchError, OUT, parse_kv  # noqa: E402


def report_facts(run):
    """The accelerator and the CPUs online that luovm's report states."""
    facts = {}
    try:
        with open(os.path.join(OUT, "plans", run.name + ".report")) as f:
            for ln in f:
                if ln.startswith("# accel: "):
                    facts["accel"] = ln[len("# accel: "):].strip()
                elif ln.startswith("# cpus: "):
                    facts["cpus"] = ln[len("# cpus: "):].strip()
    except OSError:
        pass
    return facts


def note_guests(res):
    """The machine block's accelerator and CPUs: what the runs reported."""
    m = res["machine"]
    accels = sorted({r.get("accel", "?").split(" (")[0] for r in res["runs"]})
    whys = sorted({r["accel"] for r in res["runs"] if "accel" in r})
    m["accel"] = "/".join(a.upper() for a in accels) + (f" ({whys[0].split(' (', 1)[1]}"
                                                        if len(whys) == 1 and " (" in whys[0]
                                                        else "")
    m["guest_cpus_online"] = sorted({r.get("cpus", "?").split(" in each")[0]
                                     for r in res["runs"]})


TIMELINE = re.compile(r"^\s*([0-9.]+) ([KU]) (.*)$")
PRINTK = re.compile(r"^\[\s*([0-9]+\.[0-9]+)\] (.*)$")
# What luo_bench_reboot.bpf.c prints (bpf_printk(), on the console with tp_printk).
PROBE_LINE = re.compile(r"^bpf_trace_printk: luobench: (reboot|calib)_ns=(\d+)(?: ret=(\S+))?")
INCOMING = {
    "ours": re.compile(r"luo: live update #\d+: .* received"),
    "mainline": re.compile(r"luo: Retrieved live update data"),
}


def read_timeline(run):
    """Split a guest's timeline into its kernels (boots) and its stages."""
    path = os.path.join(BUILD, "vm", run.name, "timeline.log")
    boots, stages = [], {}
    stage = 0
    with open(path, errors="replace") as f:
        for raw in f:
            m = TIMELINE.match(raw.rstrip("\n"))
            if not m:
                continue
            t, src, line = float(m.group(1)), m.group(2), m.group(3)
            if src == "K":
                pm = PRINTK.match(line)
                if not pm:
                    continue
                ts, msg = float(pm.group(1)), pm.group(2)
                if msg.startswith("Linux version"):
                    boots.append({"events": [], "incoming": None})
                if not boots:
                    continue
                b = boots[-1]
                em = PROBE_LINE.search(msg)
                if em:
                    b["events"].append((em.group(1), int(em.group(2)), em.group(3)))
                elif b["incoming"] is None and INCOMING[run.flavor].search(msg):
                    b["incoming"] = ts
                continue
            sm = re.match(r"@@LUOVM stage-begin (\d+)", line)
            if sm:
                stage = int(sm.group(1))
                stages[stage] = {"lines": [], "kexec_jump": None, "resumed": None}
                continue
            if stage not in stages:
                continue
            st = stages[stage]
            if line.startswith("@@LUOVM kexec-jump"):
                st["kexec_jump"] = t
            elif line.startswith("@@LUOVM resumed"):
                st["resumed"] = t
            elif line.startswith("luobench: "):
                st["lines"].append(parse_kv(line))
    return boots, stages


def reboot_window(boot):
    """liveupdate_reboot() on the console: its window, and the calibration windows."""
    ev = boot["events"]
    reboots = [(ns, ret) for name, ns, ret in ev if name == "reboot"]
    if not reboots:
        return None
    raw, ret = reboots[-1]
    calib = [ns for name, ns, _ in ev if name == "calib"]
    out = {"raw_ns": raw, "ret": ret}
    if calib:
        # The first window is the programs' first run (their code and the
        # trampolines' are cold under TCG): kept, but the warm windows are
        # the estimate of what the pair adds.
        out["calib_first_ns"] = calib[0]
        out["calib_warm_ns"] = round(statistics.median(calib[1:])) if len(calib) > 1 else None
    return out


def find_line(stage, workload, stage_no):
    for kv in stage["lines"]:
        if kv.get("workload") == workload and kv.get("stage") == str(stage_no):
            return kv
    return None


def num(kv, key):
    v = kv.get(key)
    return int(v) if v not in (None, "") else None


def collect(run):
    """The samples of one guest run: one dict per workload."""
    boots, stages = read_timeline(run)
    samples = []
    for i, w in enumerate(run.workloads, 1):
        s1, s2 = stages.get(i), stages.get(i + 1)
        if not s1 or not s2:
            raise BenchError(f"{run.name}: stages {i} and {i + 1} of {w.key} not both in the timeline")
        a, b = find_line(s1, w.kind, 1), find_line(s2, w.kind, 2)
        if a is None or b is None:
            raise BenchError(f"{run.name}: no luobench result line of {w.key} in stage "
                             f"{i if a is None else i + 1}")
        want = {"mib": w.mib} if w.kind == "size" else {"sessions": w.sessions, "files": w.files}
        for kv in (a, b):
            if any(kv.get(k) != str(v) for k, v in want.items()):
                raise BenchError(f"{run.name}: the result line of stage {kv.get('stage')} is "
                                 f"not of {w.key}: {kv}")
        smp = {"workload": w.key, "kind": w.kind, "label": w.label, "flavor": run.flavor,
               "rep": run.rep, "run": run.name, "in_guest_reps": w.reps, "metrics": {}}
        if w.kind == "size":
            smp["mib"] = w.mib
        else:
            smp["sessions"], smp["files"] = w.sessions, w.files
        if "error" in a:
            if "error" not in b:
                raise BenchError(f"{run.name}: {w.key}: stage 1 was refused ({a['error']}) "
                                 f"but stage 2 found sessions")
            smp["refused"] = {"errno": a["error"], "op": a.get("error_op"), "at": num(a, "at")}
            samples.append(smp)
            continue
        if "error" in b:
            raise BenchError(f"{run.name}: {w.key}: stage 2 found no session ({b['error']}) "
                             f"although stage 1 preserved them: lost in the kexec")
        m = smp["metrics"]
        if w.kind == "size":
            pres = [int(x) for x in a["preserve_samples_ns"].split(",") if x]
            m["preserve_ns"] = num(a, "preserve_median_ns")
            if pres:
                m["preserve_first_ns"] = pres[0]
            m["unpreserve_ns"] = num(a, "unpreserve_median_ns")
            m["fill_ns"] = num(a, "fill_ns")
            for k in ("open_ns", "retrieve_session_ns", "retrieve_fd_ns", "finish_ns"):
                m[k] = num(b, k)
            m["retrieve_ns"] = m["retrieve_session_ns"] + m["retrieve_fd_ns"]
            smp["raw"] = {"stage1": a, "stage2": b}
        else:
            for k in ("create_total_ns", "create_op_median_ns", "preserve_total_ns",
                      "preserve_op_median_ns", "close_total_ns", "setup_ns",
                      "state_bytes", "state_bytes_per_file"):
                if num(a, k) is not None:
                    m[k] = num(a, k)
            for k in ("open_ns", "retrieve_total_ns", "retrieve_session_total_ns",
                      "retrieve_fd_total_ns",
                      "retrieve_session_op_median_ns", "retrieve_fd_op_median_ns",
                      "finish_total_ns", "finish_op_median_ns"):
                m[k] = num(b, k)
            smp["raw"] = {"stage1": a, "stage2": b}
        m["boot_to_first_retrieve_ns"] = num(b, "boot_to_first_retrieve_ns")
        m["boot_to_resumed_ns"] = num(b, "boot_to_resumed_ns")
        # The kexec at the end of stage i: kernel i, kernel i + 1.
        if len(boots) < i + 1:
            raise BenchError(f"{run.name}: {w.key}: the console holds {len(boots)} kernels, "
                             f"expected at least {i + 1}")
        rw = reboot_window(boots[i - 1])
        if rw is None:
            raise BenchError(f"{run.name}: {w.key}: no 'luobench: reboot_ns=' line on the "
                             f"console of kernel {i} (tp_printk, luo_bench probe?)")
        if rw["ret"] not in ("0", "0x0"):
            raise BenchError(f"{run.name}: {w.key}: liveupdate_reboot() returned {rw['ret']}")
        smp["reboot_probe"] = rw
        m["serialize_reboot_raw_ns"] = rw["raw_ns"]
        if rw.get("calib_warm_ns") is not None:
            m["probe_console_ns"] = rw["calib_warm_ns"]
        if boots[i]["incoming"] is None:
            raise BenchError(f"{run.name}: {w.key}: kernel {i + 1} printed no LUO incoming message")
        m["boot_to_ready_ns"] = round(boots[i]["incoming"] * 1e9)
        jump, resumed = s1["kexec_jump"], s2["resumed"]
        if jump is None or resumed is None:
            raise BenchError(f"{run.name}: {w.key}: no @@LUOVM kexec-jump / resumed pair "
                             f"around kexec {i}")
        m["blackout_host_ns"] = round((resumed - jump) * 1e9)
        if run.flavor == "ours":
            rec = read_record(run, i + 1)
            smp["record"] = rec
            for ph in PHASES:
                if rec["phases"].get(ph) is not None:
                    m[f"record_{ph}_ns"] = rec["phases"][ph]
            for st in STEP_PHASES:
                if rec["steps"].get(st) is not None:
                    m[f"record_step_{st}_ns"] = rec["steps"][st]
            if rec["total_ns"] is not None:
                m["record_total_ns"] = rec["total_ns"]
            if rec["freeze_ns"] is not None and rec["serialize_ns"] is not None:
                m["record_freeze_serialize_ns"] = rec["freeze_ns"] + rec["serialize_ns"]
        samples.append(smp)
    return samples


def read_record(run, stage):
    path = os.path.join(BUILD, "vm", run.name, f"record-{stage}.json")
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise BenchError(f"{run.name}: the live-update record of stage {stage}: {e}")
    latest = doc.get("latest") or {}
    if latest.get("state") != "done":
        raise BenchError(f"{run.name}: the record of stage {stage} says "
                         f"{latest.get('state')!r}, not done")
    phases = {p["phase"]: p.get("duration_ns") for p in latest.get("phases", [])}
    # The new kernel's start, step by step (luoblackout's "steps"; a step
    # not stamped has no row).
    steps = {s["step"]: s.get("ns") for s in latest.get("steps", [])
             if s.get("state") == "done"}
    return {"steps": steps, "number": latest.get("number"), "sessions": latest.get("sessions"),
            "files": latest.get("files"), "bytes": latest.get("bytes"),
            "total_ns": latest.get("total_ns"), "phases": phases,
            "freeze_ns": phases.get("freeze"), "serialize_ns": phases.get("serialize")}


def collect_tracing(run):
    path = os.path.join(BUILD, "vm", run.name, "tracing.json")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise BenchError(f"{run.name}: {path}: {e}")
