#!/bin/sh
# debian/make-deb.sh [ARCH]: make deb.  Builds the Debian package
# immich-jobs-proxy_VERSION_ARCH.deb into $B (default build) with
# dpkg-buildpackage and debhelper, from a copy of the tree in
# $B/deb/ARCH (dpkg-buildpackage writes beside the source and cleans it).
#   ARCH  this machine's architecture (default), or arm64 / armhf built
#         with Debian's cross compiler against the sysroot of
#         checks/cross.sh (Debian's ARCH packages unpacked, nothing
#         installed for ARCH): the same toolchain as make check-cross.
# Prints the package's path last.  Environment: B, CROSS_MAY_SKIP (passed
# to checks/cross.sh: when apt cannot provide ARCH's packages, say so and
# exit 3 rather than 1).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
B=${B:-build}
native=$(dpkg --print-architecture)
ARCH=${1:-$native}
say() { echo "make deb $ARCH: $*"; }

version=$(sed -n 's/^VERSION *= *//p' Makefile)
changelog=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [ "$version" != "$changelog" ]; then
	say "the Makefile's VERSION ($version) is not debian/changelog's ($changelog): add a changelog entry (dch -v $version)" >&2
	exit 1
fi

mkdir -p "$TOP/$B"
export SYSROOT=
opts=
if [ "$ARCH" != "$native" ]; then
	case $ARCH in arm64 | armhf) ;; *)
		say "ARCH must be $native, arm64 or armhf" >&2; exit 2 ;;
	esac
	SYSROOT=$TOP/$B/cross-$ARCH/sysroot
	CROSS_SYSROOT_ONLY=1 B=$B sh checks/cross.sh "$ARCH" > "$TOP/$B/deb-sysroot-$ARCH.log" 2>&1 ||
	    { cat "$TOP/$B/deb-sysroot-$ARCH.log" >&2; exit 1; }
	if [ ! -f "$SYSROOT/.complete" ]; then
		cat "$TOP/$B/deb-sysroot-$ARCH.log"
		exit 3
	fi
	# What dpkg-shlibdeps reads for a library of the package being built
	# (a DEBIAN directory above it): the symbols and shlibs files of the
	# packages unpacked there, so the Depends are the archive's packages.
	if [ ! -f "$SYSROOT/DEBIAN/.complete" ]; then
		mkdir -p "$SYSROOT/DEBIAN"
		: > "$SYSROOT/DEBIAN/symbols"
		: > "$SYSROOT/DEBIAN/shlibs"
		for d in "$TOP/$B/cross-$ARCH/apt/debs"/*.deb; do
			for f in symbols shlibs; do
				dpkg-deb -I "$d" "$f" >> "$SYSROOT/DEBIAN/$f" 2>/dev/null || true
			done
		done
		touch "$SYSROOT/DEBIAN/.complete"
	fi
	# Cross build dependencies are in the sysroot, not installed; the
	# suite runs under qemu in make check-cross, not here.
	opts="-d -Pcross,nocheck"
	CC=$(dpkg-architecture -a"$ARCH" -qDEB_HOST_GNU_TYPE 2>/dev/null)-gcc
	export CC
	export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }nocheck"
fi

W=$TOP/$B/deb/$ARCH
rm -rf "$W"
mkdir -p "$W/src"
tar -cf - Makefile cgi lib lighttpd.conf contrib docs debian | tar -C "$W/src" -xf -
say "dpkg-buildpackage -b -a$ARCH in $W (log: $W/build.log)"
# shellcheck disable=SC2086
if ! (cd "$W/src" && dpkg-buildpackage -b -us -uc -a"$ARCH" $opts) > "$W/build.log" 2>&1; then
	tail -n 30 "$W/build.log" >&2
	say "dpkg-buildpackage failed (above; all of it in $W/build.log)" >&2
	exit 1
fi
deb=immich-jobs-proxy_${version}_$ARCH.deb
cp "$W/$deb" "$TOP/$B/$deb"
echo "$B/$deb"
