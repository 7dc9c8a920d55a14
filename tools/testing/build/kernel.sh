#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build one kernel flavor out of tree, incrementally and through ccache.
#
#   kernel.sh FLAVOR SRC OUT REPO kernel|headers|farm
#
# FLAVOR  "ours" (the tree with this repository's kernel/ and include/ laid
#         over it), "debug" (ours with KASAN, kmemleak and the other
#         checkers of kernel/configs/luo-debug.config) or "mainline" (the
#         tree as it is, stock LUO); "ours-host" and "mainline-host" are
#         those two built as a host's kernel is, for the bench
#         (kernel/configs/luo-host.config: no lock validation, -O2).
# SRC     the unpacked, never modified Linux tree (or the user's KSRC).
# OUT     the flavor's directory, e.g. build/kernel-ours:
#           OUT/src        a hard-link farm of SRC, plus the overlay (ours)
#           OUT/obj        the O= object tree
#           OUT/bzImage    the kernel image, OUT/vmlinux (with BTF but in
#                          the debug flavor, which has no debug info)
#           OUT/tree       which tree it was built from
#           OUT/headers/usr/include   the flavor's exported uapi headers
# REPO    this repository (overlay files and the config fragment).
# LUO_TREE (environment) names the tree in OUT/tree, for reports.
# The last argument says what to build: the kernel, or only the headers
# (which need no configuration, so tools can be built before the kernel),
# or nothing: "farm" only brings OUT/src up to date (the harness's test of
# switching trees, selftests/harness/test_kernel_tree.sh).
#
# Only files whose content changed are copied into the farm, so make sees
# the same mtimes as before and rebuilds only what really changed.
set -euo pipefail

flavor=${1-} what=${5-}
case $what in
kernel | headers | farm) ;;
*) echo "kernel.sh: unknown target '$what' (kernel, headers, farm)" >&2; exit 2 ;;
esac
src=$(cd "$2" && pwd) out=$3 repo=$(cd "$4" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
farm=$out/src obj=$out/obj
fragment=$repo/kernel/configs/luo.config
# Options that exist only with our overlay, and the debug flavor's.
extra=
overlay=no
configs=$repo/kernel/configs
case $flavor in
ours) extra=$configs/luo-ours.config overlay=yes ;;
debug) extra="$configs/luo-ours.config $configs/luo-debug.config" overlay=yes ;;
ours-host) extra="$configs/luo-ours.config $configs/luo-host.config" overlay=yes ;;
mainline) ;;
mainline-host) extra=$configs/luo-host.config ;;
*) echo "kernel.sh: unknown flavor $flavor (ours, debug, mainline, ours-host, mainline-host)" >&2
	exit 2 ;;
esac
jobs=${JOBS:-$(nproc)}

step_start=0
step() {
	step_start=$(date +%s.%N)
	printf '  %-10s %s\n' "[$flavor]" "$*"
}
step_done() {
	printf '  %-10s %s (%.1f s)\n' "[$flavor]" "$1" \
		"$(echo "$(date +%s.%N) - $step_start" | bc)"
}

# The overlay: every file under kernel/ and include/ of this repository
# (ours and debug), relative paths, sorted.
overlay_list() {
	[ "$overlay" = yes ] || return 0
	local d
	for d in kernel include; do
		if [ -d "$repo/$d" ]; then (cd "$repo" && find "$d" -type f); fi
	done | LC_ALL=C sort
}

step "source tree: $out/src"
mkdir -p "$farm" "$obj"
manifest=$farm/.luo-overlay
new_list=$(overlay_list)
old_list=$(cat "$manifest" 2>/dev/null || true)
# Files we laid over the tree earlier and no longer carry go back to the
# tree's own version; touch them so make notices the change of content.
gone=$(comm -23 <(echo "$old_list" | sed '/^$/d') <(echo "$new_list" | sed '/^$/d'))
# The farm is refreshed whole only when the source tree is new to it: the
# unpacked archive never changes, so its stamp says when that is needed.  A
# user's KSRC may change at any time and is always refreshed.
stamp="$src $(stat -c %Y "$src/.unpacked" 2>/dev/null || echo ksrc)"
old_stamp=$(cat "$farm/.luo-src" 2>/dev/null || true)
if [ "$stamp" != "$old_stamp" ] || [ ! -f "$src/.unpacked" ]; then
	# Another tree (LINUX_SERIES=7.2 after 7.3, say): its files carry their
	# own release's mtimes, often older than the objects built from the
	# previous tree, so make would keep those objects.  Start the object
	# tree afresh; ccache makes that cheap where the trees agree.
	if [ -n "$old_stamp" ] && [ "${old_stamp%% *}" != "$src" ]; then
		step "another tree than ${old_stamp%% *}: dropping its objects"
		rm -rf "$obj" "$out/headers" "$out/selftests"
		mkdir -p "$obj"
	fi
	excl=$(mktemp)
	echo "$new_list" | sed '/^$/d; s|^|/|' >"$excl"
	rsync -a --delete --link-dest="$src" --exclude=/.git --exclude='/.luo-*' \
		--exclude-from="$excl" "$src/" "$farm/"
	rm -f "$excl"
	echo "$stamp" >"$farm/.luo-src"
else
	for f in $gone; do
		rm -f "$farm/$f"
		if [ -e "$src/$f" ]; then ln "$src/$f" "$farm/$f"; fi
	done
