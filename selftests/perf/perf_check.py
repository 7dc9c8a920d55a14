#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""perf_check.py - the perf-regression tests' verdicts on one run of perf.plan.

  perf_check.py RUN_DIR [--planted]

Every test compares numbers measured in the same run, on the same machine,
minutes apart: never an absolute time.  Each uses medians of repeated
samples and states its margin:

  preserve-linear  preserve of one memfd grows linearly with its size:
                   the same 256 MiB preserved as 16 memfds of 16 MiB, 4
                   of 64 and 1 of 256 (one batch each, the sizes taking
                   turns) cost per MiB within a factor LINEAR_MARGIN from
                   one size to the next (medians of 7 batches).  Batches
                   of equal bytes last alike, so a slow phase of the
                   machine weighs on each size alike.
  freeze-size      freezing a 64 MiB memfd costs at most FREEZE_FACTOR
                   times freezing a 2 MiB one (5 of each, interleaved,
                   from the live-update record of update 1): the blackout
                   must not pay for the data.
  toolkit-cost     luosnoop, luolat and luotop attached cost at most
                   TOOLKIT_PCT[op] % on preserve and retrieve, and add
                   to a file's freeze at most TOOLKIT_FREEZE_OF_PRESERVE
                   % of a preserve without them.  Preserve: 8 blocks of 200 one-page memfds,
                   the tools attached in blocks off, on, on, off, off,
                   on, on, off; retrieve: 4 blocks of 12 files after each
                   update, off, on, on, off.  Each operation comes
                   with a speed probe timed right before it; windows of
                   WINDOW operations are read against their probes, the
                   windows at full speed compared when each side has
                   them (see FAST, selftests/lib/speed_read.py).
                   The first sample of each block is a warm-up, left out:
                   right after the tools attach or detach, the first
                   operation runs code that changed (under TCG, code QEMU
                   has not translated yet: up to 20 times slower).
                   Freeze: 48 one-page memfds, update 2 with the tools
                   against update 1 without (one freeze per kexec).
  lookup           preserving a file into a session of 100,000 costs at most
                   LOOKUP_FACTOR times preserving one into a session of
                   10 (medians of 20 each, the two sessions taking turns
                   ABBA): a token's lookup must not walk the session.
  reboot-linear    liveupdate_reboot()'s cost per file frozen does not grow
                   with the files: reboots of 250, 1000 and 4000 one-page
                   memfds (refused once all is frozen, by luo_plant's
                   abort; 64, 16 and 4 a batch, the batches taking turns,
                   7 rounds): the fastest reboot of each size, per file,
                   at most LINEAR_MARGIN times the next smaller size's.
                   TCG's slow phases last longer than a batch and double
                   what falls in them: the fastest of dozens of reboots
                   is the cost, and phases only add to it.  A fixed cost
                   per reboot weighs most on the smallest: only growth is
                   a regression.
  reboot-size      ... nor with their size: the fastest of 7 x 128 reboots
                   of 32 memfds of 16 MiB at most REBOOT_SIZE_FACTOR times
                   the fastest of as many of 32 one-page memfds.
  record-blackout  the record's total (first freeze to last finish)
                   agrees with the blackout the host saw on the serial
                   console ("@@LUOVM kexec-jump" to "@@LUOVM resumed")
                   within BLACKOUT_SLACK_S + BLACKOUT_PCT % of it, for
                   both updates.

