#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""blackout_check.py - luoblackout against the live-update record it reads.

In a guest of our kernel, after a live update:

  blackout_check.py [--tool PATH] [--record FILE] [--text FILE]
                    [--updates N] [--latest STATE] [--result ERRNO]
                    [--sessions S] [--files F] [--handlers H:N,...]
                    [--history STATE,...] [--abort-phase PHASE]
                    [--refused SESSION:HANDLER:TOKEN] [--save DIR]

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
percentiles of the completed updates.  The text shows the seven phases in
order and the total; --json parses; --prom writes a file that
prom_lint.py accepts, by renaming FILE.tmp over FILE (the inode changes,
no FILE.tmp is left); -n limits the history; -f on a copy of the record
gives the same report.

With --expect-no-luo: luoblackout, --json and --prom each exit 2 with
one line on stderr and nothing else, and write no metrics file.  With
--expect-no-record, the same, and the line says the kernel keeps no
live-update record (our kernel with LUO off: liveupdate=0).

One TAP line per check; the exit code is 0 only when all pass.  The record
model here is also what blackout_host.py builds synthetic records with.
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tools', 'lib'))
import prom_lint  # noqa: E402
from luo_names import MARK, PHASES, EVENT, STATE, STATES  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from ktap import Tap  # noqa: E402

MAGIC = 0x64726f6365726f6c
HDR = struct.Struct('<QIIIIIIIIIIQ')
UPD = struct.Struct('<QiIIIIIQ%dQ' % len(MARK))
ENT = struct.Struct('<QQQIi64s48s')
NR_MARKS = len(MARK)
M_FREEZE_BEGIN, M_FREEZE_END, M_SERIALIZED = MARK['FREEZE_BEGIN'], MARK['FREEZE_END'], MARK['SERIALIZED']
M_JUMP, M_READY, M_DONE = MARK['JUMP'], MARK['READY'], MARK['DONE']
M_FIRST_RETRIEVE, M_LAST_RETRIEVE = MARK['FIRST_RETRIEVE'], MARK['LAST_RETRIEVE']
E_FREEZE_BEGIN, E_FILE_FREEZE, E_FREEZE_END = EVENT['FREEZE_BEGIN'], EVENT['FILE_FREEZE'], EVENT['FREEZE_END']
E_SERIALIZED, E_ABORT, E_JUMP = EVENT['SERIALIZED'], EVENT['ABORT'], EVENT['JUMP']
E_READY, E_SESSION_RETRIEVE, E_FILE_RETRIEVE = EVENT['READY'], EVENT['SESSION_RETRIEVE'], EVENT['FILE_RETRIEVE']
E_SESSION_FINISH, E_DONE = EVENT['SESSION_FINISH'], EVENT['DONE']
S_DONE, S_ABORTED, S_INCOMPLETE = STATE['DONE'], STATE['ABORTED'], STATE['INCOMPLETE']
S_IN_PROGRESS, S_UNFINISHED = STATE['IN_PROGRESS'], STATE['UNFINISHED']
CLOCK_TSC, CLOCK_MONO = 1, 2
DEFAULT_TOOL = os.path.join(os.environ.get('LUO_BUILD', 'build'), 'tools', 'luoblackout')
RECORD = '/sys/kernel/debug/liveupdate/record.bin'
RECORD_TEXT = '/sys/kernel/debug/liveupdate/record'


# ---- the record, independently of luoblackout ----------------------------

class Update:
    def __init__(self, number=1, result=0, marks=0, khz=0, next_khz=0, sessions=0,
                 files=0, nbytes=0, t=None):
        self.number, self.result, self.marks = number, result, marks
        self.khz, self.next_khz = khz, next_khz
        self.sessions, self.files, self.bytes = sessions, files, nbytes
        self.t = list(t) if t else [0] * NR_MARKS

    def reached(self, m):
        return bool(self.marks & (1 << m))

    def rate(self):
        return self.khz or self.next_khz

    def ns(self, cycles):
        return cycles * 1000000 // self.rate() if self.rate() else None

    def phase_cycles(self):
        """[cycles] of the phases that ended (skipped marks: 0)."""
        last = max([m for m in range(NR_MARKS) if self.reached(m)], default=-1)
        out, prev = [], self.t[M_FREEZE_BEGIN]
        for m in range(1, last + 1):
            if self.reached(m) and self.t[m] > prev:
                out.append(self.t[m] - prev)
                prev = self.t[m]
            else:
                out.append(0)
        return out

    def total_ns(self):
        if not self.reached(M_DONE) or not self.rate():
            return None
        return self.ns(self.t[M_DONE] - self.t[M_FREEZE_BEGIN])

    def pack(self, size=UPD.size):
        return UPD.pack(self.number, self.result, self.marks, self.khz, self.next_khz,
                        self.sessions, self.files, self.bytes, *self.t).ljust(size, b'\xa5')


