# SPDX-License-Identifier: GPL-2.0
"""-p PID and --cgroup PATH, checked on what the tools printed.

snoop_lat_stage.sh's stage 2 ends with two luo_opbench -n 10 (sessions
filter-a-N and filter-b-N), each in a cgroup v2 of its own (luo-a, luo-b),
started together once luosnoop, luolat and luotop trace, each with a
filter: --cgroup luo-a or -p of luo-b's process.  Each tool must keep
exactly the chosen process's events: for luosnoop its 10 creates,
preserves, unpreserves and releases, all of its pid and sessions; for
luolat its 10 preserves and 10 unpreserves; for luotop its 10 preserves.
A cgroup that is not there: exit 1, one sentence.  check_snoop_lat calls
check_filters().
"""

import collections
import json
import re

N = 10
OPS = ("session_create", "file_preserve", "file_unpreserve", "session_release")


def json_lines(text):
    out = []
    for ln in (text or "").splitlines():
        try:
            out.append(json.loads(ln))
        except ValueError:
            pass
    return out


def check_snoop(st, tap, name, pid, prefix, what):
    evs = json_lines(st.read(f"{name}.out"))
    ops = collections.Counter(e.get("op") for e in evs)
    others = [e for e in evs if e.get("pid") != pid or
              not str(e.get("session", "")).startswith(prefix)]
    tap.check(st.num(f"rc-{name}") == 0 and ops == collections.Counter({o: N for o in OPS})
              and not others,
              f"luosnoop {what}: exactly that process's {N} creates, preserves, "
              "unpreserves and releases", [f"rc {st.fact(f'rc-{name}')}", dict(ops)] +
              others[:3])


def check_lat(st, tap, name, what):
    sums = json_lines(st.read(f"{name}.out"))
    got = {(h["op"], h["handler"]): h["count"] for s in sums for h in s["histograms"]}
    tap.check(st.num(f"rc-{name}") == 0 and
              got == {("file_preserve", "memfd-v2"): N, ("file_unpreserve", "memfd-v2"): N},
              f"luolat {what}: that process's {N} preserves and {N} unpreserves alone",
              [f"rc {st.fact(f'rc-{name}')}", got])


def check_filters(st, tap):
    tap.check(st.num("rc-cgroup-mount") == 0 and st.num("rc-opbench-a") == 0 and
              st.num("rc-opbench-b") == 0,
              "two luo_opbench ran, each in a cgroup of its own",
              [f"{k} {st.fact(k)}" for k in ("rc-cgroup-mount", "rc-opbench-a",
                                            "rc-opbench-b")])
    pid_a, pid_b = st.num("pid-opbench-a"), st.num("pid-opbench-b")
    check_snoop(st, tap, "filter-cg", pid_a, "filter-a-", "--cgroup luo-a")
    check_snoop(st, tap, "filter-pid", pid_b, "filter-b-", "-p (luo-b's process)")
    check_lat(st, tap, "filter-lat-cg", "--cgroup luo-a")
    check_lat(st, tap, "filter-lat-pid", "-p (luo-b's process)")
    top = st.read("filter-top.out") or ""
    last = top.split("luotop - ")[-1]
    # Its operations table: OP HANDLER RATE COUNT ERRORS P50 P99.
    rows = dict(re.findall(r"^(file_\w+|session_\w+)\s+memfd-v2\s+\S+\s+(\d+)\s", last,
                           re.M))
    tap.check(st.num("rc-filter-top") == 0 and
              rows == {"file_preserve": str(N), "file_unpreserve": str(N)},
              f"luotop --cgroup luo-a: that process's {N} preserves and unpreserves alone",
              [f"rc {st.fact('rc-filter-top')}", rows, last[:600]])
    err = (st.read("filter-badcg.err") or "").strip().splitlines()
    tap.check(st.num("rc-filter-badcg") == 1 and err ==
              ["luosnoop: cannot open cgroup /nonexistent: No such file or directory"],
              "luosnoop --cgroup /nonexistent: exit 1, one sentence",
              [f"rc {st.fact('rc-filter-badcg')}"] + err)
