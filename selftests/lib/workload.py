# SPDX-License-Identifier: GPL-2.0
"""workload.py - what luo_workload does, as the checkers expect it.

Taken from the program itself: ``luo_workload --describe`` prints, as JSON,
the table its stages run (selftests/liveupdate/luo_workload.c), so no
checker keeps a copy of its own.  The binary is the one make selftests
built: $LUO_BUILD/selftests/luo_workload (LUO_BUILD defaults to build/ of
this repository).

  WORKLOAD     {session: [(handler, token), ...]} in the order of preserve
  MEMFD, TEST  the handlers of the memfds and of the luo_test file
  TEST_FLB     luo_test's FLB
  NR_SESSIONS, NR_FILES, NR_FLBS, COMM, MEMFD_BYTES
  PER_HANDLER  collections.Counter of files per handler
"""
import collections
import json
import os
import subprocess

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
BINARY = os.path.join(REPO, os.environ.get('LUO_BUILD', 'build'), 'selftests', 'luo_workload')


def describe(binary=BINARY):
    """The parsed output of luo_workload --describe."""
    try:
        out = subprocess.run([binary, '--describe'], check=True, capture_output=True,
                             text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit('workload.py: %s --describe: %s (make selftests?)' % (binary, e))
    return json.loads(out)


_d = describe()
WORKLOAD = {s: [(h, int(t)) for h, t in files] for s, files in _d['sessions'].items()}
MEMFD, TEST = _d['handlers']['memfd'], _d['handlers']['luo_test']
(TEST_FLB,) = [flb for flb, h in _d['flbs'].items() if h == TEST]
NR_SESSIONS = len(WORKLOAD)
NR_FILES = sum(len(f) for f in WORKLOAD.values())
NR_FLBS = len(_d['flbs'])
COMM = _d['comm']
MEMFD_BYTES = _d['memfd_bytes']
PER_HANDLER = collections.Counter(h for files in WORKLOAD.values() for h, _ in files)
