# SPDX-License-Identifier: GPL-2.0
"""luobench: medians, ratios and the reports (results.json, results.md and
the results section of Documentation/benchmarks.rst), and the machine they
were measured on.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "selftests", "lib"))
import luovm_accel  # noqa: E402  (the host's CPU model, as luovm names it)
from speed_read import speed_read  # noqa: E402  (as the toolkit-cost perf test reads)

from luobench_common import (
    BenchError, DOC, DOC_BEGIN, DOC_END, FLAVORS, KERNEL_SETS, OUT, REPO, host_mem_gib,
    kernel_dir)
from luobench_systemd import SYSTEMD_PHASES  # noqa: E402
from luo_names import PHASES, STEP_MARK, STEP_PHASES  # noqa: E402


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def aggregate(samples):
    """Medians over the reps, per workload x flavor x metric, and the ratios."""
    out = {}
    for s in samples:
        w = out.setdefault(s["workload"], {"label": s["label"], "kind": s["kind"],
                                           "flavors": {}})
        f = w["flavors"].setdefault(s["flavor"], {"reps": 0, "refused": [], "values": {}})
        f["reps"] += 1
        if "refused" in s:
            f["refused"].append(s["refused"]["errno"])
            continue
        for k, v in s["metrics"].items():
            f["values"].setdefault(k, []).append(v)
    for w in out.values():
        for f in w["flavors"].values():
            f["median"] = {k: median(v) for k, v in f["values"].items()}
        o, m = w["flavors"].get("ours"), w["flavors"].get("mainline")
        w["ratio"] = {}
        # A workload refused in some reps has no ratio: its medians are of fewer reps.
        if o and m and not o["refused"] and not m["refused"]:
            for k, v in o["median"].items():
                mv = m["median"].get(k)
                if v is not None and mv:
                    w["ratio"][k] = v / mv
    return out


# The toolkit's programs that run on each of luo_opbench's operations.
OP_PROGRAMS = {"create": ("luo_session_create",), "preserve": ("luo_file_preserve",),
               "close": ("luo_session_release", "luo_file_unpreserve")}


def round_off(r, key):
    """A round's p50 with the events off, in a run from before luo_perf ops
    (whose rounds ran luo_opbench off, attached, off): the mean of the runs
    before and after the attached one (before only, in an older one)."""
    v = [x.get(key) for x in (r.get("off") or {}, r.get("after") or {}) if x.get(key)]
    return sum(v) / len(v) if v else None


def programs_ns(r, op, n):
    """The time all tools' programs ran on one @op, in round @r."""
    return sum(p["run_time_ns"] for t in r["tools"] for p in t["programs"]
               if p.get("name") in OP_PROGRAMS[op]) / n


def aggregate_tracing(tr):
    if not tr:
        return None
    rounds = tr["rounds"]
    ops = ("create", "preserve", "close")
    res = {"n": tr["n"], "rounds": len(rounds), "ops": {}, "tools": {}}
    probed = tr.get("ops")
    res["probed"] = bool(probed)
    for op in ops:
        key = f"{op}_p50_ns"
        prog = median([programs_ns(r, op, tr["n"]) for r in rounds])
        if probed:
            off, on, what = speed_read([probed], op)
            d = {"off_ns": off, "on_ns": on, "added_ns": on - off, "ratio": on / off,
                 "what": what}
        else:
            pairs = [(round_off(r, key), r["on"].get(key)) for r in rounds]
            pairs = [(a, b) for a, b in pairs if a and b]
            off = median([a for a, _ in pairs])
            d = {"off_ns": off, "on_ns": median([b for _, b in pairs]),
                 "added_ns": median([b - a for a, b in pairs]),
                 "ratio": median([b / a for a, b in pairs])}
        d["programs_ns"] = prog
        d["programs_ratio"] = prog / off if prog is not None and off else None
        res["ops"][op] = d
    if probed:
        res["probed_blocks"] = probed["blocks"]
        res["probed_reps"] = len(probed["preserve"]) // probed["blocks"]
    for r in rounds:
        for t in r["tools"]:
            d = res["tools"].setdefault(t["tool"], {"ns_per_run": [], "runs_per_iter": [],
                                                    "programs": [], "rc": []})
            if t["run_cnt"]:
                d["ns_per_run"].append(t["run_time_ns"] / t["run_cnt"])
            d["runs_per_iter"].append(t["run_cnt"] / tr["n"])
            d["programs"].append(sum(1 for p in t["programs"] if p["run_cnt"]))
            d["rc"].append(t["rc"])
            for p in t["programs"]:
                if p["run_cnt"]:
                    d.setdefault("per_program", {}).setdefault(p["name"], []).append(
                        p["run_time_ns"] / p["run_cnt"])
    for d in res["tools"].values():
        d["ns_per_run_median"] = median(d["ns_per_run"])
        d["runs_per_iter_median"] = median(d["runs_per_iter"])
        d["per_program_median"] = {k: median(v) for k, v in d.get("per_program", {}).items()}
    return res


