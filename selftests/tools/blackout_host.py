#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""blackout_host.py - luoblackout and prom_lint.py on the host, no guest.

  blackout_host.py [--tool PATH] [--promtool PATH]

What it proves, with records built here from the layout of
<linux/liveupdate_record.h> (blackout_check.py's model) and fed with -f:

- a full history of 16 updates of every state (done, aborted, unfinished,
  incomplete) and known phases: the waterfall, the history, the nearest-
  rank percentiles (which differ from one another here), -n, --json and
  --prom agree with the model (all of blackout_check.py's checks);
- a latest update aborted during freeze (the refused file named) or
  during serialization, and one in progress (waiting for userspace, then
  finishing): shown as far as known, phases marked aborted or running,
  no total;
- neither kernel knowing its TSC's rate: durations unknown (null, Mcycles),
  shares still right; an update without sessions; a CLOCK_MONOTONIC record;
  an empty history;
- a later version of the layout (bigger header and structures, appended
  fields): the same report as version 2; a version 1 record (updates
  without the new kernel's start): the same report without its steps;
- the new kernel's start (version 2): its steps under "boot" and "wait",
  its slowest initcalls, in the text, --json and --prom (blackout_boot.py's
  checks); smp not stamped (one CPU), an update in progress waiting for
  userspace, an unknown rate, no sessions (no "wait" to cut), more
  initcalls than the record holds and a name without its NUL; what
  blackout_check.py asserts of a real update (expect_boot()) holds on a
  consistent record and fails on each broken one;
- a bad magic, version 0, a truncated record, a missing file: exit 1 and one
  line; -h shows examples; a metrics file that cannot be written: exit 1
  and the previous file left as it was;
- on a host kernel without LUO's events (not ours): exit 2 and one line;
- prom_lint.py accepts well-formed expositions (and promtool does too, when
  --promtool or PROMTOOL names one) and rejects each malformation it is
  meant to catch, one case per rule.

One TAP line per check; the exit code is 0 only when all pass.
"""
import argparse
import contextlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prom_lint  # noqa: E402
from blackout_check import DEFAULT_TOOL  # noqa: E402
from blackout_record import (  # noqa: E402
    Record, Update, Entry, CLOCK_MONO,
    M_FREEZE_BEGIN, M_FREEZE_END, M_SERIALIZED, M_JUMP, M_READY, M_FIRST_RETRIEVE,
    M_LAST_RETRIEVE, M_DONE, E_FREEZE_BEGIN, E_FILE_FREEZE, E_FREEZE_END, E_SERIALIZED,
    E_ABORT, E_JUMP, E_READY, E_SESSION_RETRIEVE, E_FILE_RETRIEVE, E_SESSION_FINISH,
    E_DONE, S_UNFINISHED, S_INCOMPLETE, S_IN_PROGRESS, VERSION, NR_STEPS, NR_INITCALLS,
    INITCALL_LEN, percentiles)
from blackout_boot import (  # noqa: E402
    S_CLOCK, S_SMP, S_READY, S_INITCALLS, S_INIT, S_FIRST_RETRIEVE, expect_boot)
from blackout_report import run, check_report, expect_no_luo  # noqa: E402
from ktap import Tap  # noqa: E402

KHZ = 2000000           # 2 GHz: 2 cycles per ns


def marks(*ms):
    return sum(1 << m for m in ms)


def update(number, phases_ms, result=0, upto=M_DONE, khz=KHZ, next_khz=KHZ,
           t0=10**9, sessions=2, files=6, skip=()):
    """An update whose phase k lasts phases_ms[k] ms, marks up to @upto."""
    t = [0] * 8
    t[0] = t0
    for m in range(1, 8):
        t[m] = t[m - 1] + int(phases_ms[m - 1] * 1e3 * (KHZ // 1000))
    ms = [m for m in range(upto + 1) if m not in skip]
    if upto < M_DONE:
        for m in range(upto + 1, 8):
            t[m] = 0
    for m in skip:
        t[m] = 0
    return Update(number, result, marks(*ms), khz, next_khz, sessions, files, 4096 * files, t)


def cycles(ms):
    return int(ms * 1e3 * (KHZ // 1000))


def stamp_boot(u, upto=S_FIRST_RETRIEVE, smp=True, calls=NR_INITCALLS):
    """Stamp @u's new kernel's start up to step @upto (READY's and
    FIRST_RETRIEVE's at their marks) and @calls initcalls, slowest first,
    between the kexec and the late-initcalls steps."""
    b = [0] * NR_STEPS
    b[S_CLOCK] = u.t[M_JUMP] + cycles(400)
    b[S_SMP] = b[S_CLOCK] + cycles(300)
    b[S_READY] = u.t[M_READY]
    b[S_INITCALLS] = b[S_READY] + cycles(100)
    b[S_INIT] = b[S_INITCALLS] + cycles(500)
    b[S_FIRST_RETRIEVE] = u.t[M_FIRST_RETRIEVE]
    steps = [s for s in range(upto + 1) if smp or s != S_SMP]
    u.boot_steps = sum(1 << s for s in steps)
    u.boot = [b[s] if s in steps else 0 for s in range(NR_STEPS)]
    u.initcalls = [(b[S_CLOCK] + cycles(150 * i + 10), cycles(60 - 5 * i), 'init_%d' % i)
                   for i in range(calls)]
    u.nr_initcalls = calls
    return u


def freeze_entries(u, handlers, fail_at=None, err=-5):
    """FREEZE_BEGIN and one file-freeze per file, spread over the freeze phase."""
    out = [Entry(u.t[0], E_FREEZE_BEGIN)]
    files = [(h, i) for h, n in handlers for i in range(n)]
    span = (u.t[1] - u.t[0]) if u.reached(M_FREEZE_END) else 10**6
    for k, (h, i) in enumerate(files):
        t = u.t[0] + span * (k + 1) // (len(files) + 1)
        bad = fail_at == k
        out.append(Entry(t, E_FILE_FREEZE, err if bad else 0, 'sess-%d' % (k % 2), h,
                         100 + k, 0 if bad else 1000 * (k + 1)))
        if bad:
            break
    return out


def done_entries(u, handlers):
    out = freeze_entries(u, handlers)
    out += [Entry(u.t[M_FREEZE_END], E_FREEZE_END), Entry(u.t[M_SERIALIZED], E_SERIALIZED,
                                                             cost=u.bytes),
            Entry(u.t[M_JUMP], E_JUMP), Entry(u.t[M_READY], E_READY)]
    if u.reached(M_FIRST_RETRIEVE):
        out.append(Entry(u.t[M_FIRST_RETRIEVE], E_SESSION_RETRIEVE, session='sess-0'))
        out.append(Entry(u.t[M_LAST_RETRIEVE], E_FILE_RETRIEVE, session='sess-0',
                         handler=handlers[0][0], token=100, cost=5000))
    if u.reached(M_DONE):
        out.append(Entry(u.t[M_DONE], E_SESSION_FINISH, session='sess-0'))
        out.append(Entry(u.t[M_DONE], E_DONE))
    return out


def history16():
    rnd = random.Random(7)
    ups, t0 = [], 10**9
    n = 1
    for i in range(16):
        ph = [rnd.uniform(0.5, 5), rnd.uniform(0.2, 2), rnd.uniform(5, 30),
              rnd.uniform(2000, 6000), rnd.uniform(500, 4000), rnd.uniform(10, 400),
              rnd.uniform(1, 50)]
        if i == 3:
            u = update(n, ph, result=-16, upto=M_FREEZE_BEGIN, t0=t0)       # aborted, EBUSY
        elif i == 6:
            u = update(n, ph, upto=M_LAST_RETRIEVE, t0=t0)                 # unfinished
            n += 1
        elif i == 9:
            u = update(n, ph, upto=M_JUMP, t0=t0)                          # incomplete
        else:
            u = update(n, ph, t0=t0)
            n += 1
        ups.append(u)
        t0 += 10**13
    handlers = [('memfd-v2', 4), ('luo-test-v1', 1), ('vfio-pci-v1', 1)]
    return Record(ups, done_entries(ups[-1], handlers), dropped=3)


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def json_of(tool, path, extra=()):
    rc, out, err = run([tool, '--json', '-f', path] + list(extra))
    return rc, (json.loads(out) if rc == 0 else None), err


# ---- prom_lint -----------------------------------------------------------------

# Well-formed expositions; the last field: whether promtool's lint (which
# also judges style, such as ':' in names) must accept it too.
GOOD = [
    ('gauge, counter, untyped', '# HELP app_temp A gauge.\n# TYPE app_temp gauge\n'
     'app_temp 1\n# HELP app_calls_total Count.\n# TYPE app_calls_total counter\n'
     'app_calls_total{x="y"} 3 1700000000000\n# HELP app_u Untyped.\n# TYPE app_u untyped\n'
     'app_u -2.5e-3\n', True),
    ('escapes, NaN, Inf, trailing comma, exponent',
     '# HELP app_g A \\\\ help\\nline.\n# TYPE app_g gauge\n'
     'app_g{l="a\\"b\\\\c\\nd",} NaN\napp_g{l="x"} +Inf\napp_g{l="y"} -Inf\n'
     'app_g{l="z"} 1.5E+3\n', True),
    ('summary', '# HELP app_wait_seconds S.\n# TYPE app_wait_seconds summary\n'
     'app_wait_seconds{quantile="0.5"} 1\napp_wait_seconds{quantile="0.99"} 2\n'
     'app_wait_seconds_sum 3\napp_wait_seconds_count 2\n', True),
    ('histogram', '# HELP app_size_bytes H.\n# TYPE app_size_bytes histogram\n'
     'app_size_bytes_bucket{le="0.1"} 1\napp_size_bytes_bucket{le="+Inf"} 2\n'
     'app_size_bytes_sum 0.3\napp_size_bytes_count 2\n', True),
    ('other comments, colon in a name',
     '# a comment\n# HELP a:b A.\n# TYPE a:b gauge\na:b 1\n', False),
]

BAD = [
    ('no newline at the end', '# HELP a A.\n# TYPE a gauge\na 1', 'does not end with a newline'),
    ('carriage return', '# HELP a A.\r\n# TYPE a gauge\na 1\n', 'carriage return'),
    ('blank line', '# HELP a A.\n# TYPE a gauge\n\na 1\n', 'blank line'),
    ('empty file', '', 'empty file'),
    ('bad metric name', '# HELP 1a A.\n# TYPE 1a gauge\n1a 1\n', 'invalid'),
    ('bad label name', '# HELP a A.\n# TYPE a gauge\na{1x="y"} 1\n', 'invalid label name'),
    ('reserved label name', '# HELP a A.\n# TYPE a gauge\na{__x="y"} 1\n', 'reserved'),
    ('unquoted label value', '# HELP a A.\n# TYPE a gauge\na{x=y} 1\n', 'double-quoted'),
    ('bad escape in a label', '# HELP a A.\n# TYPE a gauge\na{x="\\t"} 1\n', 'invalid escape'),
    ('unterminated label value', '# HELP a A.\n# TYPE a gauge\na{x="y} 1\n', 'unterminated'),
    ('label twice', '# HELP a A.\n# TYPE a gauge\na{x="1",x="2"} 1\n', 'given twice'),
    ('value not a float', '# HELP a A.\n# TYPE a gauge\na 1,5\n', 'not a float'),
    ('hex float value', '# HELP a A.\n# TYPE a gauge\na 0x1p-3\n', 'not a float'),
    ('digit separator', '# HELP a A.\n# TYPE a gauge\na 1_000\n', 'not a float'),
    ('no value', '# HELP a A.\n# TYPE a gauge\na\n', 'value expected'),
    ('bad timestamp', '# HELP a A.\n# TYPE a gauge\na 1 1.5\n', 'not an integer'),
    ('too many fields', '# HELP a A.\n# TYPE a gauge\na 1 2 3\n', 'VALUE [TIMESTAMP]'),
    ('unknown type', '# HELP a A.\n# TYPE a gage\na 1\n', 'unknown type'),
    ('TYPE after the samples', '# HELP a A.\na 1\n# TYPE a gauge\n', 'after its samples'),
    ('no TYPE', '# HELP a A.\na 1\n', 'no TYPE'),
    ('no HELP', '# TYPE a gauge\na 1\n', 'no HELP'),
    ('two TYPE lines', '# HELP a A.\n# TYPE a gauge\n# TYPE a gauge\na 1\n', 'second TYPE'),
    ('two HELP lines', '# HELP a A.\n# HELP a A.\n# TYPE a gauge\na 1\n', 'second HELP'),
    ('bad escape in HELP', '# HELP a A \\t.\n# TYPE a gauge\na 1\n', 'invalid escape'),
    ('not contiguous', '# HELP a A.\n# TYPE a gauge\n# HELP b B.\n# TYPE b gauge\n'
     'a{x="1"} 1\nb 1\na{x="2"} 1\n', 'not contiguous'),
    ('same series twice', '# HELP a A.\n# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n',
     'same series twice'),
    ('gauge with a _sum', '# HELP a A.\n# TYPE a gauge\na_sum 1\n', 'no TYPE'),
    ('summary quantile missing', '# HELP s S.\n# TYPE s summary\ns 1\ns_sum 1\ns_count 1\n',
     'needs a "quantile"'),
    ('summary quantile not a float', '# HELP s S.\n# TYPE s summary\ns{quantile="x"} 1\n',
     'is not a float'),
    ('histogram without +Inf', '# HELP h H.\n# TYPE h histogram\nh_bucket{le="1"} 1\n'
     'h_sum 1\nh_count 1\n', '+Inf'),
    ('histogram bucket without le', '# HELP h H.\n# TYPE h histogram\nh_bucket 1\n', '"le"'),
    ('HELP without TYPE', '# HELP a A.\n', 'no TYPE line'),
]


def check_prom_lint(tap, promtool):
    t = tap.check
    for name, text, lint in GOOD:
        errs = prom_lint.lint(text)
        t(not errs, 'prom_lint accepts: %s' % name, errs)
        if promtool and lint:
            p = subprocess.run([promtool, 'check', 'metrics'], input=text.encode(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            t(p.returncode == 0, 'promtool accepts: %s' % name, p.stdout.decode())
    for name, text, want in BAD:
        errs = prom_lint.lint(text)
        t(any(want in m for _, m in errs), 'prom_lint rejects: %s (%s)' % (name, want), errs)
    rc = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), 'prom_lint.py')],
                        input=b'a 1', stdout=subprocess.PIPE).returncode
    t(rc == 1, 'prom_lint.py exits 1 on a bad exposition')


# ---- luoblackout ----------------------------------------------------------------

def check_tool(tap, tool, promtool, tmp):
    t = tap.check

    def report(rec, name, **kw):
        path = write(tmp, name, rec.pack(**kw))
        return check_report(tap, tool, path, 'luoblackout %s' % name, ['-f', path])

    # A full history of every state.
    rec = history16()
    pc = percentiles(rec)
    t(pc['updates'] == 13 and pc['total']['p50'] < pc['total']['p90'] < pc['total']['max'],
      'history16: 13 completed updates whose p50 < p90 < max (the percentiles mean something)')
    text, js, prom = report(rec, 'history16.bin')
    j = json.loads(js)
    t([x['state'] for x in j['history']].count(S_UNFINISHED) == 1 and
      [x['state'] for x in j['history']].count(S_INCOMPLETE) == 1 and
      [x['error'] for x in j['history']].count('-EBUSY') == 1,
      'history16: one unfinished, one incomplete, one aborted with -EBUSY')
    t('events of this update were dropped' in text, 'history16: the dropped events are said')
    if promtool:
        p = subprocess.run([promtool, 'check', 'metrics'], input=prom.encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        t(p.returncode == 0, 'promtool check metrics accepts luoblackout --prom',
          p.stdout.decode())
    path = write(tmp, 'later.bin', rec.pack(version=VERSION + 1, extra=24))
    rc, j2, err = json_of(tool, path)
    rc1, j1, _ = json_of(tool, os.path.join(tmp, 'history16.bin'))
    t(rc == 0 and {k: v for k, v in j2.items() if k != 'record'} ==
      {k: v for k, v in j1.items() if k != 'record'} and
      j2['record']['version'] == VERSION + 1,
      'a version %d record with appended fields reads as version %d' %
      (VERSION + 1, VERSION), err)
    rc, j5, _ = json_of(tool, path, ['-n', '5'])
    t(rc == 0 and len(j5['history']) == 5 and j5['percentiles'] == {
        **percentiles(rec, 11), 'method': 'nearest-rank'},
      '-n 5: the last 5 updates and their percentiles')

    # Aborted during freeze: the second file refused.
    u = update(4, [2, 1, 10, 3000, 1000, 50, 5], result=-5, upto=M_FREEZE_BEGIN)
    ents = freeze_entries(u, [('memfd-v2', 3)], fail_at=1)
    ents.append(Entry(u.t[0] + 1500000, E_ABORT, -5))
    rec = Record([update(3, [1, 1, 10, 3000, 1000, 50, 5], t0=1), u], ents)
    report(rec, 'abort-freeze.bin')
    rc, j, _ = json_of(tool, os.path.join(tmp, 'abort-freeze.bin'))
    ab = j['latest']['abort']
    t(ab['phase'] == 'freeze' and ab['after_ns'] == 750000 and ab['refused'] == {
        'session': 'sess-1', 'handler': 'memfd-v2', 'token': 101, 'result': -5} and
      j['latest']['error'] == '-EIO',
      'aborted in freeze: after 750 us, by memfd-v2 token 101 of sess-1, -EIO', ab)
    rc, text, _ = run([tool, '-f', os.path.join(tmp, 'abort-freeze.bin')])
    t('aborted with -EIO' in text and 'refused: session sess-1, handler memfd-v2, token 101'
      in text and 'Aborted during freeze' in text, 'the text names the abort and the file', text)

    # Aborted during serialization.
    u = update(4, [2, 1, 10, 3000, 1000, 50, 5], result=-12, upto=M_FREEZE_END)
    ents = freeze_entries(u, [('memfd-v2', 2)]) + [Entry(u.t[1], E_FREEZE_END),
                                                  Entry(u.t[1] + 200000, E_ABORT, -12)]
    report(Record([u], ents), 'abort-serialize.bin')
    rc, j, _ = json_of(tool, os.path.join(tmp, 'abort-serialize.bin'))
    t(j['latest']['abort']['phase'] == 'serialize' and
      [p['state'] for p in j['latest']['phases']][:3] == ['done', 'aborted', 'not reached'],
      'aborted in serialize: freeze done, serialize aborted, the rest not reached')

    # In progress: waiting for userspace, then finishing.
    for upto, running in ((M_READY, 'wait'), (M_LAST_RETRIEVE, 'finish')):
        u = update(1, [2, 1, 10, 3000, 1000, 50, 5], upto=upto)
        name = 'running-%s.bin' % running
        report(Record([u], done_entries(u, [('memfd-v2', 2)])), name)
        rc, j, _ = json_of(tool, os.path.join(tmp, name))
        st = {p['phase']: p['state'] for p in j['latest']['phases']}
        t(j['latest']['state'] == S_IN_PROGRESS and st[running] == 'running' and
          j['latest']['total_ns'] is None,
          'in progress, %s running: no total' % running, st)

    # Neither kernel knows the rate.
    u = update(1, [2, 1, 10, 3000, 1000, 50, 5], khz=0, next_khz=0)
    report(Record([u], done_entries(u, [('memfd-v2', 2)])), 'norate.bin')
    rc, j, _ = json_of(tool, os.path.join(tmp, 'norate.bin'))
    ph = j['latest']['phases']
    t(all(p['duration_ns'] is None for p in ph) and abs(ph[3]['share'] - 3000 / 4068) < 1e-5,
      'rate unknown: no ns, but the shares (boot %.4f)' % ph[3]['share'])
    rc, text, _ = run([tool, '-f', os.path.join(tmp, 'norate.bin')])
    t('Gcyc' in text and "Neither kernel knew its TSC's rate" in text,
      'rate unknown: the text says so and shows cycles')
    rc, j, _ = json_of(tool, os.path.join(tmp, 'norate.bin'), ['-k', '500000'])
    rc2, text, _ = run([tool, '-f', os.path.join(tmp, 'norate.bin'), '-k', '500000'])
    t(j['latest']['rate_from'] == 'option' and j['latest']['total_ns'] == 4068 * 2000000 *
      1000000 // 500000 and 'as given with -k' in text,
      'rate unknown, -k 500000: ns at that rate, said to come from the option', text)
    # The old kernel does not know it: the new kernel's serves, and -k does not.
    u = update(1, [2, 1, 10, 3000, 1000, 50, 5], khz=0)
    report(Record([u], done_entries(u, [('memfd-v2', 2)])), 'next-khz.bin')
    rc, j, _ = json_of(tool, os.path.join(tmp, 'next-khz.bin'), ['-k', '500000'])
    t(j['latest']['rate_from'] == 'new kernel' and j['latest']['total_ns'] == 4068000000,
      'the old kernel without the rate: the new kernel\'s serves, -k is not used')

    # No sessions: DONE at READY, no retrieve marks.
    u = update(1, [2, 1, 10, 3000, 0, 0, 0], sessions=0, files=0,
               skip=(M_FIRST_RETRIEVE, M_LAST_RETRIEVE))
    u.t[M_DONE] = u.t[M_READY]
    report(Record([u], done_entries(u, [])), 'no-sessions.bin')

    # CLOCK_MONOTONIC, empty history.
    u = update(1, [2, 1, 10, 3000, 1000, 50, 5], result=-5, upto=M_FREEZE_BEGIN,
               khz=1000000, next_khz=0)
    report(Record([u], freeze_entries(u, [('memfd-v2', 1)], fail_at=0), clock=CLOCK_MONO),
           'mono.bin')
    report(Record([], []), 'empty.bin')

    check_boot(tap, tool, tmp, report)

    # Files it cannot read.
    good = Record([update(1, [1] * 7)], []).pack()
    cases = [('bad magic', b'X' * 8 + good[8:], 'is not a live-update record'),
             ('version 0', good[:8] + b'\0\0\0\0' + good[12:], 'is not a live-update record'),
             ('version 2, updates of version 1\'s size',
              Record([update(1, [1] * 7)], []).pack(version=1)[:8] + b'\2\0\0\0' +
              Record([update(1, [1] * 7)], []).pack(version=1)[12:],
              'is not a live-update record'),
             ('truncated', good[:len(good) - 100], 'is not a live-update record'),
             ('missing', None, 'No such file')]
    for name, data, want in cases:
        path = os.path.join(tmp, 'missing.bin') if data is None else write(tmp, 'bad.bin', data)
        rc, out, err = run([tool, '-f', path])
        t(rc == 1 and out == '' and len(err.splitlines()) == 1 and want in err,
          '%s: exit 1, one line: %s' % (name, err.strip()), 'rc %d %r %r' % (rc, out, err))

    rc, out, err = run([tool, '-h'])
    t(rc == 0 and 'EXAMPLES' in out + err and '--prom' in out + err, '-h shows examples')
    rc, out, err = run([tool, '-n', 'x'])
    t(rc not in (0, 2) and 'invalid history length' in err, '-n x: refused', err)
    rc, out, err = run([tool, '-k', '0'])
    t(rc not in (0, 2) and 'invalid rate' in err, '-k 0: refused', err)

    # A metrics file that cannot be written: exit 1, the old file intact.
    prom = os.path.join(tmp, 'keep.prom')
    write(tmp, 'keep.prom', b'old\n')
    os.mkdir(prom + '.tmp')
    rc, out, err = run([tool, '-f', os.path.join(tmp, 'history16.bin'), '--prom', prom])
    t(rc == 1 and 'cannot write' in err and open(prom).read() == 'old\n',
      '--prom when FILE.tmp cannot be written: exit 1, FILE untouched', err)
    rc, out, err = run([tool, '-f', os.path.join(tmp, 'history16.bin'), '--prom',
                        os.path.join(tmp, 'no', 'such', 'dir.prom')])
    t(rc == 1 and 'cannot write' in err, '--prom into a missing directory: exit 1', err)

    # This host's kernel (not ours): no events, exit 2.
    rel = os.uname().release
    if 'luo-ours' not in rel:
        print('# the host kernel %s has no LUO events:' % rel)
        expect_no_luo(tap, tool)


def expect_fails(rec, lat, cpus=None, live=False):
    """The failures of expect_boot() on @rec, its lines kept out of the TAP."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        expect_boot(Tap('expect_boot', header=False), rec, lat, cpus, live)
    return [ln for ln in out.getvalue().splitlines() if ln.startswith('not ok')]


def check_boot(tap, tool, tmp, report):
    """The new kernel's start: the breakdown in every view, and expect_boot()."""
    t = tap.check
    ph = [2, 1, 10, 3000, 1000, 50, 5]

    def boot_rec(*us):
        return Record(us, done_entries(us[-1], [('memfd-v2', 2)]))

    rec = boot_rec(stamp_boot(update(1, ph, t0=1)), stamp_boot(update(2, ph)))
    text, js, prom = report(rec, 'boot.bin')
    j = json.loads(js)
    t(len(j['latest']['steps']) == NR_STEPS and len(j['latest']['initcalls']) == NR_INITCALLS,
      'boot.bin: %d steps, %d initcalls' % (NR_STEPS, NR_INITCALLS))
    t(not expect_fails(rec, j['latest'], 2, True), 'boot.bin: expect_boot() holds (2 CPUs)',
      expect_fails(rec, j['latest'], 2, True))
    rc, j1, err = json_of(tool, write(tmp, 'boot-v1.bin', rec.pack(version=1)))
    report(Record.parse(rec.pack(version=1)), 'boot-v1.bin')
    t(rc == 0 and j1['latest']['steps'] == [] and j1['latest']['initcalls'] == [] and
      {k: v for k, v in j1['latest'].items() if k not in ('steps', 'initcalls')} ==
      {k: v for k, v in j['latest'].items() if k not in ('steps', 'initcalls')},
      'boot-v1.bin: version 1 reads the same, without the steps and initcalls', err)
    # Broken: each assertion of a real update fails on its own.
    def late_ready(u):
        u.boot[S_READY] = u.t[M_READY] + 1

    def unnamed(u):
        u.initcalls[3] = u.initcalls[3][:2] + ('',)

    def after_late(u):
        u.initcalls[0] = (u.boot[S_INITCALLS], 1, 'late')

    for name, broken, cpus, want in (
            ('smp missing with 2 CPUs', lambda u: stamp_boot(u, smp=False), 2, 'stamped'),
            ('smp stamped with 1 CPU', None, 1, 'stamped'),
            ('READY\'s step after its mark', late_ready, None, 'in order'),
            ('initcalls fastest first', lambda u: u.initcalls.reverse(), None, 'initcalls'),
            ('an initcall unnamed', unnamed, None, 'initcalls'),
            ('an initcall after late-initcalls', after_late, None, 'initcalls'),
            ('9 initcalls', lambda u: stamp_boot(u, calls=9), None, 'initcalls')):
        u = stamp_boot(update(1, ph))
        if broken:
            broken(u)
        r = boot_rec(u)
        rc, jb, _ = json_of(tool, write(tmp, 'broken.bin', r.pack()))
        fails = expect_fails(r, jb['latest'], cpus)
        t(fails and want in fails[0], 'expect_boot() fails on %s: %s' % (name, want), fails)

    # One CPU: smp not stamped, its time in the next step.
    rec = boot_rec(stamp_boot(update(1, ph), smp=False))
    text, js, _ = report(rec, 'boot-1cpu.bin')
    st = {x['step']: x for x in json.loads(js)['latest']['steps']}
    t(st['smp']['state'] == 'skipped' and 'not stamped' in text and
      not expect_fails(rec, json.loads(js)['latest'], 1),
      'boot-1cpu.bin: smp skipped, its time the next step\'s; expect_boot() holds (1 CPU)')
    # In progress, waiting for userspace's first retrieve.
    rec = boot_rec(stamp_boot(update(1, ph, upto=M_READY), upto=S_INIT))
    text, js, _ = report(rec, 'boot-running.bin')
    lat = json.loads(js)['latest']
    t([x['state'] for x in lat['steps']][-3:] == ['done', 'done', 'running'] and
      not expect_fails(rec, lat, 2, True),
      'boot-running.bin: late-initcalls and init done, userspace running; expect_boot() holds')
    # Rate unknown: cycles; no sessions: no "wait" to cut.
    report(boot_rec(stamp_boot(update(1, ph, khz=0, next_khz=0))), 'boot-norate.bin')
    u = stamp_boot(update(1, ph[:4] + [0, 0, 0], sessions=0, files=0,
                          skip=(M_FIRST_RETRIEVE, M_LAST_RETRIEVE)), upto=S_INIT)
    u.t[M_DONE] = u.t[M_READY]
    rc, jn, _ = json_of(tool, write(tmp, 'x.bin', boot_rec(u).pack()))
    report(boot_rec(u), 'boot-no-sessions.bin')
    t({x['state'] for x in jn['latest']['steps'] if x['phase'] == 'wait'} == {'not reached'} and
      {x['state'] for x in jn['latest']['steps'] if x['phase'] == 'boot'} == {'done'},
      'boot-no-sessions.bin: the steps of "boot" only', jn['latest']['steps'])
    # More initcalls than the record holds, a name filling its field.
    u = stamp_boot(update(1, ph), calls=NR_INITCALLS + 2)
    u.initcalls[0] = u.initcalls[0][:2] + ('x' * INITCALL_LEN,)
    rc, jc, _ = json_of(tool, write(tmp, 'boot-clamp.bin', boot_rec(u).pack()))
    report(boot_rec(u), 'boot-clamp.bin')
    t(len(jc['latest']['initcalls']) == NR_INITCALLS and
      jc['latest']['initcalls'][0]['name'] == 'x' * (INITCALL_LEN - 1),
      'boot-clamp.bin: nr_initcalls %d read as %d, a name without NUL cut to %d bytes' %
      (NR_INITCALLS + 2, NR_INITCALLS, INITCALL_LEN - 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tool', default=DEFAULT_TOOL)
    ap.add_argument('--promtool', default=os.environ.get('PROMTOOL') or shutil.which('promtool'))
    args = ap.parse_args()
    tap = Tap('blackout_host')
    if args.promtool:
        print('# promtool: %s' % args.promtool)
    else:
        print('# no promtool: prom_lint.py alone checks the format')
    tmp = tempfile.mkdtemp(prefix='blackout-host.')
    try:
        check_prom_lint(tap, args.promtool)
        check_tool(tap, args.tool, args.promtool, tmp)
    finally:
        shutil.rmtree(tmp)
    return tap.end()


if __name__ == '__main__':
    sys.exit(main())
