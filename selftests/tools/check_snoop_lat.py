#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check what luosnoop and luolat reported about one stage of a live update.

selftests/tools/snoop_lat_stage.sh runs the tools in the guest and leaves
their output in a directory (--dir); this checks it against what
luo_workload and the stage did (--stage):

  1         luo_workload --stage 1 (sessions wl-a: memfds 1, 2, 3 and the
            luo_test file 100 with its FLB; wl-b: memfds 1, 2, 3), then a
            kexec refused by an -EIO injected into luo_hook_serialize: the
            reboot freezes all 7 files, fails to serialize, unfreezes them.
  2         luo_workload --stage 2 in the next kernel: retrieve, FINISH and
            close both sessions; then -d, "luolat 1 3" and the exit code of
            "luosnoop -- COMMAND"; then a ring that fills
            (check_snoop_ring.py); then -p and --cgroup on two luo_opbench
            in two cgroups (check_filters.py).

luosnoop must report exactly those transitions (counts per operation and
handler, and every field: sessions, handlers, tokens, results, counts, pid
and comm of the process that made them, latency where a callback ran), in
LUO's order, as JSON and as text, and its filters must keep exactly what
they name.  luolat must count the same operations per handler, with
histograms that hold exactly luosnoop's latencies.  perf and trace-cmd,
recording the same events, must show each of them with its fields
(check_tracers.py); -p and --cgroup keep exactly their process's events
(check_filters.py).  The tools' exit codes,
readiness and the facts of the stage are in DIR/status ("NAME VALUE").

Prints TAP, ends with "# check_snoop_lat: N passed, M failed", exits 0 only
when everything passed.  Python 3 standard library only.
"""

import argparse
import collections
import json
import os
import re
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(_HERE, "..", "..", "tools", "lib"), os.path.join(_HERE, "..", "lib")]
from luo_names import OPS  # noqa: E402
from workload import MEMFD, TEST, TEST_FLB, WORKLOAD, NR_SESSIONS, NR_FILES  # noqa: E402
from ktap import Tap  # noqa: E402
from check_snoop_cli import UPTIME_RES, check_cli, check_snoop_elapsed, uptime_fact  # noqa: E402
from check_snoop_ring import check_ring_full  # noqa: E402
from check_tracers import check_tracers  # noqa: E402
from check_filters import check_filters  # noqa: E402

EIO = -5

# What luolat counts: the events that carry a duration.
TIMED = [op for op in OPS if op.startswith(("file_", "flb_"))] + ["reboot_end", "serialize"]

COMMON = ["time", "ts_ns", "pid", "comm", "op", "session", "handler", "token",
          "result", "duration_ns"]


def kind(op):
    if op.startswith("session_"):
        return "session"
    if op.startswith(("file_", "flb_")):
        return op.split("_")[0]
    return op


# The keys of a luosnoop JSON line, per kind of operation.
KEYS = {
    "session": COMMON + ["files", "mode"],
    "file": COMMON + ["mode"],
    "flb": COMMON + ["flb", "count", "mode"],
    "reboot_begin": COMMON + ["sessions", "files", "mode"],
    "reboot_end": COMMON + ["sessions", "files", "mode"],
    "serialize": COMMON + ["sessions", "files", "bytes", "mode"],
    "incoming": COMMON + ["number", "sessions", "files", "mode"],
}
# Fields that are measured, not predicted (and the mode, checked apart).
MEASURED = {"time", "ts_ns", "elapsed_ns", "duration_ns", "pid", "comm", "mode"}
# Callbacks that do not exist, so they take 0 ns: neither handler has an
# unfreeze(), memfd has no can_finish().
UNTIMED = {("file_unfreeze", MEMFD), ("file_unfreeze", TEST), ("file_can_finish", MEMFD)}


def ev(op, who, **f):
    """A predicted event: its fields, and who makes it ("workload" or
    "kexec")."""
    d = {"op": op, "session": None, "handler": None, "token": None}
    d.update(f)
    return (who, d)


def scenario(stage):
    """The events of the stage, in LUO's order (unfreezes: see below)."""
    out = []
    if stage == "1":
        for s, files in WORKLOAD.items():
            out.append(ev("session_create", "workload", session=s, files=0, result=0))
            for h, t in files:
                if h == TEST:
                    out.append(ev("flb_preserve", "workload", handler=TEST, flb=TEST_FLB,
                                  count=1, result=0))
                out.append(ev("file_preserve", "workload", session=s, handler=h, token=t,
                              result=0))
        out.append(ev("reboot_begin", "kexec", sessions=NR_SESSIONS, files=NR_FILES,
                      result=0))
        for s, files in WORKLOAD.items():
            for h, t in files:
                out.append(ev("file_freeze", "kexec", session=s, handler=h, token=t, result=0))
        out.append(ev("serialize", "kexec", sessions=NR_SESSIONS, files=NR_FILES, bytes=0,
                      result=EIO))
        for s, files in WORKLOAD.items():
            for h, t in reversed(files):
                out.append(ev("file_unfreeze", "kexec", session=s, handler=h, token=t,
                              result=0))
        out.append(ev("reboot_end", "kexec", sessions=NR_SESSIONS, files=NR_FILES,
                      result=EIO))
    elif stage == "2":
        for s, files in WORKLOAD.items():
            out.append(ev("session_retrieve", "workload", session=s, files=len(files),
                          result=0))
            for h, t in files:
                if h == TEST:
                    # liveupdate_flb_get_incoming() is not told the handler.
                    out.append(ev("flb_retrieve", "workload", handler="", flb=TEST_FLB,
                                  count=1, result=0))
                out.append(ev("file_retrieve", "workload", session=s, handler=h, token=t,
                              result=0))
        for s, files in WORKLOAD.items():
            for h, t in files:
                out.append(ev("file_can_finish", "workload", session=s, handler=h, token=t,
                              result=1))
            for h, t in files:
                out.append(ev("file_finish", "workload", session=s, handler=h, token=t,
                              result=0))
                if h == TEST:
                    out.append(ev("flb_finish", "workload", handler=TEST, flb=TEST_FLB,
                                  count=0, result=0))
            out.append(ev("session_finish", "workload", session=s, files=len(files),
                          result=0))
            out.append(ev("session_release", "workload", session=s, files=0, result=0))
    return out