class Entry:
    def __init__(self, t, type_, result=0, session='', handler='', token=0, cost=0):
        self.t, self.type, self.result = t, type_, result
        self.session, self.handler, self.token, self.cost = session, handler, token, cost

    def pack(self, size=ENT.size):
        return ENT.pack(self.t, self.token, self.cost, self.type, self.result,
                        self.session.encode(), self.handler.encode()).ljust(size, b'\xa5')


class Record:
    def __init__(self, updates=(), entries=(), clock=CLOCK_TSC, dropped=0):
        self.updates, self.entries = list(updates), list(entries)
        self.clock, self.dropped, self.version = clock, dropped, 1
        self.max_updates = 16

    @classmethod
    def parse(cls, data):
        (magic, version, hsize, usize, esize, clock, max_updates, nr_updates, max_entries,
         nr_entries, dropped, _) = HDR.unpack_from(data, 0)
        if magic != MAGIC:
            raise ValueError('not a live-update record')
        rec = cls(clock=clock, dropped=dropped)
        rec.version, rec.max_updates = version, max_updates
        for i in range(nr_updates):
            v = UPD.unpack_from(data, hsize + i * usize)
            rec.updates.append(Update(*v[:8], t=v[8:]))
        base = hsize + max_updates * usize
        for i in range(nr_entries):
            t, token, cost, type_, result, s, h = ENT.unpack_from(data, base + i * esize)
            rec.entries.append(Entry(t, type_, result, s.split(b'\0')[0].decode(),
                                     h.split(b'\0')[0].decode(), token, cost))
        return rec

    def pack(self, version=1, extra=0):
        """The binary form; @extra bytes appended to each structure (a later version)."""
        hsize, usize, esize = HDR.size + extra, UPD.size + extra, ENT.size + extra
        out = HDR.pack(MAGIC, version, hsize, usize, esize, self.clock, self.max_updates,
                       len(self.updates), len(self.entries), len(self.entries),
                       self.dropped, 0).ljust(hsize, b'\xa5')
        for i in range(self.max_updates):
            out += self.updates[i].pack(usize) if i < len(self.updates) else b'\0' * usize
        for e in self.entries:
            out += e.pack(esize)
        return out

    def state(self, i):
        u = self.updates[i]
        if u.result:
            return S_ABORTED
        if u.reached(M_DONE):
            return S_DONE
        if not u.reached(M_READY):
            return S_INCOMPLETE
        return S_IN_PROGRESS if i == len(self.updates) - 1 else S_UNFINISHED

    def handlers(self):
        """{handler: [files, refused, cost, max]} of the file-freeze events."""
        out = {}
        for e in self.entries:
            if e.type != E_FILE_FREEZE:
                continue
            h = out.setdefault(e.handler, [0, 0, 0, 0])
            if e.result:
                h[1] += 1
            else:
                h[0] += 1
                h[2] += e.cost
                h[3] = max(h[3], e.cost)
        return out


