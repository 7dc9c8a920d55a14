#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""blackout_check.py - luoblackout against the live-update record it reads.

In a guest of our kernel, after a live update:

  blackout_check.py [--tool PATH] [--record FILE] [--text FILE]
                    [--updates N] [--latest STATE] [--result ERRNO]
                    [--sessions S] [--files F] [--handlers H:N,...]
                    [--history STATE,...] [--abort-phase PHASE]
                    [--refused SESSION:HANDLER:TOKEN] [--cpus N] [--save DIR]

On a kernel without our LUO (mainline), or ours with LUO off:

  blackout_check.py --expect-no-luo [--tool PATH]
  blackout_check.py --expect-no-record [--tool PATH]

What it proves: luoblackout's text, --json and --prom say what the record
says.  The record (debugfs record.bin) is parsed here on its own, from the
layout of <linux/liveupdate_record.h>, and every number luoblackout prints
is held against it: the latest update's state, result, sessions, files,
each phase's duration and state, the total (DONE - FREEZE_BEGIN, equal to
the ns the kernel's own text shows, --text), the per-handler freeze costs
from the file-freeze events, the history, and the nearest-rank
percentiles of the completed updates, and the new kernel's start, step by
step under "boot" and "wait", with its slowest initcalls
(blackout_boot.py).  The text shows the seven phases in order and the
total; --json parses; --prom writes a file that
prom_lint.py accepts, by renaming FILE.tmp over FILE (the inode changes,
no FILE.tmp is left); -n limits the history; -f on a copy of the record
gives the same report.

What the live updates recorded of the new kernel's start (a version 2
record; blackout_boot.expect_boot()), in every update that reached READY:
every step of "boot" stamped, smp only with more than one CPU online (N of
--cpus, by default those of the running kernel when the record is its
debugfs one, which the last of them booted; other updates and an unknown
count: smp may be missing), the steps of "wait" too once it ended (in the
running kernel's update, all but the first retrieve's as soon as
userspace runs), all in order from JUMP, READY's and FIRST_RETRIEVE's at
those marks, adding up exactly to "boot" and "wait" in cycles, in the
record and in luoblackout's JSON; ten initcalls, slowest first, named,
each run between the kexec and the late-initcalls steps.

With --expect-no-luo: luoblackout, --json and --prom each exit 2 with
one line on stderr and nothing else, and write no metrics file.  With
--expect-no-record, the same, and the line says the kernel keeps no
live-update record (our kernel with LUO off: liveupdate=0).

One TAP line per check; the exit code is 0 only when all pass.  The record
model is blackout_record.py, the checks of luoblackout's report
blackout_report.py; blackout_host.py builds synthetic records with the
model and runs the same checks, importing both from here.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from ktap import Tap  # noqa: E402
# The model of the record, and the checks of luoblackout's report against it.
from blackout_record import Record, percentiles  # noqa: E402
from blackout_report import run, check_report, check_kernel_text, expect_no_luo  # noqa: E402
from blackout_boot import expect_boot  # noqa: E402

DEFAULT_TOOL = os.path.join(os.environ.get('LUO_BUILD', 'build'), 'tools', 'luoblackout')
RECORD = '/sys/kernel/debug/liveupdate/record.bin'
RECORD_TEXT = '/sys/kernel/debug/liveupdate/record'


def online_cpus():
    """CPUs online in the running kernel, as the guest's stages count them
    (tools/testing/vm/guest-lib.sh: /proc/cpuinfo); None if unknown."""
    try:
        with open('/proc/cpuinfo') as f:
            return sum(line.startswith('processor') for line in f) or None
    except OSError:
        return None


def expect(tap, args, rec):
    t = tap.check
    n = len(rec.updates)
    if args.updates is not None:
        t(n == args.updates, 'the record holds %d updates' % args.updates, 'it holds %d' % n)
    if not n:
        return
    u = rec.updates[-1]
    if args.latest:
        t(rec.state(n - 1) == args.latest, 'the latest update is %s' % args.latest,
          rec.state(n - 1))
    if args.result is not None:
        t(u.result == args.result, 'the latest update\'s result is %d' % args.result, u.result)
    if args.sessions is not None:
        t(u.sessions == args.sessions and u.files == args.files,
          'the latest update handed over %d sessions, %d files' % (args.sessions, args.files),
          '%d, %d' % (u.sessions, u.files))
    if args.handlers:
        want = {h.split(':')[0]: int(h.split(':')[1]) for h in args.handlers.split(',')}
        got = {h: v[0] + v[1] for h, v in rec.handlers().items()}
        t(got == want, 'the latest update froze %s' % args.handlers, got)
    if args.history:
        want = args.history.split(',')
        got = [rec.state(i) for i in range(n)]
        t(got == want, 'the history\'s states: %s' % args.history, got)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tool', default=DEFAULT_TOOL)
    ap.add_argument('--record', default=RECORD)
    ap.add_argument('--text', help='the kernel\'s text record to compare with')
    ap.add_argument('--updates', type=int)
    ap.add_argument('--latest')
    ap.add_argument('--result', type=int)
    ap.add_argument('--sessions', type=int)
    ap.add_argument('--files', type=int)
    ap.add_argument('--handlers')
    ap.add_argument('--history')
    ap.add_argument('--cpus', type=int, help='CPUs online in the kernel the last update '
                    'booted (default: this one\'s, when the record is its debugfs one)')
    ap.add_argument('--save', help='leave text, JSON and metrics in this directory')
    ap.add_argument('--expect-no-luo', action='store_true')
    ap.add_argument('--expect-no-record', action='store_true')
    args = ap.parse_args()
    tap = Tap('blackout_check')
    if args.expect_no_luo or args.expect_no_record:
        expect_no_luo(tap, args.tool, 'no LUO' if args.expect_no_luo else 'no record')
        return tap.end()

    # One copy of the record for the model and -f: it may change meanwhile.
    tmp = tempfile.mkdtemp(prefix='blackout.')
    try:
        copy = os.path.join(tmp, 'record.bin')
        shutil.copyfile(args.record, copy)
        with open(copy, 'rb') as f:
            rec = Record.parse(f.read())
        expect(tap, args, rec)
        extra = [] if args.record == RECORD else ['-f', args.record]
        text, js, prom = check_report(tap, args.tool, copy, 'luoblackout', extra)
        rc, out, err = run([args.tool, '--json', '-f', copy])
        same = rc == 0 and json.loads(js)['history'] == json.loads(out)['history'] and \
            json.loads(js)['latest'] == json.loads(out)['latest']
        tap.check(same, 'luoblackout -f on a copy of the record says the same', err)
        live = args.record == RECORD
        cpus = args.cpus if args.cpus is not None else online_cpus() if live else None
        expect_boot(tap, rec, json.loads(js)['latest'], cpus, live)
        if args.text:
            check_kernel_text(tap, rec, json.loads(js), args.text)
        if args.save:
            os.makedirs(args.save, exist_ok=True)
            for name, data in (('luoblackout.txt', text), ('luoblackout.json', js),
                               ('luoblackout.prom', prom)):
                with open(os.path.join(args.save, name), 'w') as f:
                    f.write(data)
            shutil.copyfile(copy, os.path.join(args.save, 'record.bin'))
            if args.text:
                shutil.copyfile(args.text, os.path.join(args.save, 'record.txt'))
    finally:
        shutil.rmtree(tmp)
    return tap.end()


if __name__ == '__main__':
    sys.exit(main())
