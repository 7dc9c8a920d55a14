#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rootfs-systemd.sh OUT: the root file system of the systemd guest
# (LUO_GUEST=systemd; Documentation/vm-harness.rst), built once and cached:
#   OUT/root          a Debian tree from debootstrap --variant=minbase with
#                     systemd, systemd-sysv and dbus, and one file of ours,
#                     /sbin/luovm-init (below)
#   OUT/manifest.txt  the suite, the mirror, the date, systemd's version and
#                     every package with its version (luovm's reports quote it)
# A tree with a systemd older than 261 (the first with LUO) is refused.
# The suite moves (sid): the cache is kept until it is removed (rm -rf OUT)
# or its recipe changes (RECIPE below).
# LUO_ROOTFS_SUITE (default sid) and LUO_DEBIAN_MIRROR override.
set -eu

# 3: the guest init moved to tools/testing/vm/ (/sbin/luovm-init names it).
RECIPE=3
MIN_SYSTEMD=261
out=${1:?usage: rootfs-systemd.sh OUT}
suite=${LUO_ROOTFS_SUITE:-sid}
mirror=${LUO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
stamp=$out/.recipe

cached() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$RECIPE $suite $mirror" ]; }
cached && exit 0
# One build at a time (make check starts one in the background): a second
# caller waits for it, then finds the tree cached.
mkdir -p "$out"
exec 9>"$out.lock"
flock 9
cached && exit 0

sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
command -v debootstrap >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
command -v debootstrap >/dev/null 2>&1 || {
	echo "rootfs-systemd: debootstrap is missing (make deps installs it)" >&2
	exit 1
}

tmp=$out/root.new
$sudo rm -rf "$tmp"
echo "rootfs-systemd: debootstrap $suite from $mirror into $tmp"
if ! $sudo debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus \
	"$suite" "$tmp" "$mirror" >"$out/debootstrap.log" 2>&1; then
	tail -n 20 "$out/debootstrap.log" >&2
	echo "rootfs-systemd: debootstrap failed (log: $out/debootstrap.log)" >&2
	exit 1
fi

version=$($sudo chroot "$tmp" dpkg-query -W -f='${Version}' systemd)
if ! dpkg --compare-versions "$version" ge "$MIN_SYSTEMD"; then
	echo "rootfs-systemd: $suite has systemd $version; the systemd guest needs" \
		"$MIN_SYSTEMD or later (LUO support): pick another suite with" \
		"LUO_ROOTFS_SUITE" >&2
	exit 1
fi

# Until systemd: the repository is not inside this tree, so PID 1 begins
# here, mounts the repository (virtio-9p tag luorepo) and runs the guest's
# init from there (tools/testing/vm/guest-systemd-init), which execs systemd.
$sudo tee "$tmp/sbin/luovm-init" >/dev/null <<'EOF'
#!/bin/sh
# luovm (tools/testing/build/rootfs-systemd.sh): hand over to the repository's init.
mount -t proc proc /proc
mount -t tmpfs -o mode=0755 tmpfs /mnt
mkdir /mnt/repo
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro luorepo /mnt/repo
exec /bin/sh /mnt/repo/tools/testing/vm/guest-systemd-init
EOF
$sudo chmod 755 "$tmp/sbin/luovm-init"
$sudo rm -f "$tmp"/var/cache/apt/archives/*.deb
# The tree as a host has it once installed: the caches and users that
# ConditionNeedsUpdate= units (ldconfig, sysusers, the journal's catalog)
# would otherwise rebuild in every boot of a pristine tree, made, and
# /etc/.updated and /var/.updated stamped by systemd-update-done.
# (The catalog misses the translations dpkg left out: what it has is
# indexed all the same.)
$sudo chroot "$tmp" sh -c '{ journalctl --update-catalog || :; } && ldconfig &&
	systemd-sysusers && /usr/lib/systemd/systemd-update-done' >>"$out/debootstrap.log" 2>&1 || {
	echo "rootfs-systemd: preparing the tree failed (log: $out/debootstrap.log)" >&2
	exit 1
}

{
	echo "suite: $suite"
	echo "mirror: $mirror"
	echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "systemd: $version"
	echo "packages:"
	$sudo chroot "$tmp" dpkg-query -W -f='  ${Package} ${Version}\n'
} >"$out/manifest.txt"

$sudo rm -rf "$out/root"
mv "$tmp" "$out/root"
echo "$RECIPE $suite $mirror" >"$stamp"
echo "rootfs-systemd: $out/root: systemd $version, $(grep -c '^  ' "$out/manifest.txt") packages"
