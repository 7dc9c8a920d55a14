# SPDX-License-Identifier: GPL-2.0
"""luobench: the tracing cost, measured inside an ours guest.

Run there as "luobench.py guest-tracing": each round runs luo_opbench with
luosnoop, luolat and luotop attached and reads their BPF programs' run time
from kernel.bpf_stats_enabled (the time they add to each operation is not
read from these runs).  Then "luo_perf ops" times each operation after a speed probe, in blocks with
the toolkit attached (selftests/perf/toolkit.sh) and blocks without, as the
perf-regression tests' toolkit-cost test does: under emulation the
machine's speed moves between states 1.5 times apart that last seconds,
and the operations are read against the probes (selftests/lib/
speed_read.py).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from luobench_common import (
    BenchError, BUILD, REPO, TOOLS, parse_kv)


# ---- the guest side of the tracing cost ---------------------------------------

def guest_tracing(argv):
    """In the guest (ours): the programs' time, then each operation's cost."""
    ap = argparse.ArgumentParser(prog="luobench.py guest-tracing")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    os.chdir(REPO)
    events = "/sys/kernel/tracing/events/liveupdate/enable"
    if os.path.exists(events):
        with open(events, "w") as f:
            f.write("0\n")
    result = {"n": args.n, "rounds": []}
    try:
        for r in range(1, max(2, args.rounds) + 1):
            on, tools = with_toolkit(lambda: opbench(args.n, "on"), args.out, r)
            emit(f"workload=tracing round={r} mode=on", on)
            for t in tools:
                print(f"luobench: workload=tracing round={r} tool={t['tool']} "
                      f"programs={len(t['programs'])} run_cnt={t['run_cnt']} "
                      f"run_time_ns={t['run_time_ns']} rc={t['rc']}", flush=True)
            result["rounds"].append({"round": r, "on": on, "tools": tools})
        result["ops"] = perf_ops(os.path.join(os.path.dirname(args.out), "ops.json"))
    except BenchError as e:
        print(f"luobench: guest-tracing: {e}", file=sys.stderr, flush=True)
        return 1
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


def perf_ops(out, reps=200, blocks=8):
    """luo_perf ops with the toolkit toggled by toolkit.sh: its samples."""
    toolkit = os.path.join("selftests", "perf", "toolkit.sh")
    p = subprocess.run([os.path.join(BUILD, "selftests", "luo_perf"), "ops",
                        "--reps", str(reps), "--blocks", str(blocks),
                        "--tools-on", f"{toolkit} start none",
                        "--tools-off", f"{toolkit} stop none", "--out", out],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"luo_perf ops failed ({p.returncode}): "
                         f"{(p.stdout + p.stderr).strip()[-500:]}")
    print(f"luobench: workload=tracing {p.stdout.strip()}", flush=True)
    with open(out) as f:
        return json.load(f)


def emit(prefix, d):
    print("luobench: " + prefix + " " + " ".join(f"{k}={v}" for k, v in d.items()), flush=True)


def opbench(n, label):
    p = subprocess.run([os.path.join(TOOLS, "luo_opbench"), "-n", str(n), "-l", label],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"luo_opbench failed ({p.returncode}): {p.stderr.strip()}")
    line = [ln for ln in p.stdout.splitlines() if ln.startswith(label + ":")]
    if not line:
        raise BenchError(f"luo_opbench printed no result: {p.stdout!r}")
    kv = parse_kv(line[0])
    return {k: (int(v) if v.isdigit() else v) for k, v in kv.items()}


def bpftool_json(*what):
    p = subprocess.run(["bpftool", *what, "show", "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"bpftool {' '.join(what)} show: {p.stderr.strip()}")
    return json.loads(p.stdout or "[]")


def set_bpf_stats(on):
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1\n" if on else "0\n")


def with_toolkit(fn, out, rnd):
    """Run fn() with luosnoop, luolat and luotop -b attached; their BPF cost.

    bpftool here may lack the pids of programs' owners, so each tool is
    started alone and owns the programs that appear (and get attached) then.
    """
    logdir = os.path.join(os.path.dirname(out), "tracing-tools")
    os.makedirs(logdir, exist_ok=True)
    known = {p["id"] for p in bpftool_json("prog")}
    owned, procs = {}, []
    try:
        for tool, argv in (("luosnoop", []), ("luolat", []), ("luotop", ["-b"])):
            err = os.path.join(logdir, f"{tool}-{rnd}.err")
            # luosnoop's events would fill a file; luolat's and luotop's
            # output is kept (luotop's first snapshot says it is ready).
            outp = None if tool == "luosnoop" else os.path.join(logdir, f"{tool}-{rnd}.out")
            with open(err, "w") as ef, \
                    open(outp or os.devnull, "w") as of:
                p = subprocess.Popen([os.path.join(TOOLS, tool), *argv], stdout=of, stderr=ef)
            procs.append((tool, p))
            ids = wait_attached(tool, p, known, tool_ready(tool, err, outp))
            known |= ids
            for i in ids:
                owned[i] = tool
        set_bpf_stats(True)
        try:
            res = fn()
            progs = {p["id"]: p for p in bpftool_json("prog")}
        finally:
            set_bpf_stats(False)
    finally:
        rcs = stop_tools(procs)
    tools = []
    for tool, _ in procs:
        pl = []
        for i, t in owned.items():
            if t != tool or i not in progs:
                continue
            p = progs[i]
            pl.append({"id": i, "name": p.get("name"), "run_cnt": p.get("run_cnt", 0),
                       "run_time_ns": p.get("run_time_ns", 0)})
        cnt = sum(p["run_cnt"] for p in pl)
        tns = sum(p["run_time_ns"] for p in pl)
        tools.append({"tool": tool, "programs": pl, "run_cnt": cnt, "run_time_ns": tns,
                      "rc": rcs.get(tool)})
    return res, tools


def tool_ready(tool, err, out):
    """Whether @tool said it traces: what each prints once it is attached."""
    def ready():
        if tool == "luotop":
            return os.path.exists(out) and os.path.getsize(out) > 0
        with open(err) as f:
            return any(ln.startswith("Tracing") for ln in f)
    return ready


def wait_attached(tool, p, known, ready, timeout=300, poll=0.5):
    """The ids of the programs @tool loaded, once it is attached.

    A tool is attached when it says so (@ready: it prints that once its
    skeleton is attached) and some of its programs are in links.  Not every
    program it loads is: luotop's BPF iterators stay loaded, never linked,
    and run when it reads LUO's sessions and files.  All are its own, and
    their runs count as its runs.  The ready lines are those that
    selftests/tools/stage_lib.sh's tracing() and selftests/perf/toolkit.sh
    wait for.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise BenchError(f"{tool} exited with {p.returncode} before attaching")
        if ready():
            ids = {x["id"] for x in bpftool_json("prog")} - known
            linked = {x.get("prog_id") for x in bpftool_json("link")}
            if ids & linked:
                return ids
        time.sleep(poll)
    raise BenchError(f"{tool} did not attach its BPF programs within {timeout} s")


def stop_tools(procs):
    rcs = {}
    for _, p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for tool, p in procs:
        try:
            rcs[tool] = p.wait(60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rcs[tool] = "killed"
    return rcs
