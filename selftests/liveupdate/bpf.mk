# SPDX-License-Identifier: GPL-2.0
#
# BPF programs of the selftests and their loaders (included by Makefile),
# built as libbpf-tools builds its tools: vmlinux.h dumped from the BTF of
# the kernel under test, each X.bpf.c compiled by clang into a CO-RE
# object, a skeleton X.skel.h generated from it by bpftool and included by
# the loader, which is linked statically with libbpf.
#   luo_inject_test  fmod_ret error injection into LUO's file hooks,
#                    checked through LUO's tracepoints (--stage 1|2)

VMLINUX ?= ../../build/kernel-ours/vmlinux
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool

# -mcpu=v3: the programs use the value of an atomic add (BPF_FETCH).
# -fms-extensions: the kernel is built with it and embeds tagged structs
# and unions as anonymous members ("union pipe_index;"), which vmlinux.h
# keeps; without it they would be empty declarations, and members missing.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
	      -fms-extensions -Wno-microsoft-anon-tag -I$(OUT) -I../../bpf -isystem $(UAPI)
BPF_LDLIBS := -lbpf -lelf -lzstd -lz

BPF_PROGS := $(OUT)/luo_inject_test
BPF_OBJS := $(OUT)/luo_inject.bpf.o
BPF_SKELS := $(BPF_OBJS:.bpf.o=.skel.h)
# The loader's objects, one per source, in $(OBJ) (see Makefile).
INJECT_OBJS := $(patsubst %,$(OBJ)/%.o,luo_inject_test luo_inject_progs luo_inject_sys)

all: $(BPF_PROGS)

$(OUT)/vmlinux.h: $(VMLINUX)
	@mkdir -p $(OUT)
	$(BPFTOOL) btf dump file $< format c > $@.tmp
	mv $@.tmp $@

# DWARF only makes the skeleton's embedded object bigger; BTF stays.
$(BPF_OBJS): $(OUT)/%.bpf.o: %.bpf.c $(OUT)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $@.d -c $< -o $@
	$(LLVM_STRIP) -g $@

$(BPF_SKELS): $(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp
	mv $@.tmp $@

# The skeleton is included from $(OUT) by the sources named below, which
# wait for it; -MMD then names it and the rest.
$(INJECT_OBJS): $(OBJ)/%.o: %.c $(UAPI)/linux/liveupdate.h $(UAPI)/linux/liveupdate_record.h
	@mkdir -p $(OBJ)
	$(CC) $(CFLAGS) -I$(OUT) -MMD -MP -MF $@.d -c -o $@ $<

$(OBJ)/luo_inject_test.o $(OBJ)/luo_inject_progs.o: $(OUT)/luo_inject.skel.h

$(OUT)/luo_inject_test: $(INJECT_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(INJECT_OBJS) $(BPF_LDLIBS)

bpf-clean:
	rm -f $(BPF_PROGS) $(BPF_PROGS:=.d) $(BPF_OBJS) $(BPF_OBJS:=.d) $(BPF_SKELS) \
	      $(INJECT_OBJS) $(INJECT_OBJS:=.d) $(OUT)/vmlinux.h

-include $(INJECT_OBJS:=.d) $(BPF_OBJS:=.d)

.PHONY: bpf-clean
