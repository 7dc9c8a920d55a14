# SPDX-License-Identifier: GPL-2.0
"""luovm_accel - choose QEMU's accelerator by proof, not by a device node.

A /dev/kvm that opens, even one where KVM_CREATE_VM succeeds, is no proof
that a guest runs: on some nested hosts a KVM guest never prints a line
while QEMU spins a core.  So KVM is used only after a probe guest under KVM
(the run's own kernel, the same 9p root, guest-init in probe mode) has
printed its marker from userspace within a few seconds.  Otherwise TCG,
with one line saying why.  The verdict is cached in build/accel.json, keyed
by what can change it: the host kernel, the CPU model, the QEMU binary and
its version, and the KVM device.

LUOVM_ACCEL=auto|kvm|tcg overrides (auto by default): tcg never probes,
kvm probes every time and stops with an error when the probe fails.
LUOVM_PROBE_TIMEOUT (seconds, default 10) bounds the probe.  For the
harness's own tests, LUOVM_KVM_DEVICE names the device to look for and
LUOVM_ACCEL_CACHE the cache file.
"""

import json
import os
import selectors
import shutil
import subprocess
import time

PROBE_MARK = "@@LUOVM probe-ok"
MODES = ("auto", "kvm", "tcg")


class AccelError(Exception):
    """A forced KVM that does not work."""


class Choice:
    """The accelerator a run uses, and why, in one line; fallback when a KVM
    device is there but does not run guests."""

    def __init__(self, accel, why, fallback=False):
        self.accel, self.why, self.fallback = accel, why, fallback

    def __str__(self):
        return f"{self.accel} ({self.why})"


def _first_line(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (out.stdout.splitlines() or ["?"])[0].strip()


def cpu_model():
    """The host CPU's model name, or "unknown"."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def host_key(qemu, device):
    """What the verdict depends on, as one string."""
    cpu = cpu_model()
    u = os.uname()
    path = shutil.which(qemu) or qemu
    return " | ".join([f"host {u.release} {u.version}", f"cpu {cpu}",
                       f"qemu {os.path.realpath(path)} {_first_line([path, '--version'])}",
                       f"device {device}"])


def probe(qemu, kernel, cmdline, virtfs, smp, timeout, log):
    """Boot KERNEL under KVM until guest-init prints its probe marker.

    Returns (ok, seconds, why); the console goes to LOG."""
    argv = [qemu, "-machine", "q35,accel=kvm", "-cpu", "host", "-m", "512M",
            "-smp", str(smp), "-nodefaults", "-display", "none", "-no-reboot",
            "-kernel", kernel, "-append", cmdline, "-serial", "stdio",
            "-monitor", "none"] + virtfs
    t0 = time.monotonic()
    try:
        q = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    except OSError as e:
        return False, 0.0, f"cannot start {qemu}: {e}"
    sel = selectors.DefaultSelector()
    sel.register(q.stdout, selectors.EVENT_READ)
    buf, lines, ok, ended = b"", [], False, False
    with open(log, "w") as f:
        while not ok and not ended:
            left = t0 + timeout - time.monotonic()
            if left <= 0:
                break
            for _ in sel.select(timeout=min(left, 0.5)):
                chunk = os.read(q.stdout.fileno(), 65536)
                if not chunk:
                    ended = True
                    break
                buf += chunk
                *new, buf = buf.split(b"\n")
                for raw in new:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    f.write(line + "\n")
                    lines.append(line)
                    ok = ok or line.startswith(PROBE_MARK)
    took = time.monotonic() - t0
    if q.poll() is None:
        q.kill()
    q.wait()
    if ok:
        return True, took, f"a probe guest under KVM reached userspace in {took:.1f} s"
    last = next((ln for ln in reversed(lines) if ln.strip()), "")
    if ended:
        return False, took, (f"a probe guest under KVM ended after {took:.1f} s without "
                             f"its marker (QEMU exit {q.returncode}; last line: {last!r})")
    said = f"{len(lines)} lines, the last {last!r}" if lines else "nothing"
    return False, took, (f"a probe guest under KVM printed {said} and no marker "
                         f"within {timeout:g} s")


def _load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _store(path, key, entry):
    cache = _load(path)
    cache[key] = entry
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(cache, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def choose(mode, qemu, repo, run_probe):
    """The Choice for this run.  RUN_PROBE(timeout) boots the probe guest and
    returns probe()'s (ok, seconds, why).  Raises AccelError when KVM is
    forced and does not work."""
    if mode not in MODES:
        raise AccelError(f"LUOVM_ACCEL={mode}: use one of {', '.join(MODES)}")
    if mode == "tcg":
        return Choice("tcg", "forced by LUOVM_ACCEL=tcg")
    device = os.environ.get("LUOVM_KVM_DEVICE", "/dev/kvm")
    if not os.path.exists(device):
        if mode == "kvm":
            raise AccelError(f"LUOVM_ACCEL=kvm, but there is no {device}")
        return Choice("tcg", f"no {device}")
    if not os.access(device, os.R_OK | os.W_OK):
        if mode == "kvm":
            raise AccelError(f"LUOVM_ACCEL=kvm, but {device} is not readable and writable")
        return Choice("tcg", f"{device} is not readable and writable by this user")
    timeout = float(os.environ.get("LUOVM_PROBE_TIMEOUT", "10"))
    cache = os.environ.get("LUOVM_ACCEL_CACHE") or os.path.join(repo, "build", "accel.json")
    key = host_key(qemu, device)
    if mode == "auto":
        hit = _load(cache).get(key)
        if hit and hit.get("accel") in ("kvm", "tcg"):
            why = hit["why"] if hit["accel"] == "kvm" else f"{device} is there, but {hit['why']}"
            return Choice(hit["accel"], f"{why}; verdict cached in "
                          f"{os.path.relpath(cache, repo)} on {hit['when']}",
                          fallback=hit["accel"] == "tcg")
    ok, took, why = run_probe(timeout)
    when = time.strftime("%Y-%m-%d %H:%M:%S")
    _store(cache, key, {"accel": "kvm" if ok else "tcg", "why": why,
                        "seconds": round(took, 2), "when": when})
    if ok:
        return Choice("kvm", why)
    if mode == "kvm":
        raise AccelError(f"LUOVM_ACCEL=kvm, but KVM does not run guests here: {why}")
    return Choice("tcg", f"{device} is there, but {why}", fallback=True)
