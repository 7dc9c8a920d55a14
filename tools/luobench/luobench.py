#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""luobench - benchmark our LUO against mainline's, side by side (make bench).

Boots QEMU guests with tools/vm/luovm, one at a time, alternating the two
kernels (rep 1: ours then mainline, rep 2: mainline then ours, ...), and
measures in each:

  size     one memfd of 16, 64, 256 MiB and 1 GiB: preserve, the kexec, the
           retrieve (build/tools/luo_bench size);
  scale    1, 10, 100, 1000 sessions x 1, 10, 100 one-page memfds: create,
           preserve, the kexec, retrieve, finish (luo_bench scale);
  tracing  (ours only) luo_opbench with LUO's events off, then with luosnoop,
           luolat and luotop attached, and what their BPF programs cost;
  systemd  a systemd host (the systemd guest, selftests/systemd/update.plan):
           the blackout each of its two test services lives through in one
           `systemctl kexec`, from told to stop to state back, by phase
           (luoblackout --systemd; Documentation/systemd-guest.rst).

Around each kexec: liveupdate_reboot() timed by two kprobe events printed on
the console (tp_printk), the blackout seen from the host (the guest's
"@@LUOVM kexec-jump" line to its "@@LUOVM resumed" line), the new kernel's
boot up to LUO's incoming message, and for ours the live-update record
(luoblackout --json).  Several workloads are chained in one guest, one kexec
each.  Every number is the median over the reps of each rep's value.

Writes build/bench/results.json (every sample, the medians, the machine),
build/bench/results.md (Markdown tables) and the results section of
Documentation/benchmarks.rst, which explains what each number means.
Exits 1 when a guest run fails (a LUO refusing a workload is a result, shown
as "refused (ERRNO)"), 2 on bad usage.

Examples:
    tools/luobench/luobench.py                  # the full run, 3 reps
    tools/luobench/luobench.py --quick          # 1 rep, small workloads
    BENCH_REPS=5 tools/luobench/luobench.py     # or --reps 5
    tools/luobench/luobench.py --quick --only size --sizes 64
    tools/luobench/luobench.py --only scale --scale 100x10,1000x1 --reps 1
    tools/luobench/luobench.py --render         # tables again from results.json
