# SPDX-License-Identifier: GPL-2.0
"""bpftrace_run.py - the programs of bpftrace_check.py, started and stopped.

programs() lists what runs in a stage: each tools/bpftrace/*.bt and each
one-liner of Documentation/bpftrace.rst (oneliners() reads them there),
with its check from bpftrace_expect.py.  start() runs each as its own
bpftrace process under "bpftrace -c" with a waiting shell script, and
returns once all have attached their probes; stop_all() ends the scripts,
so that bpftrace prints its maps and exits.  run() runs a command with its
output as TAP comments; refused_kexec() provokes the kexec that
fail_function makes fail at luo_hook_serialize.
"""

import collections
import glob
import os
import re
import shlex
import subprocess
import time

from bpftrace_expect import (
    SCRIPT_CHECKS, ONELINER_CHECKS, INJECT_HOOK, INJECT_ERRNO, INJECT_NAME)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BT_DIR = os.path.join(REPO, "tools", "bpftrace")
DOC = os.path.join(REPO, "Documentation", "bpftrace.rst")
BUILD = os.environ.get("LUO_BUILD", os.path.join(REPO, "build"))

FAIL_FUNCTION = "/sys/kernel/debug/fail_function"

# Seconds allowed for every program to attach (they start in parallel;
# bpftrace takes seconds each under TCG), and to exit once told to.
ATTACH_TIMEOUT = 600
EXIT_TIMEOUT = 120


def note(msg):
    print(f"# {msg}", flush=True)


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
            bad.append(f"line {i}: no check named {tag[0]} in bpftrace_expect.py")
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


# ---------------------------------------------------------------------------
# The commands around them

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