Each prints its numbers; a failure says "REGRESSION:" and what regressed.
With --planted (the run with luo_plant's regressions), each test must fail,
and passes only when it does: a test that cannot see its regression is
the failure then.  One TAP line per test; exit 0 only when all pass.
"""
import argparse
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(_HERE, "..", "tools"), os.path.join(_HERE, "..", "lib")]
from blackout_record import Record, E_FREEZE_BEGIN, E_FILE_FREEZE, E_FREEZE_END, M_DONE  # noqa: E402
from ktap import Tap  # noqa: E402
from speed_read import speed_read  # noqa: E402

LINEAR_MARGIN = 1.5       # per-MiB cost at 4x the size within [1 / 1.5, 1.5] times
FREEZE_FACTOR = 3.0       # per-file freeze, 64 MiB against 2 MiB (32x the data)
# The toolkit attached, per operation.  A memfd's freeze stores one number
# (1.1 us a file under TCG since the reboot takes no lock a file, 3 to 7
# before) while each of the three tools' programs runs for a few us per
# event: a share of the freeze itself no longer measures the tools (+300 %
# then, +1379 % now, for the same 11 to 21 us added).  So the freeze's
# added time is bounded against what one preserve costs without the tools
# in the same run (a machine-speed yardstick of the same emulation): 11 to
# 21 us against 190 to 300 us, 4 to 11 %; planted (300 us a program), 100 %
# and more.  A slow phase over update 2 alone (1.6 to 1.9 times a 1.1 us
# freeze) adds 1 us.
# A retrieve has 11 samples a block in a kernel just booted, against 199 for
# a preserve; its cost varies far more (one attach doubled it in an
# unchanged run), so its bound is wider.  Both stay under what a wakeup per
# event cost (+230 % on preserve, +460 % on retrieve); the planted 300 us
# per event reads +164 to +181 % on preserve
# (Documentation/perf-regression.rst).
TOOLKIT_PCT = {"preserve": 50.0, "retrieve": 200.0}
TOOLKIT_FREEZE_OF_PRESERVE = 25.0   # % of a preserve without the tools
LOOKUP_FACTOR = 1.5       # preserve into a session of many files against few
REBOOT_SIZE_FACTOR = 1.5  # reboots of 16 MiB memfds against one-page ones
BLACKOUT_SLACK_S = 0.1    # record against host: fixed part ...
BLACKOUT_PCT = 2.0        # ... plus a share of the host's blackout

PERF_TOKEN_SIZED = 1 << 40

# What --planted plants for each test (luo_plant.c's defaults).
PLANTS = {
    "preserve-linear": "20000 ns x MiB^2 in luo_hook_file_preserve",
    "freeze-size": "50000 ns x MiB in luo_hook_file_freeze",
    "toolkit-cost": "a tracing program spinning 300 us per file event",
    "lookup": "50 ns x the file's index in luo_hook_file_preserve (timed lookup preserves)",
    "reboot-linear": "20 ns x n for the reboot's n-th file in luo_hook_file_freeze",
    "reboot-size": "50000 ns x MiB in luo_hook_file_freeze",
    "record-blackout": "3 s spun at the start of liveupdate_reboot, before the record",
}


def ms(ns):
    return f"{ns / 1e6:.3f} ms"


def us(ns):
    return f"{ns / 1e3:.1f} us"


def load(run, name):
    with open(os.path.join(run, name)) as f:
        return json.load(f)


def latest(run, name):
    """The latest update of a saved record.bin and the entries of its freeze."""
    with open(os.path.join(run, name), "rb") as f:
        rec = Record.parse(f.read())
    if not rec.updates:
        raise ValueError(f"{name}: the record holds no update")
    u = rec.updates[-1]
    if not u.rate():
        raise ValueError(f"{name}: neither kernel knew its TSC's rate: no ns")
    begins = [i for i, e in enumerate(rec.entries) if e.type == E_FREEZE_BEGIN]
    if not begins:
        raise ValueError(f"{name}: no freeze in the record")
    freeze = []
    for e in rec.entries[begins[-1]:]:
        freeze.append(e)
        if e.type == E_FREEZE_END:
            break
    return u, freeze


def freeze_times(u, freeze):
    """[(session, token, ns)]: each file's share of the freeze phase, from the
    previous event to its own (the hook, the handler, its event, the record)."""
    out = []
    for prev, e in zip(freeze, freeze[1:]):
        if e.type == E_FILE_FREEZE:
            out.append((e.session, e.token, u.ns(e.t - prev.t)))
    return out


def test_preserve_linear(run):
    d = load(run, "preserve.json")
    total = d["total_mib"]
    # Per MiB: each batch preserves the same total_mib at its size.
    c = {int(k): statistics.median(v) / total for k, v in d["sizes"].items()}
    sizes = sorted(c)
    lo, hi = 1 / LINEAR_MARGIN, LINEAR_MARGIN
    nums = ", ".join(f"{total // s} x {s} MiB: {ms(c[s] * total)}" for s in sizes)
    bad = []
    ratios = []
    for a, b in zip(sizes, sizes[1:]):
        r = c[b] / c[a]
        ratios.append(f"per MiB at {b} / at {a} = {r:.2f}")
        if not lo <= r <= hi:
            bad.append(f"per MiB at {b} / at {a} = {r:.2f}")
    msg = f"{nums}; {', '.join(ratios)} (linear: 1, allowed {lo:.2f}..{hi:.2f})"
    if bad:
        return False, (f"REGRESSION: preserve time does not grow linearly with the "
                       f"memfd's size: {', '.join(bad)} outside {lo:.2f}..{hi:.2f}; {nums}")
    return True, msg


def test_reboot_linear(run):
    d = load(run, "reboot.json")
    # The fastest reboot of each size, per file it froze.
    c = {int(k): min(v) / int(k) for k, v in d["linear_fastest"].items()}
    sizes = sorted(c)
    nums = ", ".join(f"{n} files: {us(c[n] * n)}, {us(c[n])} a file" for n in sizes)
    ratios = [(b, a, c[b] / c[a]) for a, b in zip(sizes, sizes[1:])]
    said = ", ".join(f"per file at {b} / at {a} = {r:.2f}" for b, a, r in ratios)
    bad = [f"per file at {b} / at {a} = {r:.2f}" for b, a, r in ratios
           if r > LINEAR_MARGIN]
    if bad:
        return False, (f"REGRESSION: the reboot's cost per file grows with the files: "
                       f"{', '.join(bad)} (allowed {LINEAR_MARGIN}); fastest reboots: {nums}")
    return True, f"fastest reboots: {nums}; {said} (allowed <= {LINEAR_MARGIN})"


def test_reboot_size(run):
    d = load(run, "reboot.json")
    t = {int(k): min(v) for k, v in d["sized_fastest"].items()}
    small, big = sorted(t)
    r = t[big] / t[small]
    nums = (f"fastest reboot of {d['sized_files']} memfds of {big} MiB: {us(t[big])}, "
            f"of one page: {us(t[small])}: {r:.2f}x (allowed {REBOOT_SIZE_FACTOR}x)")
    if r > REBOOT_SIZE_FACTOR:
        return False, f"REGRESSION: the reboot pays for the memfds' size: {nums}"
    return True, nums


def test_freeze_size(run):
    u, freeze = latest(run, "record-1.bin")
    by = {}
    for session, token, ns in freeze_times(u, freeze):
        if session == "perf-sized" and token & PERF_TOKEN_SIZED:
            by.setdefault((token >> 16) & 0xffffff, []).append(ns)
    if sorted(by) != [2, 64] or any(len(v) != 5 for v in by.values()):
        return False, f"the record of update 1 lacks the sized files' freezes: {by}"
    small, big = statistics.median(by[2]), statistics.median(by[64])
    r = big / small
    nums = (f"freeze per file: 2 MiB {us(small)}, 64 MiB {us(big)} (medians of 5); "
            f"ratio {r:.2f}, allowed <= {FREEZE_FACTOR:.1f} for 32x the data")
    if r > FREEZE_FACTOR:
        return False, f"REGRESSION: the freeze pays for the memfd's size: {nums}"
    return True, nums


SMALL_FILES = 48          # perf.plan's --small


def toolkit_pct(name, runs):
    """(percent, what, ns without the tools): the tools' cost on the
    operation name, from the luo_perf outputs runs."""
    off, on, what = speed_read(runs, name)
    pct = (on / off - 1) * 100
    return pct, (f"{name} {us(off)} -> {us(on)} ({pct:+.1f} %, each window read "
                 f"against its speed probes, {what}; "
                 f"allowed <= +{TOOLKIT_PCT[name]:.0f} %)"), off


def test_toolkit_cost(run):
    ops = [load(run, "ops.json")]
    retr = [load(run, "retrieve-1.json"), load(run, "retrieve-2.json")]
    u1, f1 = latest(run, "record-1.bin")
    u2, f2 = latest(run, "record-2.bin")
    fz1 = [ns for s, _, ns in freeze_times(u1, f1) if s == "perf-small"]
    fz2 = [ns for s, _, ns in freeze_times(u2, f2) if s == "perf-small"]
    if len(fz1) != SMALL_FILES or len(fz2) != SMALL_FILES:
        return False, f"missing samples: freeze {len(fz1)}/{len(fz2)} of {SMALL_FILES}"
    nums, bad, base = [], [], {}
    for name, runs in (("preserve", ops), ("retrieve", retr)):
        pct, what, base[name] = toolkit_pct(name, runs)
        nums.append(what)
        if pct > TOOLKIT_PCT[name]:
            bad.append(f"{name} {pct:+.1f} %")
    ma, mb = statistics.median(fz1), statistics.median(fz2)
    share = (mb - ma) / base["preserve"] * 100
    nums.append(f"freeze {us(ma)} -> {us(mb)} ({(mb / ma - 1) * 100:+.1f} %; added "
                f"{us(mb - ma)} a file, {share:.1f} % of a preserve without the tools, "
                f"allowed <= {TOOLKIT_FREEZE_OF_PRESERVE:.0f} %)")
    if share > TOOLKIT_FREEZE_OF_PRESERVE:
        bad.append(f"freeze +{us(mb - ma)} a file ({share:.1f} % of a preserve)")
    line = "; ".join(nums)
    if bad:
        return False, f"REGRESSION: the toolkit attached costs too much: {', '.join(bad)}; {line}"
    return True, line


def test_lookup(run):
    d = load(run, "lookup.json")
    big, small = statistics.median(d["big"]), statistics.median(d["small"])
    r = big / small
    line = (f"preserve into a session of {d['files']} files: {us(big)}, of "
            f"{d['small_files']}: {us(small)}: {r:.2f}x (allowed {LOOKUP_FACTOR}x)")
    if r > LOOKUP_FACTOR:
        return False, f"REGRESSION: a preserve costs more in a larger session: {line}"
    return True, line


def host_blackouts(run):
    """[(jump, resumed)] host seconds of each update, from timeline.log."""
    jumps, resumed = [], []
    with open(os.path.join(run, "timeline.log")) as f:
        for line in f:
            m = re.match(r"\s*([0-9.]+) U .*@@LUOVM (kexec-jump|resumed)\s*$", line)
            if m:
                (jumps if m.group(2) == "kexec-jump" else resumed).append(float(m.group(1)))
    return list(zip(jumps, resumed))


def test_record_blackout(run):
    host = host_blackouts(run)
    if len(host) != 2:
        return False, f"the host saw {len(host)} complete blackouts, not 2"
    nums, bad = [], []
    for n, ((jump, res), name) in enumerate(zip(host, ["record-1.bin", "record-2.bin"]), 1):
        u, _ = latest(run, name)
        total = u.total_ns()
        if total is None or not u.reached(M_DONE):
            return False, f"update {n}: the record has no total"
        h = (res - jump) * 1e9
        diff = h - total
        allowed = BLACKOUT_SLACK_S * 1e9 + h * BLACKOUT_PCT / 100
        nums.append(f"update {n}: host {ms(h)}, record {ms(total)}, "
                    f"difference {ms(diff)} (allowed {ms(allowed)})")
        if abs(diff) > allowed:
            bad.append(f"update {n}")
    line = "; ".join(nums)
    if bad:
        return False, (f"REGRESSION: the record misses part of the blackout "
                       f"({', '.join(bad)}): {line}")
    return True, line


TESTS = [
    ("preserve-linear", test_preserve_linear),
    ("reboot-linear", test_reboot_linear),
    ("reboot-size", test_reboot_size),
    ("freeze-size", test_freeze_size),
    ("toolkit-cost", test_toolkit_cost),
    ("lookup", test_lookup),
    ("record-blackout", test_record_blackout),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="example: perf_check.py build/vm/perf",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="the run directory of perf.plan (build/vm/NAME)")
    ap.add_argument("--planted", action="store_true",
                    help="the run had its regressions planted: every test must fail")
    args = ap.parse_args()
    tap = Tap(f"perf-check{' (planted)' if args.planted else ''}")
    for name, fn in TESTS:
        try:
            ok, msg = fn(args.run)
        except (OSError, ValueError, KeyError, IndexError, ZeroDivisionError) as e:
            ok, msg, broken = False, f"cannot evaluate: {e}", True
        else:
            broken = False
        if args.planted:
            # Missing samples are not a regression seen: only "REGRESSION:" is.
            caught = not ok and not broken and msg.startswith("REGRESSION:")
            tap.check(caught, f"{name}: {'catches' if caught else 'did not catch'} "
                      f"its planted regression ({PLANTS[name]}): {msg}")
        else:
            tap.check(ok, f"{name}: {msg}")
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