def nearest_rank(values, pct):
    v = sorted(values)
    return v[max((pct * len(v) + 99) // 100, 1) - 1]


def percentiles(rec, first=0):
    """{'total'|phase: {'p50'..'max'}} over the done updates from @first."""
    done = [u for i, u in enumerate(rec.updates)
            if i >= first and rec.state(i) == S_DONE and u.rate()]
    out = {'updates': len(done)}
    for k, name in enumerate(['total'] + PHASES):
        if not done:
            out[name] = None
            continue
        if k == 0:
            vals = [u.total_ns() for u in done]
        else:
            vals = [u.ns(u.phase_cycles()[k - 1]) for u in done]
        out[name] = {'p50': nearest_rank(vals, 50), 'p90': nearest_rank(vals, 90),
                     'p99': nearest_rank(vals, 99), 'max': max(vals)}
    return out


def fmt_ns(ns):
    """luo_fmt_ns()."""
    if ns < 1000:
        return '%d ns' % ns
    if ns < 1000000:
        return '%.2f us' % (ns / 1e3)
    if ns < 1000000000:
        return '%.2f ms' % (ns / 1e6)
    return '%.2f s' % (ns / 1e9)


def parse_kernel_text(text):
    """{number: {'state', phase: ns, 'total': ns}} of debugfs liveupdate/record."""
    out, cur = [], None
    for line in text.splitlines():
        m = re.match(r'update (\d+): (%s), (\d+) sessions, (\d+) files' % '|'.join(STATES),
                     line)
        if m:
            cur = {'number': int(m.group(1)), 'state': m.group(2),
                   'sessions': int(m.group(3)), 'files': int(m.group(4))}
            out.append(cur)
            continue
        m = re.match(r'  (\w+) +(\d+) ns$', line)
        if m and cur is not None:
            cur[m.group(1)] = int(m.group(2))
        if line.startswith('events of'):
            cur = None
    return out


# ---- TAP -------------------------------------------------------------------

def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def prom_values(text):
    """{(name, frozenset(labels)): value string} of a lint-clean exposition."""
    out = {}
    for line in text.splitlines():
        if line.startswith('#') or not line:
            continue
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ''))
        out[(m.group(1), labels)] = m.group(3)
    return out


def secs_to_ns(s):
    """'7.023247726' -> 7023247726, exactly."""
    whole, _, frac = s.partition('.')
    return int(whole) * 1000000000 + int((frac + '000000000')[:9])


# ---- the checks --------------------------------------------------------------

def check_json(tap, rec, j, first, label):
    """Hold luoblackout's JSON against the record model."""
    t = tap.check
    n = len(rec.updates)
    t(j['record']['updates'] == n and j['record']['events'] == len(rec.entries) and
      j['record']['dropped'] == rec.dropped,
      '%s: the record has %d updates, %d events' % (label, n, len(rec.entries)), j['record'])
    if not n:
        t(j['latest'] is None and j['history'] == [] and j['percentiles']['updates'] == 0,
          '%s: no latest update, empty history, no percentiles' % label)
        return
    u, lat = rec.updates[-1], j['latest']
    state = rec.state(n - 1)
    t(lat['number'] == u.number and lat['state'] == state and lat['result'] == u.result and
      lat['sessions'] == u.sessions and lat['files'] == u.files and lat['bytes'] == u.bytes,
      '%s: latest update #%d: %s, result %d, %d sessions, %d files, %d bytes' %
      (label, u.number, state, u.result, u.sessions, u.files, u.bytes),
      json.dumps(lat)[:2000])
    cyc = u.phase_cycles()
    names = [p['phase'] for p in lat['phases']]
    t(names == PHASES, '%s: the phases in order: %s' % (label, ' '.join(PHASES)), names)
    bad = []
    start = 0
    for k, p in enumerate(lat['phases']):
        if k < len(cyc):
            want = ('done', u.ns(cyc[k]), u.ns(start))
            start += cyc[k]
        elif k == len(cyc) and state == S_ABORTED:
            ab = [e for e in rec.entries if e.type == E_ABORT]
            end = ab[0].t - u.t[M_FREEZE_BEGIN] if ab else start
            want = ('aborted', u.ns(max(end - start, 0)), u.ns(start))
        elif k == len(cyc) and state == S_IN_PROGRESS:
            want = ('running', None, None)
        else:
            want = ('not reached', None, None)
        got = (p['state'], p['duration_ns'], p['start_ns'])
        if got != want:
            bad.append('%s: got %s, want %s' % (p['phase'], got, want))
        wc = cyc[k] if k < len(cyc) else None
        if wc is not None and p['duration_cycles'] != wc:
            bad.append('%s: %s cycles, want %s' % (p['phase'], p['duration_cycles'], wc))
    if state != S_ABORTED and lat['known_cycles'] != sum(cyc):
        bad.append('known_cycles %s, want %s' % (lat['known_cycles'], sum(cyc)))
    t(not bad, '%s: each phase\'s state, start and duration (ns, cycles) are the record\'s' %
      label, '\n'.join(bad))
    total = u.total_ns()
    t(lat['total_ns'] == total,
      '%s: the total is the record\'s DONE - FREEZE_BEGIN: %s ns' % (label, total),
      'luoblackout: %s' % lat['total_ns'])
    if total is not None:
        s = sum(p['duration_ns'] for p in lat['phases'])
        t(abs(s - total) < len(PHASES),
          '%s: the phases add up to the total (%d ns, sum %d ns)' % (label, total, s))
        shares = sum(p['share'] for p in lat['phases'])
        t(abs(shares - 1) < 1e-4, '%s: the shares add up to 1 (%.6f)' % (label, shares))
    want_h = rec.handlers()
    got_h = {h['handler']: [h['files'], h['refused'], h['cost_ns'], h['max_cost_ns']]
             for h in lat['freeze']['handlers']}
    cost = sum(v[2] for v in want_h.values())
    want_luo = u.ns(cyc[0]) - cost if len(cyc) >= 1 and u.khz and u.ns(cyc[0]) >= cost else None
    t(lat['freeze']['luo_ns'] == want_luo and lat['freeze']['cost_ns'] == cost,
      '%s: freeze: handlers %d ns, LUO around them %s ns (only with the old kernel\'s rate)' %
      (label, cost, want_luo), lat['freeze'])
    t(got_h == want_h, '%s: per-handler freeze costs are the file-freeze events\': %s' %
      (label, ', '.join('%s %d files %d ns' % (k, v[0], v[2]) for k, v in sorted(want_h.items()))),
      'got %s\nwant %s' % (got_h, want_h))

    hist = j['history']
    want = [(x.number, rec.state(i), x.result, x.sessions, x.files, x.total_ns())
            for i, x in enumerate(rec.updates) if i >= first]
    got = [(x['number'], x['state'], x['result'], x['sessions'], x['files'], x['total_ns'])
           for x in hist]
    t(got == want, '%s: the history: %d updates, numbers, states, totals' % (label, len(want)),
      'got %s\nwant %s' % (got, want))
    bad = []
    for i, x in enumerate(hist):
        v = rec.updates[first + i]
        c = v.phase_cycles()
        for k, name in enumerate(PHASES):
            w = v.ns(c[k]) if k < len(c) else None
            if x['phases'][name] != w:
                bad.append('#%d %s: got %s, want %s' % (x['number'], name, x['phases'][name], w))
    t(not bad, '%s: every phase of every update of the history' % label, '\n'.join(bad))
    want = percentiles(rec, first)
    got = {k: j['percentiles'][k] for k in want}
    t(got == want, '%s: percentiles (nearest rank) of %d completed updates' %
      (label, want['updates']), 'got %s\nwant %s' % (got, want))


