#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""test_luobench.py - how make bench's tracing group knows a tool is
attached (tools/testing/luobench/luobench_guest.py), without a guest: the
tools are stand-in processes and bpftool's listings are made up.

  a tool that loads a program it never links (luotop's BPF iterators, run
  once at its start) is attached once it says so and its other programs
  are linked: every program it loaded is its own;
  a tool that has not said so yet is waited for, even with programs linked;
  a tool that exits first is an error, and one that never says so a timeout;
  what each tool prints once attached is read where it prints it;
  liveupdate_reboot()'s window is read from what luo_bench probe's BPF
  programs print on the console;
  every guest of a bench on the host-built kernels (--kernels host) boots
  the -host build of its flavor, and of the tests' kernels the plain one;
  what a program printed reaches the document's machine lines as text,
  not as reStructuredText markup.

One TAP line each; exit 0 only when all pass.
"""
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "lib"),
                os.path.join(HERE, "..", "..", "tools", "testing", "luobench")]
import luobench_guest  # noqa: E402
from luobench_common import BenchError  # noqa: E402
from ktap import Tap  # noqa: E402


class Listing:
    """bpftool prog/link show --json, as the state says."""

    def __init__(self, progs, links):
        self.progs, self.links = progs, links

    def __call__(self, what):
        if what == "prog":
            return [{"id": i, "name": f"p{i}"} for i in sorted(self.progs)]
        return [{"id": 100 + i, "prog_id": i} for i in sorted(self.links)]


def attach(listing, proc, ready, timeout=3):
    luobench_guest.bpftool_json = listing
    t0 = time.monotonic()
    try:
        return luobench_guest.wait_attached("tool", proc, {1, 2}, ready,
                                            timeout=timeout, poll=0.05), \
            time.monotonic() - t0
    except BenchError as e:
        return e, time.monotonic() - t0


def main():
    tap = Tap("luobench-host")
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        # Programs 1 and 2 are an earlier tool's; 3 and 4 this one's, linked;
        # 5 an iterator, loaded and never linked.
        got, took = attach(Listing({1, 2, 3, 4, 5}, {1, 2, 3, 4}), sleeper, lambda: True)
        tap.check(got == {3, 4, 5} and took < 1,
                  "a tool with a program never linked (an iterator) is attached once "
                  "it says so: all its programs are its own", f"got {got!r} in {took:.1f} s")

        calls = {"n": 0}

        def later():
            calls["n"] += 1
            return calls["n"] > 5
        got, took = attach(Listing({1, 2, 3}, {1, 2, 3}), sleeper, later)
        tap.check(got == {3} and calls["n"] == 6,
                  "a tool is waited for until it says it traces, its programs linked or not",
                  f"got {got!r} after {calls['n']} readings")

        got, took = attach(Listing({1, 2, 3}, {1, 2}), sleeper, lambda: True, timeout=0.5)
        tap.check(isinstance(got, BenchError) and "within" in str(got),
                  "a tool that says it traces with none of its programs linked is not attached",
                  f"got {got!r}")

        gone = subprocess.Popen(["true"])
        gone.wait()
        got, took = attach(Listing({1, 2}, {1, 2}), gone, lambda: False)
        tap.check(isinstance(got, BenchError) and "exited with 0" in str(got),
                  "a tool that exits before it is attached is an error", f"got {got!r}")
    finally:
        sleeper.kill()
        sleeper.wait()

    with tempfile.TemporaryDirectory() as tmp:
        err, out = os.path.join(tmp, "err"), os.path.join(tmp, "out")
        with open(err, "w") as f:
            f.write("libbpf: a warning\n")
        open(out, "w").close()
        snoop, top = luobench_guest.tool_ready("luosnoop", err, None), \
            luobench_guest.tool_ready("luotop", err, out)
        before = (snoop(), top())
        with open(err, "a") as f:
            f.write("Tracing LUO transitions (mode: tracepoint)... Hit Ctrl-C to end.\n")
        with open(out, "w") as f:
            f.write("luotop - 00:00:01\n")
        tap.check(before == (False, False) and snoop() and top(),
                  "luosnoop and luolat are ready at their 'Tracing' line, luotop at its "
                  "first snapshot", f"before {before}, after {(snoop(), top())}")

    reboot_windows(tap)
    kernel_sets(tap)
    rst_escapes(tap)
    return tap.end()


def reboot_windows(tap):
    """The window of liveupdate_reboot() as luo_bench probe's programs print it."""
    import luobench_collect
    calib = [365221, 12203, 5070, 3356, 3266]
    lines = ["1.0 K [    0.000000] Linux version 7.3.4-luo-ours"]
    lines += [f"1.{i} K [    7.03{i}] bpf_trace_printk: luobench: calib_ns={ns}"
              for i, ns in enumerate(calib)]
    lines += ["2.0 K [    9.000000] reboot_in: (liveupdate_reboot+0x0/0x218)",
              "2.1 K [    9.105322] bpf_trace_printk: luobench: reboot_ns=7798736 ret=0",
              "2.2 K [    9.110000] reboot_out: (kernel_kexec+0x89/0x96 <- liveupdate_reboot) ret=0",
              "3.0 K [    0.000000] Linux version 7.3.4-luo-ours",
              "3.1 K [    8.000000] reboot_in: (liveupdate_reboot+0x0/0x218)",
              "3.2 K [    8.004000] reboot_out: (kernel_kexec+0x89/0x96 <- liveupdate_reboot) ret=0"]

    class Run:
        name, flavor = "t", "ours"

    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "vm", "t"))
        with open(os.path.join(tmp, "vm", "t", "timeline.log"), "w") as f:
            f.write("\n".join(lines) + "\n")
        saved, luobench_collect.BUILD = luobench_collect.BUILD, tmp
        try:
            boots, _ = luobench_collect.read_timeline(Run())
        finally:
            luobench_collect.BUILD = saved
    got = [luobench_collect.reboot_window(b) for b in boots]
    want = [{"raw_ns": 7798736, "ret": "0", "calib_first_ns": 365221, "calib_warm_ns": 4213},
            None]
    tap.check(got == want,
              "the reboot's window is the fexit program's reboot_ns, the calibration the "
              "median of its warm windows; kprobe event lines are no window",
              f"got {got!r}")


