# SPDX-License-Identifier: GPL-2.0
"""luobench: the paths, workload sets and helpers every part of it shares."""

import os
import re


REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = "build"
OUT = os.path.join(BUILD, "bench")
TOOLS = os.path.join(BUILD, "tools")
DOC = os.path.join("Documentation", "benchmarks.rst")
DOC_BEGIN = ".. luobench-results-begin"
DOC_END = ".. luobench-results-end"
FLAVORS = ("ours", "mainline")
# Which pair of kernels is compared (--kernels, make bench BENCH_KERNELS=):
# the tests' kernels, or the pair built as a host's kernel is
# (kernel/configs/luo-host.config: no lock validation, -O2), whose
# directories end in -host.
KERNEL_SETS = {
    "tests": ("", "the tests' kernels: lock validation built in, optimized for size"),
    "host": ("-host", "built as a host's kernel: no lock validation, optimized for speed"),
}
LUOVM = os.path.join("tools", "testing", "vm", "luovm")
# Extra kernel command line of every guest: the trace events on the console
# (luo_bench probe's bpf_printk() lines), no KUnit suites at boot (ours has
# more of them: they would weigh on its boot time), and no lock validation:
# the tests' kernels have lockdep on, and lockdep validates a chain of locks
# the first time it is taken in a boot, which the reboot's are in every boot
# (see Documentation/benchmarks.rst); the locks are still tracked.  The host
# kernels have neither KUnit nor lockdep, and ignore both options.
APPEND = "tp_printk kunit.enable=0 lockdep.prove_locking=0"

FULL = {
    "reps": 3,
    "sizes": [16, 64, 256, 1024],
    # and the two large points: one session of 200,000 files, 1000 x 1000
    "scale": [(n, m) for n in (1, 10, 100, 1000) for m in (1, 10, 100)]
    + [(1, 200000), (1000, 1000)],
    "tracing_rounds": 3,
    "opbench_n": 2000,
}
QUICK = {
    "reps": 1,
    "sizes": [16, 64],
    "scale": [(1, 1), (10, 10), (100, 1)],
    "tracing_rounds": 2,
    "opbench_n": 500,
}
# A scale workload of this many files gets a guest of its own, with more memory:
# a preserved one-page memfd costs about 19 KiB of guest memory, most of it
# unmovable while KHO keeps a large part of RAM as CMA scratch.
BIG_FILES = 20000
# ... and a time budget for its creates and preserves (luo_bench --budget):
# a flavor whose preserve walks the session (O(n^2), mainline at 200,000
# files) would not end; past the budget the point is a result, unfinished.
BIG_BUDGET_MIN = 20


class BenchError(Exception):
    pass


def log(msg):
    print(f"luobench: {msg}", flush=True)


KV = re.compile(r"(\w+)=(\S*)")


def parse_kv(line):
    return {k: v for k, v in KV.findall(line)}


def host_mem_gib():
    """This machine's RAM (MemTotal), in GiB; 0 when unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return 0


def kernel_flavor(flavor, kernels="tests"):
    """The build's flavor (make kernel-F) of FLAVOR's kernel in the set KERNELS."""
    return flavor + KERNEL_SETS[kernels][0]


def kernel_dir(flavor, kernels="tests"):
    """The build directory of FLAVOR's kernel in the set KERNELS."""
    return os.path.join(BUILD, f"kernel-{kernel_flavor(flavor, kernels)}")
