#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run every bpftrace program of the toolkit around one live update of
luo_workload, and check what each printed against what the workload did.

The programs: every tools/bpftrace/*.bt, and every one-liner of
Documentation/bpftrace.rst (each is marked there with a comment
".. bpftrace-oneliner: NAME" that names its check below; a "bpftrace -e"
in the document without one is a failure, as is a .bt without a check).

  bpftrace_check.py --stage 1      (in the first kernel, fresh boot)
      Starts every program that has something to see in this kernel
      (SCRIPT_CHECKS and ONELINER_CHECKS say which), each as its own
      bpftrace process, in the background; waits until each has attached
      its probes; runs
      "luo_workload --stage 1" (sessions wl-a: memfds 1, 2, 3 and the
      luo_test file 100 with its FLB; wl-b: memfds 1, 2, 3); then provokes
      a refused kexec: fail_function makes luo_hook_serialize return
      -ETIMEDOUT, so the kexec reboot freezes all 7 files, fails to
      serialize, thaws them and returns the error (the reboot-time events
      of a real kexec end with the kernel, and bpftrace with it); disables
      the injection; stops every program and checks its output.
  bpftrace_check.py --stage 2      (in the next kernel, after the kexec)
      The same around "luo_workload --stage 2": retrieve both sessions and
      all 7 files, verify them, FINISH both.

Each program runs under "bpftrace -c" with a waiting shell script as its
command: bpftrace starts a -c command only once every probe is attached,
so the script's first act tells us the program is ready, and when it ends
(on a stop file) bpftrace runs END and prints its maps, as on Ctrl-C.
bpftrace 0.17's -c takes an ELF binary, hence "/bin/sh SCRIPT".

Outputs are kept in --out (default $LUOVM_RUN/bpftrace/stageN).  Prints
TAP, one result per check, and ends with
"# bpftrace_check stage N: P passed, F failed"; exits 0 only when every
check passed.  Python 3 standard library only; run as root in the guest.
"""

import argparse
import collections
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BT_DIR = os.path.join(REPO, "tools", "bpftrace")
DOC = os.path.join(REPO, "Documentation", "bpftrace.rst")
BUILD = os.environ.get("LUO_BUILD", os.path.join(REPO, "build"))

# What luo_workload does (selftests/lib/workload.py asks the program).
sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(REPO, "selftests", "lib"))
from workload import (  # noqa: E402
    MEMFD, TEST, TEST_FLB, WORKLOAD, NR_SESSIONS, NR_FILES, NR_FLBS, COMM, PER_HANDLER)
from ktap import Tap  # noqa: E402
# (session, handler, token) of every file.
FILES = {(s, h, str(t)) for s, files in WORKLOAD.items() for h, t in files}

# The refused kexec of stage 1.
INJECT_HOOK = "luo_hook_serialize"
INJECT_ERRNO = 110
INJECT_NAME = "ETIMEDOUT"
FAIL_FUNCTION = "/sys/kernel/debug/fail_function"

# Seconds allowed for every program to attach (they start in parallel;
# bpftrace takes seconds each under TCG), and to exit once told to.
ATTACH_TIMEOUT = 600
EXIT_TIMEOUT = 120


def note(msg):
    print(f"# {msg}", flush=True)


# ---------------------------------------------------------------------------
# bpftrace's output

MAP = re.compile(r"^@(\w*)(?:\[(.*)\])?: ?(.*)$")
BUCKET = re.compile(r"^\[([^\]]*?)[\])]\s+(\d+)\s+\|")
STATS = re.compile(r"^count (\d+), average (\d+), total (\d+)$")


class Output:
    """What one bpftrace process printed: its lines (printf, time) and the
    maps it printed at exit: name -> {key tuple: value}, where a value is an
    int, a dict (stats: count, average, total) or a list of bucket counts
    (hist)."""

    def __init__(self, text):
        self.text = text
        self.lines = []
        self.maps = collections.defaultdict(dict)
        hist = None
        for line in text.splitlines():
            if hist is not None:
                m = BUCKET.match(line)
                if m:
                    hist.append(int(m.group(2)))
                    continue
                hist = None
            m = MAP.match(line)
            if m:
                name, key, val = m.group(1), m.group(2), m.group(3).strip()
                key = tuple(key.split(", ")) if key is not None else ()
                if val == "":
                    hist = self.maps[name][key] = []
                elif STATS.match(val):
                    c, a, t = map(int, STATS.match(val).groups())
                    self.maps[name][key] = {"count": c, "average": a, "total": t}
                elif re.fullmatch(r"-?\d+", val):
                    self.maps[name][key] = int(val)
                else:
                    self.maps[name][key] = val
                continue
            if line.strip() and not line.startswith("Attaching "):
                self.lines.append(line)

    def map(self, name):
        return dict(self.maps.get(name, {}))

    def matching(self, rx):
        return [m for m in (re.search(rx, line) for line in self.lines) if m]


def hist_total(buckets):
    return sum(buckets) if isinstance(buckets, list) else None


def show(out, n=40):
    lines = out.text.splitlines()
    return ["output:"] + [f"  {line}" for line in lines[:n]] + \
        ([f"  ... {len(lines) - n} more lines"] if len(lines) > n else [])


# ---------------------------------------------------------------------------
# Checks, one function per program: check(tap, what, out, ctx) where ctx
# holds the stage, the workload's pid and whether callbacks could be timed.

def expect_map(tap, what, out, name, want):
    """Map @name holds exactly want ({key tuple: value})."""
    got = out.map(name)
    tap.check(got == want, f"{what}: @{name} is {fmt_map(want)}",
              [f"got {fmt_map(got)}"] + show(out))


def expect_no_maps(tap, what, out, *names):
    got = {n: out.map(n) for n in names if out.map(n)}
    tap.check(not got, f"{what}: {', '.join('@' + n for n in names)} empty",
              [f"got {got}"] + show(out))


def fmt_map(m):
    if not m:
        return "empty"
    return "{" + ", ".join(f"[{', '.join(k)}]: {v}" for k, v in sorted(m.items())) + "}"


def expect_lines(tap, what, out, rx, n):
    got = out.matching(rx)
    tap.check(len(got) == n, f"{what}: {n} line(s) like /{rx}/",
              [f"got {len(got)}"] + show(out))
    return got


def check_hist_and_stats(tap, what, out, hname, sname, want):
    """Histograms @hname and stats @sname per handler, with want counts."""
    hists = out.map(hname)
    stats = out.map(sname)
    got = {k[0]: hist_total(v) for k, v in hists.items()}
    tap.check(got == want, f"{what}: @{hname} has a histogram per handler with "
              f"the right totals {want}", [f"got {got}"] + show(out))
    got = {k[0]: v["count"] if isinstance(v, dict) else v for k, v in stats.items()}
    tap.check(got == want, f"{what}: @{sname} counts {want}", [f"got {got}"] + show(out))
    bad = [f"{k}: {v}" for k, v in stats.items() if not isinstance(v, dict) or
           v["count"] and v["average"] != v["total"] // v["count"]]
    tap.check(not bad, f"{what}: @{sname} averages are total/count", bad)


def c_ops_by_handler(tap, what, out, ctx):
    if ctx.stage == 1:
        ops = ["preserve", "freeze", "unfreeze"]
    else:
        ops = ["retrieve", "can_finish", "finish"]
    want = {(h, f"tracepoint:liveupdate:luo_file_{op}"): n
            for h, n in PER_HANDLER.items() for op in ops}
    expect_map(tap, what, out, "ops", want)
    expect_no_maps(tap, what, out, "errors")


def c_freeze_latency(tap, what, out, ctx):
    want = dict(PER_HANDLER) if ctx.stage == 1 else {}
    check_hist_and_stats(tap, what, out, "freeze_ns", "freeze_stats_ns", want)
    expect_no_maps(tap, what, out, "freeze_failed")


def c_preserve_latency(tap, what, out, ctx):
    want = dict(PER_HANDLER) if ctx.stage == 1 else {}
    check_hist_and_stats(tap, what, out, "preserve_ns", "preserve_stats_ns", want)
    expect_no_maps(tap, what, out, "preserve_failed")


def c_failures(tap, what, out, ctx):
    rx = r"^\d\d:\d\d:\d\d (tracepoint:liveupdate:\w+)\s+(-\d+)\s+(\S*)\s+(.*)$"
    got = [m.groups() for m in out.matching(rx)]
    if ctx.stage == 1:
        e = f"-{INJECT_ERRNO}"
        want = [("tracepoint:liveupdate:luo_serialize", e, INJECT_NAME,
                 f"sessions={NR_SESSIONS} files={NR_FILES} flbs={NR_FLBS}"),
                ("tracepoint:liveupdate:luo_reboot_end", e, INJECT_NAME,
                 f"sessions={NR_SESSIONS} files={NR_FILES}: kexec refused")]
        tap.check(got == want, f"{what}: lists the injected -{INJECT_NAME} of serialize, then "
                  f"of reboot_end, and nothing else",
                  ["want:"] + [f"  {w}" for w in want] + ["got:"] + [f"  {g}" for g in got] +
                  show(out))
        expect_map(tap, what, out, "failures",
                   {("tracepoint:liveupdate:luo_serialize",): 1,
                    ("tracepoint:liveupdate:luo_reboot_end",): 1})
    else:
        tap.check(not got, f"{what}: no failure listed", show(out))
        expect_no_maps(tap, what, out, "failures")
    expect_no_maps(tap, what, out, "errname")


def c_sessions_by_process(tap, what, out, ctx):
    rx = r"^\d\d:\d\d:\d\d (\S+)\s+(\d+)\s+(\w+)\s+(\S+)\s+(\d+) (-?\d+)$"
    got = [m.groups() for m in out.matching(rx)]
    pid = str(ctx.workload_pid)
    want = []
    if ctx.stage == 1:
        for s in WORKLOAD:
            want.append((COMM, pid, "create", s, "0", "0"))
        counts = {(COMM, pid, "create"): NR_SESSIONS}
    else:
        for s, files in WORKLOAD.items():
            want.append((COMM, pid, "retrieve", s, str(len(files)), "0"))
        for s, files in WORKLOAD.items():
            want.append((COMM, pid, "finish", s, str(len(files)), "0"))
            want.append((COMM, pid, "release", s, "0", "0"))
        counts = {(COMM, pid, op): NR_SESSIONS for op in ("retrieve", "finish", "release")}
    tap.check(got == want, f"{what}: one line per session operation, by {COMM} "
              f"(pid {pid})", ["want:"] + [f"  {w}" for w in want] +
              ["got:"] + [f"  {g}" for g in got] + show(out))
    expect_map(tap, what, out, "sessions", counts)


def c_retrieve_rate(tap, what, out, ctx):
    rows = [tuple(map(int, m.groups())) for m in
            out.matching(r"^\d\d:\d\d:\d\d\s+(\d+)\s+(\d+)\s+(\d+)$")]
    total = out.matching(r"^total: (\d+) sessions, (\d+) files retrieved, (\d+) failed$")
    want = (NR_SESSIONS, NR_FILES, 0) if ctx.stage == 2 else (0, 0, 0)
    got = tuple(map(int, total[0].groups())) if len(total) == 1 else None
    tap.check(got == want, f"{what}: total {want[0]} sessions, {want[1]} files, "
              f"{want[2]} failed", [f"got {got}"] + show(out))
    sums = tuple(sum(r[i] for r in rows) for i in range(3))
    tap.check(sums == want and all(any(r) for r in rows),
              f"{what}: the per-second lines ({len(rows)}) add up to the totals",
              [f"rows {rows}, sums {sums}"] + show(out))


def c_blackout(tap, what, out, ctx):
    begins = out.matching(r"reboot begins: (\d+) sessions, (\d+) files to freeze$")
    ends = out.matching(r"reboot ends: result (-?\d+), window (\d+) us \(LUO: (\d+) us\), "
                        r"(\d+) frozen, (\d+) thawed, serialize (\d+) us$")
    if ctx.stage == 2:
        tap.check(not begins and not ends, f"{what}: no reboot window in the new kernel",
                  show(out))
        return
    b = [tuple(map(int, m.groups())) for m in begins]
    tap.check(b == [(NR_SESSIONS, NR_FILES)],
              f"{what}: the window opens once, on {NR_SESSIONS} sessions and {NR_FILES} files",
              [f"got {b}"] + show(out))
    e = [tuple(map(int, m.groups())) for m in ends]
    ok = len(e) == 1 and e[0][0] == -INJECT_ERRNO and e[0][3] == NR_FILES and \
        e[0][4] == NR_FILES
    tap.check(ok, f"{what}: it closes once, refused with -{INJECT_ERRNO}, "
              f"{NR_FILES} files frozen and {NR_FILES} thawed", [f"got {e}"] + show(out))
    if ok:
        _, window, luo, _, _, ser = e[0]
        tap.check(window > 0 and ser <= luo and luo > 0,
                  f"{what}: the window lasted {window} us (LUO: {luo} us, of which "
                  f"serialize {ser} us)", show(out))
    h = out.map("window_us")
    tap.check({k: hist_total(v) for k, v in h.items()} == {(): 1},
              f"{what}: @window_us holds the one window", [f"got {h}"] + show(out))


def c_serialize(tap, what, out, ctx):
    ok_lines = out.matching(r"handover: (\d+) bytes")
    bad = out.matching(r"handover not written: result (-?\d+): (\d+) sessions, (\d+) files, "
                       r"(\d+) FLBs, after (\d+) us$")
    b = [tuple(map(int, m.groups()[:4])) for m in bad]
    if ctx.stage == 1:
        want = [(-INJECT_ERRNO, NR_SESSIONS, NR_FILES, NR_FLBS)]
        tap.check(b == want and not ok_lines,
                  f"{what}: the refused handover, -{INJECT_ERRNO} with {NR_SESSIONS} "
                  f"sessions, {NR_FILES} files, {NR_FLBS} FLB, and no handover written",
                  [f"got {b}, written {len(ok_lines)}"] + show(out))
    else:
        tap.check(not b and not ok_lines, f"{what}: no serialize in the new kernel", show(out))
    expect_no_maps(tap, what, out, "bytes")


def c_flb_lifecycle(tap, what, out, ctx):
    rx = r"^\d\d:\d\d:\d\d (\w+)\s+(\S+)\s+(\S*?)\s+(\d+)\s+(-?\d+)\s+(\d+)$"
    rows = [m.groups() for m in out.matching(rx)]
    got = [r[:5] for r in rows]
    if ctx.stage == 1:
        want = [("preserve", TEST_FLB, TEST, "1", "0")]
    else:
        # The retrieve a handler asks for names no handler (the event's doc).
        want = [("retrieve", TEST_FLB, "", "1", "0"), ("finish", TEST_FLB, TEST, "0", "0")]
    tap.check(got == want, f"{what}: the FLB's callbacks, in order: "
              f"{', '.join(w[0] for w in want)}",
              ["want:"] + [f"  {w}" for w in want] + ["got:"] + [f"  {g}" for g in got] +
              show(out))
    zero = [r for r in rows if r[5] == "0"]
    tap.check(not zero, f"{what}: each callback took some ns", zero)


def c_session_files(tap, what, out, ctx):
    per = {(s,): len(f) for s, f in WORKLOAD.items()}
    if ctx.stage == 1:
        full, empty = ["preserved", "frozen", "thawed"], ["unpreserved", "incoming",
                                                          "retrieved", "finished"]
    else:
        full, empty = ["incoming", "retrieved", "finished"], ["preserved", "unpreserved",
                                                              "frozen", "thawed"]
    for name in full:
        expect_map(tap, what, out, name, per)
    expect_no_maps(tap, what, out, *empty)


def c_slowest(tap, what, out, ctx):
    m = out.map("slowest_ns")
    events = ["luo_file_preserve", "luo_file_freeze", "luo_file_unfreeze"] if ctx.stage == 1 \
        else ["luo_file_retrieve", "luo_file_can_finish", "luo_file_finish"]
    bad = [k for k in m if len(k) != 4 or k[0] not in
           [f"tracepoint:liveupdate:{e}" for e in events] or tuple(k[1:]) not in FILES]
    tap.check(m and not bad, f"{what}: @slowest_ns names only callbacks "
              f"of this stage's files ({', '.join(events)})", [f"bad keys {bad}"] + show(out))
    # Each file of the stage made 3 timed callbacks, but memfd has no
    # can_finish(): stage 2 times 6 * 2 + 3 of the luo_test file.
    n = 3 * NR_FILES if ctx.stage == 1 else 2 * NR_FILES + PER_HANDLER[TEST]
    want = min(10, n)
    tap.check(len(m) == want,
              f"{what}: prints the {want} slowest", [f"got {len(m)}"] + show(out))
    vals = [int(v.split(":")[-1]) for v in
            (line for line in out.text.splitlines() if line.startswith("@slowest_ns["))]
    tap.check(vals == sorted(vals) and all(v > 0 for v in vals),
              f"{what}: in ascending order of ns, none 0", [f"got {vals}"])


def c_session_lifetime(tap, what, out, ctx):
    rx = r"^\d\d:\d\d:\d\d (\S+)\s+(\d+)\s+(\d+)\s+(-?\d+)\s+(\d+)$"
    rows = [m.groups() for m in out.matching(rx)]
    if ctx.stage == 1:
        tap.check(not rows, f"{what}: no incoming session in the first kernel", show(out))
        return
    want = [(s, str(len(f)), str(len(f)), "0") for s, f in WORKLOAD.items()]
    tap.check([r[:4] for r in rows] == want,
              f"{what}: each session finished, with all its files retrieved",
              ["want:"] + [f"  {w}" for w in want] + ["got:"] + [f"  {r}" for r in rows] +
              show(out))
    tap.check(all(int(r[4]) > 0 for r in rows), f"{what}: each lifetime is > 0 us",
              [f"got {rows}"])
    expect_no_maps(tap, what, out, "retrieved_at", "files", "retrieved")


# The checks of the one-liners of Documentation/bpftrace.rst.

def o_events(tap, what, out, ctx):
    tp = "tracepoint:liveupdate:"
    if ctx.stage == 1:
        want = {"luo_session_create": NR_SESSIONS, "luo_file_preserve": NR_FILES,
                "luo_flb_preserve": NR_FLBS, "luo_reboot_begin": 1,
                "luo_file_freeze": NR_FILES, "luo_serialize": 1,
                "luo_file_unfreeze": NR_FILES, "luo_reboot_end": 1}
    else:
        want = {"luo_session_retrieve": NR_SESSIONS, "luo_file_retrieve": NR_FILES,
                "luo_flb_retrieve": NR_FLBS, "luo_file_can_finish": NR_FILES,
                "luo_file_finish": NR_FILES, "luo_flb_finish": NR_FLBS,
                "luo_session_finish": NR_SESSIONS, "luo_session_release": NR_SESSIONS}
    expect_map(tap, what, out, "", {(tp + k,): v for k, v in want.items()})


def o_preserves_by_handler(tap, what, out, ctx):
    want = {(h,): n for h, n in PER_HANDLER.items()} if ctx.stage == 1 else {}
    expect_map(tap, what, out, "", want)


def o_freeze_hist(tap, what, out, ctx):
    want = {(h,): n for h, n in PER_HANDLER.items()} if ctx.stage == 1 else {}
    got = {k: hist_total(v) for k, v in out.map("ns").items()}
    tap.check(got == want, f"{what}: @ns has a histogram per handler totalling {want}",
              [f"got {got}"] + show(out))


def o_session_creators(tap, what, out, ctx):
    got = [m.groups() for m in out.matching(r"^(\S+)\[(\d+)\] (\S+) (-?\d+)$")]
    want = [(COMM, str(ctx.workload_pid), s, "0") for s in WORKLOAD] if ctx.stage == 1 else []
    tap.check(got == want, f"{what}: prints who created which session",
              ["want:"] + [f"  {w}" for w in want] + ["got:"] + [f"  {g}" for g in got] +
              show(out))


def o_kexec_refused(tap, what, out, ctx):
    got = [tuple(map(int, m.groups())) for m in
           out.matching(r"^kexec refused: (-?\d+) \((\d+) sessions, (\d+) files\)$")]
    want = [(-INJECT_ERRNO, NR_SESSIONS, NR_FILES)] if ctx.stage == 1 else []
    tap.check(got == want, f"{what}: prints the refused kexec with its errno",
              [f"want {want}", f"got {got}"] + show(out))


def o_serialize_bytes(tap, what, out, ctx):
    got = [tuple(map(int, m.groups())) for m in
           out.matching(r"^serialize: (\d+) bytes, result (-?\d+)$")]
    want = [(0, -INJECT_ERRNO)] if ctx.stage == 1 else []
    tap.check(got == want, f"{what}: prints the serialize, 0 bytes as it was refused",
              [f"want {want}", f"got {got}"] + show(out))


def o_retrieve_stats(tap, what, out, ctx):
    want = {(h,): n for h, n in PER_HANDLER.items()} if ctx.stage == 2 else {}
    got = {k: v["count"] for k, v in out.map("us").items() if isinstance(v, dict)}
    tap.check(got == want and len(out.map("us")) == len(got),
              f"{what}: @us has the stats of each handler's retrieves, counts {want}",
              [f"got {out.map('us')}"] + show(out))


def o_incoming_sessions(tap, what, out, ctx):
    got = [m.groups() for m in out.matching(r"^(\S+): (\d+) files$")]
    want = [(s, str(len(f))) for s, f in WORKLOAD.items()] if ctx.stage == 2 else []
    tap.check(got == want, f"{what}: prints each retrieved session and its files",
              [f"want {want}", f"got {got}"] + show(out))


# Each program's check and the stages it runs in: those where its events
# fire (bpftrace takes seconds to start under TCG, so a program runs only
# where it has something to show, and where it must stay quiet about what
# it should not see: ops, failures, sessions, FLBs, files in both).
SCRIPT_CHECKS = {
    "luo_ops_by_handler.bt": (c_ops_by_handler, (1, 2)),
    "luo_freeze_latency.bt": (c_freeze_latency, (1,)),
    "luo_preserve_latency.bt": (c_preserve_latency, (1,)),
    "luo_failures.bt": (c_failures, (1, 2)),
    "luo_sessions_by_process.bt": (c_sessions_by_process, (1, 2)),
    "luo_retrieve_rate.bt": (c_retrieve_rate, (2,)),
    "luo_blackout.bt": (c_blackout, (1,)),
    "luo_serialize.bt": (c_serialize, (1,)),
    "luo_flb_lifecycle.bt": (c_flb_lifecycle, (1, 2)),
    "luo_session_files.bt": (c_session_files, (1, 2)),
    "luo_slowest.bt": (c_slowest, (1, 2)),
    "luo_session_lifetime.bt": (c_session_lifetime, (2,)),
}
# The one-liners of Documentation/bpftrace.rst, by the name it gives them.
ONELINER_CHECKS = {
    "events": (o_events, (1, 2)),
    "preserves-by-handler": (o_preserves_by_handler, (1,)),
    "freeze-hist": (o_freeze_hist, (1,)),
    "session-creators": (o_session_creators, (1,)),
    "kexec-refused": (o_kexec_refused, (1,)),
    "serialize-bytes": (o_serialize_bytes, (1,)),
    "retrieve-stats": (o_retrieve_stats, (2,)),
    "incoming-sessions": (o_incoming_sessions, (2,)),
}


# ---------------------------------------------------------------------------
# The programs

class Program:
    def __init__(self, name, argv, check):
        self.name = name          # file name, or "oneliner:NAME"
        self.argv = argv          # bpftrace's arguments before -c
        self.check = check
        self.proc = None
        self.out_path = None
        self.rc = None
        self.ready_after = None


def oneliners(tap):
    """(name, program) of each one-liner of the document; a failed check for
    each "bpftrace -e" it has without a name, or a name without a check."""
    try:
        with open(DOC) as f:
            doc = f.read()
    except OSError as e:
        tap.check(False, f"{DOC} readable", [str(e)])
        return []
    found, bad = [], []
    lines = doc.splitlines()
    tag = None
    for i, line in enumerate(lines, 1):
        m = re.match(r"^\.\. bpftrace-oneliner: (\S+)\s*$", line)
        if m:
            tag = (m.group(1), i)
            continue
        if "bpftrace -e" not in line:
            continue
        cmd = line.strip()
        cmd = cmd[2:] if cmd.startswith("# ") else cmd
        if tag is None:
            bad.append(f"line {i}: no '.. bpftrace-oneliner: NAME' before it: {cmd}")
            continue
        try:
            argv = shlex.split(cmd)
        except ValueError as e:
            bad.append(f"line {i}: {e}: {cmd}")
            continue
        if argv[:2] != ["bpftrace", "-e"] or len(argv) != 3:
            bad.append(f"line {i}: not \"bpftrace -e 'PROGRAM'\" on one line: {cmd}")
            continue
        if tag[0] not in ONELINER_CHECKS:
            bad.append(f"line {i}: no check named {tag[0]} in {os.path.basename(__file__)}")
        else:
            found.append((tag[0], argv[2]))
        tag = None
    names = [n for n, _ in found]
    missing = sorted(set(ONELINER_CHECKS) - set(names))
    dup = sorted(n for n, c in collections.Counter(names).items() if c > 1)
    tap.check(not bad and not missing and not dup,
              f"Documentation/bpftrace.rst: {len(found)} one-liners, each named, each "
              f"with its check", bad + [f"no one-liner named {n}" for n in missing] +
              [f"named twice: {n}" for n in dup])
    return found


def programs(tap, stage, only):
    progs = []
    scripts = sorted(glob.glob(os.path.join(BT_DIR, "*.bt")))
    names = [os.path.basename(p) for p in scripts]
    unknown = [n for n in names if n not in SCRIPT_CHECKS]
    gone = [n for n in SCRIPT_CHECKS if n not in names]
    tap.check(len(scripts) >= 10 and not unknown and not gone,
              f"tools/bpftrace: {len(scripts)} scripts, each with its check",
              [f"no check for {n}" for n in unknown] + [f"missing: {n}" for n in gone])
    for path, name in zip(scripts, names):
        if name in SCRIPT_CHECKS:
            check, stages = SCRIPT_CHECKS[name]
            if stage in stages:
                progs.append(Program(name, [path], check))
    for name, prog in oneliners(tap):
        check, stages = ONELINER_CHECKS[name]
        if stage in stages:
            progs.append(Program(f"oneliner:{name}", ["-e", prog], check))
    if only:
        progs = [p for p in progs if any(o in p.name for o in only)]
    return progs


def start(progs, out_dir, ctl):
    """Start every program with a waiting -c command; return when all are
    attached (or have died, or the time is up)."""
    waiter = os.path.join(ctl, "wait.sh")
    with open(waiter, "w") as f:
        f.write('#!/bin/sh\n: > "$1"\nwhile [ ! -e "$2" ]; do sleep 1; done\n')
    stop = os.path.join(ctl, "stop")
    t0 = time.monotonic()
    for i, p in enumerate(progs):
        p.ready = os.path.join(ctl, f"{i}.ready")
        p.out_path = os.path.join(out_dir, p.name.replace(":", "-") + ".out")
        argv = ["bpftrace"] + p.argv + ["-c", f"/bin/sh {waiter} {p.ready} {stop}"]
        with open(p.out_path, "w") as out:
            p.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
    while time.monotonic() - t0 < ATTACH_TIMEOUT:
        pending = False
        for p in progs:
            if p.ready_after is None and p.rc is None:
                if os.path.exists(p.ready):
                    p.ready_after = time.monotonic() - t0
                elif p.proc.poll() is not None:
                    p.rc = p.proc.returncode
                else:
                    pending = True
        if not pending:
            break
        time.sleep(0.5)
    return time.monotonic() - t0


def stop_all(progs, ctl):
    with open(os.path.join(ctl, "stop"), "w"):
        pass
    t0 = time.monotonic()
    for p in progs:
        if p.rc is not None:
            continue
        try:
            p.rc = p.proc.wait(timeout=max(1, EXIT_TIMEOUT - (time.monotonic() - t0)))
        except subprocess.TimeoutExpired:
            p.proc.send_signal(2)
            try:
                p.rc = p.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.proc.kill()
                p.rc = p.proc.wait()
            p.rc = f"{p.rc} (had to be interrupted)"
    return time.monotonic() - t0


def run(argv, what):
    """Run a command, its output shown as TAP comments; (rc, output, pid)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, text=True)
    out, _ = p.communicate()
    for line in out.splitlines():
        note(f"{what}: {line}")
    return p.returncode, out, p.pid


def write(path, value):
    with open(path, "w") as f:
        f.write(value)


def refused_kexec(tap, kernel):
    """Make the kexec reboot fail at luo_hook_serialize, after every file
    froze, and check that reboot(2) returns the injected error."""
    hook = os.path.join(FAIL_FUNCTION, INJECT_HOOK)
    try:
        write(os.path.join(FAIL_FUNCTION, "inject"), INJECT_HOOK)
        write(os.path.join(hook, "retval"), "%#x" % (-INJECT_ERRNO & (2**64 - 1)))
        write(os.path.join(FAIL_FUNCTION, "probability"), "100")
        write(os.path.join(FAIL_FUNCTION, "interval"), "1")
        write(os.path.join(FAIL_FUNCTION, "times"), "1")
        # No console message: printed at 115200 baud inside the reboot
        # window, it would lengthen it by ~10 ms.
        write(os.path.join(FAIL_FUNCTION, "verbose"), "0")
        listed = open(os.path.join(FAIL_FUNCTION, "inject")).read().split()
        armed = INJECT_HOOK in listed
        if not armed:
            tap.check(False, f"fail_function armed on {INJECT_HOOK}", [f"inject: {listed}"])
    except OSError as e:
        armed = False
        tap.check(False, f"fail_function armed on {INJECT_HOOK}", [str(e)])
    if armed:
        tap.check(True, f"fail_function armed on {INJECT_HOOK}: -{INJECT_NAME}, once")
        cmdline = open("/proc/cmdline").read().strip()
        rc, out, _ = run([os.path.join(BUILD, "tools", "luovm-kexec"), "load-exec", kernel,
                          cmdline], "kexec")
        tap.check(rc != 0 and "reboot(KEXEC): " + os.strerror(INJECT_ERRNO) in out,
                  f"the kexec is refused with {os.strerror(INJECT_ERRNO)} (rc {rc})", [out])
    # Disarm whatever happened: remove the function from the list.
    try:
        write(os.path.join(FAIL_FUNCTION, "inject"), "!" + INJECT_HOOK)
    except OSError:
        pass
    left = open(os.path.join(FAIL_FUNCTION, "inject")).read().strip()
    tap.check(left == "", "fail_function disarmed", [f"inject: {left}"])


class Ctx:
    pass


def clocksource():
    """The kernel's clocksource: a jiffies one means the TSC was not
    calibrated and LUO times callbacks in ticks."""
    try:
        with open("/sys/devices/system/clocksource/clocksource0/current_clocksource") as f:
            return f.read().strip()
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stage", type=int, choices=(1, 2), required=True)
    ap.add_argument("--out", help="directory for the outputs "
                    "(default $LUOVM_RUN/bpftrace/stageN, else a temporary one)")
    ap.add_argument("--kernel", default=os.path.join(BUILD, "kernel-ours", "bzImage"),
                    help="kernel of the refused kexec (stage 1)")
    ap.add_argument("--only", nargs="*", help="only the programs whose name has one "
                    "of these strings (for debugging)")
    args = ap.parse_args()

    tap = Tap(f"bpftrace_check stage {args.stage}")
    out_dir = args.out
    if not out_dir:
        base = os.environ.get("LUOVM_RUN") or tempfile.mkdtemp(prefix="bpftrace-check.")
        out_dir = os.path.join(base, "bpftrace", f"stage{args.stage}")
    os.makedirs(out_dir, exist_ok=True)
    ctl = tempfile.mkdtemp(prefix="bpftrace-ctl.")

    ctx = Ctx()
    ctx.stage = args.stage
    cs = clocksource()
    tap.check(cs and "jiffies" not in cs, f"clocksource {cs or '?'}, not a jiffies clock "
              f"(the TSC was calibrated)")

    progs = programs(tap, args.stage, args.only)
    t = start(progs, out_dir, ctl)
    ready = [p for p in progs if p.ready_after is not None]
    note(f"{len(ready)} of {len(progs)} bpftrace programs attached in {t:.1f} s "
         f"(slowest {max((p.ready_after for p in ready), default=0):.1f} s); outputs in {out_dir}")
    tap.check(len(ready) == len(progs), f"all {len(progs)} programs attached their probes",
              [f"{p.name}: " + (f"exited {p.rc}" if p.rc is not None else "still not ready")
               for p in progs if p.ready_after is None])

    t0 = time.monotonic()
    rc, _, ctx.workload_pid = run([os.path.join(BUILD, "selftests", "luo_workload"),
                                   "--stage", str(args.stage)], "workload")
    tap.check(rc == 0, f"luo_workload --stage {args.stage} passed "
              f"({time.monotonic() - t0:.1f} s, pid {ctx.workload_pid})", [f"rc {rc}"])
    if args.stage == 1:
        refused_kexec(tap, args.kernel)
    # bpftrace reads its perf buffer as events come; give it a moment.
    time.sleep(2)
    t = stop_all(progs, ctl)
    note(f"all programs ended in {t:.1f} s")
    shutil.rmtree(ctl, ignore_errors=True)

    for p in progs:
        try:
            with open(p.out_path, errors="replace") as f:
                out = Output(f.read())
        except OSError as e:
            out = Output(f"cannot read {p.out_path}: {e}")
        what = p.name
        ran = p.ready_after is not None and p.rc == 0
        tap.check(ran, f"{what}: ran (attached after {p.ready_after or 0:.1f} s, exited "
                  f"{p.rc})", show(out))
        if not ran:
            continue
        p.check(tap, what, out, ctx)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
