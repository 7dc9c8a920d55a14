# SPDX-License-Identifier: GPL-2.0
"""blackout_record.py - the live-update record, independently of luoblackout.

The layout of <linux/liveupdate_record.h> (the debugfs record.bin): a
header, the updates (Update: the marks each reached and their times and,
from version 2 on, the steps of the new kernel's start and its slowest
initcalls) and the events (Entry), with the names of the marks, events,
states and steps and the sizes taken from tools/lib/luo_names.py.
Record.parse() reads a record of version 1 or later, Record.pack() writes
one (blackout_host.py builds synthetic records with it); state(),
handlers(), Update.phase_cycles(), Update.step_cycles() and percentiles()
are what luoblackout must derive from it.  blackout_report.py holds
luoblackout's report against this model, blackout_boot.py its breakdown of
the new kernel's start.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'tools', 'lib'))
from luo_names import MARK, PHASES, EVENT, STATE, STEPS, RECORD  # noqa: E402

MAGIC = 0x64726f6365726f6c
VERSION = RECORD['VERSION']
NR_INITCALLS, INITCALL_LEN = RECORD['INITCALLS'], RECORD['INITCALL_LEN']
HDR = struct.Struct('<QIIIIIIIIIIQ')
# An update: version 1's fields, then version 2's (the new kernel's start).
UPD_V1 = struct.Struct('<QiIIIIIQ%dQ' % len(MARK))
UPD_BOOT = struct.Struct('<II%dQ' % len(STEPS) + 'QQ%ds' % INITCALL_LEN * NR_INITCALLS)
UPD = struct.Struct(UPD_V1.format + UPD_BOOT.format[1:])
ENT = struct.Struct('<QQQIi64s48s')
NR_MARKS, NR_STEPS = len(MARK), len(STEPS)
assert UPD_V1.size == RECORD['UPDATE_SIZE_V1'], 'the header\'s version 1 update size'
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


def _cut(prev, times):
    """The intervals from @prev to each of @times in turn (None: not reached)
    that go forward; the others are 0 and the next starts where they did."""
    out = []
    for t in times:
        out.append(t - prev if t is not None and t > prev else 0)
        prev = max(prev, t) if t is not None else prev
    return out


class Update:
    def __init__(self, number=1, result=0, marks=0, khz=0, next_khz=0, sessions=0,
                 files=0, nbytes=0, t=None, boot_steps=0, boot=None, initcalls=(),
                 nr_initcalls=None):
        self.number, self.result, self.marks = number, result, marks
        self.khz, self.next_khz = khz, next_khz
        self.sessions, self.files, self.bytes = sessions, files, nbytes
        self.t = list(t) if t else [0] * NR_MARKS
        # Version 2: the steps stamped, their times, [(t, cycles, name)] of
        # the slowest initcalls; nr_initcalls as in the record (may be more).
        self.boot_steps = boot_steps
        self.boot = list(boot) if boot else [0] * NR_STEPS
        self.initcalls = list(initcalls)
        self.nr_initcalls = len(self.initcalls) if nr_initcalls is None else nr_initcalls

    def reached(self, m):
        return bool(self.marks & (1 << m))

    def stamped(self, s):
        return bool(self.boot_steps & (1 << s))

    def slowest(self):
        """The initcalls a reader keeps: at most NR_INITCALLS."""
        return self.initcalls[:min(self.nr_initcalls, NR_INITCALLS)]

    def rate(self):
        return self.khz or self.next_khz

    def ns(self, cycles):
        return cycles * 1000000 // self.rate() if self.rate() else None

    def phase_cycles(self):
        """[cycles] of the phases that ended (skipped marks: 0)."""
        last = max([m for m in range(NR_MARKS) if self.reached(m)], default=-1)
        return _cut(self.t[M_FREEZE_BEGIN],
                    [self.t[m] if self.reached(m) else None for m in range(1, last + 1)])

    def step_cycles(self):
        """[cycles] of the boot steps up to the last stamped, from JUMP (not
        stamped: 0)."""
        if not self.reached(M_JUMP):
            return []
        last = max([s for s in range(NR_STEPS) if self.stamped(s)], default=-1)
        return _cut(self.t[M_JUMP],
                    [self.boot[s] if self.stamped(s) else None for s in range(last + 1)])

    def total_ns(self):
        if not self.reached(M_DONE) or not self.rate():
            return None
        return self.ns(self.t[M_DONE] - self.t[M_FREEZE_BEGIN])

    def pack(self, size=UPD.size):
        """@size bytes: version 1's fields alone when it is UPD_V1.size."""
        out = UPD_V1.pack(self.number, self.result, self.marks, self.khz, self.next_khz,
                          self.sessions, self.files, self.bytes, *self.t)
        if size >= UPD.size:
            calls = (self.initcalls + [(0, 0, '')] * NR_INITCALLS)[:NR_INITCALLS]
            out += UPD_BOOT.pack(self.boot_steps, self.nr_initcalls, *self.boot,
                                 *[v for t, c, name in calls for v in (t, c, name.encode())])
        return out.ljust(size, b'\xa5')

    @classmethod
    def unpack(cls, data, off, version):
        v = UPD_V1.unpack_from(data, off)
        u = cls(*v[:8], t=v[8:])
        if version >= 2:
            b = UPD_BOOT.unpack_from(data, off + UPD_V1.size)
            calls = b[2 + NR_STEPS:]
            u.boot_steps, u.nr_initcalls, u.boot = b[0], b[1], list(b[2:2 + NR_STEPS])
            # A name ends at its first NUL, or at the last byte.
            u.initcalls = [(calls[i], calls[i + 1],
                            calls[i + 2][:INITCALL_LEN - 1].split(b'\0')[0].decode('utf-8',
                                                                                   'replace'))
                           for i in range(0, len(calls), 3)]
        return u


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
        self.clock, self.dropped, self.version = clock, dropped, VERSION
        self.max_updates = 16

    @classmethod
    def parse(cls, data):
        (magic, version, hsize, usize, esize, clock, max_updates, nr_updates, max_entries,
         nr_entries, dropped, _) = HDR.unpack_from(data, 0)
        if magic != MAGIC:
            raise ValueError('not a live-update record')
        rec = cls(clock=clock, dropped=dropped)
        rec.version, rec.max_updates = version, max_updates
        if version < 1 or usize < (UPD_V1.size if version == 1 else UPD.size):
            raise ValueError('not a live-update record of a known layout')
        for i in range(nr_updates):
            rec.updates.append(Update.unpack(data, hsize + i * usize, version))
        base = hsize + max_updates * usize
        for i in range(nr_entries):
            t, token, cost, type_, result, s, h = ENT.unpack_from(data, base + i * esize)
            rec.entries.append(Entry(t, type_, result, s.split(b'\0')[0].decode(),
                                     h.split(b'\0')[0].decode(), token, cost))
        return rec

    def pack(self, version=VERSION, extra=0):
        """The binary form; @extra bytes appended to each structure (a later
        version); version 1's updates end before the new kernel's start."""
        hsize, esize = HDR.size + extra, ENT.size + extra
        usize = (UPD_V1.size if version == 1 else UPD.size) + extra
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
