# SPDX-License-Identifier: GPL-2.0
#
# Live Update Orchestrator: build the kernel flavors, the tools, and run the
# tests in a QEMU guest that live-updates itself.  `make help` lists targets.

# The kernel source: Debian's linux-source-7.2 at a pinned version, or your
# own tree with KSRC=/path/to/linux.
LINUX_SOURCE_VERSION ?= 7.2.12-1~bpo13+1
LINUX_SOURCE_SHA256 ?= 73ca6c22599ba411ab3179642d33501ca2c90174e13c3c8d86e996ea1cbf2a8f
KSRC ?=

# ours: the tree with this repository's kernel/ and include/ laid over it.
# mainline: the same tree as it is, with mainline's own LUO.
KERNEL_FLAVOR ?= ours
FLAVORS := ours mainline

BUILD := build
LUOVM := tools/vm/luovm
TREE = $(if $(KSRC),$(KSRC),$(BUILD)/src/linux-$(subst :,-,$(subst +,-,$(subst ~,-,$(LINUX_SOURCE_VERSION)))))
export LUO_BUILD := $(BUILD)

# Print how long each top-level step took.
timed = @t0=$$(date +%s); $(1); rc=$$?; \
	echo "== $(2): $$(( $$(date +%s) - t0 )) s"; exit $$rc

.PHONY: all help deps source kernel kernels tools selftests upstream-selftests \
	check check-mainline run bench vm clean distclean $(FLAVORS:%=kernel-%) \
	$(FLAVORS:%=headers-%) $(FLAVORS:%=upstream-selftests-%)

all: kernel tools

# Kernel builds use every core already; two at once would only thrash.
.NOTPARALLEL:

help:
	@echo "make check        build everything and run all tests in the guest"
	@echo "make run          live-update a guest that preserves a memfd, and report"
	@echo "make bench        benchmark our LUO against mainline's (results in build/bench/)"
	@echo "make vm           an interactive shell in the guest (exit powers off)"
	@echo "make kernel       the kernel of KERNEL_FLAVOR=ours|mainline (default ours)"
	@echo "make tools        the user-space tools, static, in build/tools/"
	@echo "make clean        remove build outputs (keeps the unpacked source)"
	@echo "make distclean    remove build/ entirely"
	@echo "variables: KERNEL_FLAVOR, KSRC=/path/to/linux, JOBS=N, V=1 (guest output),"
	@echo "           BENCH_REPS=N, BENCH_ARGS='--quick ...' (tools/luobench/luobench.py -h)"

deps:
	@tools/build/deps.sh

source: deps
ifeq ($(KSRC),)
	$(call timed,tools/build/fetch-kernel.sh $(BUILD) '$(LINUX_SOURCE_VERSION)' \
		$(LINUX_SOURCE_SHA256) >/dev/null,kernel source)
else
	@test -f $(KSRC)/Makefile -a -d $(KSRC)/kernel/liveupdate || \
		{ echo "KSRC=$(KSRC) is not a Linux tree with kernel/liveupdate/"; exit 1; }
endif

kernel: kernel-$(KERNEL_FLAVOR)
kernels: $(FLAVORS:%=kernel-%)

$(FLAVORS:%=kernel-%): kernel-%: source
	$(call timed,tools/build/kernel.sh $* $(TREE) $(BUILD)/kernel-$* . kernel,kernel $*)

$(FLAVORS:%=headers-%): headers-%: source
	@tools/build/kernel.sh $* $(TREE) $(BUILD)/kernel-$* . headers

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
		$(MAKE) -s -C selftests/perf OUT=$(abspath $(BUILD)/selftests) \
		UAPI=$(abspath $(BUILD)/kernel-ours/headers/usr/include) \
		VMLINUX=$(abspath $(BUILD)/kernel-ours/vmlinux),selftests)

# The upstream LUO selftests, built from the tree (never copied here) against
# each flavor's own exported headers.
upstream-selftests: upstream-selftests-$(KERNEL_FLAVOR)
$(FLAVORS:%=upstream-selftests-%): upstream-selftests-%: headers-%
	$(call timed,tools/build/upstream-selftests.sh $(BUILD)/kernel-$*,upstream selftests $*)

check: deps kernels tools selftests upstream-selftests-ours upstream-selftests-mainline
	@selftests/run_checks.sh

run: deps kernel-ours tools
	@tools/vm/run-demo.sh

# Both kernels side by side: Documentation/benchmarks.rst.
bench: deps kernels tools
	$(call timed,tools/luobench/luobench.py $(BENCH_ARGS),bench)

vm: kernel tools
	@$(LUOVM) shell -k $(BUILD)/kernel-$(KERNEL_FLAVOR)/bzImage -n shell

clean:
	rm -rf $(BUILD)/kernel-* $(BUILD)/tools $(BUILD)/selftests $(BUILD)/vm $(BUILD)/check

distclean:
	rm -rf $(BUILD)
