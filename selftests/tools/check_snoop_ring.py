# SPDX-License-Identifier: GPL-2.0
"""luosnoop's per-CPU rings when one fills: a part of check_snoop_lat.py.

snoop_lat_stage.sh 2 runs two "luosnoop --json --pid P" around a
luo_opbench P that runs on one CPU alone and makes more events than a
ring holds; one of them is stopped (SIGSTOP) until luo_opbench is done.
The running one must see every event and lose none; the stopped one must
print exactly the first ring's worth of them, in the order the running
one saw them, and report the rest as lost, to the event.  A third
then follows a luo_opbench that moves itself from CPU to CPU every 25
iterations (-m): its events in LUO's order and in the order of their time
stamps across the CPUs.

An event names its session and handler by the kernel's address of the
string once luosnoop has the string (luosnoop.bpf.c), and luo_opbench's
sessions, each created when the last was freed, reuse addresses: every event
must still carry its own session's name, opbench-i, whether luosnoop saw
the string on this CPU or another one, and when a fourth luosnoop traces no
session's create (-o file_preserve,session_release), the event where a name
is born at an address.
"""

import re

# As tools/luosnoop/luosnoop_rings.c sizes a ring.
RING_TOTAL, RING_MIN_SHIFT, RING_MAX_SHIFT = 16384, 10, 11


def ring_slots(possible):
    """The slots of a CPU's ring for the CPU list @possible ("0-1"): one
    ring for each id up to the last."""
    n = int(re.split(r"[-,]", possible.strip())[-1]) + 1
    s = RING_MAX_SHIFT
    while s > RING_MIN_SHIFT and (n << s) > RING_TOTAL:
        s -= 1
    return 1 << s


# luo_opbench -n of the moving run (snoop_lat_stage.sh), and its moves.
OPBENCH2_N = 500
OPBENCH2_MOVES = 19  # every 25 of 500 iterations, after the first


def key(e):
    """An event, as both instances saw it (each takes its own time stamp)."""
    return (e.get("op"), e.get("session"), e.get("token"), e.get("result"), e.get("pid"))


def check_ring_full(st, tap, load_json_lines, check_tool_ran):
    for name in ("snoop-all", "snoop-full", "snoop-moving", "snoop-nocreate"):
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
    m = re.search(r"luosnoop: (\d+) events lost \(a ring was full\)", err)
    lost = int(m.group(1)) if m else None
    tap.check(lost == len(every) - slots,
              f"luosnoop --pid, stopped: reports the {len(every) - slots} events that found "
              f"the ring full as lost", [f"reported: {lost}", err[-300:]])
    moving = load_json_lines(st, tap, "snoop-moving")
    ts = [e.get("ts_ns") or 0 for e in moving]
    ops = ["session_create", "file_preserve", "session_release", "file_unpreserve"]
    want = [(op, f"opbench-{i}") for i in range(OPBENCH2_N) for op in ops]
    tap.check(st.num("rc-opbench2") == 0 and st.num("moves-opbench2") == OPBENCH2_MOVES and
              [(e.get("op"), e.get("session")) for e in moving] == want and ts == sorted(ts) and
              "lost" not in (st.read("snoop-moving.err") or ""),
              f"luosnoop --pid, luo_opbench moved between CPUs "
              f"{st.fact('moves-opbench2')} times: its {len(moving)} events, in LUO's order "
              f"and the order of their time stamps across the CPUs, none lost",
              [f"exit {st.fact('rc-opbench2')}; want {len(want)} events; time stamps in "
               f"order: {ts == sorted(ts)}", (st.read("snoop-moving.err") or "")[-300:]])
    nocreate = load_json_lines(st, tap, "snoop-nocreate")
    got = [(e.get("op"), e.get("session"), e.get("handler")) for e in nocreate]
    handler = next((e.get("handler") for e in moving if e.get("op") == "file_preserve"), None)
    want = [(op, f"opbench-{i}", h) for i in range(OPBENCH2_N)
            for op, h in (("file_preserve", handler), ("session_release", None))]
    tap.check(handler and got == want and "lost" not in (st.read("snoop-nocreate.err") or ""),
              f"luosnoop --pid -o file_preserve,session_release, luo_opbench moving: its "
              f"{len(nocreate)} events, each with its own session's name and the handler's "
              f"({handler}), where sessions reuse the addresses of freed ones",
              [f"want {len(want)} events; first differing: "
               f"{next((x for x in zip(got, want) if x[0] != x[1]), None)}",
               (st.read("snoop-nocreate.err") or "")[-300:]])
