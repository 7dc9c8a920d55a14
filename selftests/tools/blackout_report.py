# SPDX-License-Identifier: GPL-2.0
"""blackout_report.py - luoblackout's report held against the record model.

check_report() runs luoblackout on one record and checks its text
(check_text, with the new kernel's start under "boot" and "wait":
check_steps_text), its --json (check_json), its --prom metrics file
(check_prom: prom_lint.py's format, the values, the atomic replacement),
-n and -k against the Record of blackout_record.py and the breakdown of
the new kernel's start of blackout_boot.py; check_kernel_text()
compares the JSON with the kernel's own text record (debugfs
liveupdate/record); expect_no_luo() checks every mode on a kernel
without our LUO or its record.  Alongside, the readers of those outputs:
fmt_ns() and fmt_dur() (luoblackout's durations), parse_kernel_text(),
prom_values() and secs_to_ns().
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tools', 'lib'))
import prom_lint  # noqa: E402
from luo_names import PHASES, STATES  # noqa: E402
from blackout_record import (  # noqa: E402
    Record, percentiles, M_FREEZE_BEGIN, E_ABORT, S_DONE, S_ABORTED, S_IN_PROGRESS)
from blackout_boot import (  # noqa: E402
    PARENTS, step_rows, initcall_rows, prom_series, check_boot_json)


# ---- what luoblackout and the kernel print -----------------------------------

def fmt_ns(ns):
    """luo_fmt_ns()."""
    if ns < 1000:
        return '%d ns' % ns
    if ns < 1000000:
        return '%.2f us' % (ns / 1e3)
    if ns < 1000000000:
        return '%.2f ms' % (ns / 1e6)
    return '%.2f s' % (ns / 1e9)


def fmt_dur(u, cycles):
    """fmt_dur() of luoblackout_text.c: ns, or cycles when the rate is unknown."""
    if u.rate():
        return fmt_ns(u.ns(cycles))
    if cycles < 1000:
        return '%d cyc' % cycles
    for unit, scale in (('Kcyc', 1e3), ('Mcyc', 1e6), ('Gcyc', 1e9)):
        if cycles < scale * 1000 or unit == 'Gcyc':
            return '%.1f %s' % (cycles / scale, unit)


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

def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


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
    check_boot_json(tap, rec, lat, label)
    want = percentiles(rec, first)
    got = {k: j['percentiles'][k] for k in want}
    t(got == want, '%s: percentiles (nearest rank) of %d completed updates' %
      (label, want['updates']), 'got %s\nwant %s' % (got, want))


def _cells(line):
    """(START, DURATION, SHARE) of a waterfall row (None each for '-'), its bar."""
    head, _, bar = line.partition(' |')
    f = head.split()
    if f[-3:] == ['-', '-', '-']:
        return (None, None, None), bar[:30]
    return (' '.join(f[-5:-3]), ' '.join(f[-3:-1]), f[-1]), bar[:30]


def check_steps_text(tap, rec, lines, label):
    """The steps of the new kernel's start under the phases they cut, then
    the slowest initcalls under boot's."""
    u = rec.updates[-1]
    span, rows, bad, shown = sum(u.phase_cycles()), step_rows(rec), [], []
    for m in PARENTS:
        at = [i for i, ln in enumerate(lines) if ln.startswith(PHASES[m - 1] + ' ')]
        sub = []
        for ln in lines[at[0] + 1:] if at else []:
            if not ln.startswith('  ') or ln.startswith('   ') or \
               ln.startswith('  slowest initcalls'):
                break
            sub.append(ln)
        mine = [x for x in rows if x['phase'] == PHASES[m - 1]]
        if all(x['state'] == 'not reached' for x in mine):
            mine = []
        shown += [x['step'] for x in mine]
        if [ln.split()[0] for ln in sub] != [x['step'] for x in mine]:
            bad.append('under %s: %s' % (PHASES[m - 1], sub))
            continue
        for ln, x in zip(sub, mine):
            cells, bar = _cells(ln)
            want = (None, None, None)
            if x['state'] == 'done':
                want = (fmt_dur(u, x['start_cycles']), fmt_dur(u, x['cycles']),
                        '%.1f%%' % (100.0 * x['cycles'] / span if span else 0))
                if x['start_cycles'] + x['cycles'] <= span and \
                   abs(bar.count('#') - 30 * x['cycles'] / span) > 1.01:
                    bad.append('%s: %d cells' % (x['step'], bar.count('#')))
            end = {'running': ' running', 'skipped': ' not stamped: in the next step',
                   'not reached': ' not reached'}
            if cells != want or not ln.endswith(end.get(x['state'], '|')):
                bad.append('%s (%s): want %s' % (ln, x['state'], want))
    tap.check(not bad, '%s: the steps of the new kernel\'s start under %s: %s' % (
        label, ' and '.join(PHASES[m - 1] for m in PARENTS),
        ' '.join(shown) or 'none'), '\n'.join(bad))
    at = [i for i, ln in enumerate(lines) if ln.startswith('  slowest initcalls')]
    got = []
    for ln in lines[at[0] + 1:] if at else []:
        if not re.match(r'    +\d+ ', ln):
            break
        got.append(' '.join(ln.split()))
    want = ['%d %s %s %s' % (i + 1, x['name'], fmt_dur(u, x['start_cycles']),
                             fmt_dur(u, x['cycles']))
            for i, x in enumerate(initcall_rows(rec))]
    tap.check(got == want, '%s: the %d slowest initcalls: rank, name, start, duration' %
              (label, len(want)), 'got %s\nwant %s' % (got, want))


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
    check_steps_text(tap, rec, lines, label)


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
    want = prom_series(rec)
    got = {k: secs_to_ns(x) for k, x in v.items()
           if k[0] in ('luo_blackout_boot_step_seconds', 'luo_blackout_initcall_seconds')}
    t(got == want, '%s: luo_blackout_boot_step_seconds{step,phase} of each step stamped, '
      'luo_blackout_initcall_seconds{initcall,rank} of the %d slowest initcalls' %
      (label, sum(k[0] == 'luo_blackout_initcall_seconds' for k in want)),
      'got %s\nwant %s' % (got, want))
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
