#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check_listing.py out|in LUOLS_JSON [LUOTOP_REPORT]: what LUO holds, as
luols -j (and luotop -b's tables) list it, against luo_workload's own table
(selftests/lib/workload.py), exactly.

  out  after luo_workload --stage 1: its sessions outgoing and open, each
       file preserved, in the order of preserve, a memfd's bytes its size
       and the luo_test file's 0;
  in   after the live update, before --stage 2: the same sessions
       incoming, not retrieved, their files not retrieved and without a
       file (bytes null).

No other session may be listed.  With LUOTOP_REPORT (the last report of
luotop -b), its sessions table and its files table must say the same.
Prints what differs and exits 1, else one line and exits 0."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import workload  # noqa: E402


def expected(stage):
    sessions = []
    for name, files in workload.WORKLOAD.items():
        out = stage == 'out'
        sessions.append({
            'name': name,
            'direction': 'out' if out else 'in',
            'state': 'open' if out else 'not retrieved',
            'files': len(files),
            'file_list': [{
                'token': token,
                'handler': handler,
                'state': 'preserved' if out else 'not retrieved',
                'bytes': (workload.MEMFD_BYTES if handler == workload.MEMFD else 0) if out else None,
            } for handler, token in files],
        })
    return {'sessions': sessions}


def top_tables(path):
    """luotop -b's sessions rows and files rows, as luols' fields."""
    sessions, files = [], []
    section = None
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('SESSION ') and ' DIR ' in line:
                section = 'sessions'
                continue
            if line.startswith('SESSION ') and ' TOKEN ' in line:
                section = 'files'
                continue
            if not line or line.startswith('('):
                section = None if not line else section
                continue
            if section == 'sessions':
                m = re.match(r'^(\S+) +(out|in) +(\d+) +(\S+) +(\S+) +(.+)$', line)
                if m:
                    sessions.append((m[1], m[2], int(m[3]), m[4], m[5], m[6]))
            elif section == 'files':
                m = re.match(r'^(\S+) +(\d+) +(\S+) +(.+?) +(\d+|-)$', line)
                if m:
                    files.append((m[1], int(m[2]), m[3], m[4],
                                  None if m[5] == '-' else int(m[5])))
    return sessions, files


def main(argv):
    if len(argv) not in (2, 3) or argv[0] not in ('out', 'in'):
        sys.exit(__doc__)
    want = expected(argv[0])
    with open(argv[1]) as f:
        got = json.load(f)
    bad = []
    if got != want:
        bad.append('luols -j:\n  expected %s\n  got      %s' % (json.dumps(want), json.dumps(got)))
    if len(argv) == 3:
        sessions, files = top_tables(argv[2])
        # RETRIEVED and FINISHED: "-" for an outgoing session, 0 for one
        # handed over and not retrieved yet.
        ws = [(s['name'], s['direction'], s['files'],
               '-' if s['direction'] == 'out' else '0', '-' if s['direction'] == 'out' else '0',
               s['state']) for s in want['sessions']]
        wf = [(s['name'], f['token'], f['handler'], f['state'], f['bytes'])
              for s in want['sessions'] for f in s['file_list']]
        if sessions != ws:
            bad.append('luotop sessions table:\n  expected %s\n  got      %s' % (ws, sessions))
        if files != wf:
            bad.append('luotop files table:\n  expected %s\n  got      %s' % (wf, files))
    for b in bad:
        print('# ' + b.replace('\n', '\n# '))
    if bad:
        return 1
    print('# %d sessions, %d files, as luo_workload made them (%s)' % (
        len(want['sessions']), sum(s['files'] for s in want['sessions']), argv[0]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
