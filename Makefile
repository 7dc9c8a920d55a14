# SPDX-License-Identifier: GPL-2.0
#
# Live Update Orchestrator: build the kernel flavors, the tools, and run the
# tests in a QEMU guest that live-updates itself.  `make help` lists targets.

# The kernel source: Debian's linux-source-X.Y at a pinned version and
# sha256, or your own tree with KSRC=/path/to/linux.  The default tree is
# LINUX_SERIES; the other supported one is COMPAT_SERIES (make check-compat).
# LINUX_SERIES=7.2 (or LINUX_SOURCE_VERSION=7.2.x-...) builds on 7.2 instead.
# 'make pin SERIES=X.Y' prints the newest pin of a series the archive has.
PIN_VERSION_7.3 := 7.3.4-1~bpo13+1
PIN_SHA256_7.3 := 703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3
PIN_VERSION_7.2 := 7.2.12-1~bpo13+1
PIN_SHA256_7.2 := 73ca6c22599ba411ab3179642d33501ca2c90174e13c3c8d86e996ea1cbf2a8f
SUPPORTED_SERIES := 7.3 7.2
LINUX_SERIES ?= $(firstword $(SUPPORTED_SERIES))
LINUX_SOURCE_VERSION ?= $(PIN_VERSION_$(LINUX_SERIES))
# The series of a Debian version: 7.2.12-1~bpo13+1 -> 7.2.
series_of = $(subst $(eval) ,.,$(wordlist 1,2,$(subst ., ,$(subst -, ,$(1)))))
SOURCE_SERIES := $(call series_of,$(LINUX_SOURCE_VERSION))
# A pinned version brings its own sha256; any other needs LINUX_SOURCE_SHA256.
LINUX_SOURCE_SHA256 ?= $(if $(filter $(LINUX_SOURCE_VERSION),$(PIN_VERSION_$(SOURCE_SERIES))),$(PIN_SHA256_$(SOURCE_SERIES)))
# The other supported tree, and where make check-compat builds on it.
COMPAT_SERIES ?= $(firstword $(filter-out $(SOURCE_SERIES),$(SUPPORTED_SERIES)))
KSRC ?=

# ours: the tree with this repository's kernel/ and include/ laid over it.
# mainline: the same tree as it is, with mainline's own LUO.
# debug: ours with KASAN, kmemleak and the other checkers of
# kernel/configs/luo-debug.config (Documentation/robustness.rst).
# ours-host, mainline-host: ours and mainline built as a host's kernel is
# (kernel/configs/luo-host.config), for make bench BENCH_KERNELS=host.
KERNEL_FLAVOR ?= ours
FLAVORS := ours mainline debug ours-host mainline-host

BUILD := build
COMPAT_BUILD = $(BUILD)/compat-$(COMPAT_SERIES)
# Where the downloaded trees are unpacked (build/src, build/apt): shared by
# the default build and the compat build under build/compat-SERIES.
SOURCES ?= $(BUILD)
LUOVM := tools/testing/vm/luovm
TREE = $(if $(KSRC),$(KSRC),$(SOURCES)/src/linux-$(subst :,-,$(subst +,-,$(subst ~,-,$(LINUX_SOURCE_VERSION)))))
export LUO_BUILD := $(BUILD)
TREE_NAME = $(if $(KSRC),KSRC=$(KSRC),Debian linux-source-$(SOURCE_SERIES) $(LINUX_SOURCE_VERSION))

# Print how long each top-level step took.
timed = @t0=$$(date +%s); $(1); rc=$$?; \
	echo "== $(2): $$(( $$(date +%s) - t0 )) s"; exit $$rc

.PHONY: all help deps source kernel kernels tools selftests upstream-selftests rootfs rootfs-bg \
	check check-compat pin run bench fuzz vm clean distclean kernels-host $(FLAVORS:%=kernel-%) \
	$(FLAVORS:%=headers-%) $(FLAVORS:%=upstream-selftests-%)

all: kernel tools

# Kernel builds use every core already; two at once would only thrash.
.NOTPARALLEL:

