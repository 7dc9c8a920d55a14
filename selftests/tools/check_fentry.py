#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check what luosnoop, luolat and luotop reported in fentry mode.

selftests/tools/fentry_stage.sh runs the tools on the mainline flavor,
whose LUO has no liveupdate events, and leaves their output in a directory
(--dir); this checks it against what the stage did (--stage):

  1  luo_workload --memfd-only --stage 1 (the sessions of DIR/workload.json,
     each file preserved once, held for the kexec), then luo_opbench -n 20
     (a session made, a one-page memfd preserved in it, the session closed:
     the memfd unpreserved); then each tool forced into the tracepoint mode,
     and luolat asked to time file_freeze.
  2  luo_workload --memfd-only --stage 2 in the next kernel: each session
     retrieved, each file retrieved and checked, each session finished and
     closed.

luosnoop must report exactly those transitions (counts per operation and
handler, sessions, tokens, results, pid and comm) in the mode it names,
with what mainline's functions do not tell shown as unknown (null, "?"),
and none of the operations this mode cannot see.  luolat must time exactly
the timed operations, name the untimed ones, and hold luosnoop's
latencies.  luotop must name its mode and, in stage 1, list the
workload's sessions with their files.  The tools' exit codes are in
DIR/status ("NAME VALUE").

