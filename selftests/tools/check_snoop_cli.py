# SPDX-License-Identifier: GPL-2.0
"""The command lines of luosnoop and luolat that end by themselves: a part
of check_snoop_lat.py (stage 2).  luosnoop -d 2 stops after 2 s; luolat
1 3 prints 3 summaries; luosnoop 1 2 prints 2 summaries and exits;
luosnoop --json 1 -- luo_opbench -n 10 prints summaries that add up, per
operation, to the events it shows; its lines stay whole while its command
writes to the same stdout; luosnoop -- COMMAND exits with the
command's exit code, 127 when it cannot run it; luosnoop -j -T counts
elapsed_ns from its own start; luolat loads the programs of the timed
events only, and each tool with -o those of the ops asked for (luosnoop's
with the sessions' births for an op that names a session).
"""

import collections
import json
import re

from luo_names import OP_CLASS, OPS


def check_cli(st, tap):
    """Every check above, from the facts and outputs of stage 2."""
    secs = float(st.fact("secs-snoop-d") or -1)
    tap.check(st.num("rc-snoop-d") == 0 and 2 <= secs < 20 and
              not (st.read("snoop-d.out") or "").strip(),
              f"luosnoop --json -d 2 stopped by itself after {secs:.1f} s, exit code 0, "
              f"no events")
    out = (st.read("lat-count.out") or "").splitlines()
    secs = float(st.fact("secs-lat-count") or -1)
    ok = st.num("rc-lat-count") == 0 and 3 <= secs < 30 and len(out) == 3
    try:
        ok = ok and all(json.loads(ln)["histograms"] == [] for ln in out)
    except (ValueError, KeyError):
        ok = False
    tap.check(ok, f"luolat --json 1 3 printed 3 empty summaries in {secs:.1f} s and "
              f"exited 0", out)
    check_interval(st, tap)
    check_shared_stdout(st, tap)
    tap.check(st.num("rc-snoop-exit3") == 3, "luosnoop -- sh -c 'exit 3' exits 3",
              [f"exit code {st.fact('rc-snoop-exit3')}"])
    check_programs(st, tap)
    msg = st.read("snoop-noexec.out") or ""
    tap.check(st.num("rc-snoop-noexec") == 127 and
              "luosnoop: /nonexistent/command: No such file or directory" in msg,
              "luosnoop -- /nonexistent/command exits 127 and says why",
              [f"exit code {st.fact('rc-snoop-noexec')}: {msg.strip()}"])


# The events luolat counts: those that time something (luolat.h).
TIMED = {o for o in OPS if OP_CLASS[o] in ("FILE", "FLB")} | {"reboot_end", "serialize"}
BIRTHS = {"session_create", "session_retrieve"}


def loaded(st, name):
    """The names of the programs that appeared in bpftool's listing
    between NAME.before and NAME.after (None when unreadable)."""
    try:
        before = {p["id"] for p in json.loads(st.read(name + ".before") or "")}
        return sorted(p.get("name", "?") for p in json.loads(st.read(name + ".after") or "")
                      if p["id"] not in before)
    except (ValueError, KeyError, TypeError):
        return None


def check_programs(st, tap):
    """The programs each tool loads: only those of the events it uses."""
    want = {
        "lat": TIMED,
        "lat-o": {"file_preserve"},
        "snoop": set(OPS),
        "snoop-o": {"file_unpreserve"} | BIRTHS,
        "snoop-flb": {"flb_preserve"},
    }
    for name, ops in want.items():
        got = loaded(st, "progs-" + name)
        tap.check(st.num(f"rc-progs-{name}") == 0 and got == sorted("luo_" + o for o in ops),
                  f"{st.cmd('progs-' + name)} loads the programs of {len(ops)} "
                  f"event{'s' if len(ops) > 1 else ''} and no other",
                  [f"loaded: {got}", f"exit code {st.fact('rc-progs-' + name)}"])


