#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the liveupdate tracepoints of one live update of luo_workload.

What it proves: across a real live update, each kernel fires every
liveupdate event it should, as many times as it should, with the right
fields (session names, handler and FLB compatibles, tokens, results, the
counts of reboot_begin, serialize and incoming), in an order that matches
what LUO does, with durations that add up; and nothing else (the KUnit
suites' events at boot aside).  The scenario is selftests/liveupdate/
trace.plan: kernel 1 boots fresh and runs "luo_workload --stage 1"
(sessions wl-a: memfds 1, 2, 3 and luo_test file 100; wl-b: memfds 1, 2,
3), then kexecs; kernel 2 runs "luo_workload --stage 2" (retrieve all,
FINISH both).

Two inputs:

  --console build/vm/luo-trace/console.log
      The kernel console of the whole run, booted with "trace_event=
      liveupdate:* tp_printk" so that every event is printed there, even
      those of the old kernel's reboot, which fire inside the kexec and are
      lost with its trace buffer.  It is split per kernel at each "Linux
      version" line, and kernel N is checked against the scenario's kernel
      N.  --record FILE adds cross-checks against the text of the
      live-update record (debugfs liveupdate/record) saved in kernel 2.
  --trace /sys/kernel/tracing/trace --kernel 2
      One kernel's trace buffer (in the guest): checked against kernel N.

A kernel that could not calibrate its TSC would time callbacks with a
jiffies clock: that is a failure of its own (and its durations of 0 are
failures too).

Prints TAP, ends with "# check_trace_console: N passed, M failed" and exits
0 only when everything passed.  Python 3 standard library only.
"""

import argparse
import collections
import os
import re
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(_HERE, "..", "..", "tools", "lib"), os.path.join(_HERE, "..", "lib")]
from luo_names import OPS, OP_CLASS  # noqa: E402
from workload import (  # noqa: E402
    MEMFD, TEST, TEST_FLB, TEST_SESSION, TEST_TOKEN, WORKLOAD, NR_SESSIONS, NR_FILES, NR_FLBS)
from ktap import Tap  # noqa: E402

# The printed fields of each event, in order (TP_printk of the header).
SESSION = ["session", "files", "result"]
FILE = ["session", "handler", "token", "result", "duration_ns"]
FLB = ["flb", "handler", "count", "result", "duration_ns"]
OWN = {
    "reboot_begin": ["sessions", "files"],
    "reboot_end": ["sessions", "files", "result", "duration_ns"],
    "serialize": ["sessions", "files", "flbs", "bytes", "result", "duration_ns"],
    "incoming": ["number", "sessions", "files", "dropped", "flbs", "result"],
}
# One event per operation of bpf/luo_ops.h's LUO_OP_MAPPER, "luo_" + its name.
EVENTS = {"luo_" + op: {"SESSION": SESSION, "FILE": FILE, "FLB": FLB}.get(OP_CLASS[op])
          or OWN[op] for op in OPS}
# Fields whose value is measured, not predicted: checked on their own.
MEASURED = {"duration_ns", "bytes"}

# luo_flb_retrieve names "the handler whose file caused it ("" when
# none)": the luo_test file's retrieve() causes it here, through
# liveupdate_flb_get_incoming(), which is not told the handler, so the
# event says handler= (empty).  Only the retrieve at the last finish knows
# the handler.  What LUO does today, checked as such; reported.
FLB_RETRIEVE_HANDLER = ""
# A fresh boot, with no handover, reports luo_incoming with -ENOENT
# (Documentation/liveupdate-tracing.rst).
ENOENT = -2

# Handlers whose callbacks exist, so each of their events took some time...
TIMED_HANDLERS = {TEST, MEMFD}
# ...but memfd has no can_finish(): 0 there.
UNTIMED = {("luo_file_can_finish", MEMFD)}


def fields(pairs):
    return " ".join(f"{k}={v}" for k, v in pairs)


def scenario(kernel):
    """The events kernel 1 or 2 of the scenario fires: a list of (event,
    "k=v ..." of the predicted fields).  The order is LUO's; the checks
    below compare counts and fields as multisets, and the order separately."""
    ev = []
    if kernel == 1:
        ev.append(("luo_incoming", fields([("number", 0), ("sessions", 0), ("files", 0),
                                           ("dropped", 0), ("flbs", 0), ("result", ENOENT)])))
        for s, files in WORKLOAD.items():
            ev.append(("luo_session_create", fields([("session", s), ("files", 0), ("result", 0)])))
            for h, t in files:
                if h == TEST:
                    ev.append(("luo_flb_preserve", fields([("flb", TEST_FLB), ("handler", TEST),
                                                           ("count", 1), ("result", 0)])))
                ev.append(("luo_file_preserve", fields([("session", s), ("handler", h),
                                                        ("token", t), ("result", 0)])))
        ev.append(("luo_reboot_begin", fields([("sessions", NR_SESSIONS), ("files", NR_FILES)])))
        for s, files in WORKLOAD.items():
            for h, t in files:
                ev.append(("luo_file_freeze", fields([("session", s), ("handler", h),
                                                      ("token", t), ("result", 0)])))
        ev.append(("luo_serialize", fields([("sessions", NR_SESSIONS), ("files", NR_FILES),
                                            ("flbs", NR_FLBS), ("result", 0)])))
        ev.append(("luo_reboot_end", fields([("sessions", NR_SESSIONS), ("files", NR_FILES),
                                             ("result", 0)])))
    elif kernel == 2:
        ev.append(("luo_incoming", fields([("number", 1), ("sessions", NR_SESSIONS),
                                           ("files", NR_FILES), ("dropped", 0),
                                           ("flbs", NR_FLBS), ("result", 0)])))
        for s, files in WORKLOAD.items():
            ev.append(("luo_session_retrieve", fields([("session", s), ("files", len(files)),
                                                       ("result", 0)])))
            for h, t in files:
                if h == TEST:
                    ev.append(("luo_flb_retrieve", fields([("flb", TEST_FLB),
                                                           ("handler", FLB_RETRIEVE_HANDLER),
                                                           ("count", 1), ("result", 0)])))
                ev.append(("luo_file_retrieve", fields([("session", s), ("handler", h),
                                                        ("token", t), ("result", 0)])))
        for s, files in WORKLOAD.items():
            for h, t in files:
                ev.append(("luo_file_can_finish", fields([("session", s), ("handler", h),
                                                          ("token", t), ("result", 1)])))
            for h, t in files:
                ev.append(("luo_file_finish", fields([("session", s), ("handler", h),
                                                      ("token", t), ("result", 0)])))
                if h == TEST:
                    ev.append(("luo_flb_finish", fields([("flb", TEST_FLB), ("handler", TEST),
                                                         ("count", 0), ("result", 0)])))
            ev.append(("luo_session_finish", fields([("session", s), ("files", len(files)),
                                                     ("result", 0)])))
            ev.append(("luo_session_release", fields([("session", s), ("files", 0),
                                                      ("result", 0)])))
    else:
        raise ValueError(f"the scenario has no kernel {kernel}")
    return ev


class Event:
    def __init__(self, name, rest, where):
        self.name = name
        self.where = where
        self.raw = rest
        self.f = dict(re.findall(r"(\w+)=(\S*)", rest))
        # Keys in the printed order, to compare with the documented ones.
        self.keys = re.findall(r"(\w+)=", rest)

    def predicted(self):
        return " ".join(f"{k}={self.f[k]}" for k in self.keys if k not in MEASURED)

    def num(self, key):
        return int(self.f.get(key, "x")) if re.fullmatch(r"-?\d+", self.f.get(key, "")) else None

    def kunit(self):
        return (self.f.get("session", "").startswith("kunit-") or
                self.f.get("handler", "").startswith("luo-kunit") or
                self.f.get("flb", "").startswith("luo-kunit"))

    def __str__(self):
        return f"{self.name}: {self.raw}"


CONSOLE_EVENT = re.compile(r"^\[\s*[\d.]+\] (luo_\w+): (.*)$")
TRACE_EVENT = re.compile(r"^\s*\S.*\[\d+\]\s+\S+\s+[\d.]+: (luo_\w+): (.*)$")


def parse(lines, rx, where):
    out = []
    for i, line in enumerate(lines, 1):
        m = rx.match(line.rstrip("\n"))
        if m and m.group(1) in EVENTS:
            out.append(Event(m.group(1), m.group(2), f"{where}:{i}"))
    return out


def clocksource(lines):
    """The clocksource a kernel ended up on ("" if it never said)."""
    cs = ""
    for line in lines:
        m = re.search(r"clocksource: Switched to clocksource (\S+)", line)
        if m:
            cs = m.group(1)
    return cs


def split_kernels(path):
    """The console's lines, one list per kernel that booted."""
    kernels = []
    with open(path, errors="replace") as f:
        for line in f:
            if re.match(r"^\[\s*[\d.]+\] Linux version ", line):
                kernels.append([])
            if kernels:
                kernels[-1].append(line)
    return kernels


def first(evs, pred):
    return next((i for i, e in enumerate(evs) if pred(e)), None)


def last(evs, pred):
    return max((i for i, e in enumerate(evs) if pred(e)), default=None)


def is_(name, **kw):
    return lambda e: e.name == name and all(e.f.get(k) == str(v) for k, v in kw.items())


def check_kernel(tap, k, events):
    """Check kernel k's events (KUnit's excluded) against the scenario."""
    evs = [e for e in events if not e.kunit()]
    p = f"kernel {k}:"
    want = scenario(k)

    # Each event prints its documented fields, in order.
    bad = [f"{e.where}: {e}" for e in evs if e.keys != EVENTS[e.name] or
           any(e.num(x) is None for x in e.keys if x in MEASURED)]
    tap.check(not bad, f"{p} every event prints its documented fields "
              f"({len(evs)} events, {len(events) - len(evs)} of KUnit left out)", bad[:20])

    # Counts and predicted fields, per event, as multisets.
    for name in EVENTS:
        exp = collections.Counter(f for n, f in want if n == name)
        got = collections.Counter(e.predicted() for e in evs if e.name == name)
        total = sum(exp.values())
        details = [f"missing: {name}: {f}" + (f" (x{c})" if c > 1 else "")
                   for f, c in (exp - got).items()]
        details += [f"unexpected: {name}: {f}" + (f" (x{c})" if c > 1 else "")
                    for f, c in (got - exp).items()]
        tap.check(exp == got, f"{p} {name} fired {sum(got.values())} times, "
                  f"{total} expected, with the expected fields", details)

    if k == 1:
        check_order_1(tap, p, evs)
    else:
        check_order_2(tap, p, evs)
    check_durations(tap, p, evs)


def before(tap, p, evs, what, a, b):
    """Every event matching a comes before every event matching b."""
    ia, ib = last(evs, a), first(evs, b)
    ok = ia is not None and ib is not None and ia < ib
    det = [] if ok else [f"last of the first kind: {evs[ia] if ia is not None else 'none'}",
                         f"first of the second: {evs[ib] if ib is not None else 'none'}"]
    tap.check(ok, f"{p} {what}", det)


def check_order_1(tap, p, evs):
    tap.check(evs and evs[0].name == "luo_incoming",
              f"{p} luo_incoming is its first event (at boot)",
              [f"first: {evs[0]}" if evs else "no events"])
    for s in WORKLOAD:
        before(tap, p, evs, f"session_create {s} precedes its file_preserves",
               is_("luo_session_create", session=s), is_("luo_file_preserve", session=s))
    i = first(evs, is_("luo_flb_preserve"))
    j = first(evs, is_("luo_file_preserve", session=TEST_SESSION, token=TEST_TOKEN))
    tap.check(i is not None and j == i + 1,
              f"{p} flb_preserve fires within the preserve of the first luo_test file")
    pres = [(e.f["session"], e.f["token"]) for e in evs if e.name == "luo_file_preserve"]
    frz = [(e.f["session"], e.f["token"]) for e in evs if e.name == "luo_file_freeze"]
    tap.check(pres == frz and len(frz) == NR_FILES,
              f"{p} the reboot freezes the files in the order they were preserved",
              [f"preserved: {pres}", f"frozen:    {frz}"])
    before(tap, p, evs, "reboot_begin follows every preserve",
           is_("luo_file_preserve"), is_("luo_reboot_begin"))
    before(tap, p, evs, "file_freezes follow reboot_begin",
           is_("luo_reboot_begin"), is_("luo_file_freeze"))
    before(tap, p, evs, "serialize follows every file_freeze",
           is_("luo_file_freeze"), is_("luo_serialize"))
    tap.check(evs and evs[-1].name == "luo_reboot_end",
              f"{p} luo_reboot_end is its last event (the kexec)",
              [f"last: {evs[-1]}" if evs else "no events"])


def check_order_2(tap, p, evs):
    tap.check(evs and evs[0].name == "luo_incoming",
              f"{p} luo_incoming is its first event (at boot)",
              [f"first: {evs[0]}" if evs else "no events"])
    for s in WORKLOAD:
        before(tap, p, evs, f"session_retrieve {s} precedes its file_retrieves",
               is_("luo_session_retrieve", session=s), is_("luo_file_retrieve", session=s))
        before(tap, p, evs, f"{s}: every can_finish precedes the first file_finish",
               is_("luo_file_can_finish", session=s), is_("luo_file_finish", session=s))
        before(tap, p, evs, f"{s}: every file_finish precedes session_finish",
               is_("luo_file_finish", session=s), is_("luo_session_finish", session=s))
        before(tap, p, evs, f"{s}: session_finish precedes session_release",
               is_("luo_session_finish", session=s), is_("luo_session_release", session=s))
    i = first(evs, is_("luo_flb_retrieve"))
    j = first(evs, is_("luo_file_retrieve", session=TEST_SESSION, token=TEST_TOKEN))
    tap.check(i is not None and j == i + 1,
              f"{p} flb_retrieve fires within the retrieve of the luo_test file")
    i = first(evs, is_("luo_flb_finish"))
    j = first(evs, is_("luo_file_finish", session=TEST_SESSION, token=TEST_TOKEN))
    tap.check(i is not None and j is not None and i == j + 1,
              f"{p} flb_finish follows the finish of the last (only) luo_test file")


def check_durations(tap, p, evs):
    # Callbacks that exist took time; those that do not report 0.
    bad = []
    for e in evs:
        d = e.num("duration_ns")
        if d is None:
            continue
        h = e.f.get("handler")
        r = e.num("result")
        ran = r == 0 or (e.name == "luo_file_can_finish" and r == 1)
        if (e.name, h) in UNTIMED:
            if d != 0:
                bad.append(f"{e.where}: {e} (no such callback: 0 expected)")
        elif (e.name.startswith("luo_flb_") or h in TIMED_HANDLERS or
              e.name in ("luo_serialize", "luo_reboot_end")) and ran and d <= 0:
            bad.append(f"{e.where}: {e} (a callback ran: > 0 expected)")
    tap.check(not bad, f"{p} duration_ns is > 0 where a callback ran, 0 where none exists", bad)

    end = [e for e in evs if e.name == "luo_reboot_end"]
    ser = [e for e in evs if e.name == "luo_serialize"]
    if end and ser:
        frz = sum(e.num("duration_ns") for e in evs if e.name == "luo_file_freeze")
        s, r = ser[0].num("duration_ns"), end[0].num("duration_ns")
        tap.check(r >= s + frz, f"{p} reboot_end's duration ({r} ns) covers serialize "
                  f"({s} ns) and the freezes ({frz} ns)")
        b = ser[0].num("bytes")
        tap.check(b and b > 0, f"{p} serialize handed over {b} bytes")


def parse_record(path):
    """The latest update and its events from the text of debugfs
    liveupdate/record."""
    upd, entries = None, []
    with open(path) as f:
        for line in f:
            m = re.match(r"update (\d+): (\S+), (\d+) sessions, (\d+) files, (\d+) bytes", line)
            if m:
                upd = dict(number=int(m[1]), state=m[2], sessions=int(m[3]),
                           files=int(m[4]), bytes=int(m[5]))
                continue
            m = re.match(r"\s+(\d+) ns (\S+)\s+(.*)$", line)
            if m:
                e = dict(re.findall(r"(\w+)=(\S*)", m[3]))
                e["type"] = m[2]
                entries.append(e)
    return upd, entries


def check_record(tap, kernels, path):
    """Cross-check the events with the record kernel 2 kept of the update."""
    upd, entries = parse_record(path)
    if not tap.check(upd is not None, f"record {path}: holds an update"):
        return
    k1 = [e for e in kernels[0] if not e.kunit()]
    k2 = [e for e in kernels[1] if not e.kunit()] if len(kernels) > 1 else []
    rb = next((e for e in k1 if e.name == "luo_reboot_begin"), None)
    ser = next((e for e in k1 if e.name == "luo_serialize"), None)
    tap.check(rb and (rb.num("sessions"), rb.num("files")) == (upd["sessions"], upd["files"]),
              f"record: update {upd['number']} counts {upd['sessions']} sessions, "
              f"{upd['files']} files, as luo_reboot_begin said")
    tap.check(ser and ser.num("bytes") == upd["bytes"],
              f"record: update {upd['number']} handed over {upd['bytes']} bytes, as "
              f"luo_serialize said ({ser.num('bytes') if ser else None})")

    def pairs(evs, name, typ):
        bad, n = [], 0
        for e in evs:
            if e.name != name:
                continue
            r = [x for x in entries if x["type"] == typ and x.get("session") == e.f["session"]
                 and x.get("token") == e.f["token"] and x.get("handler") == e.f["handler"]]
            d = e.num("duration_ns")
            if len(r) != 1:
                bad.append(f"{e}: {len(r)} record entries")
                continue
            # One measurement, in ns, reported twice.
            c = int(r[0]["cost_ns"])
            if c != d:
                bad.append(f"{e}: the record says cost_ns={c}")
            n += 1
        return n, bad

    n, bad = pairs(k1, "luo_file_freeze", "file-freeze")
    tap.check(n == NR_FILES and not bad, f"record: the {n} file-freeze costs are the "
              f"luo_file_freeze durations", bad)
    n, bad = pairs(k2, "luo_file_retrieve", "file-retrieve")
    tap.check(n == NR_FILES and not bad, f"record: the {n} file-retrieve costs are the "
              f"luo_file_retrieve durations", bad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--console", help="console.log of the run: every kernel")
    src.add_argument("--trace", help="a trace buffer (/sys/kernel/tracing/trace)")
    ap.add_argument("--kernel", type=int, choices=[1, 2], help="--trace: which kernel it is")
    ap.add_argument("--record", help="--console: the record text saved in kernel 2")
    args = ap.parse_args()
    if args.trace and not args.kernel:
        ap.error("--trace needs --kernel")
    if args.record and not args.console:
        ap.error("--record goes with --console")

    tap = Tap("check_trace_console")
    print("TAP version 13")
    if args.console:
        kernels = split_kernels(args.console)
        tap.check(len(kernels) == 2, f"{args.console}: 2 kernels booted ({len(kernels)} found)")
        parsed = [parse(lines, CONSOLE_EVENT, f"kernel {i}") for i, lines in
                  enumerate(kernels[:2], 1)]
        for i, evs in enumerate(parsed, 1):
            cs = clocksource(kernels[i - 1])
            tap.check(cs and "jiffies" not in cs, f"kernel {i}: clocksource {cs or '?'}, "
                      f"not a jiffies clock (the TSC was calibrated)")
            check_kernel(tap, i, evs)
        if args.record and len(parsed) == 2:
            check_record(tap, parsed, args.record)
    else:
        with open(args.trace, errors="replace") as f:
            evs = parse(f, TRACE_EVENT, args.trace)
        try:
            with open("/sys/devices/system/clocksource/clocksource0/current_clocksource") as f:
                cs = f.read().strip()
        except OSError:
            cs = ""
        tap.check(cs and "jiffies" not in cs, f"kernel {args.kernel}: clocksource "
                  f"{cs or '?'}, not a jiffies clock (the TSC was calibrated)")
        check_kernel(tap, args.kernel, evs)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