Prints TAP, ends with "# check_fentry: N passed, M failed", exits 0 only
when everything passed.  Python 3 standard library only.
"""

import argparse
import collections
import json
import os
import re
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ktap import Tap  # noqa: E402

# The operations the fentry mode cannot see (tools/lib/luo_mode.c).
UNSEEN = {"file_freeze", "file_unfreeze", "file_can_finish", "flb_preserve",
          "flb_unpreserve", "flb_retrieve", "flb_finish"}
# Of luolat's timed operations, those timed in fentry mode.
TIMED = {"file_preserve", "file_retrieve", "serialize", "reboot_end"}
UNTIMED = {"file_unpreserve", "file_freeze", "file_unfreeze", "file_can_finish",
           "file_finish", "flb_preserve", "flb_unpreserve", "flb_retrieve", "flb_finish"}
OPBENCH_N = 20


def read(d, name):
    try:
        with open(os.path.join(d, name)) as f:
            return f.read()
    except OSError:
        return ""


def status(d):
    return dict(ln.split(" ", 1) for ln in read(d, "status").splitlines() if " " in ln)


def json_lines(text):
    out = []
    for ln in text.splitlines():
        try:
            out.append(json.loads(ln))
        except ValueError:
            pass
    return out


def expected(stage, wl, files, memfd):
    """(op, session, token or None, handler or None, comm) -> count."""
    want = collections.Counter()
    comm = wl["comm"]
    for s, fl in files.items():
        if stage == 1:
            want[("session_create", s, None, None, comm)] += 1
            for _, t in fl:
                want[("file_preserve", s, t, memfd, comm)] += 1
        else:
            want[("session_retrieve", s, None, None, comm)] += 1
            for _, t in fl:
                want[("file_retrieve", s, t, memfd, comm)] += 1
                want[("file_finish", s, t, memfd, comm)] += 1
            want[("session_finish", s, None, None, comm)] += 1
            want[("session_release", s, None, None, comm)] += 1
    if stage == 1:
        for i in range(OPBENCH_N):
            s = None    # luo_opbench's names: checked apart
            want[("session_create", s, None, None, "luo_opbench")] += 1
            want[("file_preserve", s, 1, memfd, "luo_opbench")] += 1
            want[("file_unpreserve", s, 1, memfd, "luo_opbench")] += 1
            want[("session_release", s, None, None, "luo_opbench")] += 1
    return want


def key_of(e, files):
    session = e.get("session") if e.get("session") in files else None
    return (e["op"], session, e.get("token"), e.get("handler"), e["comm"])


def check_snoop(tap, d, stage, files, memfd):
    ev = json_lines(read(d, "snoop.out"))
    err = read(d, "snoop.err")
    tap.check("mode: fentry" in err, "luosnoop: its header names the fentry mode",
              err.splitlines()[:2])
    tap.check(ev and all(e.get("mode") == "fentry" for e in ev),
              f"luosnoop: every one of {len(ev)} JSON events says mode fentry",
              [e for e in ev if e.get("mode") != "fentry"][:3])
    wl = json.loads(read(d, "workload.json"))
    got = collections.Counter(key_of(e, files) for e in ev
                              if e["op"] not in ("reboot_begin", "reboot_end", "serialize",
                                                 "incoming"))
    want = expected(stage, wl, files, memfd)
    tap.check(got == want, "luosnoop: exactly the workload's transitions, per operation, "
              "session, token, handler and process",
              [f"missing {k} x{n}" for k, n in (want - got).items()] +
              [f"unexpected {k} x{n}" for k, n in (got - want).items()])
    tap.check(all(e["result"] == 0 for e in ev), "luosnoop: every transition succeeded",
              [e for e in ev if e["result"] != 0][:3])
    tap.check(not [e for e in ev if e["op"] in UNSEEN],
              "luosnoop: no event of an operation this mode cannot see")
    ob = [e for e in ev if e["comm"] == "luo_opbench"]
    names = collections.Counter(e["session"] for e in ob)
    tap.check(stage == 2 or (len(names) == OPBENCH_N and all(n == 4 for n in names.values())),
              "luosnoop: each luo_opbench session named the same in its 4 events",
              dict(names))
    timed = [e for e in ev if e["op"] in ("file_preserve", "file_retrieve")]
    tap.check(timed and all(isinstance(e["duration_ns"], int) and e["duration_ns"] > 0
                            for e in timed),
              f"luosnoop: the {len(timed)} preserves and retrieves are timed",
              [e for e in timed if not e["duration_ns"]][:3])
    untimed = [e for e in ev if e["op"] in ("file_unpreserve", "file_finish")]
    tap.check(untimed and all(e["duration_ns"] is None for e in untimed),
              f"luosnoop: the {len(untimed)} unpreserves and finishes say their latency "
              "is unknown (null)", [e for e in untimed if e["duration_ns"] is not None][:3])
    rel = [e for e in ev if e["op"] == "session_release"]
    want_files = 1 if stage == 1 else 0
    tap.check(rel and all(e["files"] == want_files for e in rel),
              f"luosnoop: each session closed held {want_files} file(s) then",
              [e for e in rel if e["files"] != want_files][:3])
    # The handover is read at the first open of /dev/liveupdate, the
    # workload's in stage 2: its sessions, once.
    inc = [e for e in ev if e["op"] == "incoming"]
    want_inc = [(wl["comm"], 0, len(files), None)] if stage == 2 else []
    tap.check([(e["comm"], e["result"], e["sessions"], e["files"]) for e in inc] == want_inc,
              f"luosnoop: {len(want_inc)} incoming event(s), with the sessions handed over "
              "and the files unknown", inc)
    if stage == 2:
        ret = [e for e in ev if e["op"] == "session_retrieve"]
        tap.check(ret and all(e["files"] == len(files[e["session"]]) for e in ret),
                  "luosnoop: each session retrieved with its files", ret)
    text = read(d, "snoop-text.out").splitlines()
    rows = [ln.split() for ln in text[1:] if ln.strip()]
    tap.check(text and text[0].split()[:4] == ["TIME", "PID", "COMM", "OP"] and
              len(rows) == len(ev), f"luosnoop text: its header and {len(ev)} rows",
              text[:3])
    unk = [r for r in rows if len(r) > 8 and r[3] in ("file_unpreserve", "file_finish")]
    tap.check(unk and all(r[8] == "?" for r in unk),
              "luosnoop text: an unknown latency reads ?", unk[:3])
    return ev


def check_lat(tap, d, ev):
    err = read(d, "lat.err")
    tap.check("mode: fentry" in err, "luolat: its header names the fentry mode",
              err.splitlines()[:2])
    sums = json_lines(read(d, "lat.out"))
    tap.check(len(sums) == 1, "luolat: one JSON summary at SIGINT")
    if not sums:
        return
    s = sums[-1]
    tap.check(s.get("mode") == "fentry" and set(s.get("untimed", [])) == UNTIMED,
              "luolat: its JSON names the mode and the operations it cannot time",
              {"mode": s.get("mode"), "untimed": s.get("untimed")})
    got = {(h["op"], h["handler"]): h["count"] for h in s["histograms"]}
    want = collections.Counter((e["op"], e["handler"]) for e in ev if e["op"] in TIMED)
    tap.check(got == dict(want), "luolat: counts exactly luosnoop's timed events, "
              "per operation and handler", {"luolat": got, "luosnoop": dict(want)})
    # Each histogram as counted: its slots hold its calls, its sum lies
    # within what its slots bound ([2^i, 2^(i+1)) ns each).
    bad = []
    for h in s["histograms"]:
        slots = h["hist"]["slots"]
        low = sum(x["low"] * x["count"] for x in slots)
        high = sum(x["high"] * x["count"] for x in slots)
        if sum(x["count"] for x in slots) != h["count"] or not low <= h["sum_ns"] <= high:
            bad.append(h)
    tap.check(s["histograms"] and not bad, "luolat: each histogram holds its calls and its "
              "sum", bad[:2])
    # Each tool times LUO's function with programs of its own, which run
    # one after the other in the function's trampoline: the two figures
    # differ by the other programs' time, not by a factor.
    sum_ns = sum(h["sum_ns"] for h in s["histograms"])
    snoop_ns = sum(e["duration_ns"] for e in ev if e["op"] in TIMED)
    tap.check(snoop_ns and 0.5 <= sum_ns / snoop_ns <= 2,
              "luolat: its latencies are luosnoop's, each tool timing the function itself",
              f"luolat {sum_ns} ns, luosnoop {snoop_ns} ns")


def check_top(tap, d, stage, files):
    out = read(d, "top.out")
    reports = out.split("luotop - ")[1:]
    tap.check(reports and all("mode: fentry" in r.splitlines()[0] for r in reports),
              f"luotop: each of {len(reports)} reports names the fentry mode",
              out.splitlines()[:3])
    if not reports:
        return
    last = reports[-1]
    tap.check("Mode fentry: " in last and "not seen: file_freeze" in last,
              "luotop: says what this mode does not show", last.splitlines()[:4])
    rows = re.findall(r"^(\S+)\s+(out|in)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)$", last, re.M)
    got = {r[0]: r[1:] for r in rows}
    if stage == 1:
        want = {s: ("out", str(len(f)), "-", "-", "open") for s, f in files.items()}
    else:
        want = {s: ("in", str(len(f)), str(len(f)), str(len(f)), "finished,closed")
                for s, f in files.items()}
    tap.check(got == want, f"luotop: lists exactly the workload's {len(files)} sessions, "
              "their files and states", {"got": got, "want": want})


def check_refusals(tap, d, st):
    for name, tool in (("snoop-tp", "luosnoop"), ("lat-tp", "luolat"), ("top-tp", "luotop")):
        err = read(d, f"{name}.err").strip().splitlines()
        tap.check(st.get(f"rc-{name}") == "2" and len(err) == 1 and
                  err[0].startswith(f"{tool}: this kernel has no liveupdate events"),
                  f"{tool} --mode tracepoint: exit 2 and one sentence",
                  [f"rc {st.get(f'rc-{name}')}"] + err)
    err = read(d, "lat-freeze.err").strip().splitlines()
    tap.check(st.get("rc-lat-freeze") == "1" and len(err) == 1 and
              "'file_freeze' is not timed in fentry mode" in err[0],
              "luolat -o file_freeze: exit 1, says fentry mode cannot time it",
              [f"rc {st.get('rc-lat-freeze')}"] + err)
    err = read(d, "snoop-freeze.err").strip().splitlines()
    tap.check(st.get("rc-snoop-freeze") == "1" and len(err) == 1 and
              "'file_freeze' is not seen in fentry mode" in err[0],
              "luosnoop -o file_freeze: exit 1, says fentry mode cannot see it",
              [f"rc {st.get('rc-snoop-freeze')}"] + err)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", type=int, choices=(1, 2), required=True)
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    d = args.dir
    tap = Tap("check_fentry")
    st = status(d)
    wl = json.loads(read(d, "workload.json") or "{}")
    files = {s: [tuple(f) for f in fl] for s, fl in wl.get("sessions", {}).items()}
    memfd = wl.get("handlers", {}).get("memfd")
    tap.check(files and memfd, "the workload's description", read(d, "workload.json"))
    tap.check(st.get("rc-workload") == "0", f"luo_workload --stage {args.stage}: exit 0",
              read(d, "workload.log").splitlines()[-5:])
    if args.stage == 1:
        tap.check(st.get("rc-opbench") == "0", "luo_opbench: exit 0",
                  read(d, "opbench.log").splitlines()[-5:])
    for tool in ("snoop", "snoop-text", "lat", "top"):
        tap.check(st.get(f"rc-{tool}") == "0", f"{tool}: exit 0 at SIGINT",
                  [f"rc {st.get(f'rc-{tool}')}"] + read(d, f"{tool}.err").splitlines()[:5])
    ev = check_snoop(tap, d, args.stage, files, memfd)
    check_lat(tap, d, ev)
    check_top(tap, d, args.stage, files)
    if args.stage == 1:
        check_refusals(tap, d, st)
    tap.emit(f"1..{tap.n}")
    tap.emit(f"# check_fentry: {tap.passed} passed, {tap.failed} failed")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
