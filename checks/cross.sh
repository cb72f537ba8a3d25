#!/bin/sh
# checks/cross.sh ARCH [TEST...] - make check-cross: the whole make test
# suite (or only the given tests/tNNNN-*.sh, for a developer) with
# binaries built for ARCH by Debian's cross compiler and run by qemu-user
# through binfmt_misc: the native lighttpd execs the foreign CGI, which
# dlopens the foreign fetch module; the unit tests run the same way.
#   arm64  64-bit Raspberry Pi OS (Pi 3, 4, 5)
#   armhf  32-bit Raspberry Pi OS: 32-bit long, pointers and (Debian 12's
#          default) time_t
#
# ARCH's libraries (libcurl, json-c, cmocka and everything they need) are
# Debian's ARCH packages, unpacked into build/cross-ARCH/sysroot with apt's
# state for them kept in build/cross-ARCH/apt, not installed as multiarch
# packages: a Multi-Arch: same package must have exactly the version of its
# native twin, so one architecture's index lagging the native one on a
# syncing mirror (as armhf's security index did) makes them uninstallable,
# and installing them would change the machine for everybody.  The test
# build (only it) gets an absolute ELF interpreter and an RPATH into the
# sysroot, so the binaries find ARCH's loader and libraries there whoever
# starts them.
#
# Environment: MAKE, B (the build directory; default build), CROSS_SYSROOT_ONLY
# (1: make the sysroot and stop, for debian/make-deb.sh), CROSS_MAY_SKIP
# (the architectures that may be skipped when apt cannot provide their
# packages), TIME_SLACK_MS (passed to the tests: tests/lib.sh).  Ends with the suite's
# "N passed, N failed", or "0 passed, 1 failed" when the build or qemu
# fails, or, when apt cannot provide ARCH's packages and ARCH is in
# CROSS_MAY_SKIP, prints why and ends "0 passed, 0 failed, 1 skipped".
set -u
ARCH=${1:-}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
B=${B:-build}
MAKE=${MAKE:-make}
case $ARCH in
arm64)	triplet=aarch64-linux-gnu qemu=aarch64 machine=AArch64
	ld=ld-linux-aarch64.so.1 ;;
armhf)	triplet=arm-linux-gnueabihf qemu=arm machine=ARM
	ld=ld-linux-armhf.so.3 ;;
*)	echo "usage: make check-cross ARCH=arm64|armhf" >&2; exit 2 ;;
esac
CB=$TOP/$B/cross-$ARCH
SR=$CB/sysroot
A=$CB/apt
# Every library the binaries and unit tests link; apt adds what they need.
PKGS="libcurl4-openssl-dev libjson-c-dev libcmocka-dev libc6"

say() { echo "check-cross $ARCH: $*"; }
failed() { say "$*" >&2; echo "0 passed, 1 failed"; exit 1; }
cannot_provide() {
	case " ${CROSS_MAY_SKIP:-} " in
	*" $ARCH "*)
		say "skipped, not passed: apt cannot provide $ARCH's packages:"
		sed 's/^/    /' "$A/why" 2>/dev/null
		echo "0 passed, 0 failed, 1 skipped"
		exit 0 ;;
	esac
	sed 's/^/    /' "$A/why" >&2 2>/dev/null
	failed "apt cannot provide $ARCH's packages (above)"
}

