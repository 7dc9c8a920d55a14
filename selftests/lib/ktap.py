# SPDX-License-Identifier: GPL-2.0
"""ktap.py - the one TAP writer of the Python checkers.

The format is KTAP's (Documentation/dev-tools/ktap.rst of the kernel), as
the kselftest harness prints it:

  TAP version 13
  ok 1 what was checked
  not ok 2 what was checked
  #   why, one line of detail each
  1..2
  # NAME: 1 passed, 1 failed

The last line is what the suites add up (selftests/lib/tap.sh's counts).

  tap = Tap("check_snoop_lat")
  tap.check(cond, "what", details)   # details: a string or lines; shown on failure
  return tap.end()                   # the exit code: 0 only when all passed
"""
import sys

MAX_DETAIL_LINES = 40


class Tap:
    def __init__(self, name, header=True):
        self.name, self.n, self.failed = name, 0, 0
        if header:
            self.emit("TAP version 13")

    @staticmethod
    def emit(line):
        print(line, flush=True)

    def check(self, ok, what, details=None):
        """One test line; on failure the details follow as diagnostics."""
        self.n += 1
        ok = bool(ok)
        if not ok:
            self.failed += 1
        self.emit(f"{'ok' if ok else 'not ok'} {self.n} {what}")
        if not ok and details:
            lines = details.splitlines() if isinstance(details, str) else \
                [ln for d in details for ln in str(d).splitlines()]
            for line in lines[:MAX_DETAIL_LINES]:
                self.emit(f"#   {line}")
            if len(lines) > MAX_DETAIL_LINES:
                self.emit(f"#   ... {len(lines) - MAX_DETAIL_LINES} more lines")
        return ok

    def note(self, msg):
        self.emit(f"# {msg}")

    @property
    def passed(self):
        return self.n - self.failed

    def end(self):
        """The plan and the summary; returns the exit code."""
        self.emit(f"1..{self.n}")
        self.emit(f"# {self.name}: {self.passed} passed, {self.failed} failed")
        sys.stdout.flush()
        return 1 if self.failed else 0
