# SPDX-License-Identifier: GPL-2.0
"""bpftrace_expect.py - what each bpftrace program of the toolkit must print.

One check per program, check(tap, what, out, ctx): out is the program's
Output (bpftrace_output.py), ctx holds the stage and the workload's pid.
SCRIPT_CHECKS names the check of each tools/bpftrace/*.bt, ONELINER_CHECKS
that of each one-liner of Documentation/bpftrace.rst, each with the stages
it runs in.  What the checks expect is what luo_workload does
(selftests/lib/workload.py asks the program) and, in the first kernel, the
refused kexec that bpftrace_check.py provokes (INJECT_*).
"""

import os
import sys

from bpftrace_output import hist_total, show

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# What luo_workload does (selftests/lib/workload.py asks the program).
sys.path.insert(0, os.path.join(REPO, "selftests", "lib"))
from workload import (  # noqa: E402
    TEST, TEST_FLB, WORKLOAD, NR_SESSIONS, NR_FILES, NR_FLBS, COMM, PER_HANDLER)
# (session, handler, token) of every file.
FILES = {(s, h, str(t)) for s, files in WORKLOAD.items() for h, t in files}

# The refused kexec of stage 1.
INJECT_HOOK = "luo_hook_serialize"
INJECT_ERRNO = 110
INJECT_NAME = "ETIMEDOUT"


# ---------------------------------------------------------------------------
# What the checks ask of an output

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


# ---------------------------------------------------------------------------
# Checks, one function per program: check(tap, what, out, ctx) where ctx
# holds the stage, the workload's pid and whether callbacks could be timed.

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