def fmt_scaled(v, units, base_unit):
    """@v in the largest of @units ((divisor, name), largest first) it reaches."""
    if v is None:
        return "—"
    v = float(v)
    if v < 0:
        return "−" + fmt_scaled(-v, units, base_unit)
    for div, unit in units:
        if v >= div:
            x = v / div
            return f"{x:.3g} {unit}" if x < 100 else f"{x:.0f} {unit}"
    return f"{v:.0f} {base_unit}"


def fmt_ns(v):
    return fmt_scaled(v, ((1e9, "s"), (1e6, "ms"), (1e3, "µs")), "ns")


def fmt_bytes(v):
    return fmt_scaled(v, ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")), "B")


def fmt_ratio(r):
    return "—" if r is None else f"{r:.2f}"


def fmt_pct(r):
    return "—" if r is None else f"{100 * r:.1f} %"


# (metric, label) of each workload kind, in table order; the rows around
# the kexec are in both tables.
KEXEC_METRICS = [
    ("serialize_reboot_raw_ns", "liveupdate_reboot(), fentry to fexit"),
    ("probe_console_ns", "… of which the programs (est.)"),
    ("record_freeze_serialize_ns", "record: freeze + serialize"),
    ("blackout_host_ns", "blackout seen from the host"),
    ("record_total_ns", "record: blackout, first freeze to last finish"),
] + [
    # The new kernel's start from the record, step by step (ours only):
    # the steps of "boot" add up to it, those of "wait" to that.
    (f"record_step_{st}_ns", f"record: {PHASES[mark - 1]}, step {st}")
    for st, mark in zip(STEP_PHASES, STEP_MARK)
] + [
    ("boot_to_ready_ns", "new kernel: boot to LUO's incoming message"),
    ("boot_to_first_retrieve_ns", "new kernel: boot to the first retrieved fd"),
    ("open_ns", "open /dev/liveupdate (mainline reads the sessions)"),
]
SIZE_METRICS = [
    ("preserve_ns", "preserve (median of the in-guest reps)"),
    ("preserve_first_ns", "first preserve (cold)"),
    ("unpreserve_ns", "unpreserve (close the session)"),
] + KEXEC_METRICS + [
    ("retrieve_session_ns", "retrieve the session"),
    ("retrieve_fd_ns", "retrieve the memfd"),
    ("finish_ns", "finish the session"),
]
SCALE_METRICS = [
    ("create_total_ns", "create every session"),
    ("create_op_median_ns", "create, one session (median)"),
    ("preserve_total_ns", "preserve every file"),
    ("preserve_op_median_ns", "preserve, one file (median)"),
    ("close_total_ns", "close every session (unpreserve)"),
    ("state_bytes", "memory the sessions and preserves took (MemFree drop)"),
    ("state_bytes_per_file", "… per file"),
] + KEXEC_METRICS + [
    ("retrieve_total_ns", "retrieve every session and file"),
    ("retrieve_fd_op_median_ns", "retrieve, one file (median)"),
    ("finish_total_ns", "finish every session"),
]


SYSTEMD_METRICS = [
    ("total_ns", "service-visible blackout: told to stop to state back"),
    ("stop_jobs_ns", "systemd: the other units' stop jobs"),
    ("manager_exit_ns", "systemd: the manager hands over to systemd-shutdown"),
    ("systemd_shutdown_ns", "systemd-shutdown: fd stores preserved, kill, unmount"),
    ("kernel_ns", "kernel: reboot(2), LUO, kexec, boot up to systemd"),
    ("luo_ns", "… of which LUO's freeze, serialize, shutdown (record; ours)"),
    ("systemd_startup_ns", "systemd: start-up up to the unit"),
    ("service_restore_ns", "the service takes its state back"),
]
# The phases of tools/luoblackout/luoblackout_systemd.h make the metrics:
# a phase renamed or added there must be named here too.
if {k for k, _ in SYSTEMD_METRICS} != {"total_ns"} | set(SYSTEMD_PHASES):
    raise SystemExit("luobench_report: SYSTEMD_METRICS does not match the waterfall's "
                     f"phases: {sorted(SYSTEMD_PHASES)}")


def cell(w, flavor, metric):
    f = w["flavors"].get(flavor)
    if f is None:
        return "—"
    if f["refused"]:
        errs = sorted(set(f["refused"]))
        cnt = f"{len(f['refused'])}/{f['reps']}" if len(f["refused"]) < f["reps"] else ""
        if errs == ["ETIMEDOUT"]:
            # luo_bench --budget: not LUO's refusal, the benchmark's time limit.
            return f"unfinished in the budget{' in ' + cnt if cnt else ''}"
        return f"refused ({', '.join(errs)}{' in ' + cnt if cnt else ''})"
    fmt = fmt_bytes if metric.startswith("state_bytes") else fmt_ns
    return fmt(f["median"].get(metric))


def tables(res):
    """The results as (title, intro, headers, rows) tables."""
    agg, out = res["medians"], []
    sizes = [k for k in agg if agg[k]["kind"] == "size"]
    sizes.sort(key=lambda k: int(k.split("-")[1]))
    for k in sizes:
        w = agg[k]
        rows = [[label, cell(w, "ours", m), cell(w, "mainline", m),
                 fmt_ratio(w["ratio"].get(m))] for m, label in SIZE_METRICS]
        out.append((f"One memfd of {w['label']}", None,
                    ["", "ours", "mainline", "ours/mainline"], rows))
    scales = [k for k in agg if agg[k]["kind"] == "scale"]
    scales.sort(key=lambda k: tuple(int(x) for x in k.split("-")[1].split("x")))
    if scales:
        for m, label in SCALE_METRICS:
            rows = []
            for k in scales:
                w = agg[k]
                rows.append([w["label"], cell(w, "ours", m), cell(w, "mainline", m),
                             fmt_ratio(w["ratio"].get(m))])
            if all(r[1] == "—" and r[2] == "—" for r in rows):
                continue
            out.append((f"Sessions × files: {label}", None,
                        ["sessions × files", "ours", "mainline", "ours/mainline"], rows))
    for k in sorted(k for k in agg if agg[k]["kind"] == "systemd"):
        w = agg[k]
        rows = [[label, cell(w, "ours", m), cell(w, "mainline", m),
                 fmt_ratio(w["ratio"].get(m))] for m, label in SYSTEMD_METRICS]
        out.append((f"A systemd host, its {w['label']}: one systemctl kexec", None,
                    ["", "ours", "mainline", "ours/mainline"], rows))
    tr = res.get("tracing")
    if tr:
        rows = [[op, fmt_ns(d["off_ns"]), fmt_ns(d["on_ns"]), fmt_ns(d["added_ns"]),
                 fmt_ratio(d["ratio"]), fmt_ns(d.get("programs_ns")),
                 fmt_pct(d.get("programs_ratio"))] for op, d in tr["ops"].items()]
        title = (f"Tracing cost (ours): luo_perf ops, {tr['probed_blocks']} blocks of "
                 f"{tr['probed_reps']}, toolkit attached in every other pair, read against "
                 f"speed probes; programs' time from luo_opbench -n {tr['n']}, "
                 f"{tr['rounds']} rounds" if tr.get("probed") else
                 f"Tracing cost (ours): luo_opbench -n {tr['n']}, medians of "
                 f"{tr['rounds']} rounds (a round: off, attached, off)")
        out.append((title, None,
                    ["operation (p50)", "events off", "toolkit attached", "added", "on/off",
                     "programs' time", "of the operation"],
                    rows))
        rows = []
        for tool, d in tr["tools"].items():
            per = d.get("per_program_median", {})
            worst = max(per.items(), key=lambda kv: kv[1]) if per else None
            rows.append([tool, f"{d['runs_per_iter_median']:.1f}" if d["runs_per_iter_median"]
                         is not None else "—", fmt_ns(d["ns_per_run_median"]),
                         f"{worst[0]} {fmt_ns(worst[1])}" if worst else "—",
                         ", ".join(str(x) for x in d["rc"])])
        out.append(("Tracing cost (ours): the toolkit's BPF programs (bpf_stats)", None,
                    ["tool", "program runs per opbench iteration", "ns per run",
                     "costliest program", "exit codes"], rows))
    return out


def machine_lines(res):
    m = res["machine"]
    return [
        ("date", res["date"]),
        ("mode", ("quick (development: 1 rep, small workloads; not for comparison)"
                  if res["config"]["quick"] else "full") + f", {res['config']['reps']} rep(s)"),
        ("machine", f"{m['cpu']}, {m['cores']} cores, {m['ram']} RAM"),
        ("accelerator", m["accel"]),
        ("QEMU", m["qemu"]),
        ("host kernel", m["host_kernel"]),
        ("kernel tree", m.get("tree", "unknown")),
        ("guests", f"CPUs {'; '.join(m.get('guest_cpus_online') or ['?'])}; {m['guest_mem']}; "
                   f"kernels {m['kernels'].get('ours', '?')} and "
                   f"{m['kernels'].get('mainline', '?')}, "
                   f"{KERNEL_SETS[res['config'].get('kernels', 'tests')][1]}"),
        ("commit", m["commit"]),
        ("run time", f"{res['duration_s'] / 60:.1f} min ({len(res['runs'])} guest runs)"),
    ] + ([("left out", "; ".join(f"{k.replace('scale-', '').replace('x', ' × ')}: {why}"
                                   for k, why in res["skipped"].items()))]
         if res.get("skipped") else []) + (
        [("budget", f"{res['config']['budget_s'] / 60:g} min of creates and preserves for a "
                    f"scale point of {res['config']['big_files']} files or more")]
        if res["config"].get("budget_s") and "scale" in res["config"].get("only", []) else [])


def disturbed_note(res):
    bad = [r["name"] for r in res["runs"] if r.get("other_qemu")]
    if not bad:
        return None
    return (f"{len(bad)} of {len(res['runs'])} guest runs overlapped with another QEMU on "
            f"this machine ({', '.join(bad)}): their numbers are disturbed.")


def render_md(res):
    out = ["# LUO benchmarks: ours vs mainline", ""]
    for k, v in machine_lines(res):
        out.append(f"- **{k}**: {v}")
    out += ["", "Medians over the reps; ours/mainline below 1 means ours is faster. "
            "What each number means: Documentation/benchmarks.rst.", ""]
    dist = disturbed_note(res)
    if dist:
        out += [f"**Warning**: {dist}", ""]
    for title, _, headers, rows in tables(res):
        out += [f"## {title}", "", "| " + " | ".join(headers) + " |",
                "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        out.append("")
    return "\n".join(out)


def rst_grid(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    hsep = "+" + "+".join("=" * (w + 2) for w in widths) + "+"

    def line(r):
        return "|" + "|".join(f" {str(x):<{w}} " for x, w in zip(r, widths)) + "|"
    out = [sep, line(headers), hsep]
    for r in rows:
        out += [line(r), sep]
    return out


def rst_text(text):
    """TEXT as reStructuredText shows it: the machine's lines carry what
    programs printed (QEMU's assertion names `ret == ...`)."""
    return re.sub(r"([\\`*_|])", r"\\\1", str(text))


def render_rst(res):
    out = [DOC_BEGIN, ""]
    out += [f":{k[0].upper() + k[1:]}: {rst_text(v)}" for k, v in machine_lines(res)]
    out += ["", "Medians over the reps; ours/mainline below 1 means ours is faster.", ""]
    dist = disturbed_note(res)
    if dist:
        out += [".. warning::", "", "   " + dist, ""]
    for t, _, headers, rows in tables(res):
        out += [t, "-" * len(t), ""]
        out += rst_grid([h if h else "metric" for h in headers], rows)
        out.append("")
    out.append(DOC_END)
    return "\n".join(out)


def write_doc(res):
    path = os.path.join(REPO, DOC)
    with open(path) as f:
        text = f.read()
    # The markers on lines of their own (the prose above names them too).
    b = re.search(r"^" + re.escape(DOC_BEGIN) + r"$", text, re.M)
    e = re.search(r"^" + re.escape(DOC_END) + r"$", text, re.M)
    if not b or not e or e.start() < b.start():
        raise BenchError(f"{DOC}: no '{DOC_BEGIN}' ... '{DOC_END}' marker lines")
    text = text[:b.start()] + render_rst(res) + text[e.end():]
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def write_outputs(res, doc):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "results.json.tmp"), "w") as f:
        json.dump(res, f, indent=1, ensure_ascii=False)
    os.replace(os.path.join(OUT, "results.json.tmp"), os.path.join(OUT, "results.json"))
    if res.get("error"):
        return
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(render_md(res) + "\n")
    if doc:
        write_doc(res)


# ---- the machine ---------------------------------------------------------------

def machine_info(mems, kernel_set="tests"):
    def cmd(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    cpu = luovm_accel.cpu_model()
    ram = f"{host_mem_gib():.1f} GiB" if host_mem_gib() else "unknown"
    kernels = {}
    try:
        with open(os.path.join(kernel_dir("ours", kernel_set), "tree")) as f:
            tree = f.read().strip()
    except OSError:
        tree = "unknown"
    for fl in FLAVORS:
        try:
            with open(os.path.join(kernel_dir(fl, kernel_set), "kernelrelease")) as f:
                kernels[fl] = f.read().strip()
        except OSError:
            pass
    commit = cmd(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    if cmd(["git", "status", "--porcelain", "--untracked-files=no"]):
        commit += " (with uncommitted changes)"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram": ram,
        # What luovm chose and why: filled in from the runs' reports.
        "accel": "?",
        "qemu": (cmd(["qemu-system-x86_64", "--version"]).splitlines() or ["unknown"])[0],
        "host_kernel": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "kernels": kernels, "tree": tree,
        "commit": commit,
        "guest_mem": ", ".join(sorted(set(mems))) or "—",
    }


# ---- main -----------------------------------------------------------------------
