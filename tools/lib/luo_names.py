#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""luo_names.py - LUO's names, read from the one list of each.

include/uapi/linux/liveupdate_record.h defines each list of names once, as
X-macros (__LUO_RECORD_MARK_MAPPER, __LUO_RECORD_EVENT_MAPPER,
__LUO_RECORD_STATE_MAPPER, __LUO_RECORD_BOOT_MAPPER); the kernel and the C
tools expand them.  Python
and shell readers take them from here, which parses the same header, so no
checker or tool keeps a copy of its own:

  from luo_names import MARKS, PHASES, EVENTS, STATES, STEPS, STEP_PHASES
  luo_names.py phases|marks|events|states|steps|ops   one name per line
  luo_names.py op-classes                         "name CLASS" per line
  luo_names.py sd-phases|sd-phases-no-record      one name per line

The operations (one per liveupdate tracepoint) are bpf/luo_ops.h's
LUO_OP_MAPPER: OPS ["session_create", ...] in the order of enum luo_op,
OP_CLASS {"session_create": "SESSION", ...} their tracepoints' classes
(SESSION, FILE, FLB, or OWN for an event with fields of its own).

MARKS   ["FREEZE_BEGIN", ...] in enum order (the value is the index);
        MARK {"FREEZE_BEGIN": 0, ...}
PHASES  ["freeze", ...]: phase i ends at mark i + 1
EVENTS  {1: "freeze-begin", ...} by enum value (from 1, in order);
        EVENT {"FREEZE_BEGIN": 1, ...}
STATES  ["done", "aborted", ...] in enum order; STATE {"DONE": "done", ...}
STEPS   ["CLOCK", ...]: the steps of the new kernel's start, in enum order;
        STEP {"CLOCK": 0, ...}
STEP_PHASES  ["kexec", ...]: step i's phase, which ends at step i
STEP_MARK    [MARK["READY"], ...]: the mark ending the phase that step i's
        is a part of ("boot", "wait")
RECORD  {"INITCALLS": 10, "UPDATE_SIZE_V1": 104, ...}: the header's numeric
        #define LUO_RECORD_X constants, without the prefix

The waterfall of luoblackout --systemd is SD_MARK_MAPPER of
tools/luoblackout/luoblackout_systemd.h:
SD_PHASES  ["stop-jobs", ...]: the phases, in order, with the record
SD_PHASES_NO_RECORD  the same without one (mainline's LUO): the phases that
        end at the record's marks folded into SD_PHASE_NO_RECORD
SD_PART {"stop-jobs": "SYSTEMD", ...}: who spends each phase (SYSTEMD,
        KERNEL, LUO, SERVICE)
"""
import os
import re
import sys

_REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OPS_HEADER = os.path.join(_REPO, 'bpf', 'luo_ops.h')
SD_HEADER = os.path.join(_REPO, 'tools', 'luoblackout', 'luoblackout_systemd.h')
HEADER = os.path.join(_REPO, 'include', 'uapi', 'linux', 'liveupdate_record.h')


def _mapper(text, name, path=HEADER):
    """The FN(...) argument lists of the macro @name, comments removed."""
    m = re.search(r'^#define %s\(FN\)((?:.*\\\n)*.*)$' % name, text, re.M)
    if not m:
        raise SystemExit('luo_names: no %s in %s' % (name, path))
    body = re.sub(r'/\*.*?\*/', '', m.group(1).replace('\\\n', ' '), flags=re.S)
    out = []
    for args in re.findall(r'FN\(((?:"[^"]*"|[^")])*)\)', body):
        out.append([a.strip().strip('"') if a.strip().startswith('"') else a.strip()
                    for a in re.findall(r'\s*("[^"]*"|[^,]+)', args)])
    if not out:
        raise SystemExit('luo_names: %s in %s is empty' % (name, path))
    return out


with open(HEADER) as _f:
    _text = _f.read()

_marks = _mapper(_text, '__LUO_RECORD_MARK_MAPPER')
MARKS = [ident for ident, _ in _marks]
MARK = {ident: i for i, ident in enumerate(MARKS)}
PHASES = [phase for _, phase in _marks[1:]]
_events = _mapper(_text, '__LUO_RECORD_EVENT_MAPPER')
EVENTS = {i: name for i, (_, name) in enumerate(_events, 1)}
EVENT = {ident: i for i, (ident, _) in enumerate(_events, 1)}
_states = _mapper(_text, '__LUO_RECORD_STATE_MAPPER')
STATES = [name for _, name in _states]
STATE = {ident: name for ident, name in _states}
_steps = _mapper(_text, '__LUO_RECORD_BOOT_MAPPER')
STEPS = [ident for ident, _, _ in _steps]
STEP = {ident: i for i, ident in enumerate(STEPS)}
STEP_PHASES = [phase for _, phase, _ in _steps]
STEP_MARK = [MARK[mark] for _, _, mark in _steps]
RECORD = {k: int(v, 0) for k, v in
          re.findall(r'^#define LUO_RECORD_(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b', _text, re.M)}

with open(OPS_HEADER) as _f:
    _ops = _mapper(_f.read(), 'LUO_OP_MAPPER', OPS_HEADER)
OPS = [name for _, name, _ in _ops]
OP_CLASS = {name: cls for _, name, cls in _ops}

with open(SD_HEADER) as _f:
    _text = _f.read()
_sd = _mapper(_text, 'SD_MARK_MAPPER', SD_HEADER)[1:]
_m = re.search(r'^#define SD_PHASE_NO_RECORD\s+"([^"]+)"', _text, re.M)
if not _m:
    raise SystemExit('luo_names: no SD_PHASE_NO_RECORD in %s' % SD_HEADER)
SD_PHASE_NO_RECORD = _m.group(1)
SD_PHASES = [phase for _, phase, _, _, _ in _sd]
SD_PART = {phase: part for _, phase, part, _, _ in _sd}
SD_PHASES_NO_RECORD = []
_folded = False
for _, _phase, _, _source, _ in _sd:
    if _source == 'RECORD':
        _folded = True
        continue
    SD_PHASES_NO_RECORD.append(SD_PHASE_NO_RECORD if _folded else _phase)
    if _folded:
        SD_PART[SD_PHASE_NO_RECORD] = SD_PART[_phase]
    _folded = False

if __name__ == '__main__':
    lists = {'phases': PHASES, 'marks': MARKS,
             'events': [EVENTS[k] for k in sorted(EVENTS)], 'states': STATES,
             'steps': STEP_PHASES, 'ops': OPS,
             'op-classes': ['%s %s' % (op, OP_CLASS[op]) for op in OPS],
             'sd-phases': SD_PHASES, 'sd-phases-no-record': SD_PHASES_NO_RECORD}
    if len(sys.argv) != 2 or sys.argv[1] not in lists:
        sys.exit('usage: luo_names.py phases|marks|events|states|steps|ops|op-classes|'
                 'sd-phases|sd-phases-no-record')
    print('\n'.join(lists[sys.argv[1]]))