def check_text(tap, rec, out, label):
    t = tap.check
    n = len(rec.updates)
    lines = out.splitlines()
    if not n:
        t(lines and lines[0].startswith('No live update recorded yet'),
          '%s: says no update is recorded yet' % label, out)
        return
    u, state = rec.updates[-1], rec.state(n - 1)
    t(lines[0].startswith('Live update #%d: %s' % (u.number, state)),
      '%s: first line: "Live update #%d: %s"' % (label, u.number, state), lines[0])
    rows = [ln.split()[0] for ln in lines if re.match(r'(%s) ' % '|'.join(PHASES), ln)]
    t(rows[:len(PHASES)] == PHASES, '%s: the waterfall shows the %d phases in order' % (label, len(PHASES)), rows)
    total = u.total_ns()
    if state == S_DONE and total is None:
        tot = [ln for ln in lines if ln.startswith('total ')]
        t(tot and 'cyc' in tot[0] and '100.0%' in tot[0],
          '%s: total row in cycles (rate unknown), 100.0%%' % label, tot)
    elif total is not None:
        tot = [ln for ln in lines if ln.startswith('total ')]
        t(tot and tot[0].split()[1:3] == fmt_ns(total).split() and '100.0%' in tot[0],
          '%s: total row: %s, 100.0%%' % (label, fmt_ns(total)), tot)
        bw = [ln for ln in lines if ln.startswith('Blackout window: ')]
        t(bw and bw[0].startswith('Blackout window: %s,' % fmt_ns(total)),
          '%s: "Blackout window: %s"' % (label, fmt_ns(total)), bw)
        # Every phase's bar: '#' cells roughly proportional to its share.
        cyc, span, bad = u.phase_cycles(), sum(u.phase_cycles()), []
        for ln in lines:
            m = re.match(r'(%s) .*\|([ #.]{30})\|' % '|'.join(PHASES), ln)
            if m:
                k = PHASES.index(m.group(1))
                cells = m.group(2).count('#')
                if abs(cells - 30 * cyc[k] / span) > 1.01:
                    bad.append('%s: %d cells for %.3f' % (m.group(1), cells, cyc[k] / span))
        t(not bad, '%s: each bar is its share of 30 cells' % label, '\n'.join(bad))
    else:
        t(any(ln.startswith('so far ') for ln in lines),
          '%s: a "so far" row instead of a total (not done)' % label, out)
    for h in rec.handlers():
        t(any(re.match(r'  %s +\d+ files? frozen' % re.escape(h), ln) for ln in lines),
          '%s: a freeze row for handler %s' % (label, h), out)
    if state == S_ABORTED:
        t(any('aborted (-' in ln for ln in lines), '%s: the aborted phase is marked' % label, out)
    if state == S_IN_PROGRESS:
        t(any(ln.rstrip().endswith(' running') for ln in lines),
          '%s: the running phase is marked' % label, out)