"""

import argparse
import datetime
import json
import math
import os
import re
import statistics
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from luo_names import PHASES  # noqa: E402
from luobench_common import (  # noqa: E402
    APPEND, BIG_FILES, BUILD, BenchError, DOC, FLAVORS, FULL, LUOVM, OUT, QUICK, REPO,
    TOOLS, log, parse_kv)
from luobench_guest import guest_tracing  # noqa: E402
from luobench_systemd import SYSTEMD_PLAN, collect_systemd  # noqa: E402
from luobench_report import (  # noqa: E402
    aggregate, aggregate_tracing, machine_info, write_outputs)


# ---- workloads and plans ----------------------------------------------------

class Workload:
    """One preserve / kexec / retrieve cycle of luo_bench."""

    def __init__(self, kind, mib=None, sessions=None, files=None, reps=None):
        self.kind, self.mib, self.sessions, self.files = kind, mib, sessions, files
        if reps is None:
            if kind == "size":
                reps = 5 if mib <= 256 else 3
            else:
                reps = 3 if sessions * files <= 1000 else 1
        self.reps = reps

    @property
    def key(self):
        if self.kind == "size":
            return f"size-{self.mib}"
        return f"scale-{self.sessions}x{self.files}"

    @property
    def label(self):
        if self.kind == "size":
            return f"{self.mib} MiB" if self.mib < 1024 else f"{self.mib // 1024} GiB"
        return f"{self.sessions} × {self.files}"

    def args(self):
        if self.kind == "size":
            return f"size --mib {self.mib}"
        return f"scale --sessions {self.sessions} --files {self.files}"

    def stage1(self):
        return f"{TOOLS}/luo_bench {self.args()} --stage 1 --reps {self.reps}"

    def stage2(self):
        return f"{TOOLS}/luo_bench {self.args()} --stage 2"


class VmRun:
    """One guest: a chain of workloads, one kexec each, on one flavor."""

    def __init__(self, group, flavor, rep, workloads, mem, tracing=None, systemd=False):
        self.group, self.flavor, self.rep = group, flavor, rep
        self.workloads, self.mem, self.tracing = workloads, mem, tracing
        self.systemd = systemd
        self.name = f"bench-{group}-{flavor}-{rep}"
        self.disturbed = []

    def plan(self):
        if self.systemd:
            # The test's own plan: its variables come from run_vm's environment.
            with open(os.path.join(REPO, SYSTEMD_PLAN)) as f:
                return f"# luobench: {self.group}, {self.flavor}, rep {self.rep}\n" + f.read()
        kernel = f"{BUILD}/kernel-{self.flavor}/bzImage"
        lines = [f"# luobench: {self.group}, {self.flavor}, rep {self.rep}; "
                 "generated by tools/luobench/luobench.py", "[stage 1]", f"kernel = {kernel}"]
        if self.tracing:
            lines.append(f"python3 tools/luobench/luobench.py guest-tracing "
                         f"--rounds {self.tracing['rounds']} -n {self.tracing['n']} "
                         f"--out \"$LUOVM_RUN/tracing.json\"")
            return "\n".join(lines) + "\n"
        prev = None
        for i, w in enumerate(self.workloads, 1):
            if prev:
                # Stage i: the retrieve of the previous workload, the preserve of this one.
                lines.append(f"[stage {i}]")
                lines += self.retrieve(prev, i)
            lines.append(f"{TOOLS}/luo_bench probe")
            lines.append(w.stage1())
            prev = w
        n = len(self.workloads) + 1
        lines.append(f"[stage {n}]")
        lines += self.retrieve(prev, n)
        return "\n".join(lines) + "\n"

    def retrieve(self, w, stage):
        out = [w.stage2()]
        if self.flavor == "ours":
            out.append(f"{TOOLS}/luoblackout --json > \"$LUOVM_RUN/record-{stage}.json\"")
        return out

    def timeout(self):
        """Generous bounds for luovm: stage and whole run, seconds."""
        if self.tracing:
            return 1200, 1500
        if self.systemd:
            return 600, 1200
        files = sum((w.sessions or 0) * (w.files or 0) for w in self.workloads)
        mib = sum(w.mib or 0 for w in self.workloads)
        est = 60 + 30 * len(self.workloads) + files * 0.006 + mib * 0.1
        return max(600, est), max(1200, 3 * est)


def schedule(cfg):
    """Every guest run of the benchmark, in order."""
    main, big = [], []
    if "size" in cfg["only"]:
        main += [Workload("size", mib=m) for m in cfg["sizes"]]
    if "scale" in cfg["only"]:
        for n, m in cfg["scale"]:
            (big if n * m >= BIG_FILES else main).append(Workload("scale", sessions=n, files=m))
    # 3 GiB hold a memfd of 1 GiB and 20,000 small files; bigger ones need more.
    max_mib = max([w.mib for w in main if w.kind == "size"], default=0)
    main_mem = "3G" if max_mib <= 1024 else f"{2 + 2 * math.ceil(max_mib / 1024)}G"

    def big_mem(w):
        return f"{max(6, math.ceil(6 * w.sessions * w.files / 100000))}G"
    runs = []
    for rep in range(1, cfg["reps"] + 1):
        order = FLAVORS if rep % 2 else tuple(reversed(FLAVORS))
        order = [f for f in order if f in cfg["flavors"]]
        if main:
            runs += [VmRun("main", f, rep, main, main_mem) for f in order]
        for w in big:
            runs += [VmRun(f"big{w.sessions}x{w.files}", f, rep, [w], big_mem(w))
                     for f in order]
    if "systemd" in cfg["only"]:
        for rep in range(1, cfg["reps"] + 1):
            order = FLAVORS if rep % 2 else tuple(reversed(FLAVORS))
            runs += [VmRun("systemd", f, rep, [], "2G", systemd=True)
                     for f in order if f in cfg["flavors"]]
    if "tracing" in cfg["only"] and "ours" in cfg["flavors"]:
        runs.append(VmRun("tracing", "ours", 1, [], "2G",
                          tracing={"rounds": cfg["tracing_rounds"], "n": cfg["opbench_n"]}))
    return runs


# ---- running a guest ----------------------------------------------------------

def other_qemus():
    """Pids of QEMU processes running now (none of ours is, between runs)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/comm") as f:
                if f.read().startswith("qemu-system"):
                    pids.append(int(d))
        except OSError:
            pass
    return pids


