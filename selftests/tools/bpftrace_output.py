# SPDX-License-Identifier: GPL-2.0
"""bpftrace_output.py - what one bpftrace process printed, parsed.

bpftrace_check.py keeps each program's output in a file and reads it back
as an Output: the lines the program printed (printf, time) apart from the
maps bpftrace printed at exit, each map as {key tuple: value}.  The checks
of bpftrace_expect.py ask it for a map or for the lines matching a regular
expression; show() is the output as diagnostic lines of a failed check.
"""

import collections
import re

MAP = re.compile(r"^@(\w*)(?:\[(.*)\])?: ?(.*)$")
BUCKET = re.compile(r"^\[([^\]]*?)[\])]\s+(\d+)\s+\|")
STATS = re.compile(r"^count (\d+), average (\d+), total (\d+)$")


class Output:
    """What one bpftrace process printed: its lines (printf, time) and the
    maps it printed at exit: name -> {key tuple: value}, where a value is an
    int, a dict (stats: count, average, total) or a list of bucket counts
    (hist)."""

    def __init__(self, text):
        self.text = text
        self.lines = []
        self.maps = collections.defaultdict(dict)
        hist = None
        for line in text.splitlines():
            if hist is not None:
                m = BUCKET.match(line)
                if m:
                    hist.append(int(m.group(2)))
                    continue
                hist = None
            m = MAP.match(line)
            if m:
                name, key, val = m.group(1), m.group(2), m.group(3).strip()
                key = tuple(key.split(", ")) if key is not None else ()
                if val == "":
                    hist = self.maps[name][key] = []
                elif STATS.match(val):
                    c, a, t = map(int, STATS.match(val).groups())
                    self.maps[name][key] = {"count": c, "average": a, "total": t}
                elif re.fullmatch(r"-?\d+", val):
                    self.maps[name][key] = int(val)
                else:
                    self.maps[name][key] = val
                continue
            if line.strip() and not line.startswith("Attaching "):
                self.lines.append(line)

    def map(self, name):
        return dict(self.maps.get(name, {}))

    def matching(self, rx):
        return [m for m in (re.search(rx, line) for line in self.lines) if m]


def hist_total(buckets):
    return sum(buckets) if isinstance(buckets, list) else None


def show(out, n=40):
    lines = out.text.splitlines()
    return ["output:"] + [f"  {line}" for line in lines[:n]] + \
        ([f"  ... {len(lines) - n} more lines"] if len(lines) > n else [])
