# SPDX-License-Identifier: GPL-2.0
"""luovm_plan - the stages of a luovm run: read from a plan file (its syntax
is in luovm's help), or made of luovm's -c and --kexec arguments.
"""

import os
import re

# The repository: the paths of a plan are relative to it, and luovm runs there.
REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class PlanError(Exception):
    pass


class Stage:
    def __init__(self, number, kernel):
        self.number = number
        self.kernel = kernel
        self.commands = []


def parse_plan(path, default_kernel, units):
    """Read a plan file into a list of Stage; "unit =" lines into units."""
    stages = []
    kernel = default_kernel
    with open(path) as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = re.fullmatch(r"\[stage (\d+)\]", line)
            if m:
                if int(m.group(1)) != len(stages) + 1:
                    raise PlanError(f"{path}:{lineno}: expected [stage {len(stages) + 1}]")
                stages.append(Stage(len(stages) + 1, kernel))
                continue
            m = re.fullmatch(r"unit\s*=\s*(\S+)(\s+#.*)?", line)
            if m:
                units.append(os.path.expandvars(m.group(1)))
                continue
            if not stages:
                raise PlanError(f"{path}:{lineno}: a command before [stage 1]")
            m = re.fullmatch(r"kernel\s*=\s*(\S+)(\s+#.*)?", line)
            if m:
                if stages[-1].commands:
                    raise PlanError(f"{path}:{lineno}: 'kernel =' must precede the stage's commands")
                kernel = os.path.expandvars(m.group(1))
                stages[-1].kernel = kernel
                continue
            stages[-1].commands.append(os.path.expandvars(line))
    if not stages:
        raise PlanError(f"{path}: no stages")
    return stages


def stages_from_args(args):
    """Build stages from -c CMD ... --kexec [KERNEL] -c CMD ..."""
    stages = [Stage(1, args.kernel)]
    for kind, value in args.steps or []:
        if kind == "cmd":
            stages[-1].commands.append(value)
        else:
            stages.append(Stage(len(stages) + 1, value or stages[-1].kernel))
    return stages
