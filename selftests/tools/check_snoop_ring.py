# SPDX-License-Identifier: GPL-2.0
"""luosnoop's per-CPU rings when one fills: a part of check_snoop_lat.py.

snoop_lat_stage.sh 2 runs two "luosnoop --json --pid P" around a
luo_opbench P that runs on one CPU alone and makes more events than a
ring holds; one of them is stopped (SIGSTOP) until luo_opbench is done.
The running one must see every event and lose none; the stopped one must
print exactly the first ring's worth of them, in the order the running
one saw them, and report the rest as lost, to the event.
"""

import re

# As tools/luosnoop/luosnoop_rings.c sizes a ring.
RING_TOTAL, RING_MIN_SHIFT, RING_MAX_SHIFT = 8192, 8, 11


def ring_slots(possible):
    """The slots of a CPU's ring for the CPU list @possible ("0-1")."""
    n = 0
    for part in possible.strip().split(","):
        lo, _, hi = part.partition("-")
        n += int(hi or lo) - int(lo) + 1
    s = RING_MAX_SHIFT
    while s > RING_MIN_SHIFT and (n << s) > RING_TOTAL:
        s -= 1
    return 1 << s


def key(e):
    """An event, as both instances saw it (each takes its own time stamp)."""
    return (e.get("op"), e.get("session"), e.get("token"), e.get("result"), e.get("pid"))


def check_ring_full(st, tap, load_json_lines, check_tool_ran):
    for name in ("snoop-all", "snoop-full"):
        check_tool_ran(st, tap, name)
    slots = ring_slots(st.fact("cpus-possible") or "0")
    tap.check(st.num("rc-opbench") == 0, "luo_opbench on one CPU exited 0",
              [f"exit code {st.fact('rc-opbench')}", (st.read("opbench.log") or "")[-300:]])
    every = load_json_lines(st, tap, "snoop-all")
    full = load_json_lines(st, tap, "snoop-full")
    err_all = st.read("snoop-all.err") or ""
    tap.check(len(every) > slots and "lost" not in err_all,
              f"luosnoop --pid, running: all {len(every)} events of luo_opbench, more than "
              f"a ring's {slots}, none lost", [err_all[-300:]])
    ts = [e.get("ts_ns") or 0 for e in every]
    tap.check(ts == sorted(ts), "luosnoop --pid, running: the events in the order of their "
              "time stamps")
    order = [key(e) for e in every]
    tap.check([key(e) for e in full] == order[:slots],
              f"luosnoop --pid, stopped while the ring filled: exactly the first {slots} "
              f"events, in order ({len(full)} printed)",
              [f"first differing: {next((i for i, (a, b) in enumerate(zip(full, every)) if key(a) != key(b)), None)}"])
    err = st.read("snoop-full.err") or ""
    m = re.search(r"luosnoop: (\d+) events lost \(ring full\)", err)
    lost = int(m.group(1)) if m else None
    tap.check(lost == len(every) - slots,
              f"luosnoop --pid, stopped: reports the {len(every) - slots} events that found "
              f"the ring full as lost", [f"reported: {lost}", err[-300:]])
