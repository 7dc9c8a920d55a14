# SPDX-License-Identifier: GPL-2.0
"""luovm_report - the verdict of a luovm run: what each command did, and the
TAP report of the commands and of the run itself (its problems, the
accelerator, the guest, the CPUs online, the timing of stages and kexecs).
"""

import os


KSFT_SKIP = 4


class Result:
    """What one command of one stage did."""

    def __init__(self, stage, index, command):
        self.stage, self.index, self.command = stage, index, command
        self.rc = None
        self.tap_ok = self.tap_not_ok = self.tap_skip = 0
        self.output = []
        self.start = self.end = None

    def verdict(self, allow_skip):
        if self.rc is None:
            return "fail", "did not finish"
        if self.tap_not_ok:
            return "fail", f"{self.tap_not_ok} TAP test(s) not ok, exit code {self.rc}"
        if self.rc == KSFT_SKIP:
            return ("skip" if allow_skip else "fail"), "skipped (exit code 4)"
        if self.rc != 0:
            return "fail", f"exit code {self.rc}"
        if self.tap_skip and not allow_skip:
            return "fail", f"{self.tap_skip} TAP test(s) skipped"
        detail = f"{self.tap_ok} TAP ok" if self.tap_ok else "exit code 0"
        return "pass", detail


class RunReport:
    """The verdict of luovm's Run, from what it collected: its results,
    problems and markers."""

    def timing(self):
        """Host-observed times of the stages and of each kexec between them."""
        begin, end, kexec = {}, {}, {}
        for t, f in self.marks:
            if f[0] == "stage-begin":
                begin[int(f[1])] = t
            elif f[0] == "stage-end":
                end[int(f[1])] = t
            elif f[0] == "kexec":
                kexec[int(f[1])] = t
        out = []
        for n in sorted(begin):
            if n == 1:
                out.append(f"stage 1 began {begin[n]:.2f} s after QEMU started")
            elif n - 1 in kexec:
                out.append(f"kexec from stage {n - 1}: stage {n} began "
                           f"{begin[n] - kexec[n - 1]:.2f} s after it")
            if n in end:
                out.append(f"stage {n} commands took {end[n] - begin[n]:.2f} s")
        return out

    def report(self):
        """Print a TAP report; return True when everything passed."""
        for st in self.stages:
            if st.number not in self.stage_seen:
                after = ""
                if st.number > 1:
                    kx = [t for t, f in self.marks if f[0] == "kexec" and f[1] == str(st.number - 1)]
                    after = (f" (the kexec at the end of stage {st.number - 1} started at "
                             f"{kx[0]:.1f} s)") if kx else \
                        f" (stage {st.number - 1} never reached its kexec)"
                self.problem("missing stage", f"stage {st.number} never started{after}",
                             self.user_excerpt(15) + ["--- kernel console ---"] +
                             [ln for _, ln in self.kernel_lines[-25:]])
                break   # the stages after it are missing too, for the same reason
            if st.number not in self.stage_ended:
                self.problem("unfinished stage", f"stage {st.number} never finished "
                             f"({self.where()})", [])
            ran = [r for r in self.results if r.stage == st.number]
            if len(ran) != len(st.commands):
                self.problem("missing commands", f"stage {st.number} ran {len(ran)} of "
                             f"{len(st.commands)} commands", [])
        if not self.problems and not self.done:
            self.problem("no clean end", "the guest did not report the end of the plan", [])

        n = len(self.results) + 1
        print("TAP version 13")
        print(f"1..{n}")
        passed = failed = 0
        for i, r in enumerate(self.results, 1):
            verdict, detail = r.verdict(self.args.allow_skip)
            dur = f" {r.end - r.start:.2f}s" if r.end is not None else ""
            line = f"stage {r.stage}: {r.command}"
            if verdict == "pass":
                passed += 1
                print(f"ok {i} {line} # {detail}{dur}")
            elif verdict == "skip":
                passed += 1
                print(f"ok {i} {line} # SKIP {detail}")
            else:
                failed += 1
                print(f"not ok {i} {line} # {detail}{dur}")
                for ln in r.output[-40:]:
                    print(f"#   | {ln}")
        if self.problems:
            failed += 1
            print(f"not ok {n} {self.name}: the run itself")
            for kind, msg, ex in self.problems:
                print(f"# {kind}: {msg}")
                for ln in self.excerpt_lines(ex):
                    print(f"#   | {ln}")
        else:
            passed += 1
            print(f"ok {n} {self.name}: the run itself # {len(self.stages)} stage(s), "
                  f"no kernel faults")
        print(f"# accel: {self.accel}")
        print(f"# guest: {self.guest_line()}")
        if self.cpus:
            online = set(self.cpus.values())
            if len(online) == 1:
                print(f"# cpus: {self.args.smp} given, {online.pop()} online in each of "
                      f"{len(self.cpus)} stage(s)")
            else:
                print(f"# cpus: {self.args.smp} given, online: " +
                      ", ".join(f"stage {n} {c}" for n, c in sorted(self.cpus.items())))
        for ln in self.timing():
            print(f"# timing: {ln}")
        print(f"# {self.name}: {passed} passed, {failed} failed in {self.elapsed:.1f} s; "
              f"logs in {os.path.relpath(self.dir)}/")
        return failed == 0