help:
	@echo "make check        build everything and run all tests in the guest"
	@echo "make check-compat the same kernels on the other supported tree, and updates across"
	@echo "make pin SERIES=X.Y  the newest version and sha256 of a tree, as pin lines"
	@echo "make run          live-update a guest that preserves a memfd, and report"
	@echo "make bench        benchmark our LUO against mainline's (results in build/bench/)"
	@echo "make fuzz         the concurrent fuzzer on the debug kernel: FUZZ_SEED=N FUZZ_SECONDS=S FUZZ_ROUNDS=N"
	@echo "make vm           an interactive shell in the guest (exit powers off)"
	@echo "make rootfs       the systemd guest's Debian tree (LUO_GUEST=systemd), cached in $(ROOTFS)"
	@echo "make kernel       the kernel of KERNEL_FLAVOR=ours|mainline|debug|ours-host|mainline-host (default ours)"
	@echo "make tools        the user-space tools, static, in build/tools/"
	@echo "make clean        remove build outputs (keeps the unpacked source)"
	@echo "make distclean    remove build/ entirely"
	@echo "variables: LUO_GUEST=host|systemd (make run, make vm), KERNEL_FLAVOR, LINUX_SERIES (one of: $(SUPPORTED_SERIES); default $(LINUX_SERIES)),"
	@echo "           KSRC=/path/to/linux, JOBS=N, V=1 (guest output),"
	@echo "           BENCH_KERNELS=host|tests (make bench: kernels built as a host's, the default, or the tests' own),"
	@echo "           BENCH_REPS=N, BENCH_ARGS='--quick ...' (tools/testing/luobench/luobench.py -h)"

deps:
	@tools/testing/build/deps.sh

source: deps
ifeq ($(KSRC),)
	@test -n "$(LINUX_SOURCE_VERSION)" || { echo "LINUX_SERIES=$(LINUX_SERIES) is not pinned here" \
		"(pinned: $(SUPPORTED_SERIES)); pass LINUX_SOURCE_VERSION and LINUX_SOURCE_SHA256"; exit 1; }
	@test -n "$(LINUX_SOURCE_SHA256)" || { echo "LINUX_SOURCE_VERSION=$(LINUX_SOURCE_VERSION)" \
		"is not pinned here: pass its LINUX_SOURCE_SHA256 too ('make pin SERIES=X.Y')"; exit 1; }
	$(call timed,tools/testing/build/fetch-kernel.sh $(SOURCES) '$(LINUX_SOURCE_VERSION)' \
		$(LINUX_SOURCE_SHA256) >/dev/null,kernel source)
else
	@test -f $(KSRC)/Makefile -a -d $(KSRC)/kernel/liveupdate || \
		{ echo "KSRC=$(KSRC) is not a Linux tree with kernel/liveupdate/"; exit 1; }
endif

kernel: kernel-$(KERNEL_FLAVOR)
# The two kernels compared (bench); make check builds the debug one too,
# in the background while its first suites run (selftests/run_checks.sh).
kernels: kernel-ours kernel-mainline
kernels-host: kernel-ours-host kernel-mainline-host

$(FLAVORS:%=kernel-%): kernel-%: source
	$(call timed,LUO_TREE='$(TREE_NAME)' tools/testing/build/kernel.sh $* $(TREE) $(BUILD)/kernel-$* . kernel,kernel $*)

$(FLAVORS:%=headers-%): headers-%: source
	@tools/testing/build/kernel.sh $* $(TREE) $(BUILD)/kernel-$* . headers

# The LUO tools' BPF programs are compiled against our kernel's BTF.
tools: headers-ours kernel-ours
	$(call timed,$(MAKE) -s -C tools OUT=$(abspath $(BUILD)/tools) \
		KHDR=$(abspath $(BUILD)/kernel-ours/headers/usr/include) \
		VMLINUX=$(abspath $(BUILD)/kernel-ours/vmlinux),tools)

# Our own selftests (selftests/liveupdate, selftests/perf), against our
# exported headers.
selftests: headers-ours
	$(call timed,$(MAKE) -s -C selftests/liveupdate OUT=$(abspath $(BUILD)/selftests) \
		KSELFTEST_DIR=$(abspath $(TREE))/tools/testing/selftests \
		UAPI=$(abspath $(BUILD)/kernel-ours/headers/usr/include) \
		VMLINUX=$(abspath $(BUILD)/kernel-ours/vmlinux) && \
		$(MAKE) -s -C selftests/fuzz OUT=$(abspath $(BUILD)/selftests) \
		KSELFTEST_DIR=$(abspath $(TREE))/tools/testing/selftests \
		UAPI=$(abspath $(BUILD)/kernel-ours/headers/usr/include) && \
		$(MAKE) -s -C selftests/perf OUT=$(abspath $(BUILD)/selftests) \
		UAPI=$(abspath $(BUILD)/kernel-ours/headers/usr/include) \
		VMLINUX=$(abspath $(BUILD)/kernel-ours/vmlinux) && \
		$(MAKE) -s -C selftests/systemd OUT=$(abspath $(BUILD)/selftests) \
		UAPI=$(abspath $(BUILD)/kernel-ours/headers/usr/include) \
		VMLINUX=$(abspath $(BUILD)/kernel-ours/vmlinux),selftests)