def kernel_sets(tap):
    """Which kernel each guest of the bench boots, per kernel set."""
    import luobench_plan
    from luobench_common import FULL, kernel_flavor

    def kernels_of(kernels):
        cfg = dict(FULL, kernels=kernels, flavors=["ours", "mainline"], budget_s=60,
                   only=["size", "scale", "tracing", "systemd"], scale=[(1, 1), (1, 200000)])
        saved, luobench_plan.host_mem_gib = luobench_plan.host_mem_gib, lambda: 64
        try:
            runs, _ = luobench_plan.schedule(cfg)
        finally:
            luobench_plan.host_mem_gib = saved
        got = set()
        for run in runs:
            if run.systemd:
                # Its plan boots ${LUO_BUILD}/kernel-${LUO_FLAVOR}/bzImage.
                got.add(("systemd", run.flavor, kernel_flavor(run.flavor, run.kernels)))
                continue
            images = [ln.split("=", 1)[1].strip() for ln in run.plan().splitlines()
                      if ln.startswith("kernel =")]
            got |= {(run.group.rstrip("0123456789x"), run.flavor, os.path.relpath(i, "build"))
                    for i in images}
        return got

    for kernels, suffix in (("host", "-host"), ("tests", "")):
        got = kernels_of(kernels)
        want = {(g, f, f"kernel-{f}{suffix}/bzImage") for g in ("main", "big")
                for f in ("ours", "mainline")}
        want |= {("systemd", f, f + suffix) for f in ("ours", "mainline")}
        want.add(("tracing", "ours", f"kernel-ours{suffix}/bzImage"))
        tap.check(got == want, f"with --kernels {kernels}, every guest boots its flavor's "
                  f"kernel-FLAVOR{suffix}", f"got {sorted(got)}, want {sorted(want)}")


def rst_escapes(tap):
    """The accelerator's line of a run where KVM failed, as QEMU words it."""
    import re
    from luobench_report import rst_text
    why = ("TCG (/dev/kvm is there, but a probe guest under KVM ended (last line: "
           "\"kvm.c:3183: kvm_buf_set_msrs: Assertion `ret == cpu->nmsrs' failed.\"); "
           "*verdict* cached in build/accel.json | \\d)")
    got = rst_text(why)
    bare = re.findall(r"(?<!\\)[`*|]", got.replace("\\\\", ""))
    tap.check(not bare and re.sub(r"\\(.)", r"\1", got) == why,
              "the machine's lines are escaped for reStructuredText",
              f"got {got!r}, unescaped {bare}")


if __name__ == "__main__":
    sys.exit(main())
