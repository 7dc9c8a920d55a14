# SPDX-License-Identifier: GPL-2.0
"""luovm_setup - a luovm run's set-up: its directory build/vm/NAME/ (each
stage's commands and kernel, plan.env for the guest, the logs), the systemd
guest's tree, the accelerator (luovm_accel.py) and QEMU's command line.
"""

import os
import shlex
import shutil
import sys

import luovm_accel
from luovm_plan import REPO, PlanError


ROOTFS = os.path.join("build", "rootfs", "systemd")


class RunSetup:
    """The set-up of luovm's Run, which holds the run's arguments, stages
    and directory."""

    def prepare(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        tools = os.path.join(REPO, "build", "tools")
        helper = os.path.join(tools, "luovm-kexec")
        if not os.access(helper, os.X_OK):
            raise PlanError(f"{helper} is missing: run 'make tools' first")
        for st in self.stages:
            k = os.path.realpath(os.path.join(REPO, st.kernel))
            if not os.path.isfile(k):
                raise PlanError(f"stage {st.number}: kernel {st.kernel} does not exist "
                                f"(build it with 'make kernel')")
            st.kernel = k
            st.release = None
            rel = os.path.join(os.path.dirname(k), "kernelrelease")
            if os.path.isfile(rel):
                with open(rel) as f:
                    st.release = f.read().strip()
            with open(os.path.join(self.dir, f"stage{st.number}.cmds"), "w") as f:
                for c in st.commands:
                    if "\n" in c:
                        raise PlanError("a command must be a single line")
                    f.write(c + "\n")
            if st.number > 1:
                with open(os.path.join(self.dir, f"stage{st.number}.kernel"), "w") as f:
                    f.write(k + "\n")
        self.guest_version = None
        if self.args.guest == "systemd":
            self.prepare_systemd()
        elif self.args.units:
            raise PlanError("units (unit =, --unit) need the systemd guest (--guest systemd)")
        with open(os.path.join(self.dir, "plan.env"), "w") as f:
            f.write(f"LUOVM_REPO={shlex.quote(REPO)}\n")
            f.write(f"LUOVM_UNITS={shlex.quote(' '.join(self.args.units))}\n")
            f.write(f"LUOVM_TOOLS={shlex.quote(tools)}\n")
            f.write(f"LUOVM_RUN={shlex.quote(self.dir)}\n")
            f.write(f"LUOVM_STAGES={len(self.stages)}\n")
        self.choose_accel()
        # Line by line: a later stage reads the earlier ones' lines (the
        # run directory is the guest's too).
        self.klog = open(os.path.join(self.dir, "console.log"), "w", buffering=1)
        self.ulog = open(os.path.join(self.dir, "user.log"), "w", buffering=1)
        self.tlog = open(os.path.join(self.dir, "timeline.log"), "w", buffering=1)

    def prepare_systemd(self):
        """The systemd guest: its cached tree, its systemd, the plan's units."""
        root = os.path.join(REPO, ROOTFS, "root")
        manifest = os.path.join(REPO, ROOTFS, "manifest.txt")
        for u in self.args.units:
            if not os.path.isfile(os.path.join(REPO, u)):
                raise PlanError(f"unit {u} does not exist")
        if not os.path.isfile(os.path.join(root, "sbin", "luovm-init")) or \
                not os.path.isfile(manifest):
            raise PlanError(f"no systemd guest in {ROOTFS}: build it with 'make rootfs'")
        with open(manifest) as f:
            for ln in f:
                if ln.startswith("systemd: "):
                    self.guest_version = ln.split()[1]
        shutil.copy(manifest, os.path.join(self.dir, "rootfs-manifest.txt"))

    def guest_line(self):
        if self.args.guest != "systemd":
            return "host root, shell as PID 1"
        return (f"systemd {self.guest_version} as PID 1 ({os.path.join(ROOTFS, 'manifest.txt')}"
                " lists the tree's packages)")

    def choose_accel(self):
        """KVM if a probe guest proves it works (or the cache says so), else
        TCG; one line says why when /dev/kvm is there but not used."""
        root = self.virtfs()[:2]
        cmdline = " ".join([
            "console=ttyS0,115200", "root=luoroot", "rootfstype=9p",
            "rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose", "ro",
            f"init={os.path.join(REPO, 'tools', 'testing', 'vm', 'guest-init')}",
            "luovm.mode=probe", "panic=-1"])

        def run_probe(timeout):
            return luovm_accel.probe(self.args.qemu, self.stages[0].kernel, cmdline, root,
                                     self.args.smp, timeout,
                                     os.path.join(self.dir, "probe.log"))
        self.accel = luovm_accel.choose(self.args.accel, self.args.qemu, REPO, run_probe)
        with open(os.path.join(self.dir, "accel"), "w") as f:
            f.write(f"{self.accel}\n")
        if self.accel.fallback:
            print(f"luovm: using TCG: {self.accel.why}", file=sys.stderr, flush=True)

    def virtfs(self, guest="host"):
        root = "/" if guest == "host" else os.path.join(REPO, ROOTFS, "root")
        v = ["-virtfs", f"local,path={root},mount_tag=luoroot,security_model=none,"
                        "readonly=on,multidevs=remap",
             "-virtfs", f"local,path={self.dir},mount_tag=luoout,security_model=none,"
                        "multidevs=remap"]
        if guest == "systemd":
            v += ["-virtfs", f"local,path={REPO},mount_tag=luorepo,security_model=none,"
                             "readonly=on,multidevs=remap"]
        return v

    def cmdline(self, mode):
        if self.args.guest == "systemd":
            # systemd's kmsg lines unthrottled: systemd-shutdown reports
            # its LUO work there, after the journal has stopped.
            init = ["init=/sbin/luovm-init", f"luovm.repo={REPO}", "printk.devkmsg=on"]
        else:
            init = [f"init={os.path.join(REPO, 'tools', 'testing', 'vm', 'guest-init')}"]
        parts = [
            "console=ttyS0,115200",
            "root=luoroot", "rootfstype=9p",
            "rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose",
            "ro", *init,
            "kho=on", "liveupdate=1", "panic=-1", "oops=panic",
            "nokaslr" if self.args.nokaslr else "",
            "loglevel=7", f"luovm.dir={self.dir}", "luovm.stage=1", f"luovm.mode={mode}",
        ]
        cl = " ".join(p for p in parts if p)
        if self.args.append:
            cl += " " + self.args.append
        return cl

    def qemu_argv(self, mode, user_sock=None):
        kvm = self.accel.accel == "kvm"
        argv = [
            self.args.qemu, "-machine", "q35,accel=" + ("kvm" if kvm else "tcg"),
            "-cpu", "host" if kvm else "max", "-m", self.args.mem,
            "-smp", str(self.args.smp), "-nodefaults", "-display", "none",
            "-no-reboot", "-kernel", self.stages[0].kernel,
            "-append", self.cmdline(mode),
        ] + self.virtfs(self.args.guest)
        if mode == "shell":
            argv += ["-serial", "mon:stdio", "-serial", "null"]
        else:
            argv += ["-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
                     "-chardev", f"socket,id=usr,path={user_sock}", "-serial", "chardev:usr",
                     "-monitor", "none"]
        return argv