def ancestor(pid):
    """The parent of @pid (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def wait_idle(limit):
    """Another guest on this machine would skew every number: wait for it."""
    t0 = time.monotonic()
    pids = other_qemus()
    if not pids:
        return 0
    log(f"      waiting for another QEMU to end (pid {', '.join(map(str, pids))}), "
        f"at most {limit // 60} min")
    while pids and time.monotonic() - t0 < limit:
        time.sleep(2)
        pids = other_qemus()
    if pids:
        log("      still running: going ahead, the numbers of this run are disturbed")
    return round(time.monotonic() - t0)


def run_vm(run, verbose):
    os.makedirs(os.path.join(OUT, "plans"), exist_ok=True)
    plan = os.path.join(OUT, "plans", run.name + ".plan")
    with open(plan, "w") as f:
        f.write(run.plan())
    stage_to, run_to = run.timeout()
    argv = [sys.executable, LUOVM, "run", "-q", "-n", run.name, "--plan", plan,
            "--mem", run.mem, "--append", APPEND,
            "--stage-timeout", str(int(stage_to)), "--timeout", str(int(run_to))]
    env = dict(os.environ)
    if run.systemd:
        argv += ["--guest", "systemd"]
        env.update(LUO_FLAVOR=run.flavor, LUO_BUILD=BUILD,
                   LUO_SESSION_REUSE="yes" if run.flavor == "ours" else "EINVAL")
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=env)
    # Another guest started meanwhile (by someone else) would skew this run.
    seen = set()
    done = threading.Event()

    def watch():
        while not done.wait(3):
            for pid in other_qemus():
                if ancestor(pid) != p.pid:
                    seen.add(pid)
    th = threading.Thread(target=watch, daemon=True)
    th.start()
    out, _ = p.communicate()
    done.set()
    th.join()
    elapsed = time.monotonic() - t0
    run.disturbed = sorted(seen)
    report = os.path.join(OUT, "plans", run.name + ".report")
    with open(report, "w") as f:
        f.write(out)
    if verbose:
        sys.stdout.write(out)
    if p.returncode != 0:
        lines = [ln for ln in out.splitlines()
                 if ln.startswith("not ok") or ln.startswith("# ")]
        raise BenchError(f"guest run {run.name} failed (luovm exit {p.returncode}); "
                         f"logs in build/vm/{run.name}/, report in {report}:\n  " +
                         "\n  ".join(lines[-40:]))
    return elapsed


# ---- reading a guest's logs ------------------------------------------------

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
                em = re.match(r"(reboot_in|reboot_out|calib_in|calib_out): ", msg)
                if em:
                    b["events"].append((em.group(1), ts, msg))
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
    """liveupdate_reboot() on the console: its window, and the calibration pairs."""
    ev = boot["events"]
    ins = [ts for name, ts, _ in ev if name == "reboot_in"]
    outs = [(ts, msg) for name, ts, msg in ev if name == "reboot_out"]
    if not ins or not outs:
        return None
    raw = outs[-1][0] - ins[-1]
    rm = re.search(r"ret=(\S+)", outs[-1][1])
    calib = []
    pending = None
    for name, ts, _ in ev:
        if name == "calib_in":
            pending = ts
        elif name == "calib_out" and pending is not None:
            calib.append(ts - pending)
            pending = None
    out = {"raw_ns": round(raw * 1e9), "ret": rm.group(1) if rm else None}
    if calib:
        # The first pair is noisy (first use of the probes' and the console's
        # paths, 2 to 5 ms under TCG): kept, but the warm pairs are the estimate.
        out["calib_first_ns"] = round(calib[0] * 1e9)
        out["calib_warm_ns"] = round(statistics.median(calib[1:]) * 1e9) if len(calib) > 1 else None
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
                      "preserve_op_median_ns", "close_total_ns", "setup_ns"):
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
            raise BenchError(f"{run.name}: {w.key}: no luobench/reboot_in and reboot_out "
                             f"lines on the console of kernel {i} (tp_printk, kprobe events?)")
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
    return {"number": latest.get("number"), "sessions": latest.get("sessions"),
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


def parse_scale(text):
    out = []
    for part in text.split(","):
        m = re.fullmatch(r"\s*(\d+)x(\d+)\s*", part)
        if not m or not int(m.group(1)) or not int(m.group(2)):
            raise argparse.ArgumentTypeError(f"'{part}' is not SESSIONSxFILES")
        out.append((int(m.group(1)), int(m.group(2))))
    return out


def parse_sizes(text):
    try:
        out = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of MiB")
    if any(x < 1 for x in out):
        raise argparse.ArgumentTypeError("sizes are MiB, 1 or more")
    return out


def main(argv):
    if argv and argv[0] == "guest-tracing":
        return guest_tracing(argv[1:])
    ap = argparse.ArgumentParser(
        prog="luobench.py", description=__doc__.split("\n\n")[0],
        epilog=__doc__[__doc__.index("Boots QEMU"):],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    env_reps = os.environ.get("BENCH_REPS")
    ap.add_argument("--reps", type=int, default=None,
                    help="guest runs per flavor and workload (default 3, or $BENCH_REPS; "
                         "1 with --quick)")
    ap.add_argument("--quick", action="store_true",
                    help="development: 1 rep, 16 and 64 MiB, 1x1, 10x10, 100x1, "
                         "short tracing rounds")
    ap.add_argument("--only", default="size,scale,tracing,systemd",
                    help="comma-separated workloads to run: size, scale, tracing, "
                         "systemd (default all)")
    ap.add_argument("--sizes", type=parse_sizes, help="memfd sizes in MiB, e.g. 16,1024")
    ap.add_argument("--scale", type=parse_scale, help="SESSIONSxFILES list, e.g. 10x10,1000x1")
    ap.add_argument("--flavors", default=",".join(FLAVORS),
                    help="comma-separated kernels to run (default %(default)s; "
                         "for development: the ratios need both)")
    ap.add_argument("--no-doc", action="store_true",
                    help=f"do not rewrite the results section of {DOC}")
    ap.add_argument("--doc", action="store_true",
                    help=f"rewrite it even with --quick (which leaves it alone)")
    ap.add_argument("--render", action="store_true",
                    help=f"only render results.md (and {DOC}) again from results.json")
    ap.add_argument("--wait-idle", type=int, default=20, metavar="MIN",
                    help="before each guest, wait up to MIN minutes for other QEMU "
                         "processes on this machine to end (default %(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each luovm report")
    args = ap.parse_args(argv)
    os.chdir(REPO)

    if args.render:
        try:
            with open(os.path.join(OUT, "results.json")) as f:
                res = json.load(f)
            if res.get("error"):
                raise BenchError(f"results.json is of a failed run: {res['error']}")
            # As after a run: quick results reach the doc only with --doc.
            doc = not args.no_doc and (args.doc or not res.get("config", {}).get("quick"))
            write_outputs(res, doc)
        except (OSError, ValueError, BenchError) as e:
            print(f"luobench: {e}", file=sys.stderr)
            return 1
        log(f"rendered {OUT}/results.md" + (f" and {DOC}" if doc else ""))
        return 0

    cfg = dict(QUICK if args.quick else FULL)
    cfg["quick"] = args.quick
    if args.reps is not None:
        cfg["reps"] = args.reps
    elif env_reps and not args.quick:
        try:
            cfg["reps"] = int(env_reps)
        except ValueError:
            ap.error(f"BENCH_REPS={env_reps} is not a number")
    if cfg["reps"] < 1:
        ap.error("--reps must be 1 or more")
    if args.sizes:
        cfg["sizes"] = args.sizes
    if args.scale:
        cfg["scale"] = args.scale
    cfg["only"] = [x.strip() for x in args.only.split(",") if x.strip()]
    bad = set(cfg["only"]) - {"size", "scale", "tracing", "systemd"}
    if bad:
        ap.error(f"--only: unknown workload(s) {', '.join(sorted(bad))}")
    cfg["flavors"] = [x.strip() for x in args.flavors.split(",") if x.strip()]
    bad = set(cfg["flavors"]) - set(FLAVORS)
    if bad or not cfg["flavors"]:
        ap.error(f"--flavors: one or more of {', '.join(FLAVORS)}")
    for fl in cfg["flavors"]:
        if not os.path.isfile(os.path.join(BUILD, f"kernel-{fl}", "bzImage")):
            print(f"luobench: {BUILD}/kernel-{fl}/bzImage is missing: make kernels",
                  file=sys.stderr)
            return 1
    for prog in ("luo_bench", "luo_opbench", "luoblackout", "luovm-kexec"):
        if not os.access(os.path.join(TOOLS, prog), os.X_OK):
            print(f"luobench: {TOOLS}/{prog} is missing: make tools", file=sys.stderr)
            return 1
    if "systemd" in cfg["only"] and not os.access(os.path.join(BUILD, "selftests", "luo_svc"),
                                                  os.X_OK):
        print(f"luobench: {BUILD}/selftests/luo_svc is missing: make selftests",
              file=sys.stderr)
        return 1

    runs = schedule(cfg)
    t_start = time.monotonic()
    res = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "config": {"quick": cfg["quick"], "reps": cfg["reps"], "sizes_mib": cfg["sizes"],
                   "scale": [f"{n}x{m}" for n, m in cfg["scale"]], "only": cfg["only"],
                   "flavors": cfg["flavors"],
                   "tracing_rounds": cfg["tracing_rounds"], "opbench_n": cfg["opbench_n"],
                   "append": APPEND, "big_files": BIG_FILES},
        "machine": machine_info([r.mem for r in runs]),
        "runs": [], "samples": [], "tracing_raw": None,
    }
    log(f"{len(runs)} guest runs, {cfg['reps']} rep(s), "
        f"{'quick' if cfg['quick'] else 'full'} mode; results in {OUT}/")
    took = {}
    try:
        for i, run in enumerate(runs, 1):
            what = "tracing cost" if run.tracing else "systemd host" if run.systemd else \
                ", ".join(w.key for w in run.workloads)
            log(f"[{i}/{len(runs)}] {run.flavor:8} rep {run.rep}: {what} "
                f"({1 if run.tracing else 2 if run.systemd else len(run.workloads) + 1} "
                f"stage(s), {run.mem})")
            waited = wait_idle(args.wait_idle * 60)
            elapsed = run_vm(run, args.verbose)
            res["runs"].append({"name": run.name, "flavor": run.flavor, "rep": run.rep,
                                "group": run.group, "mem": run.mem,
                                "workloads": [w.key for w in run.workloads],
                                "elapsed_s": round(elapsed, 1), "waited_s": waited,
                                "other_qemu": run.disturbed, **report_facts(run)})
            note_guests(res)
            if run.disturbed:
                log(f"      another QEMU ran meanwhile (pid "
                    f"{', '.join(map(str, run.disturbed))}): this run's numbers are disturbed")
            if run.tracing:
                res["tracing_raw"] = collect_tracing(run)
            elif run.systemd:
                res["samples"] += collect_systemd(run)
            else:
                got = collect(run)
                res["samples"] += got
                refused = [s for s in got if "refused" in s]
                for s in refused:
                    log(f"      {s['workload']}: refused by {run.flavor} "
                        f"({s['refused']['errno']} at {s['refused']['op']} "
                        f"#{s['refused']['at']})")
            took[run.group] = elapsed
            left = sum(took.get(r.group, 0) for r in runs[i:])
            unknown = any(r.group not in took for r in runs[i:])
            log(f"      done in {elapsed:.0f} s" + (
                f"; about {left / 60:.0f} min left" if i < len(runs) and not unknown else ""))
    except BenchError as e:
        res["error"] = str(e)
        res["duration_s"] = round(time.monotonic() - t_start, 1)
        write_outputs(res, False)
        print(f"luobench: FAILED: {e}", file=sys.stderr)
        print(f"luobench: partial samples in {OUT}/results.json", file=sys.stderr)
        return 1
    res["duration_s"] = round(time.monotonic() - t_start, 1)
    res["medians"] = aggregate(res["samples"])
    res["tracing"] = aggregate_tracing(res["tracing_raw"])
    doc = not args.no_doc and (args.doc or not cfg["quick"])
    write_outputs(res, doc)
    log(f"done in {res['duration_s'] / 60:.1f} min: {OUT}/results.json, {OUT}/results.md"
        + (f", {DOC}" if doc else f" ({DOC} left alone)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