def check_prom(tap, tool, rec, j, tmp, extra, label):
    t = tap.check
    path = os.path.join(tmp, 'luo.prom')
    with open(path, 'w') as f:
        f.write('stale\n')
    ino = os.stat(path).st_ino
    rc, out, err = run([tool, '--prom', path] + extra)
    t(rc == 0 and out == '' and err == '', '%s: --prom FILE exits 0 quietly' % label,
      'rc %d\n%s%s' % (rc, out, err))
    text = open(path).read()
    t(os.stat(path).st_ino != ino and not os.path.exists(path + '.tmp'),
      '%s: FILE was replaced by renaming FILE.tmp (new inode, no FILE.tmp left)' % label)
    errs = prom_lint.lint(text)
    t(not errs, '%s: the metrics pass the strict format checker (%d lines)' %
      (label, text.count('\n')), '\n'.join('%d: %s' % e for e in errs))
    if errs:
        return text
    v = prom_values(text)
    n = len(rec.updates)
    t(v.get(('luo_record_updates', frozenset())) == str(n),
      '%s: luo_record_updates %d' % (label, n))
    if not n:
        return text
    u = rec.updates[-1]
    state = rec.state(n - 1).replace(' ', '_')
    t(v.get(('luo_update_number', frozenset())) == str(u.number) and
      v.get(('luo_update_result', frozenset())) == str(u.result) and
      v.get(('luo_update_state', frozenset({('state', state)}))) == '1',
      '%s: luo_update_number %d, luo_update_result %d, luo_update_state{state="%s"} 1' %
      (label, u.number, u.result, state))
    total = u.total_ns()
    got = v.get(('luo_blackout_total_seconds', frozenset()))
    t((total is None and got is None) or (got is not None and secs_to_ns(got) == total),
      '%s: luo_blackout_total_seconds %s' % (label, got if got else 'absent (not done)'),
      'want %s ns' % total)
    bad = []
    for p in j['latest']['phases']:
        got = v.get(('luo_blackout_seconds', frozenset({('phase', p['phase'])})))
        want = p['duration_ns'] if p['state'] in ('done', 'aborted') else None
        if (got is None) != (want is None) or (got is not None and secs_to_ns(got) != want):
            bad.append('%s: %s, want %s ns' % (p['phase'], got, want))
    t(not bad, '%s: luo_blackout_seconds{phase=...} of each phase that ended' % label,
      '\n'.join(bad))
    pc, bad = j['percentiles'], []
    for name in ['total'] + PHASES:
        for q, key in (('0.5', 'p50'), ('0.9', 'p90'), ('0.99', 'p99')):
            got = v.get(('luo_blackout_history_seconds',
                         frozenset({('phase', name), ('quantile', q)})))
            want = pc[name][key] if pc[name] else None
            if (got is None) != (want is None) or (got and secs_to_ns(got) != want):
                bad.append('%s %s: %s, want %s' % (name, q, got, want))
        got = v.get(('luo_blackout_history_seconds_count', frozenset({('phase', name)})))
        if pc['updates'] and got != str(pc['updates']):
            bad.append('%s count: %s' % (name, got))
    t(not bad, '%s: the history summary\'s quantiles and counts are the JSON percentiles' %
      label, '\n'.join(bad))
    return text


