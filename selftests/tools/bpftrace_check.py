#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run every bpftrace program of the toolkit around one live update of
luo_workload, and check what each printed against what the workload did.

The programs: every tools/bpftrace/*.bt, and every one-liner of
Documentation/bpftrace.rst (each is marked there with a comment
".. bpftrace-oneliner: NAME" that names its check in bpftrace_expect.py;
a "bpftrace -e" in the document without one is a failure, as is a .bt
without a check).

  bpftrace_check.py --stage 1      (in the first kernel, fresh boot)
      Starts every program that has something to see in this kernel
      (SCRIPT_CHECKS and ONELINER_CHECKS of bpftrace_expect.py say
      which), each as its own bpftrace process, in the background; waits
      until each has attached its probes; runs
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

The modules beside this file: bpftrace_output.py parses what a program
printed, bpftrace_expect.py holds the check of each program,
bpftrace_run.py lists the programs, starts and stops them and provokes
the refused kexec; this file is the command line and the order of it all.

Outputs are kept in --out (default $LUOVM_RUN/bpftrace/stageN).  Prints
TAP, one result per check, and ends with
"# bpftrace_check stage N: P passed, F failed"; exits 0 only when every
check passed.  Python 3 standard library only; run as root in the guest.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(REPO, "selftests", "lib"))
from ktap import Tap  # noqa: E402
# bpftrace_run.py imports the checks, which ask luo_workload what it does
# (selftests/lib/workload.py).
from bpftrace_output import Output, show  # noqa: E402
from bpftrace_run import (  # noqa: E402
    BUILD, note, programs, start, stop_all, run, refused_kexec)


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