# The upstream LUO selftests, built from the tree (never copied here) against
# each flavor's own exported headers.
upstream-selftests: upstream-selftests-$(KERNEL_FLAVOR)
$(FLAVORS:%=upstream-selftests-%): upstream-selftests-%: headers-%
	$(call timed,tools/testing/build/upstream-selftests.sh $(BUILD)/kernel-$*,upstream selftests $*)

# The systemd guest's tree (Documentation/systemd-guest.rst): debootstrap
# waits mostly on the network and dpkg, so make check starts it in the
# background beside the kernel builds; its suites wait for it
# (rootfs-systemd.sh holds a lock while it builds).
ROOTFS := $(BUILD)/rootfs/systemd
rootfs: deps
	$(call timed,tools/testing/build/rootfs-systemd.sh $(ROOTFS),rootfs)

rootfs-bg: deps
	@mkdir -p $(dir $(ROOTFS))
	@tools/testing/build/rootfs-systemd.sh $(ROOTFS) >$(ROOTFS).log 2>&1 &

check: deps rootfs-bg kernels tools selftests upstream-selftests-ours \
	upstream-selftests-mainline
	@selftests/run_checks.sh

# Both flavors on the other supported tree (COMPAT_SERIES), the upstream
# suite, chained updates and the toolkit there, and live updates from that
# tree into this one and back: Documentation/compatibility.rst.
check-compat: deps kernels tools selftests upstream-selftests-ours upstream-selftests-mainline
	$(call timed,$(MAKE) -s BUILD=$(COMPAT_BUILD) SOURCES=$(SOURCES) KSRC= \
		LINUX_SOURCE_VERSION=$(PIN_VERSION_$(COMPAT_SERIES)) \
		LINUX_SOURCE_SHA256=$(PIN_SHA256_$(COMPAT_SERIES)) \
		kernels upstream-selftests-ours upstream-selftests-mainline,compat kernels $(COMPAT_SERIES))
	@selftests/compat/run_compat.sh $(COMPAT_BUILD)

# The newest version of a series the archive has, as the Makefile's pin
# lines: make pin SERIES=7.3
pin:
	@test -n "$(SERIES)" || { echo "usage: make pin SERIES=X.Y (e.g. $(LINUX_SERIES))"; exit 1; }
	@tools/testing/build/fetch-kernel.sh --pin $(SOURCES) $(SERIES)

run: deps kernel-ours tools $(if $(filter systemd,$(LUO_GUEST)),selftests rootfs)
	@tools/testing/vm/run-demo.sh

# The concurrent fuzzer across a live update, on the debug kernel, for as
# long as FUZZ_SECONDS (each of its two stages): Documentation/robustness.rst.
# (evaluated once: the run's name and its --seed must agree)
ifeq ($(origin FUZZ_SEED),undefined)
FUZZ_SEED := $(shell date +%s)
endif
FUZZ_SECONDS ?= 600
FUZZ_FAIL ?= slab,page,hooks
FUZZ_ROUNDS ?= 1000
fuzz: deps kernel-debug tools selftests
	$(call timed,selftests/fuzz/fuzz_test.sh -n fuzz-$(FUZZ_SEED) --seed $(FUZZ_SEED) \
		--seconds $(FUZZ_SECONDS) --fail $(FUZZ_FAIL) --rounds $(FUZZ_ROUNDS),fuzz)

# Both kernels side by side: Documentation/benchmarks.rst.  BENCH_KERNELS
# says which pair: built as a host's kernel is (the default; two kernels
# more than make check builds) or the tests' own (lock validation, built
# for size).
BENCH_KERNELS ?= host
bench: deps $(if $(filter host,$(BENCH_KERNELS)),kernels-host,kernels) tools selftests rootfs
	$(call timed,tools/testing/luobench/luobench.py --kernels $(BENCH_KERNELS) $(BENCH_ARGS),bench)

vm: kernel tools $(if $(filter systemd,$(LUO_GUEST)),rootfs)
	@$(LUOVM) shell -k $(BUILD)/kernel-$(KERNEL_FLAVOR)/bzImage -n shell \
		--guest $(if $(filter systemd,$(LUO_GUEST)),systemd,host)

clean:
	rm -rf $(BUILD)/kernel-* $(BUILD)/compat-* $(BUILD)/tools $(BUILD)/selftests $(BUILD)/vm \
		$(BUILD)/check

distclean:
	rm -rf $(BUILD)