fi
for f in $gone; do
	if [ -e "$farm/$f" ]; then touch "$farm/$f"; fi
done
changed=0
for f in $new_list; do
	if ! cmp -s "$repo/$f" "$farm/$f"; then
		mkdir -p "$(dirname "$farm/$f")"
		cp --remove-destination "$repo/$f" "$farm/$f"
		changed=$((changed + 1))
	fi
done
echo "$new_list" >"$manifest"
step_done "source tree ready: $(echo "$new_list" | sed '/^$/d' | wc -l) overlay files, $changed updated"

if [ "$what" = farm ]; then
	exit 0
fi
if [ "$what" = headers ]; then
	make -s -C "$farm" O="$out/headers" ARCH=x86_64 headers_install
	exit 0
fi

# Configuration: tinyconfig + the fragments.  The ours flavors merge the
# copies the overlay placed in the tree (make luo.config, the kernel's own
# fragment mechanism); mainline merges the repository's files directly.
kmake() {
	make -s -C "$farm" O="$obj" ARCH=x86_64 LOCALVERSION="-luo-$flavor" "$@"
}
cfgstamp=$obj/.luo-config-fragment
if [ ! -f "$obj/.config" ] || ! cat "$fragment" $extra | cmp -s - "$cfgstamp"; then
	step "configure: tinyconfig + kernel/configs/luo.config$(for e in $extra; do printf ' + %s' "${e##*/}"; done)"
	kmake tinyconfig >/dev/null
	if [ "$overlay" = yes ]; then
		kmake luo.config >/dev/null
		for e in $extra; do
			kmake "$(basename "$e")" >/dev/null
		done
	else
		(cd "$obj" && "$farm/scripts/kconfig/merge_config.sh" -m -O "$obj" \
			"$obj/.config" "$fragment" $extra >/dev/null)
		kmake olddefconfig >/dev/null
	fi
	# Every option the fragments ask for must have taken effect, as the
	# last fragment to name it says ("CONFIG_FOO=y" or "# CONFIG_FOO is
	# not set": the debug flavor turns some of luo.config's off).
	# An option named on a "# luo-optional:" line may be absent from a
	# tree whose Kconfig does not define it (a rename between releases).
	optional=$(cat "$fragment" $extra | sed -n 's/^# luo-optional: *//p')
	wanted=$(cat "$fragment" $extra | awk '
		/^CONFIG_[A-Z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym); want[sym] = $0; order[++n] = sym }
		/^# CONFIG_[A-Z0-9_]+ is not set$/ { want[$2] = $0; order[++n] = $2 }
		END { for (i = 1; i <= n; i++) if (!seen[order[i]]++) print want[order[i]] }')
	missing=$(echo "$wanted" | while read -r want; do
		case $want in
		"# CONFIG_"*)
			sym=${want#\# }
			sym=${sym%% *}
			grep -qE "^$sym=" "$obj/.config" && echo "$want"
			continue
			;;
		esac
		grep -qxF "$want" "$obj/.config" && continue
		sym=${want%%=*}
		if echo " $optional " | grep -qF " $sym " &&
			! grep -rqsE "^(menu)?config ${sym#CONFIG_}\$" --include='Kconfig*' "$farm"; then
			continue
		fi
		echo "$want"
	done)
	if [ -n "$missing" ]; then
		echo "kernel.sh: these options of $fragment $extra did not take effect (unmet dependencies?):" >&2
		echo "$missing" | sed 's/^/    /' >&2
		exit 1
	fi
	cat "$fragment" $extra >"$cfgstamp"
	step_done "configured"
fi

# The debug flavor's KASAN instruments LUO, KHO and memfd's LUO code
# (LUO_KASAN=luo, the default) or the whole kernel (LUO_KASAN=all): under
# TCG a fully instrumented guest boots ten times slower.  The allocator's
# own checks (double or invalid free, redzones) watch every caller either
# way.  A per-object "y" outweighs the command line's "n" (Makefile.lib).
kasan=()
if [ "$flavor" = debug ] && [ "${LUO_KASAN:-luo}" = luo ]; then
	kasan=(KASAN_SANITIZE=n)
	for f in "$farm"/kernel/liveupdate/*.c "$farm"/mm/memfd_luo.c; do
		if [ -e "$f" ]; then
			kasan+=("KASAN_SANITIZE_$(basename "${f%.c}").o=y")
		fi
	done
fi

step "build bzImage (make -j$jobs, ccache)"
export CCACHE_BASEDIR=$(dirname "$out") CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
ccache -z >/dev/null 2>&1 || true
kmake -j"$jobs" CC="ccache gcc" KBUILD_BUILD_TIMESTAMP=2026-01-01 \
	KBUILD_BUILD_USER=luo KBUILD_BUILD_HOST=luo "${kasan[@]}" bzImage
cp -p "$obj/arch/x86/boot/bzImage" "$out/bzImage"
# Which tree this is, for reports (the Makefile names Debian's package).
echo "${LUO_TREE:-$src}" >"$out/tree"
ln -sf obj/vmlinux "$out/vmlinux"
kmake -s kernelrelease >"$out/kernelrelease"
step_done "built $(cat "$out/kernelrelease"): $(ccache -s 2>/dev/null | awk -F: '/Hits:/ {gsub(/ /,"",$2); h=$2} /Misses:/ {gsub(/ /,"",$2); m=$2} END {printf "ccache hits %s, misses %s", h, m}')"