def check_interval(st, tap):
    """luosnoop [interval] [count]: count summaries then the exit; with a
    command, summaries that add up to the events shown, per operation."""
    out = (st.read("snoop-count.out") or "").splitlines()
    secs = float(st.fact("secs-snoop-count") or -1)
    summ = [ln for ln in out if re.match(r"^# \S+ interval [0-9]+ \(1 s\): [0-9]+ events", ln)]
    nums = [int(re.search(r"interval ([0-9]+)", ln).group(1)) for ln in summ]
    tap.check(st.num("rc-snoop-count") == 0 and 2 <= secs < 20 and nums == [1, 2],
              f"luosnoop 1 2 printed summaries 1 and 2 in {secs:.1f} s and exited 0", out)
    evs, summaries = collections.Counter(), []
    try:
        for ln in (st.read("snoop-interval.out") or "").splitlines():
            if not ln.startswith("{"):
                continue        # luo_opbench's own line
            d = json.loads(ln)
            if "interval" in d:
                summaries.append(d)
            else:
                evs[d["op"]] += 1
    except (ValueError, KeyError) as e:
        summaries = [f"unreadable: {e}"]
    total = collections.Counter()
    for d in summaries:
        if isinstance(d, dict):
            total.update(d["by_op"])
    ok = (st.num("rc-snoop-interval") == 0 and summaries and
          all(isinstance(d, dict) for d in summaries) and
          [d["interval"] for d in summaries] == list(range(1, len(summaries) + 1)) and
          all(d["events"] == sum(d["by_op"].values()) and d["lost"] == 0 for d in summaries) and
          total == evs and evs["file_preserve"] >= 10)
    tap.check(ok, f"luosnoop --json 1 -- luo_opbench -n 10: {len(summaries)} summaries, "
              f"their counts the {sum(evs.values())} events shown, per operation",
              [f"events {dict(evs)}", f"summaries {dict(total)}",
               f"exit code {st.fact('rc-snoop-interval')}"])


# What a pipe writes in one piece (PIPE_BUF): the most luosnoop writes at once.
PIPE_BUF = 4096


def check_shared_stdout(st, tap):
    """luosnoop --json -- COMMAND, whose command writes "writer" lines, one a
    write(2), to the same stdout as fast as it can while luo_opbench -n 200
    makes events: luosnoop writes whole lines only, so every line is one of
    luosnoop's events, a line of the writer's or luo_opbench's line.  (When
    luosnoop's writes cut lines, the writer's land inside them.)"""
    writer, bad, creates, ours, opbench = 0, [], 0, 0, 0
    for ln in (st.read("snoop-shared.out") or "").splitlines():
        if ln == "writer":
            writer += 1
        elif re.fullmatch(r"shared: .* n=200 clocksource=\S+", ln):
            opbench += 1
        else:
            try:
                d = json.loads(ln)
                ok = isinstance(d, dict) and "op" in d
            except ValueError:
                ok = False
            if not ok:
                bad.append(ln)
                continue
            ours += len(ln) + 1
            if d["op"] == "session_create" and str(d["session"]).startswith("shared-"):
                creates += 1
    ok = (st.num("rc-snoop-shared") == 0 and not bad and opbench == 1 and
          creates == 200 and ours > 4 * PIPE_BUF and writer > 0)
    tap.check(ok, f"luosnoop --json -- COMMAND: {ours} bytes of events and "
              f"{writer} lines of the command's on one stdout, every line whole",
              [f"exit code {st.fact('rc-snoop-shared')}, {creates} creates of 200, "
               f"luo_opbench's line {opbench} time(s), {len(bad)} broken line(s)"] +
              [repr(ln[:200]) for ln in bad[:5]] +
              [(st.read("snoop-shared.err") or "").strip()])


# /proc/uptime's resolution (10 ms), for the stage's stamps of it.
UPTIME_RES = 0.01


def uptime_fact(st, key):
    """The stage's reading of /proc/uptime @key, in s (NaN when missing:
    every comparison with it is false)."""
    try:
        return float(st.fact(key))
    except (TypeError, ValueError):
        return float("nan")


def check_snoop_elapsed(st, tap, name, evs, before):
    """luosnoop -j -T: every event's elapsed_ns counts from one start,
    after the uptime @before (s) it was started at, before its first event."""
    starts = {e.get("ts_ns", 0) - e.get("elapsed_ns", -1) for e in evs}
    neg = [e for e in evs if e.get("elapsed_ns", -1) < 0]
    start = min(starts, default=0) / 1e9
    first = min((e.get("ts_ns", 0) for e in evs), default=0) / 1e9
    tap.check(evs and len(starts) == 1 and not neg and
              before - UPTIME_RES <= start < first,
              f"{st.cmd(name)}: elapsed_ns counts from its own start (ts_ns - elapsed_ns "
              f"one value, after it was started, before its first event)",
              [f"starts: {sorted(starts)[:4]}, negative: {len(neg)}; started after {before} s, "
               f"first event at {first:.6f} s"])
