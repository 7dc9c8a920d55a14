# SPDX-License-Identifier: GPL-2.0
"""speed_read.py - an operation's cost with and without the toolkit, read
against the speed of the machine at the time.

luo_perf (selftests/perf) times a speed probe, a fixed loop in userspace
that no tool traces, right before each operation it times, in blocks with
the tools attached and blocks without.  speed_read() turns those samples
into one cost a side.  Used by the perf-regression tests' toolkit-cost
test (selftests/perf/perf_check.py) and by make bench's tracing workload
(tools/testing/luobench/).
"""

import statistics

WARMUP = 1                # samples left out at the start of each block
WINDOW = 20               # samples of a window (a retrieve block: all 11)
FAST = 1.25               # a window at full speed: probes within 25 % of the least
# Under TCG on two CPUs the guest's CPUs move between speeds for seconds at
# a time: every operation then takes 1.6 to 1.9 times longer, tools or not,
# and such a phase can cover every block of one side (CI read "preserve
# +75.3 %" on an unchanged tree with the lower envelope of raw times, which
# a phase over all four blocks with the tools defeats).  luo_perf times a
# speed probe (a fixed loop in userspace that no tool traces) right before
# each operation: 113 to 123 us at full speed, 190 to 230 us in a slow
# phase, with or without the tools.  So each window of WINDOW operations is
# read against its own probes (median operation / median probe), and only
# windows at full speed are compared when each side has enough of them;
# the ratio alone carries the rest (a slow phase slows the probe a little
# more than a preserve: read against full speed it lowers a cost by about
# a tenth, never the other way by more than that).


def windows(runs, key):
    """[(tools, median op, median probe, width)] of every window: each block
    of each luo_perf output in runs (its "blocks", per-block "tools",
    samples d[key] and their speed probes, d["probe_KEY"] or d["probe"])
    without its first WARMUP samples, cut into windows of WINDOW samples
    (the whole block when it is shorter)."""
    out = []
    for d in runs:
        # An operation's own probes ("probe_create"), else the file's.
        blocks, tools, v = d["blocks"], d["tools"], d[key]
        pr = d.get(f"probe_{key}", d["probe"])
        if blocks < 2 or len(tools) != blocks or len(v) % blocks or len(pr) != len(v):
            raise ValueError(f"{key}: {len(v)} samples ({len(pr)} probes) in {blocks} "
                             f"blocks, tools {tools}")
        per = len(v) // blocks
        if per <= WARMUP:
            raise ValueError(f"{key}: {per} samples a block")
        for b in range(blocks):
            lo, hi = b * per + WARMUP, (b + 1) * per
            w = min(WINDOW, hi - lo)
            for i in range(lo, hi - w + 1, w):
                out.append((bool(tools[b]), statistics.median(v[i:i + w]),
                            statistics.median(pr[i:i + w]), w))
    if not any(w[0] for w in out) or all(w[0] for w in out):
        raise ValueError(f"{key}: blocks on one side only")
    return out


def speed_read(runs, key):
    """(cost off, cost on, what): each side's cost, the median over its
    windows of median op / median probe, times the median probe of the
    windows used (so that it reads in ns); the windows used are those at
    full speed when each side has at least a sixth of its windows (and at
    least one) there, else all of them."""
    ws = windows(runs, key)
    least = min(w[2] for w in ws)
    fast = [w for w in ws if w[2] <= FAST * least]
    n = [sum(1 for w in ws if w[0] == on) for on in (False, True)]
    nf = [sum(1 for w in fast if w[0] == on) for on in (False, True)]
    if all(f >= max(1, k // 6) for f, k in zip(nf, n)):
        use = fast
        what = f"{nf[0]} of {n[0]} windows off and {nf[1]} of {n[1]} on at full speed"
    else:
        use = ws
        what = (f"all {n[0]} windows off and {n[1]} on, too few at full speed "
                f"({nf[0]} off, {nf[1]} on)")
    scale = statistics.median(w[2] for w in use)
    cost = [statistics.median(w[1] / w[2] for w in use if w[0] == on) * scale
            for on in (False, True)]
    width = "/".join(str(k) for k in sorted({w[3] for w in ws}))
    return cost[0], cost[1], f"windows of {width}, {what}"
