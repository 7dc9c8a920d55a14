#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-source-7.2 package at a pinned version, check its
# sha256 and unpack the tree once under $BUILD/src/.  Debian's archive is
# reached through a private apt configuration kept under $BUILD/apt, built
# from the mirror the system already uses: the system's apt sources are not
# touched.
#
# usage: fetch-kernel.sh BUILD_DIR VERSION SHA256
# prints the path of the unpacked tree on stdout.
set -eu

build=$1 version=$2 sha=$3
mkdir -p "$build"
build=$(cd "$build" && pwd)
pkg=linux-source-7.2
apt=$build/apt
deb=$apt/${pkg}_$(echo "$version" | sed 's/:/%3a/')_all.deb
tree=$build/src/linux-$(echo "$version" | tr "~+:" "---")

if [ -f "$tree/.unpacked" ]; then
	echo "$tree"
	exit 0
fi

say() { echo "fetch-kernel: $*" >&2; }
die() {
	say "$*"
	exit 1
}

if [ ! -f "$deb" ] || ! echo "$sha  $deb" | sha256sum -c --status; then
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	uri=
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }' "$f")
		[ -n "$uri" ] && break
	done
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
			/etc/apt/sources.list)
	fi
	[ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}; pass KSRC=/path/to/linux-7.2 instead"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie-backports main" \
		>"$apt/sources.list"
	opts="-q -o Dir::Etc::sourcelist=$apt/sources.list -o Dir::Etc::sourceparts=/dev/null"
	opts="$opts -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache"
	opts="$opts -o APT::Sandbox::User=root"
	say "updating a private index of trixie-backports"
	# shellcheck disable=SC2086
	apt-get $opts update >&2 || die "apt-get update of trixie-backports failed (network?)"
	say "downloading $pkg=$version (~165 MB)"
	# shellcheck disable=SC2086
	if ! (cd "$apt" && apt-get $opts download "$pkg=$version" >&2); then
		# shellcheck disable=SC2086
		avail=$(apt-cache $opts madison "$pkg" | awk '{ print $3 }' | tr '\n' ' ')
		die "$pkg $version is no longer in trixie-backports (available: ${avail:-none}).
  Pick one of those: make LINUX_SOURCE_VERSION=<version> LINUX_SOURCE_SHA256=<sha256 from
  'apt-cache show'>, and update the pins in the Makefile; or use your own tree: make KSRC=/path/to/linux"
	fi
	echo "$sha  $deb" | sha256sum -c --status ||
		die "sha256 of $deb is not the pinned $sha: refusing to use it"
fi

say "unpacking $pkg $version"
rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree.tmp" ./usr/src/linux-source-7.2.tar.xz
tar -xJf "$tree.tmp/usr/src/linux-source-7.2.tar.xz" -C "$tree.tmp"
mv "$tree.tmp/linux-source-7.2" "$tree"
rm -rf "$tree.tmp"
# The pristine tree is shared by both flavors: keep it read-only.
chmod -R a-w "$tree"
chmod u+w "$tree"
touch "$tree/.unpacked"
echo "$tree"
