#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""luobench - benchmark our LUO against mainline's, side by side (make bench).

Boots QEMU guests with tools/testing/vm/luovm, one at a time, alternating the two
kernels (rep 1: ours then mainline, rep 2: mainline then ours, ...), and
measures in each.  The kernels are built as a host's kernel is (make
kernels-host: no lock validation, -O2), or with --kernels tests the tests'
own (make kernels):

  size     one memfd of 16, 64, 256 MiB and 1 GiB: preserve, the kexec, the
           retrieve (build/tools/luo_bench size);
  scale    1, 10, 100, 1000 sessions x 1, 10, 100 one-page memfds, 1 x 200000
           and 1000 x 1000: create, preserve (and the memory it takes), the
           kexec, retrieve, finish (luo_bench scale); a point whose guest
           needs more than 3/4 of this machine's RAM is left out, and said;
           one of 20,000 files or more stops creating and preserving after
           --budget minutes, shown as "unfinished in the budget";
  tracing  (ours only) what luosnoop, luolat and luotop attached add to a
           session's create, a preserve and a close (luo_perf ops, each
           after a speed probe, the toolkit on in every other pair of
           blocks), and what their BPF programs cost (bpf_stats over
           luo_opbench);
  systemd  a systemd host (the systemd guest, selftests/systemd/update.plan):
           the blackout each of its two test services lives through in one
           `systemctl kexec`, from told to stop to state back, by phase
           (luoblackout --systemd; Documentation/systemd-guest.rst).

Around each kexec: liveupdate_reboot() timed by an fentry and an fexit BPF
program, printed on the console once it returned (tp_printk), the blackout
seen from the host (the guest's "@@LUOVM kexec-jump" line to its "@@LUOVM
resumed" line), the new kernel's boot up to LUO's incoming message, and for
ours the live-update record (luoblackout --json).  Several workloads are chained in one guest, one kexec
each.  Every number is the median over the reps of each rep's value.

Writes build/bench/results.json (every sample, the medians, the machine),
build/bench/results.md (Markdown tables) and the results section of
Documentation/benchmarks.rst, which explains what each number means.
Exits 1 when a guest run fails (a LUO refusing a workload is a result, shown
as "refused (ERRNO)"), 2 on bad usage.

Examples:
    tools/testing/luobench/luobench.py                  # the full run, 3 reps
    tools/testing/luobench/luobench.py --quick          # 1 rep, small workloads
    BENCH_REPS=5 tools/testing/luobench/luobench.py     # or --reps 5
    tools/testing/luobench/luobench.py --quick --only size --sizes 64
    tools/testing/luobench/luobench.py --only scale --scale 100x10,1000x1 --reps 1
    tools/testing/luobench/luobench.py --render         # tables again from results.json
    tools/testing/luobench/luobench.py --kernels tests --quick   # on the tests' kernels
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from luobench_common import (  # noqa: E402
    APPEND, BIG_BUDGET_MIN, BIG_FILES, BUILD, BenchError, DOC, FLAVORS, FULL, KERNEL_SETS,
    LUOVM, OUT, QUICK, REPO, TOOLS, kernel_dir, kernel_flavor, log)
from luobench_plan import schedule  # noqa: E402
from luobench_collect import (  # noqa: E402
    collect, collect_tracing, note_guests, report_facts)
from luobench_guest import guest_tracing  # noqa: E402
from luobench_systemd import collect_systemd  # noqa: E402
from luobench_report import (  # noqa: E402
    aggregate, aggregate_tracing, machine_info, write_outputs)


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
        # The plan's kernel is ${LUO_BUILD}/kernel-${LUO_FLAVOR}/bzImage.
        env.update(LUO_FLAVOR=kernel_flavor(run.flavor, run.kernels), LUO_BUILD=BUILD,
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


# ---- the command line ------------------------------------------------------

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
    ap.add_argument("--kernels", choices=sorted(KERNEL_SETS), default="host",
                    help="the pair of kernels compared: built as a host's kernel is "
                         "(make kernels-host; the default) or the tests' own (lock "
                         "validation, built for size; make kernels)")
    ap.add_argument("--no-doc", action="store_true",
                    help=f"do not rewrite the results section of {DOC}")
    ap.add_argument("--doc", action="store_true",
                    help="rewrite it even with --quick (which leaves it alone)")
    ap.add_argument("--render", action="store_true",
                    help=f"only render results.md (and {DOC}) again from results.json")
    ap.add_argument("--budget", type=float, default=BIG_BUDGET_MIN, metavar="MIN",
                    help=f"a scale point of {BIG_FILES} files or more stops creating and "
                         f"preserving after MIN minutes, a result shown as unfinished "
                         f"(default %(default)s)")
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
    if args.budget <= 0:
        ap.error("--budget must be more than 0 minutes")
    cfg["budget_s"] = max(1, round(args.budget * 60))
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
    cfg["kernels"] = args.kernels
    for fl in cfg["flavors"]:
        image = os.path.join(kernel_dir(fl, args.kernels), "bzImage")
        if not os.path.isfile(image):
            print(f"luobench: {image} is missing: make "
                  f"{'kernels-host' if args.kernels == 'host' else 'kernels'}", file=sys.stderr)
            return 1
    for prog in ("luo_bench", "luo_opbench", "luoblackout", "luovm-kexec"):
        if not os.access(os.path.join(TOOLS, prog), os.X_OK):
            print(f"luobench: {TOOLS}/{prog} is missing: make tools", file=sys.stderr)
            return 1
    for group, prog in (("systemd", "luo_svc"), ("tracing", "luo_perf")):
        if group in cfg["only"] and not os.access(os.path.join(BUILD, "selftests", prog),
                                                  os.X_OK):
            print(f"luobench: {BUILD}/selftests/{prog} is missing: make selftests",
                  file=sys.stderr)
            return 1

    runs, skipped = schedule(cfg)
    for key, why in skipped.items():
        log(f"{key}: {why}")
    t_start = time.monotonic()
    res = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "config": {"quick": cfg["quick"], "reps": cfg["reps"], "sizes_mib": cfg["sizes"],
                   "scale": [f"{n}x{m}" for n, m in cfg["scale"]], "only": cfg["only"],
                   "flavors": cfg["flavors"], "kernels": cfg["kernels"],
                   "tracing_rounds": cfg["tracing_rounds"], "opbench_n": cfg["opbench_n"],
                   "append": APPEND, "big_files": BIG_FILES, "budget_s": cfg["budget_s"]},
        "machine": machine_info([r.mem for r in runs], cfg["kernels"]),
        "runs": [], "samples": [], "tracing_raw": None, "skipped": skipped,
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
                    why = ("unfinished in the budget" if s["refused"]["errno"] == "ETIMEDOUT"
                           else "refused")
                    log(f"      {s['workload']}: {why} by {run.flavor} "
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