def check_report(tap, tool, rec_path, label='luoblackout', extra=()):
    """All checks of one record; return (text, json, prom) outputs."""
    extra = list(extra)
    t = tap.check
    with open(rec_path, 'rb') as f:
        data = f.read()
    rec = Record.parse(data)
    rc, text, err = run([tool] + extra)
    t(rc == 0 and err == '', '%s: exits 0' % label, 'rc %d\n%s' % (rc, err))
    check_text(tap, rec, text, label)
    rc, out, err = run([tool, '--json'] + extra)
    try:
        j = json.loads(out)
    except ValueError as e:
        j = None
        t(False, '%s --json: parses' % label, '%s\n%s' % (e, out[:2000]))
    else:
        t(rc == 0 and err == '', '%s --json: exits 0 and parses' % label, err)
    if j is None:
        return text, out, ''
    check_json(tap, rec, j, 0, label + ' --json')
    tmp = tempfile.mkdtemp(prefix='blackout.')
    try:
        prom = check_prom(tap, tool, rec, j, tmp, extra, label + ' --prom')
        if len(rec.updates) > 1:
            rc, out, err = run([tool, '--json', '-n', '1'] + extra)
            j1 = json.loads(out) if rc == 0 else None
            if t(j1 is not None, '%s -n 1: exits 0' % label, err):
                check_json(tap, rec, j1, len(rec.updates) - 1, label + ' -n 1')
        rc, out, err = run([tool, '-n', '0'] + extra)
        t(rc == 0 and 'History' not in out and 'Percentiles' not in out,
          '%s -n 0: no history' % label, out)
        if any(not u.rate() for u in rec.updates):
            # No kernel knew the rate: ns with the one given with -k.
            rk = Record.parse(data)
            for u in rk.updates:
                if not u.rate():
                    u.next_khz = 1234567
            rc, out, err = run([tool, '--json', '-k', '1234567'] + extra)
            jk = json.loads(out) if rc == 0 else None
            if t(jk is not None, '%s -k 1234567: exits 0' % label, err):
                check_json(tap, rk, jk, 0, label + ' -k 1234567')
    finally:
        shutil.rmtree(tmp)
    return text, json.dumps(j, indent=1) + '\n', prom


def check_kernel_text(tap, rec, j, path):
    """Our phases and totals are the ns the kernel's own text shows."""
    with open(path) as f:
        kt = parse_kernel_text(f.read())
    t = tap.check
    bad = []
    for u in rec.updates:
        if not u.rate():
            print('# update %d: neither kernel knew the TSC\'s rate: the kernel shows 0 ns, '
                  'luoblackout null' % u.number)
    if len(kt) != len(j['history']):
        bad.append('kernel: %d updates, luoblackout: %d' % (len(kt), len(j['history'])))
    for k, x in zip(kt, j['history']):
        if k['number'] != x['number'] or k['sessions'] != x['sessions'] or \
           k['files'] != x['files'] or k['state'] != x['state']:
            bad.append('update %d: kernel %s' % (x['number'], k))
        for name in PHASES + ['total']:
            got = x['total_ns'] if name == 'total' else x['phases'][name]
            # The kernel's text shows 0 ns for times it cannot convert.
            if got is None and k.get(name) == 0 and x['phases']['freeze'] is None and \
               name in k:
                continue
            if k.get(name) != got:
                bad.append('update %d %s: kernel %s ns, luoblackout %s ns' %
                           (x['number'], name, k.get(name), got))
    t(not bad, 'the kernel\'s text record (%s) shows the same states, phases and totals, '
      'to the ns' %
      path, '\n'.join(bad))


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


def expect_no_luo(tap, tool, what='no LUO'):
    """Every mode exits 2 with one line; @what: 'no LUO' or 'no record'."""
    t = tap.check
    want = 'luoblackout: ' if what == 'no LUO' else \
        'luoblackout: this kernel keeps no live-update record'
    tmp = tempfile.mkdtemp(prefix='blackout.')
    try:
        prom = os.path.join(tmp, 'luo.prom')
        for extra in ([], ['--json'], ['--prom', prom]):
            rc, out, err = run([tool] + extra)
            lines = err.splitlines()
            t(rc == 2 and out == '' and len(lines) == 1 and lines[0].startswith(want),
              'luoblackout %s: exit 2, one line on stderr: %s' %
              (' '.join(extra), lines[0] if lines else '(none)'),
              'rc %d\nstdout %r\nstderr %r' % (rc, out, err))
        t(not os.listdir(tmp), '--prom wrote no file', os.listdir(tmp))
    finally:
        shutil.rmtree(tmp)


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
