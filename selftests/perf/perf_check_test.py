#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""perf_check_test.py - the toolkit-cost estimator of perf_check.py on
samples kept from real runs (selftests/perf/samples/), without a guest.

  phase-ops.json     8 blocks of 200 preserves of an unchanged tree under
                     TCG on two CPUs, each with its speed probe: 17 of the
                     36 windows without the tools and 7 of the 36 with them
                     ran in a slow phase (probes of 190 to 230 us against
                     115).  Must pass.
  phase-ops.json, every block with the tools slowed (preserves 1.6 times,
                     probes 1.8 times: a slow phase over both attaches, what
                     CI met on an unchanged tree when the lower envelope of
                     raw times read "preserve +75.3 %"): must pass; and the
                     same over every block without them: must pass.
  phase-ops.json + N the same, N us added to every operation with the
                     tools on: must fail for a cost of half a preserve.
  planted-ops.json   the planted run's preserves (300 us per event): must
                     fail.
  retrieve-*.json    an unchanged run's retrieves, in the kernel just
                     booted (its first and last blocks in a slow phase in
                     update 1, the first three in update 2): must pass;
                     with 600 us added with the tools on (three times a
                     retrieve): must fail.

  preserve.json      an unchanged run's preserve batches (the same 256 MiB
                     as 16 x 16, 4 x 64 and 1 x 256 MiB, 7 rounds): the
                     preserve-linear test must pass; every 16 MiB batch
                     1.6 times slower (a fixed cost per preserve grown):
                     must fail.
  preserve-planted.json  the planted run's (20 us x MiB^2): must fail.
  reboot.json        an unchanged run's refused reboots: reboot-linear and
                     reboot-size must pass; reboot-planted.json, with 20 ns
                     x n for the n-th file frozen and 50 us x MiB a file:
                     both must fail.

One TAP line each; exit 0 only when all pass.
"""
import copy
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import perf_check  # noqa: E402
from ktap import Tap  # noqa: E402


def sample(name):
    with open(os.path.join(HERE, "samples", name)) as f:
        return json.load(f)


def side(d, key, on):
    """Indices of d[key]'s samples in the blocks with the tools on (or off)."""
    per = len(d[key]) // d["blocks"]
    return [i for b, tools in enumerate(d["tools"]) if bool(tools) == on
            for i in range(b * per, (b + 1) * per)]


def added(d, key, ns):
    """d with ns added to every sample of its blocks with the tools on."""
    d = copy.deepcopy(d)
    for i in side(d, key, True):
        d[key][i] += ns
    return d


def slowed(d, key, on, op, probe):
    """d with every block whose tools are on (or off) in a slow phase: its
    operations op times, its probes probe times longer."""
    d = copy.deepcopy(d)
    for i in side(d, key, on):
        d[key][i] = int(d[key][i] * op)
        d["probe"][i] = int(d["probe"][i] * probe)
    return d


def verdict(test, name, d):
    """perf_check's test on a run directory holding d as name."""
    with tempfile.TemporaryDirectory() as run:
        with open(os.path.join(run, name), "w") as f:
            json.dump(d, f)
        return test(run)


def linear(d):
    """perf_check's preserve-linear verdict on the preserve.json d."""
    return verdict(perf_check.test_preserve_linear, "preserve.json", d)


def main():
    phase = sample("phase-ops.json")
    retr = [sample("retrieve-1.json"), sample("retrieve-2.json")]
    cases = [
        ("phase noise, unchanged tree", "preserve", [phase], False),
        ("a slow phase over every block with the tools", "preserve",
         [slowed(phase, "preserve", True, 1.6, 1.8)], False),
        ("a slow phase over every block without the tools", "preserve",
         [slowed(phase, "preserve", False, 1.6, 1.8)], False),
        ("phase noise + 100 us per preserve with the tools", "preserve",
         [added(phase, "preserve", 100000)], True),
        ("planted preserve", "preserve", [sample("planted-ops.json")], True),
        ("unchanged retrieve", "retrieve", retr, False),
        ("unchanged retrieve + 600 us with the tools", "retrieve",
         [added(d, "retrieve", 600000) for d in retr], True),
    ]
    tap = Tap("perf-check-samples")
    for name, op, runs, regressed in cases:
        pct, what, _ = perf_check.toolkit_pct(op, runs)
        seen = pct > perf_check.TOOLKIT_PCT[op]
        expect = "a regression" if regressed else "no regression"
        tap.check(seen == regressed, f"{name}: {expect} expected, "
                  f"{'regression' if seen else 'none'} seen: {what}")
    small_slow = sample("preserve.json")
    small_slow["sizes"]["16"] = [int(t * 1.6) for t in small_slow["sizes"]["16"]]
    for name, d, regressed in [
            ("unchanged preserve batches", sample("preserve.json"), False),
            ("16 MiB batches 1.6x slower", small_slow, True),
            ("planted preserve batches", sample("preserve-planted.json"), True)]:
        ok, what = linear(d)
        expect = "a regression" if regressed else "no regression"
        tap.check(ok != regressed, f"{name}: {expect} expected, "
                  f"{'none' if ok else 'regression'} seen: {what}")
    for name, test in [("reboot-linear", perf_check.test_reboot_linear),
                       ("reboot-size", perf_check.test_reboot_size)]:
        for kept, regressed in [("reboot.json", False), ("reboot-planted.json", True)]:
            ok, what = verdict(test, "reboot.json", sample(kept))
            expect = "a regression" if regressed else "no regression"
            tap.check(ok != regressed, f"{name} on {kept}: {expect} expected, "
                      f"{'none' if ok else 'regression'} seen: {what}")
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
