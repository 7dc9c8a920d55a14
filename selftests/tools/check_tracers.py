# SPDX-License-Identifier: GPL-2.0
"""What perf and trace-cmd recorded of a stage, against its scenario.

selftests/tools/tracers.sh records the liveupdate events with "perf record
-e 'liveupdate:*' -a" and "trace-cmd record -e liveupdate" beside luosnoop
and turns them to text ("perf script", "trace-cmd report"); check_snoop_lat
calls check_tracers() with the stage's scenario: each tracer must show
every event of it, exactly, with the fields the tracepoint prints.
"""

import collections
import re

# The fields compared, per kind of event: what its TP_printk shows and the
# scenario predicts (durations are measured, bytes and flbs not predicted).
FIELDS = {
    "session": ("session", "files", "result"),
    "file": ("session", "handler", "token", "result"),
    "flb": ("flb", "handler", "count", "result"),
    "reboot_begin": ("sessions", "files"),
    "reboot_end": ("sessions", "files", "result"),
    "serialize": ("sessions", "files", "result"),
    "incoming": ("sessions", "files", "result"),
}
STRINGS = {"session", "handler", "flb"}
EVENT = re.compile(r"\bluo_(\w+):\s+(\S+=.*)$")


def parse(text, ops):
    """(op, {field: value}) of each liveupdate event line of @text."""
    out = []
    for line in text.splitlines():
        m = EVENT.search(line)
        if not m or m.group(1) not in ops:
            continue
        fields = {}
        for k, v in re.findall(r"(\w+)=(\S*)", m.group(2)):
            fields[k] = v if k in STRINGS else int(v) if re.fullmatch(r"-?\d+", v) else v
        out.append((m.group(1), fields))
    return out


def key(op, kind, d):
    return (op,) + tuple((f, d.get(f)) for f in FIELDS[kind])


def check_tracers(st, tap, scen, ops, kind):
    """@scen: the stage's events as check_snoop_lat's scenario() makes them."""
    want = collections.Counter(key(d["op"], kind(d["op"]), d) for _, d in scen)
    # perf record stops at SIGINT by raising it again (130); the others exit 0.
    for tool, text_file, rcs in (
            ("perf", "perf.txt", {"rc-perf": 130, "rc-perf-script": 0}),
            ("trace-cmd", "trace-cmd.txt", {"rc-trace-cmd": 0, "rc-trace-cmd-report": 0})):
        ok = st.fact(f"ready-{tool}") == "yes" and all(st.num(r) == v for r, v in rcs.items())
        tap.check(ok, f"{tool}: recorded (ready, stopped by SIGINT) and turned to text",
                  [f"ready {st.fact(f'ready-{tool}')}"] +
                  [f"{r} {st.fact(r)} (want {v})" for r, v in rcs.items()] +
                  (st.read(f"{tool}.err") or "").splitlines()[-5:])
        evs = parse(st.read(text_file) or "", ops)
        got = collections.Counter(key(op, kind(op), f) for op, f in evs)
        tap.check(got == want, f"{tool}: exactly the stage's {sum(want.values())} events, "
                  "each with its fields", [f"missing {k} x{n}" for k, n in (want - got).items()] +
                  [f"unexpected {k} x{n}" for k, n in (got - want).items()])
