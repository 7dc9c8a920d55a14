#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-source-X.Y package at a pinned version, check its
# sha256 and unpack the tree once under $BUILD/src/.  Debian's archive is
# reached through a private apt configuration kept under $BUILD/apt, built
# from the mirror the system already uses: the system's apt sources are not
# touched.
#
# usage: fetch-kernel.sh BUILD_DIR VERSION SHA256
#          prints the path of the unpacked tree on stdout.
#        fetch-kernel.sh --pin BUILD_DIR SERIES
#          prints the newest VERSION of linux-source-SERIES the archive has
#          and its SHA256, as the Makefile's two pin lines (nothing is
#          downloaded: the sha256 is the one of the archive's signed index).
set -eu

say() { echo "fetch-kernel: $*" >&2; }
die() {
	say "$*"
	exit 1
}

pin=
if [ "${1:-}" = --pin ]; then
	pin=1
	shift
fi
[ $# -eq "$([ -n "$pin" ] && echo 2 || echo 3)" ] ||
	die "usage: fetch-kernel.sh BUILD_DIR VERSION SHA256 | --pin BUILD_DIR SERIES"

build=$1
mkdir -p "$build"
build=$(cd "$build" && pwd)
apt=$build/apt
opts="-q -o Dir::Etc::sourcelist=$apt/sources.list -o Dir::Etc::sourceparts=/dev/null"
opts="$opts -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache"
opts="$opts -o APT::Sandbox::User=root"

# The series of a Debian version: 7.3.4-1~bpo13+1 -> 7.3.
series_of() {
	echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\)[.-].*/\1/p'
}

# A private index of trixie-backports (where several versions of a series
# stay at once), from the Debian mirror the system's sources name.
update_index() {
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
	[ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}; pass KSRC=/path/to/linux instead"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie-backports main" \
		>"$apt/sources.list"
	say "updating a private index of trixie-backports"
	# shellcheck disable=SC2086
	apt-get $opts update >&2 || die "apt-get update of trixie-backports failed (network?)"
}

# Versions of a package the index has, newest first.
versions_of() {
	# shellcheck disable=SC2086
	apt-cache $opts madison "$1" | awk '{ print $3 }'
}

if [ -n "$pin" ]; then
	series=$2
	echo "$series" | grep -qxE '[0-9]+\.[0-9]+' || die "SERIES is like 7.3, not '$series'"
	pkg=linux-source-$series
	update_index
	version=$(versions_of "$pkg" | head -n 1)
	[ -n "$version" ] || die "trixie-backports has no $pkg"
	# The archive's own (signed) index gives the sha256 of the .deb.
	# shellcheck disable=SC2086
	sha=$(apt-cache $opts show "$pkg=$version" | awk '/^SHA256:/ { print $2; exit }')
	[ -n "$sha" ] || die "no SHA256 for $pkg=$version in the index"
	echo "PIN_VERSION_$series := $version"
	echo "PIN_SHA256_$series := $sha"
	exit 0
fi

version=$2 sha=$3
series=$(series_of "$version")
[ -n "$series" ] || die "cannot tell the series of version '$version' (expected like 7.3.4-1~bpo13+1)"
pkg=linux-source-$series
deb=$apt/${pkg}_$(echo "$version" | sed 's/:/%3a/')_all.deb
tree=$build/src/linux-$(echo "$version" | tr "~+:" "---")

if [ -f "$tree/.unpacked" ]; then
	echo "$tree"
	exit 0
fi

if [ ! -f "$deb" ] || ! echo "$sha  $deb" | sha256sum -c --status; then
	update_index
	say "downloading $pkg=$version (~165 MB)"
	# shellcheck disable=SC2086
	if ! (cd "$apt" && apt-get $opts download "$pkg=$version" >&2); then
		avail=$(versions_of "$pkg" | tr '\n' ' ')
		die "$pkg $version is no longer in trixie-backports (available: ${avail:-none}).
  Move the pin: 'make pin SERIES=$series' prints the newest version's two pin lines
  for the Makefile; or use your own tree: make KSRC=/path/to/linux"
	fi
	echo "$sha  $deb" | sha256sum -c --status ||
		die "sha256 of $deb is not the pinned $sha: refusing to use it"
fi

say "unpacking $pkg $version"
rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree.tmp" "./usr/src/$pkg.tar.xz"
tar -xJf "$tree.tmp/usr/src/$pkg.tar.xz" -C "$tree.tmp"
mv "$tree.tmp/$pkg" "$tree"
rm -rf "$tree.tmp"
# The pristine tree is shared by both flavors: keep it read-only.
chmod -R a-w "$tree"
chmod u+w "$tree"
touch "$tree/.unpacked"
echo "$tree"