def canon(d):
    return json.dumps({k: v for k, v in d.items() if k not in MEASURED}, sort_keys=True)


def lat_name(d):
    """luolat's key name of an event: the FLB's for FLB events."""
    if d["op"].startswith("flb_"):
        return d["flb"]
    return d["handler"] or ""


class Stage:
    def __init__(self, d):
        self.dir = d
        self.status = {}
        try:
            with open(os.path.join(d, "status")) as f:
                for line in f:
                    k, _, v = line.strip().partition(" ")
                    self.status[k] = v
        except OSError:
            pass

    def path(self, name):
        return os.path.join(self.dir, name)

    def read(self, name):
        try:
            with open(self.path(name), errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def fact(self, k):
        return self.status.get(k)

    def num(self, k):
        v = self.status.get(k)
        return int(v) if v is not None and re.fullmatch(r"-?\d+", v) else None

    def cmd(self, name):
        return (self.read(f"{name}.cmd") or name).strip()


def load_json_lines(st, tap, name):
    """The JSON objects of NAME.out, one per line; checked for being that."""
    text = st.read(f"{name}.out")
    objs, bad = [], []
    for i, line in enumerate((text or "").splitlines(), 1):
        try:
            objs.append(json.loads(line))
        except ValueError as e:
            bad.append(f"{name}.out:{i}: {e}: {line[:100]}")
    tap.check(text is not None and not bad,
              f"{st.cmd(name)}: every line of its output is a JSON object "
              f"({len(objs)} lines)", bad or ([] if text is not None else ["no output file"]))
    return objs


def check_tool_ran(st, tap, name):
    ready, rc = st.fact(f"ready-{name}"), st.num(f"rc-{name}")
    tap.check(ready == "yes" and rc == 0,
              f"{st.cmd(name)}: attached, traced in the background and exited 0 on SIGINT",
              [f"ready: {ready}, exit code: {rc}", f"stderr: {(st.read(name + '.err') or '')[-500:]}"])


def check_snoop_events(st, tap, stage, evs):
    """luosnoop's unfiltered JSON against the scenario."""
    p = st.cmd("snoop") + ":"
    want = scenario(stage)

    bad = []
    for i, e in enumerate(evs, 1):
        op = e.get("op")
        if op not in OPS:
            bad.append(f"line {i}: unknown op {op!r}")
        elif list(e.keys()) != KEYS[kind(op)]:
            bad.append(f"line {i}: {op}: keys {list(e.keys())}, expected {KEYS[kind(op)]}")
        elif not re.fullmatch(r"\d\d:\d\d:\d\d\.\d{6}", str(e.get("time"))):
            bad.append(f"line {i}: time {e.get('time')!r} is not HH:MM:SS.uuuuuu")
        elif e["mode"] != "tracepoint":
            bad.append(f"line {i}: mode {e['mode']!r}, not tracepoint (this LUO's events)")
    tap.check(not bad, f"{p} each line holds the fields of its operation", bad)

    # Counts per operation and handler, then every predicted field.
    for op in OPS:
        exp = collections.Counter(lat_name(d) for _, d in want if d["op"] == op)
        got = collections.Counter(lat_name(e) for e in evs if e.get("op") == op
                                  and "handler" in e)
        per = ", ".join(f"{h or '-'} {c}" for h, c in sorted(got.items()))
        tap.check(exp == got, f"{p} {op}: {sum(got.values())} events"
                  + (f" ({per})" if per else "") + f", {sum(exp.values())} expected",
                  [f"expected per handler: {dict(exp)}", f"got: {dict(got)}"])
    exp = collections.Counter(canon(d) for _, d in want)
    got = collections.Counter(canon(e) for e in evs)
    tap.check(exp == got, f"{p} every event has the expected session, handler, token, "
              f"result and counts ({len(evs)} events)",
              [f"missing: {k}" for k in exp - got] + [f"unexpected: {k}" for k in got - exp])

    # Who made them: the workload, or the task that asked for the kexec.
    pids = {w: st.num(f"pid-{w}") for w in ("workload", "kexec")}
    comms = {"workload": "luo_workload", "kexec": "luovm-kexec"}
    whose = {}
    for w, d in want:
        whose.setdefault(canon(d), w)
    bad = []
    for e in evs:
        w = whose.get(canon(e))
        if w and (e.get("pid") != pids[w] or e.get("comm") != comms[w]):
            bad.append(f"{e.get('op')}: pid {e.get('pid')} comm {e.get('comm')}, expected "
                       f"pid {pids[w]} comm {comms[w]}")
    tap.check(not bad and evs, f"{p} pid and comm are those of the process that made "
              f"each transition ({', '.join(f'{w} {pids[w]}' for w in pids if pids[w])})", bad)

    # LUO's order; unfreezes as a set (the order of the rollback is LUO's
    # business), but between serialize and reboot_end.
    def seq(lst):
        return [canon(d) if d["op"] != "file_unfreeze" else "unfreeze" for d in lst]
    w, g = seq([d for _, d in want]), seq(evs)
    det = [] if w == g else [f"first difference at event {next((i for i, (a, b) in enumerate(zip(w, g)) if a != b), min(len(w), len(g))) + 1}"]
    tap.check(w == g, f"{p} the events come in the order LUO makes them", det)
    ts = [e.get("ts_ns", 0) for e in evs]
    tap.check(ts == sorted(ts), f"{p} ts_ns never goes back")

    # The wall-clock time is ts_ns moved by a constant.
    bad = []
    for a, b in zip(evs, evs[1:]):
        try:
            dt = (secs(b["time"]) - secs(a["time"])) % 86400
        except (KeyError, ValueError):
            continue
        dts = (b["ts_ns"] - a["ts_ns"]) / 1e9
        if abs(dt - dts) > 2e-6:
            bad.append(f"{a['op']} -> {b['op']}: time says {dt:.6f} s, ts_ns {dts:.6f} s")
    tap.check(not bad, f"{p} time and ts_ns agree", bad)

    # Latency: > 0 where a callback ran, 0 where there is none, none for
    # what times nothing.
    bad = []
    for e in evs:
        op, d = e.get("op"), e.get("duration_ns")
        if op not in TIMED:
            if d is not None:
                bad.append(f"{op}: duration_ns {d}, expected null")
            continue
        if not isinstance(d, int):
            bad.append(f"{op}: duration_ns {d!r}")
        elif (op, e.get("handler")) in UNTIMED:
            if d != 0:
                bad.append(f"{op} {e.get('handler')}: {d} ns, no such callback: 0 expected")
        elif d <= 0 and e.get("result", -1) >= 0:
            bad.append(f"{op} {e.get('handler')} token {e.get('token')}: {d} ns, > 0 expected")
    tap.check(not bad, f"{p} latency > 0 where a callback ran, 0 where the handler has "
              f"none, null for operations that time nothing", bad)
    if stage == "1":
        end = [e for e in evs if e.get("op") == "reboot_end"]
        ser = [e for e in evs if e.get("op") == "serialize"]
        frz = sum(e.get("duration_ns") or 0 for e in evs if e.get("op") == "file_freeze")
        ok = end and ser and end[0]["duration_ns"] >= ser[0]["duration_ns"] + frz
        tap.check(ok, f"{p} reboot_end's latency covers the freezes and the serialize",
                  [f"reboot_end {end[0]['duration_ns'] if end else None}, serialize "
                   f"{ser[0]['duration_ns'] if ser else None}, freezes {frz}"])


def secs(t):
    """Seconds of the day of "HH:MM:SS.uuuuuu"."""
    h, m, s = t.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def check_filtered(st, tap, name, evs, want, what, empty=False):
    """A filtered luosnoop: exactly the events of the unfiltered one that
    the filter names (none only when @empty)."""
    exp = collections.Counter(canon(e) for e in want)
    got = collections.Counter(canon(e) for e in evs)
    ops = collections.Counter(e.get("op") for e in evs)
    tap.check(exp == got and (want or empty),
              f"{st.cmd(name)}: exactly {what} ({', '.join(f'{o} {c}' for o, c in ops.items())})",
              [f"missing: {k}" for k in exp - got] + [f"unexpected: {k}" for k in got - exp])


def check_snoop_text(st, tap, name, evs, elapsed=None):
    """The text output: a header, then one line per event of the JSON one.
    With @elapsed (-T), a first column of seconds since the tool began,
    which was between the two uptimes (s) of @elapsed: checks that, on the
    events' clock (ts_ns) as seen from @evs, and returns that start."""
    text = st.read(f"{name}.out") or ""
    lines = text.splitlines()
    hdr = ["TIME", "PID", "COMM", "OP", "SESSION", "HANDLER", "TOKEN", "RESULT", "LATENCY",
           "DETAIL"]
    if elapsed is not None:
        hdr = ["TIME(s)"] + hdr
    tap.check(lines and lines[0].split() == hdr, f"{st.cmd(name)}: prints its header",
              [f"first line: {lines[0] if lines else None!r}"])
    bad = []
    rows = lines[1:]
    if len(rows) != len(evs):
        bad.append(f"{len(rows)} lines, {len(evs)} JSON events")
    starts = []
    for row, e in zip(rows, evs):
        f = row.split()
        if elapsed is not None:
            try:
                starts.append(e["ts_ns"] / 1e9 - float(f.pop(0)))
            except (ValueError, IndexError):
                bad.append(f"{row!r}: no seconds in TIME(s)")
                continue
        want = [str(e["pid"]), e["comm"], e["op"], e["session"] or "-",
                e["handler"] or "-", "-" if e["token"] is None else str(e["token"]),
                str(e["result"])]
        # Each instance's BPF program reads the clock on its own (and
        # converts it to wall-clock time on its own).
        try:
            dt = abs(secs(f[0]) - secs(e["time"]))
        except (ValueError, IndexError):
            dt = None
        if dt is None or dt > 1:
            bad.append(f"{row!r}: time, expected {e['time']}")
            continue
        if f[1:8] != want:
            bad.append(f"{row!r}: expected {' '.join(want)} ...")
            continue
        d = e["duration_ns"]
        if (d is None) != (f[8] == "-"):
            bad.append(f"{row!r}: latency column, duration_ns {d}")
        extra = {"session": f"files={e.get('files')}",
                 "flb": f"flb={e.get('flb')} count={e.get('count')}"}.get(kind(e["op"]))
        if extra and extra not in row:
            bad.append(f"{row!r}: no '{extra}'")
    tap.check(not bad, f"{st.cmd(name)}: one line per transition, with the fields of "
              f"the JSON output ({len(rows)} lines)", bad)
    if elapsed is None:
        return None
    # Each instance reads the clock on its own: the same start within
    # 0.1 s for every line (a clock other than the events', or another
    # unit, would drift by the stage's seconds), and between the uptime
    # before the tool was started and the one once it traced.
    before, ready = elapsed
    spread = max(starts) - min(starts) if starts else None
    start = min(starts, default=float("nan"))
    tap.check(spread is not None and spread < 0.1 and
              before - UPTIME_RES <= start <= ready + UPTIME_RES,
              f"{st.cmd(name)}: TIME(s) counts the seconds since it began tracing, on the "
              f"events' clock",
              [f"start (ts_ns - TIME(s)) from {start:.6f} to {max(starts, default=0):.6f} s; "
               f"started after {before} s, tracing by {ready} s"])
    return start


def log2_slot(v):
    s = 0
    while v > 1 and s < 39:
        v >>= 1
        s += 1
    return s


def lat_expected(snoop_evs, ops=None, name=None):
    """What luolat should hold, from luosnoop's events: {(op, name):
    (count, failed, sum, {slot low: count})}."""
    out = {}
    for e in snoop_evs:
        op = e.get("op")
        if op not in TIMED or (ops and op not in ops):
            continue
        n = lat_name(e)
        if name is not None and n != name:
            continue
        c, f, s, sl = out.get((op, n), (0, 0, 0, collections.Counter()))
        d = e.get("duration_ns") or 0
        sl = sl.copy()
        sl[(1 << log2_slot(d)) if log2_slot(d) else 0] += 1
        out[(op, n)] = (c + 1, f + (e.get("result", 0) < 0), s + d, sl)
    return out


def check_lat(st, tap, name, snoop_evs, scen, ops=None, hname=None):
    objs = load_json_lines(st, tap, name)
    p = st.cmd(name) + ":"
    tap.check(len(objs) == 1, f"{p} one summary when stopped by SIGINT ({len(objs)})")
    if not objs:
        return {}
    o = objs[-1]
    tap.check(o.get("mode") == "tracepoint" and o.get("untimed") == [],
              f"{p} in tracepoint mode, every operation timed",
              f"mode {o.get('mode')!r}, untimed {o.get('untimed')!r}")
    hs = o.get("histograms", [])
    got = {(h.get("op"), h.get("handler")): h for h in hs}
    # Counts per operation and handler, from the scenario.
    exp = collections.Counter()
    for _, d in scen:
        if d["op"] in TIMED and (not ops or d["op"] in ops) and \
           (hname is None or lat_name(d) == hname):
            exp[(d["op"], lat_name(d))] += 1
    gotc = {k: h.get("count") for k, h in got.items()}
    tap.check(dict(exp) == gotc and len(got) == len(hs),
              f"{p} counts per operation and handler match the workload: "
              + ", ".join(f"{o}/{n or '-'} {c}" for (o, n), c in sorted(exp.items())),
              [f"expected {dict(exp)}", f"got {gotc}"])
    # Each histogram holds exactly the latencies luosnoop saw.
    want = lat_expected(snoop_evs, ops, hname)
    bad = []
    for k, h in got.items():
        hist = h.get("hist", {})
        slots = {s["low"]: s["count"] for s in hist.get("slots", [])}
        if not slots or hist.get("total") != h.get("count"):
            bad.append(f"{k}: empty histogram or total {hist.get('total')} != count {h.get('count')}")
        w = want.get(k)
        if not w:
            bad.append(f"{k}: luosnoop saw no such event")
            continue
        c, f, s, sl = w
        if (h.get("count"), h.get("failed"), h.get("sum_ns")) != (c, f, s):
            bad.append(f"{k}: count {h.get('count')} failed {h.get('failed')} sum_ns "
                       f"{h.get('sum_ns')}, luosnoop: {c} {f} {s}")
        if slots != dict(sl):
            bad.append(f"{k}: slots {slots}, from luosnoop's latencies {dict(sl)}")
        for s_ in hist.get("slots", []):
            if s_["high"] != 2 * (s_["low"] or 1) - 1:
                bad.append(f"{k}: slot {s_}")
    tap.check(not bad and got, f"{p} every histogram is non-empty and holds exactly "
              f"luosnoop's latencies (count, failures, sum, log2 slots)", bad)
    tap.check(o.get("dropped") == 0, f"{p} nothing dropped ({o.get('dropped')})")
    return got


def check_lat_text(st, tap, name, lat):
    """luolat's text: the timestamp (-T), then per histogram its line and
    rows whose counts add up."""
    text = st.read(f"{name}.out") or ""
    lines = [ln for ln in text.splitlines()]
    nonempty = [ln for ln in lines if ln.strip()]
    tap.check(nonempty and re.fullmatch(r"\d\d:\d\d:\d\d", nonempty[0].strip()),
              f"{st.cmd(name)}: begins with the timestamp (-T)",
              [f"first line: {nonempty[0] if nonempty else None!r}"])
    got, cur, bad = {}, None, []
    for ln in lines:
        m = re.match(r"^op = (\w+)(?:, (handler|flb) = (\S+))?: (\d+) calls, (\d+) failed, "
                     r"avg .*, p50 <= .*, p99 <= .*$", ln)
        if m:
            cur = (m[1], m[3] or "")
            got[cur] = [int(m[4]), 0]
            if (m[2] == "flb") != m[1].startswith("flb_"):
                bad.append(f"{ln!r}: handler/flb")
            continue
        m = re.match(r"^\s+(\d+) -> (\d+)\s+: (\d+)\s+\|[* ]{40}\|$", ln)
        if m and cur:
            got[cur][1] += int(m[3])
    want = {k: h.get("count") for k, h in lat.items()}
    tap.check(not bad and {k: v[0] for k, v in got.items()} == want and
              all(c == s for c, s in got.values()),
              f"{st.cmd(name)}: one histogram per operation and handler, as the JSON "
              f"output's, whose rows add up to its count", bad + [f"text: {got}", f"json: {want}"])


def stage_1(st, tap):
    for name in ("snoop", "snoop-text", "snoop-failed", "snoop-handler", "snoop-session",
                 "snoop-pid", "lat", "lat-freeze", "lat-text"):
        check_tool_ran(st, tap, name)
    tap.check(st.num("rc-workload") == 0, "luo_workload --stage 1 exited 0",
              [st.read("workload.log") or ""])
    tap.check(st.num("rc-inject") == 0, "fail_function injects -EIO into luo_hook_serialize",
              [st.read("inject.err") or ""])
    klog = st.read("kexec.log") or ""
    tap.check(st.num("rc-kexec") == 1 and "reboot(KEXEC): Input/output error" in klog,
              "the kexec is refused with the injected -EIO",
              [f"exit code {st.fact('rc-kexec')}: {klog.strip()}"])
    tap.check(st.num("rc-clear-injection") == 0, "the injection is removed")

    evs = load_json_lines(st, tap, "snoop")
    check_snoop_events(st, tap, "1", evs)
    check_snoop_text(st, tap, "snoop-text", evs)
    check_filtered(st, tap, "snoop-failed", load_json_lines(st, tap, "snoop-failed"),
                   [e for e in evs if e.get("result", 0) < 0],
                   "the failed transitions, serialize and reboot_end with -EIO")
    check_filtered(st, tap, "snoop-handler", load_json_lines(st, tap, "snoop-handler"),
                   [e for e in evs if e.get("handler") == TEST],
                   "the luo_test file's transitions and its FLB's")
    check_filtered(st, tap, "snoop-session", load_json_lines(st, tap, "snoop-session"),
                   [e for e in evs if e.get("session") == "wl-b" and
                    e.get("op") in ("file_preserve", "file_freeze")],
                   "wl-b's preserves and freezes")
    check_filtered(st, tap, "snoop-pid", load_json_lines(st, tap, "snoop-pid"),
                   [e for e in evs if e.get("pid") == st.num("pid-workload")],
                   "the workload's transitions, none of the kexec")
    scen = scenario("1")
    lat = check_lat(st, tap, "lat", evs, scen)
    check_lat(st, tap, "lat-freeze", evs, scen, ops={"file_freeze"}, hname=MEMFD)
    check_lat_text(st, tap, "lat-text", lat)
    check_tracers(st, tap, scen, OPS, kind)


def stage_2(st, tap):
    for name in ("snoop", "snoop-text", "snoop-failed", "lat", "lat-text"):
        check_tool_ran(st, tap, name)
    wlog = st.read("workload.log") or ""
    tap.check(st.num("rc-snoop-cmd") == 0 and "stage 2: PASS" in wlog,
              "luosnoop -- luo_workload --stage 2: the workload passed, luosnoop exited "
              "with its code 0", [f"exit code {st.fact('rc-snoop-cmd')}", wlog[-1000:]])
    evs = load_json_lines(st, tap, "snoop")
    check_snoop_events(st, tap, "2", evs)
    check_snoop_text(st, tap, "snoop-text", evs,
                     elapsed=(uptime_fact(st, "uptime-before-tools"),
                              uptime_fact(st, "uptime-tools-ready")))
    # Nothing failed; can_finish's result 1 is no failure.
    check_filtered(st, tap, "snoop-failed", load_json_lines(st, tap, "snoop-failed"),
                   [e for e in evs if e.get("result", 0) < 0],
                   "no transition: none failed (can_finish's 1 is no failure)", empty=True)
    st_cmd = "snoop-cmd"
    cmd_evs = load_json_lines(st, tap, st_cmd)
    check_filtered(st, tap, st_cmd, cmd_evs,
                   [e for e in evs if e.get("op") in ("session_retrieve", "session_finish")],
                   "the session retrieves and finishes of the command (--op a,b)")
    check_snoop_elapsed(st, tap, st_cmd, cmd_evs, uptime_fact(st, "uptime-before-cmd"))
    scen = scenario("2")
    lat = check_lat(st, tap, "lat", evs, scen)
    check_lat_text(st, tap, "lat-text", lat)
    check_tracers(st, tap, scen, OPS, kind)

    check_cli(st, tap)
    check_ring_full(st, tap, load_json_lines, check_tool_ran)
    check_filters(st, tap)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stage", required=True, choices=["1", "2"])
    ap.add_argument("--dir", required=True, help="the stage's output directory")
    args = ap.parse_args()
    st = Stage(args.dir)
    tap = Tap("check_snoop_lat")
    cs = (st.read("clocksource") or "").strip()
    # A jiffies clock means the TSC was not calibrated: LUO would time
    # its callbacks in 4 ms ticks, and a latency of 0 would pass.
    tap.check(cs and "jiffies" not in cs, f"the kernel's clocksource is {cs or '?'}, "
              f"not a jiffies clock")
    if args.stage == "1":
        stage_1(st, tap)
    else:
        stage_2(st, tap)
    sys.exit(tap.end())


if __name__ == "__main__":
    main()
