#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check_arm.py --mode tracepoint|fentry COLLECT_JSON: what `luoblackout
collect --json` said after `luoblackout arm` and a live update.

- two kernels: the boot ids differ, both releases named;
- one clock: arm < the reboot < the new kernel's clock < the retrieve on
  the TSC, every phase > 0, the rate measured in each kernel (by arm, by
  collect) agrees within 1 %;
- the events the armed process saw, in --mode: its own session's create
  and its memfd's preserve first, then the reboot's start, all in order on
  the TSC;
- on our LUO (a record): the record's update has the same instants on the
  same TSC: its freeze-begin within 10 ms of the reboot event, its
  retrieve of the session within 10 ms of collect's, and so the blackout.
  With mainline's LUO, no record, and --mode fentry.

Prints what it checked (and what failed) as comments; exits 1 on a failure."""
import argparse
import json
import sys

MS = 1000000


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mode', required=True, choices=('tracepoint', 'fentry'))
    ap.add_argument('json')
    args = ap.parse_args()
    with open(args.json) as f:
        d = json.load(f)
    bad = []

    def check(ok, what):
        print('# %s %s' % ('ok:  ' if ok else 'FAIL:', what))
        if not ok:
            bad.append(what)

    arm, col = d['armed'], d['collected']
    check(arm['boot_id'] and col['boot_id'] and arm['boot_id'] != col['boot_id'],
          'two boots: %s then %s' % (arm['boot_id'], col['boot_id']))
    check(arm['release'] and col['release'], 'kernels %s then %s' % (arm['release'], col['release']))
    check(arm['mode'] == args.mode, 'events seen in %s mode (%s)' % (args.mode, arm['mode']))
    khz, now = arm['tsc_khz'], col['tsc_khz']
    check(khz > 0 and abs(khz - now) <= khz / 100,
          'the TSC rate: %d kHz when armed, %d kHz now' % (khz, now))
    reboot = d['reboot_tsc']
    check(reboot is not None, 'the reboot event reached the memfd before the kexec')
    ts = [arm['tsc'], reboot or 0, col['clock_tsc'], col['retrieve_tsc']]
    check(all(a < b for a, b in zip(ts, ts[1:])),
          'arm < reboot < new clock < retrieve on the TSC: %s' % ts)
    phases = d['phases']
    check([p['name'] for p in phases] == ['armed', 'reboot', 'boot'], 'phases %s'
          % [p['name'] for p in phases])
    check(all(p['ns'] > 0 for p in phases), 'every phase took time: %s ns'
          % [p['ns'] for p in phases])
    ev = d['events']
    check(d['events_seen'] == len(ev) and d['events_lost'] == 0,
          '%d events seen, %d kept, %d lost' % (d['events_seen'], len(ev), d['events_lost']))
    ops = [(e['op'], e['session']) for e in ev]
    check(ops[:2] == [('session_create', d['session']), ('file_preserve', d['session'])],
          'first its own session_create and file_preserve: %s' % ops[:2])
    check(any(e['op'] == 'reboot_begin' for e in ev), 'a reboot_begin among them')
    check(all(a['tsc'] <= b['tsc'] for a, b in zip(ev, ev[1:])) and
          all(arm['tsc'] <= e['tsc'] <= col['retrieve_tsc'] for e in ev),
          'the events in order on the TSC, between the arm and the retrieve')
    rec = d['record']
    if args.mode == 'fentry':
        check(rec is None, 'no record (mainline)')
    else:
        check(rec is not None, 'the record has the update')
        if rec and reboot:
            def ms(cyc):
                return cyc / khz
            fb = ms(rec['freeze_begin_tsc'] - reboot)
            rt = ms(rec['retrieve_tsc'] - col['retrieve_tsc'])
            bo = (d['blackout_ns'] - rec['blackout_ns']) / MS
            check(abs(fb) < 10, "the record's freeze-begin %+.3f ms from the reboot event" % fb)
            check(abs(rt) < 10, "the record's session-retrieve %+.3f ms from collect's" % rt)
            check(abs(bo) < 10, 'the blackout %.3f ms against the record\'s %.3f ms (%+.3f ms)'
                  % (d['blackout_ns'] / MS, rec['blackout_ns'] / MS, bo))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