# --- ARCH's packages, unpacked into the sysroot ----------------------------
# apt with its own lists, status and cache under $A: ARCH is the only
# architecture it knows, nothing counts as installed, no lock but its own.
apt_opts() {
	echo "-q -o Dir::State=$A/state -o Dir::State::status=$A/status" \
	    "-o Dir::Cache=$A/cache -o APT::Architecture=$ARCH" \
	    "-o APT::Architectures::=$ARCH -o APT::Sandbox::User=root" \
	    "-o Acquire::Languages=none"
}
if [ ! -f "$SR/.complete" ]; then
	rm -rf "$SR" "$A"
	mkdir -p "$A/state/lists/partial" "$A/cache/archives/partial" \
	    "$A/debs" "$SR"
	: > "$A/status"
	say "fetching $ARCH's packages into $SR"
	# One index that a syncing mirror refuses (say, the security
	# archive's) leaves the others usable: only the download below
	# decides whether apt could provide the packages.
	# shellcheck disable=SC2046
	apt-get $(apt_opts) update > "$A/update.log" 2>&1 ||
	    say "note: apt-get update: $(grep '^E:' "$A/update.log" | head -n 1)"
	# shellcheck disable=SC2046
	deps=$(apt-cache $(apt_opts) depends --recurse --no-recommends \
	    --no-suggests --no-conflicts --no-breaks --no-replaces \
	    --no-enhances $PKGS 2> "$A/why" | grep '^[a-z0-9]' | sort -u)
	if [ -z "$deps" ] || [ -s "$A/why" ]; then
		grep -h '^E:\|^W:' "$A/update.log" >> "$A/why"
		cannot_provide
	fi
	# shellcheck disable=SC2046,SC2086
	if ! (cd "$A/debs" && apt-get $(apt_opts) download $deps) \
	    > "$A/download.log" 2>&1; then
		grep -h '^E:' "$A/download.log" "$A/update.log" > "$A/why"
		cannot_provide
	fi
	for d in "$A"/debs/*.deb; do
		dpkg-deb -x "$d" "$SR" || failed "cannot unpack $d"
	done
	touch "$SR/.complete"
fi
[ "${CROSS_SYSROOT_ONLY:-}" != 1 ] || exit 0

# --- qemu through binfmt_misc ----------------------------------------------
# qemu-user-static ships the handler (/usr/lib/binfmt.d); a container or a
# host without systemd-binfmt or binfmt-support has not registered it.
handler=/proc/sys/fs/binfmt_misc/qemu-$qemu
if ! grep -qx enabled "$handler" 2>/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		[ -e /proc/sys/fs/binfmt_misc/register ] ||
		    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
		[ -e "$handler" ] ||
		    cat "/usr/lib/binfmt.d/qemu-$qemu.conf" \
		    > /proc/sys/fs/binfmt_misc/register
		[ -e "$handler" ] && echo 1 > "$handler"
	fi
	grep -qx enabled "$handler" 2>/dev/null ||
	    failed "the kernel does not run $ARCH binaries: register" \
	    "/usr/lib/binfmt.d/qemu-$qemu.conf (qemu-user-static) in" \
	    "/proc/sys/fs/binfmt_misc (as root)"
fi

# --- build -------------------------------------------------------------------
# From scratch: make does not see a change of compiler flags.
rm -rf "$CB/immich-jobs" "$CB/immich-jobs-full" "$CB/immich-jobs-fetch.so" "$CB/unit"
libdirs=$SR/lib/$triplet:$SR/usr/lib/$triplet
say "building with $triplet-gcc into $CB"
# The front dynamic, as the rest: the libraries come from the sysroot
# through the linker flags below, which a static link would not heed.
$MAKE --no-print-directory B="$CB" CC="$triplet-gcc" FRONT_LDFLAGS= \
    CFLAGS="-O2 -g -isystem $SR/usr/include -isystem $SR/usr/include/$triplet" \
    LDFLAGS="-L$SR/usr/lib/$triplet -L$SR/lib/$triplet -Wl,-rpath-link,$libdirs -Wl,--disable-new-dtags,-rpath,$libdirs -Wl,--dynamic-linker=$SR/lib/$triplet/$ld" \
    all unit || failed "the build failed"
# The binaries are ARCH's and qemu runs them: else the suite would prove
# nothing about ARCH.
for f in "$CB/immich-jobs" "$CB/immich-jobs-full" "$CB/immich-jobs-fetch.so" \
    "$CB"/unit/test_*; do
	readelf -h "$f" | grep -q "Machine: *$machine\$" ||
	    failed "$f is not an $ARCH ($machine) binary"
done
v=$("$CB/immich-jobs" --version 2>&1) ||
    failed "qemu-$qemu cannot run $CB/immich-jobs: $v"
say "$v, run by $(sed -n 's/^interpreter //p' "$handler")"

# --- the whole suite ---------------------------------------------------------
# CC builds what a test loads into the CGI (t0543's blocking fetch
# module); EMULATOR tells a test that limits bind qemu, not the CGI.
shift
BUILD=$CB CC=$triplet-gcc EMULATOR=qemu-$qemu sh tests/run.sh "$@"
