#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""perf_check_test.py - the toolkit-cost estimator of perf_check.py on
samples kept from real runs (selftests/perf/samples/), without a guest.

  phase-ops.json     8 blocks of 200 preserves of unchanged trees under TCG
                     on two CPUs, put together as the run that failed CI
                     (block first quartiles off 192, 307, 189, 193 us; on
                     236, 231, then 426 and 445 us: both blocks of the
                     second attach fell in a slow phase of the machine).
                     Must pass.  The estimator before the lower envelope
                     (median of four pairs' first-quartile ratios) read
                     +74 % here and failed.
  phase-ops.json + N the same, N us added to every operation with the
                     tools on: must fail for a cost of 60 % of a preserve.
  planted-ops.json   the planted run's preserves (300 us per event): must
                     fail.
  retrieve-*.json    an unchanged run's retrieves, whose first attach
                     doubled the retrieve (137 -> 333 us): must pass;
                     planted-retrieve-*.json must fail.

One TAP line each; exit 0 only when all pass.
"""
import copy
import json
import os
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import perf_check  # noqa: E402


def sample(name):
    with open(os.path.join(HERE, "samples", name)) as f:
        return json.load(f)


def added(d, key, ns):
    """d with ns added to every sample of its blocks with the tools on."""
    d = copy.deepcopy(d)
    per = len(d[key]) // d["blocks"]
    for b, on in enumerate(d["tools"]):
        if on:
            for i in range(b * per, (b + 1) * per):
                d[key][i] += ns
    return d


def main():
    phase = sample("phase-ops.json")
    cases = [
        ("phase noise, unchanged tree", "preserve", [phase], False),
        ("phase noise + 115 us per preserve with the tools", "preserve",
         [added(phase, "preserve", 115000)], True),
        ("planted preserve", "preserve", [sample("planted-ops.json")], True),
        ("unchanged retrieve", "retrieve",
         [sample("retrieve-1.json"), sample("retrieve-2.json")], False),
        ("planted retrieve", "retrieve",
         [sample("planted-retrieve-1.json"), sample("planted-retrieve-2.json")], True),
    ]
    print("TAP version 13")
    print(f"1..{len(cases)}")
    failed = 0
    for i, (name, op, runs, regressed) in enumerate(cases, 1):
        pct, what = perf_check.toolkit_pct(op, runs)
        seen = pct > perf_check.TOOLKIT_PCT[op]
        ok = seen == regressed
        failed += not ok
        expect = "a regression" if regressed else "no regression"
        print(f"{'ok' if ok else 'not ok'} {i} - {name}: {expect} expected, "
              f"{'regression' if seen else 'none'} seen: {what}")
    print(f"# perf-check-samples: {len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
