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
  TEST_SESSION, TEST_TOKEN  the session and token of the luo_test file
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
# Where the luo_test file is: its session and token.
((TEST_SESSION, TEST_TOKEN),) = [(s, t) for s, files in WORKLOAD.items()
                                 for h, t in files if h == TEST]


def record_files(also=()):
    """luo_record_check's --file arguments for the workload's files (one per
    session and handler, tokens in the order of preserve), then @also's."""
    groups = {}
    for s, files in WORKLOAD.items():
        for h, t in files:
            groups.setdefault((s, h), []).append('%d' % t)
    return ['%s:%s:%s' % (s, h, ','.join(ts)) for (s, h), ts in groups.items()] + list(also)


def _main(argv):
    """The workload for the shell and the plans, which cannot import it:
      workload.py record-args [SESSION:HANDLER:TOKENS ...]
        luo_record_check's --sessions, --files and --file arguments for the
        workload's files and, after them, each of these (files of another
        program's sessions frozen in the same update);
      workload.py blackout-args
        blackout_check.py's --sessions, --files and --handlers arguments;
      workload.py preserve-counts
        the events of its stage 1 for bpftrace_count.sh: session_create=N
        file_preserve=N flb_preserve=N;
      workload.py shell
        shell assignments: NR_SESSIONS, NR_FILES, NR_FLBS, MEMFD, TEST,
        TEST_FLB, SESSIONS (the names, in order), SESSION_FILES (each
        one's file count, in the same order), NR_MEMFD, NR_TEST (files per
        handler), NR_HANDLERS."""
    import shlex
    import sys
    if argv[:1] == ['record-args']:
        files = record_files(argv[1:])
        sessions = {f.split(':', 1)[0] for f in files}
        nfiles = sum(len(f.rsplit(':', 1)[1].split(',')) for f in files)
        out = ['--sessions', str(len(sessions)), '--files', str(nfiles)]
        for f in files:
            out += ['--file', f]
        print(' '.join(out))
    elif argv == ['blackout-args']:
        print('--sessions %d --files %d --handlers %s' % (
            NR_SESSIONS, NR_FILES, ','.join('%s:%d' % hc for hc in PER_HANDLER.items())))
    elif argv == ['preserve-counts']:
        print('session_create=%d file_preserve=%d flb_preserve=%d' % (
            NR_SESSIONS, NR_FILES, NR_FLBS))
    elif argv == ['shell']:
        v = {'NR_SESSIONS': NR_SESSIONS, 'NR_FILES': NR_FILES, 'NR_FLBS': NR_FLBS,
             'MEMFD': MEMFD, 'TEST': TEST, 'TEST_FLB': TEST_FLB,
             'SESSIONS': ' '.join(WORKLOAD),
             'SESSION_FILES': ' '.join(str(len(f)) for f in WORKLOAD.values()),
             'NR_MEMFD': PER_HANDLER[MEMFD], 'NR_TEST': PER_HANDLER[TEST],
             'NR_HANDLERS': len(PER_HANDLER)}
        for k, val in v.items():
            print('%s=%s' % (k, shlex.quote(str(val))))
    else:
        sys.exit(_main.__doc__.replace('\n      ', '\n'))


if __name__ == '__main__':
    import sys
    _main(sys.argv[1:])
