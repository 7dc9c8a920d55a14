#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check_consoles.py - every guest of a make check ran on all its CPUs.

  check_consoles.py [--since FILE] VM_DIR

Reads every VM_DIR/*/console.log written after FILE (all of them without
--since), splits it into boots (each "Linux version" line begins one: the
first boot and one per kexec), and checks each boot against the -smp that
QEMU was given (the run's qemu.argv):

  - the kernel brought up every CPU ("smp: Brought up N node(s), M CPU(s)",
    M equal to -smp);
  - the TSC was calibrated ("could not calculate TSC khz" never appears: the
    kernel would fall back on a jiffies clock and LUO time nothing).

A boot that ended before it brought up its CPUs (a panic planted by the
harness's own tests, say) has nothing to check and is named, not passed
silently; a log with no boot at all fails.  A run built to break one of
these rules on purpose, whose failure its own test checks (the harness's
tests in selftests/harness/test_luovm.sh; selftests/compat/expect_run.sh),
holds a file "planted" saying so: it is listed as a comment, neither passed
nor failed.  One TAP line per console log;
exit 0 only when every one passes and at least one was read.
"""
import argparse
import os
import re
import shlex
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ktap import Tap  # noqa: E402

BOOT = re.compile(r"\] Linux version ")
SMP = re.compile(r"smp: Brought up (\d+) nodes?, (\d+) CPUs?")
TSC_FAIL = re.compile(r"could not calculate TSC khz")


def given_cpus(run):
    """The -smp of the run's QEMU command line, or None."""
    try:
        with open(os.path.join(run, "qemu.argv")) as f:
            argv = shlex.split(f.read())
    except OSError:
        return None
    for a, b in zip(argv, argv[1:]):
        if a == "-smp":
            return int(b.split(",")[0].split("=")[-1])
    return None


def boots(path):
    """The console split into boots: [[line, ...], ...]."""
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            if BOOT.search(line):
                out.append([])
            if out:
                out[-1].append(line.rstrip("\n"))
    return out


def check(run):
    """(ok, message) for one run directory."""
    want = given_cpus(run)
    if want is None:
        return False, "no -smp in qemu.argv"
    bs = boots(os.path.join(run, "console.log"))
    if not bs:
        return False, "no boot in console.log"
    bad, seen, early = [], [], 0
    for i, lines in enumerate(bs, 1):
        text = "\n".join(lines)
        if TSC_FAIL.search(text):
            bad.append(f"boot {i}: TSC calibration failed (could not calculate TSC khz)")
        m = SMP.search(text)
        if not m:
            early += 1
            continue
        got = int(m.group(2))
        seen.append(got)
        if got != want:
            bad.append(f"boot {i}: {got} of {want} CPUs brought up")
    if not seen:
        bad.append(f"none of {len(bs)} boot(s) brought up its CPUs")
    if bad:
        return False, "; ".join(bad)
    msg = f"{len(seen)} boot(s), {want} of {want} CPUs online in each, TSC calibrated"
    if early:
        msg += f"; {early} boot(s) ended before SMP bring-up"
    return True, msg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="example: check_consoles.py --since "
                                        "build/check/.started build/vm")
    ap.add_argument("--since", help="only logs written after this file")
    ap.add_argument("vmdir", help="the directory of the runs (build/vm)")
    args = ap.parse_args()
    since = os.path.getmtime(args.since) if args.since else 0
    runs, planted = [], []
    for name in sorted(os.listdir(args.vmdir)):
        log = os.path.join(args.vmdir, name, "console.log")
        if not os.path.isfile(log) or os.path.getmtime(log) < since:
            continue
        try:
            with open(os.path.join(args.vmdir, name, "planted")) as f:
                planted.append((name, f.read().strip()))
        except FileNotFoundError:
            runs.append(name)
    tap = Tap("consoles")
    for name, why in planted:
        tap.note(f"{name}: planted on purpose ({why}): not checked here")
    if not runs:
        tap.check(False, f"no console log in {args.vmdir} to check")
    for name in runs:
        ok, msg = check(os.path.join(args.vmdir, name))
        tap.check(ok, f"{name}: {msg}")
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
