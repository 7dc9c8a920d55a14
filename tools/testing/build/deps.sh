#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages the build, the VM and the tools need, only
# those missing, so that a second run costs a dpkg query and nothing else.
set -eu

pkgs="make gcc bc flex bison cpio rsync xz-utils python3 ccache
libelf-dev libssl-dev dwarves
qemu-system-x86
clang llvm libbpf-dev bpftool bpftrace libfdt-dev libncurses-dev
zlib1g-dev libzstd-dev busybox-static tmux debootstrap
linux-perf trace-cmd"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
