// SPDX-License-Identifier: GPL-2.0
/*
 * luols's BPF side: the LUO iterators' programs (luo_iter.bpf.h), which
 * write a record per session and per file that LUO holds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "luo_iter.bpf.h"

char LICENSE[] SEC("license") = "GPL";
