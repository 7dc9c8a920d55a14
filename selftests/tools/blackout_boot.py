# SPDX-License-Identifier: GPL-2.0
"""blackout_boot.py - the new kernel's start, in the record and in luoblackout.

Version 2 of the record stamps the steps of the new kernel's start
(__LUO_RECORD_BOOT_MAPPER of <linux/liveupdate_record.h>: each step's
phase is a part of "boot" or "wait") and keeps its slowest initcalls.
Here, from the Record of blackout_record.py:

- step_rows(), initcall_rows(): the breakdown luoblackout must show of the
  latest update, with the starts in cycles too (its text needs them when
  the rate is unknown); steps() and initcalls() are the same as its --json
  gives them ("steps", "initcalls"); prom_series() the samples of
  luo_blackout_boot_step_seconds and luo_blackout_initcall_seconds;
- check_boot_json(): luoblackout's JSON against them (blackout_report.py
  checks the text and the metrics);
- expect_boot(): what a real live update of our kernel must have recorded
  (blackout_check.py, in the guest): every step stamped (smp only with more
  than one CPU), in order from JUMP, READY's and FIRST_RETRIEVE's steps at
  their marks, the steps adding up exactly to "boot" and "wait" (in the
  record and in luoblackout's JSON), ten initcalls, slowest first, named,
  each run between the kexec step and the late-initcalls step.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tools', 'lib'))
from luo_names import MARKS, PHASES, STEP, STEP_PHASES, STEP_MARK  # noqa: E402
from blackout_record import (  # noqa: E402
    NR_STEPS, NR_INITCALLS, M_FREEZE_BEGIN, M_JUMP, M_READY, M_FIRST_RETRIEVE,
    S_IN_PROGRESS)

S_CLOCK, S_SMP, S_READY = STEP['CLOCK'], STEP['SMP'], STEP['READY']
S_INITCALLS, S_INIT, S_FIRST_RETRIEVE = STEP['INITCALLS'], STEP['INIT'], STEP['FIRST_RETRIEVE']
# The steps stamped with the marks of their names.
AT_MARK = {S_READY: M_READY, S_FIRST_RETRIEVE: M_FIRST_RETRIEVE}
# The phases cut into steps: the marks that end them.
PARENTS = sorted(set(STEP_MARK))


# ---- what luoblackout must show of the latest update -------------------------

def step_rows(rec):
    """[{step, phase, state, start_ns, ns, cycles, start_cycles}] of the latest
    update; [] when none is shown (no step stamped, or none of a phase that
    ended or runs: an update without sessions ends no "wait")."""
    u = rec.updates[-1]
    cyc = u.step_cycles()
    n = len(cyc)
    cyc += [0] * (NR_STEPS - n)
    running = len(u.phase_cycles()) if rec.state(len(rec.updates) - 1) == S_IN_PROGRESS \
        else None
    start, out = sum(u.phase_cycles()[:M_READY - 1]), []
    for s in range(NR_STEPS):
        m = STEP_MARK[s]
        if not n or (not u.reached(m) and running != m - 1):
            state = 'not reached'
        elif u.stamped(s):
            state = 'done'
        elif s < n or u.reached(m):
            state = 'skipped'
        else:
            state = 'running' if s == n else 'not reached'
        known = state in ('done', 'skipped')
        out.append({'step': STEP_PHASES[s], 'phase': PHASES[m - 1], 'state': state,
                    'start_ns': u.ns(start) if known else None,
                    'ns': u.ns(cyc[s]) if known else None,
                    'cycles': cyc[s] if known else None, 'start_cycles': start})
        start += cyc[s]
    return out if any(x['state'] != 'not reached' for x in out) else []


def initcall_rows(rec):
    """[{name, start_ns, ns, cycles, start_cycles}] of the latest update's
    slowest initcalls (none without a step shown); starts from FREEZE_BEGIN."""
    u = rec.updates[-1]
    if not step_rows(rec):
        return []
    out = []
    for t, c, name in u.slowest():
        start = max(t - u.t[M_FREEZE_BEGIN], 0)
        out.append({'name': name, 'start_ns': u.ns(start), 'ns': u.ns(c), 'cycles': c,
                    'start_cycles': start})
    return out


def _json(rows):
    return [{k: v for k, v in x.items() if k != 'start_cycles'} for x in rows]


def steps(rec):
    return _json(step_rows(rec))


def initcalls(rec):
    return _json(initcall_rows(rec))


def prom_series(rec):
    """{(metric, labels): ns} of the breakdown (none when the rate is unknown)."""
    u, out = rec.updates[-1], {}
    if not u.rate():
        return out
    for x in steps(rec):
        if x['state'] == 'done':
            out[('luo_blackout_boot_step_seconds',
                 frozenset({('step', x['step']), ('phase', x['phase'])}))] = x['ns']
    for i, x in enumerate(initcalls(rec)):
        out[('luo_blackout_initcall_seconds',
             frozenset({('initcall', x['name']), ('rank', str(i + 1))}))] = x['ns']
    return out


def check_boot_json(tap, rec, lat, label):
    want_s, want_i = steps(rec), initcalls(rec)
    tap.check(lat.get('steps') == want_s,
              '%s: the new kernel\'s start: %s' %
              (label, ' '.join('%s %s' % (x['step'], x['state']) for x in want_s) or
               'no step'), 'got %s\nwant %s' % (lat.get('steps'), want_s))
    tap.check(lat.get('initcalls') == want_i,
              '%s: its %d slowest initcalls: names, starts, durations' % (label, len(want_i)),
              'got %s\nwant %s' % (lat.get('initcalls'), want_i))


# ---- what a real live update recorded -----------------------------------------

def _expect_update(tap, u, label, cpus, in_userspace):
    """One update that reached READY: @cpus online in its new kernel (None:
    unknown), @in_userspace: that kernel runs userspace now (init ran)."""
    t = tap.check
    # smp is stamped once the other CPUs are up: not with one.
    want = [s for s in range(NR_STEPS) if (u.reached(STEP_MARK[s]) or
            (in_userspace and s != S_FIRST_RETRIEVE)) and (s != S_SMP or (cpus or 0) > 1)]
    got = [s for s in range(NR_STEPS) if u.stamped(s)]
    ok = all(s in got for s in want) and (cpus != 1 or S_SMP not in got)
    t(ok, '%s: steps stamped: %s (%s)' % (
        label, ' '.join(STEP_PHASES[s] for s in got),
        'CPUs unknown: %s may be missing' % STEP_PHASES[S_SMP] if cpus is None else
        '%d CPU%s' % (cpus, 's' if cpus > 1 else '')),
      'want %s%s' % (' '.join(STEP_PHASES[s] for s in want),
                     ', not %s' % STEP_PHASES[S_SMP] if cpus == 1 else ''))
    times = [u.t[M_JUMP]] + [u.boot[s] for s in got]
    at = [STEP_PHASES[s] for s, m in AT_MARK.items()
          if u.stamped(s) and u.reached(m) and u.boot[s] != u.t[m]]
    t(times == sorted(times) and not at,
      '%s: the steps in order from JUMP; %s' % (label, ', '.join(
          '%s ends at %s' % (STEP_PHASES[s], MARKS[m]) for s, m in AT_MARK.items())),
      'JUMP, then the steps: %s; not at the mark: %s' % (times, at))
    cyc, sc, bad = u.phase_cycles(), u.step_cycles(), []
    for m in PARENTS:
        if u.reached(m):
            parts = sum(c for s, c in enumerate(sc) if STEP_MARK[s] == m)
            if parts != cyc[m - 1]:
                bad.append('%s: %d cycles, its steps %d' % (PHASES[m - 1], cyc[m - 1], parts))
    t(not bad, '%s: the steps add up exactly to %s (cycles)' %
      (label, ' and '.join(PHASES[m - 1] for m in PARENTS if u.reached(m))), '\n'.join(bad))
    calls = u.slowest()
    # From the clock's start (the jump when it is not stamped) to the last
    # initcall's return (when stamped: the steps' check wants it where due).
    lo = u.boot[S_CLOCK] if u.stamped(S_CLOCK) else u.t[M_JUMP]
    hi = u.boot[S_INITCALLS] if u.stamped(S_INITCALLS) else None
    out = [name for ti, c, name in calls if ti < lo or (hi is not None and ti + c > hi)]
    t(u.nr_initcalls == NR_INITCALLS and all(name for _, _, name in calls) and
      [c for _, c, _ in calls] == sorted((c for _, c, _ in calls), reverse=True) and not out,
      '%s: %d initcalls, slowest first, named, each within %s..%s' %
      (label, NR_INITCALLS, STEP_PHASES[S_CLOCK], STEP_PHASES[S_INITCALLS]),
      'nr_initcalls %d; outside: %s\n%s' % (u.nr_initcalls, out, calls))


def expect_boot(tap, rec, lat, cpus=None, live=False):
    """The new kernel's start in each update of @rec that reached READY, and
    the latest in luoblackout's JSON @lat.  @cpus: CPUs online in the
    kernel the last of them booted (None: unknown); @live: that kernel
    runs this check (the record is debugfs'), so its init ran."""
    if rec.version < 2:
        tap.note('a version %d record: no steps of the new kernel\'s start' % rec.version)
        return
    ready = [i for i, u in enumerate(rec.updates) if u.reached(M_READY)]
    for i in ready:
        last = i == ready[-1]
        _expect_update(tap, rec.updates[i], 'update #%d (%s)' % (rec.updates[i].number,
                                                                  rec.state(i)),
                       cpus if last else None, live and last)
    if not lat or not lat['steps']:
        return
    bad, phases = [], {p['phase']: p for p in lat['phases']}
    for name in sorted({x['phase'] for x in lat['steps']}, key=PHASES.index):
        p, mine = phases[name], [x for x in lat['steps'] if x['phase'] == name]
        if p['state'] != 'done' or not rec.updates[-1].reached(PHASES.index(name) + 1):
            continue
        c = sum(x['cycles'] for x in mine)
        if c != p['duration_cycles']:
            bad.append('%s: %s cycles, its steps %d' % (name, p['duration_cycles'], c))
        if p['duration_ns'] is not None and \
           abs(sum(x['ns'] for x in mine) - p['duration_ns']) >= len(mine):
            bad.append('%s: %s ns, its steps %d' % (name, p['duration_ns'],
                                                    sum(x['ns'] for x in mine)))
    tap.check(not bad, 'luoblackout --json: the steps add up to their phases (cycles exactly, '
              'ns to the rounding)', '\n'.join(bad))
