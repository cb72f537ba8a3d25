#!/bin/sh
# checks/check-deb.sh - `make check-deb`: the Debian packages, built and
# installed the way docs/install.md says.
#
#   1. make deb for amd64, arm64 and armhf (armhf counts as skipped, never
#      as passed, when apt cannot provide its packages: CROSS_MAY_SKIP);
#      each is lintian clean (no error, no warning), depends on the
#      archive's lighttpd, libcurl4 and libjson-c5, and ships the unit, the
#      man page and its settings as conffiles, binaries of its architecture.
#   2. The arm64 package's CGI, under qemu-user with arm64's libraries,
#      answers a fake Immich on loopback.
#   3. The amd64 package in a fresh Debian 12 container (the local
#      debian:bookworm-slim, made by checks/image-base.sh when missing,
#      without the slim image's rule that drops man pages): `apt-get install
#      ./immich-jobs-proxy_VERSION_amd64.deb` from the archive, the key file
#      made root's with mode 0600, the unit enabled; then the unit's own
#      command line (systemd does not run in a container: ExecStart with its
#      EnvironmentFile, the key handed over as LoadCredential= does, as a
#      user of its own) answers a fake Immich on the host's loopback; a
#      reinstall keeps the key and settings; purge leaves nothing in /etc.
#      With DEB_ARM64_INSTALL=1, the same install, up to the answer, of the
#      arm64 package in the arm64 Debian 12 of make check-image ARCH=arm64,
#      under qemu (about 8 minutes: not in CI).
# Prints "ok - ..." / "not ok - ..." and "N passed, N failed[, N skipped]".
# DEB_ARCHS (default "amd64 arm64 armhf") picks the packages of step 1.
# Needs root and Docker as CI has them; a dockerd it starts it stops.
. "$(dirname "$0")/../tests/lib.sh"
. "$(dirname "$0")/dockerd.sh"

B=${B:-build}
MAKE=${MAKE:-make}
VERSION=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
BASE=debian:bookworm-slim
BASE_ARM64=immich-jobs-proxy-base-arm64:bookworm	# checks/check-image.sh's
NAMES=""
PASSED=0 SKIPPED=0

pass() { ok "$*"; PASSED=$((PASSED + 1)); }
check() {
	desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}
summary() {
	if [ "$SKIPPED" -gt 0 ]; then
		echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	else
		echo "$PASSED passed, $FAILED failed"
	fi
	[ "$FAILED" -eq 0 ]
}
deb_cleanup() {
	for n in $NAMES; do docker rm -f "$n" > /dev/null 2>&1; done
	dockerd_down
	cleanup
}
trap deb_cleanup EXIT
trap 'exit 1' INT TERM HUP
t_start=$(date +%s)

# --- 1. the packages -----------------------------------------------------------
for arch in ${DEB_ARCHS:-amd64 arm64 armhf}; do
	deb=$TOP/$B/immich-jobs-proxy_${VERSION}_$arch.deb
	t0=$(date +%s)
	B=$B sh "$TOP/debian/make-deb.sh" "$arch" > "$T/make-deb.log" 2>&1
	rc=$?
	if [ "$rc" = 3 ]; then
		sed 's/^/# /' "$T/make-deb.log"
		echo "# skipped, not passed: the $arch package"
		SKIPPED=$((SKIPPED + 1))
		continue
	fi
	[ "$rc" = 0 ] || sed 's/^/# /' "$T/make-deb.log"
	check "make deb ARCH=$arch ($(($(date +%s) - t0)) s)" [ "$rc" = 0 ] || continue
	lintian --fail-on error,warning --display-info --pedantic "$deb" > "$T/lintian" 2>&1
	rc=$?
	grep -v 'running with root privileges' "$T/lintian" | sed 's/^/# lintian: /'
	check "$arch: lintian, no error or warning (exit $rc)" [ "$rc" = 0 ]
	check "$arch: no lintian tag at all but the overridden ones" \
	    sh -c "! grep -q '^[EWIP]:' '$T/lintian'"
	dpkg-deb -f "$deb" Architecture Depends > "$T/fields"
	check "$arch: Architecture: $arch" grep -qx "Architecture: $arch" "$T/fields"
	for p in lighttpd libcurl4 libjson-c5 libc6; do
		check "$arch: depends on the archive's $p" grep -qE "^Depends:.* $p( |,|\$)" "$T/fields"
	done
	dpkg-deb -c "$deb" | awk '{ print $NF == "->" ? $(NF-2) : ($(NF-1) == "->" ? $(NF-2) : $NF) }' > "$T/files"
	for f in ./lib/systemd/system/immich-jobs-proxy.service \
	    ./usr/share/man/man8/immich-jobs-proxy.8.gz ./usr/share/man/man8/immich-jobs.8.gz \
	    ./usr/bin/immich-jobs-proxy ./usr/bin/immich-jobs \
	    ./usr/libexec/immich-jobs-proxy/immich-jobs \
	    ./usr/libexec/immich-jobs-proxy/immich-jobs-full \
	    ./usr/libexec/immich-jobs-proxy/immich-jobs-fetch.so; do
		check "$arch: ships ${f#.}" grep -qx "$f" "$T/files"
	done
	dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles > "$T/conffiles" 2> /dev/null
	for f in /etc/immich-jobs-proxy/env /etc/immich-jobs-proxy/lighttpd.conf; do
		check "$arch: $f is a conffile" grep -qx "$f" "$T/conffiles"
	done
	check "$arch: no key file in the package" sh -c "! grep -q 'api-key\$' '$T/files'"
	rm -rf "$T/x" && dpkg-deb -x "$deb" "$T/x"
	case $arch in amd64) m=X86-64 ;; arm64) m=AArch64 ;; armhf) m=ARM ;; esac
	for f in immich-jobs immich-jobs-full immich-jobs-fetch.so; do
		check "$arch: $f is an $m binary" sh -c \
		    "readelf -h '$T/x/usr/libexec/immich-jobs-proxy/$f' | grep -q 'Machine: *.*$m'"
	done
	check "$arch: the unit starts the packaged wrapper" grep -qx \
	    "ExecStart=/usr/bin/immich-jobs-proxy /etc/immich-jobs-proxy/lighttpd.conf" \
	    "$T/x/lib/systemd/system/immich-jobs-proxy.service"
	[ "$arch" = amd64 ] && cp -r "$T/x" "$T/x-amd64"
	[ "$arch" = arm64 ] && cp -r "$T/x" "$T/x-arm64"
done

# --- 2. the arm64 CGI under qemu --------------------------------------------------------
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
SR=$TOP/$B/cross-arm64/sysroot
# The full program alone (it answers every request), and the front, which
# execs it, when binfmt_misc runs ARM programs here (make check-cross
# registers it): qemu's -L does not reach an exec'd program, its
# QEMU_LD_PREFIX does.
if [ -x "$T/x-arm64/usr/libexec/immich-jobs-proxy/immich-jobs" ]; then
	for prog in immich-jobs-full immich-jobs; do
		if [ $prog = immich-jobs ] &&
		    [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
			echo "# the arm64 front not run: no binfmt_misc handler for arm64 here"
			continue
		fi
		env -i PATH=/usr/bin:/bin IMMICH_URL="$FAKE_URL" IMMICH_JOBS_API_KEY="$KEY" \
		    IMMICH_JOBS_CACHE_TTL=0 QEMU_LD_PREFIX="$SR" qemu-aarch64-static \
		    "$T/x-arm64/usr/libexec/immich-jobs-proxy/$prog" > "$T/body" 2> "$T/stderr"
		check "arm64: the packaged $prog answers the totals under qemu" \
		    [ "$(json '[j["active"], j["waiting"]]')" = "[16, 2960]" ]
	done
fi

# --- 3. in a fresh Debian 12 container ----------------------------------------------------
# The unit's command line as systemd would run it: EnvironmentFile=, the
# key copied to a credentials directory only the service's user reads (%d),
# RUNTIME_DIRECTORY, a user of its own (DynamicUser=), lighttpd from the
# archive.  Copied into the container as /tmp/unit-run.sh.
cat > "$T/unit-run.sh" <<'EOF'
set -eu
unit=/lib/systemd/system/immich-jobs-proxy.service
uid=61234
cmd=$(sed -n 's/^ExecStart=//p' "$unit")
envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
cred=$(sed -n 's/^LoadCredential=api-key://p' "$unit")
keyvar=$(sed -n 's/^Environment=\(IMMICH_JOBS_API_KEY_FILE\)=%d\/api-key$/\1/p' "$unit")
rundir=/run/$(sed -n 's/^RuntimeDirectory=//p' "$unit")
d=/run/credentials/immich-jobs-proxy.service
mkdir -p "$d" "$rundir"
install -m 0400 -o "$uid" "$cred" "$d/api-key"
chown "$uid" "$d" "$rundir" && chmod 0700 "$d" "$rundir"
set -a
. "$envfile"
set +a
export "$keyvar=$d/api-key" RUNTIME_DIRECTORY="$rundir"
exec setpriv --reuid="$uid" --regid="$uid" --clear-groups $cmd
EOF
# The container has no ps or pidof: lighttpd's pids from /proc.
LIGHTTPD_PIDS='for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = lighttpd ] && echo ${p#/proc/}; done'
in_c() { docker exec "$NAME" sh -c "$1"; }

# in_container ARCH IMAGE PLATFORM FULL: install ARCH's package in a
# container of IMAGE (PLATFORM: docker's name of ARCH, "" for this
# machine's), on the host's network (the fake Immich is on its loopback),
# where no service starts (policy-rc.d), so nothing binds a port but ours;
# FULL=yes also reinstalls and purges it.
in_container() {
	arch=$1 image=$2 platform=$3 full=$4
	deb=immich-jobs-proxy_${VERSION}_$arch.deb
	NAME=ijp-deb-$$-$arch
	NAMES="$NAMES $NAME"
	t0=$(date +%s)
	docker run -d --name "$NAME" ${platform:+--platform "$platform"} --network host \
	    "$image" sleep 900 > /dev/null || { fail "$arch: docker run $image"; return; }
	docker cp "$TOP/$B/$deb" "$NAME:/tmp/$deb"
	docker cp "$T/unit-run.sh" "$NAME:/tmp/unit-run.sh"
	in_c 'rm -f /etc/dpkg/dpkg.cfg.d/docker &&
	    printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d &&
	    chmod 0644 /tmp/*.deb'
	# One index a syncing mirror refuses need not stop it (see APT_GET in
	# the Makefile): the install says whether what is needed could be had.
	in_c "cd /tmp && { apt-get update -qq || echo 'apt-get update failed; installing from the lists it has'; } &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./$deb" > "$T/apt.log" 2>&1
	rc=$?
	[ "$rc" = 0 ] || tail -n 20 "$T/apt.log" | sed 's/^/# /'
	check "$arch: apt-get install ./$deb in a fresh $image ($(($(date +%s) - t0)) s)" [ "$rc" = 0 ] ||
	    return
	check "$arch: ... pulls lighttpd, libcurl4 and libjson-c5 from the archive" in_c \
	    'dpkg-query -W -f="\${Status}\n" lighttpd libcurl4 libjson-c5 | grep -c "install ok installed" | grep -qx 3'
	check "$arch: the man page is in place" in_c \
	    'test -f /usr/share/man/man8/immich-jobs-proxy.8.gz && test -e /usr/share/man/man8/immich-jobs.8.gz'
	check "$arch: the unit is in place and enabled" in_c \
	    'test -f /lib/systemd/system/immich-jobs-proxy.service &&
	     test -L /etc/systemd/system/multi-user.target.wants/immich-jobs-proxy.service'
	check "$arch: the key file: root's, mode 0600, empty" \
	    [ "$(in_c 'stat -c %U:%a:%s /etc/immich-jobs-proxy/api-key')" = root:600:0 ]
	check "$arch: the settings file to fill in names IMMICH_URL" in_c \
	    'grep -q "^#IMMICH_URL=" /etc/immich-jobs-proxy/env'
	check "$arch: immich-jobs-proxy --version" \
	    [ "$(in_c 'immich-jobs-proxy --version')" = "immich-jobs-proxy $VERSION" ]

	# Filled in as docs/install.md says, then started as the unit would be.
	port=$(free_port)
	in_c "printf 'IMMICH_URL=$FAKE_URL\nIMMICH_JOBS_PORT=$port\n' >> /etc/immich-jobs-proxy/env &&
	    printf '%s\n' '$KEY' > /etc/immich-jobs-proxy/api-key"
	docker exec -d "$NAME" sh -c 'sh /tmp/unit-run.sh > /tmp/service.log 2>&1'
	HTTP_URL=http://127.0.0.1:$port
	wait_http "$HTTP_URL/healthz" 60
	http GET /
	check "$arch: the unit's command answers GET / with the fake's totals" \
	    [ "$STATUS:$(json '[j["active"], j["waiting"], j["queues"]]')" = "200:[16, 2960, 19]" ]
	http GET /healthz
	check "$arch: ... /healthz 200" [ "$STATUS" = 200 ]
	http GET /metrics
	check "$arch: ... /metrics says Immich is up" grep -qx 'immich_jobs_up 1' "$T/body"
	check "$arch: ... the key reached Immich in x-api-key" grep -qF "$KEY" "$T/fake.log"
	check "$arch: ... lighttpd runs as the service's own user" \
	    [ "$(in_c "for p in \$($LIGHTTPD_PIDS); do stat -c %u /proc/\$p; done" | sort -u)" = 61234 ]
	in_c 'cat /tmp/service.log' > "$T/service.log" 2>&1
	sed "s/^/# $arch service: /" "$T/service.log"
	check "$arch: ... its log holds no key" sh -c "! grep -qF '$KEY' '$T/service.log'"
	if [ "$full" = yes ]; then
		# An upgrade (here: the same package again) keeps what the user
		# filled in; purge takes the key with it.
		in_c "kill \$($LIGHTTPD_PIDS) 2>/dev/null; cd /tmp &&
		    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall ./$deb" \
		    > "$T/reinstall.log" 2>&1
		rc=$?
		[ "$rc" = 0 ] || tail -n 10 "$T/reinstall.log" | sed 's/^/# /'
		check "$arch: apt-get install --reinstall: exit 0 (got $rc)" [ "$rc" = 0 ]
		check "$arch: ... keeps the key (root's, 0600) and the settings" sh -c \
		    "[ \"\$(docker exec '$NAME' stat -c %U:%a /etc/immich-jobs-proxy/api-key)\" = root:600 ] &&
		     docker exec '$NAME' grep -qxF '$KEY' /etc/immich-jobs-proxy/api-key &&
		     docker exec '$NAME' grep -qx 'IMMICH_JOBS_PORT=$port' /etc/immich-jobs-proxy/env"
		in_c "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq immich-jobs-proxy" \
		    > "$T/purge.log" 2>&1
		rc=$?
		[ "$rc" = 0 ] || tail -n 10 "$T/purge.log" | sed 's/^/# /'
		check "$arch: apt-get purge: exit 0, /etc/immich-jobs-proxy gone with the key" \
		    sh -c "[ $rc = 0 ] && docker exec '$NAME' sh -c '! test -e /etc/immich-jobs-proxy'"
	fi
	docker rm -f "$NAME" > /dev/null 2>&1
}

[ -f "$TOP/$B/immich-jobs-proxy_${VERSION}_amd64.deb" ] ||
    { fail "no amd64 package to install"; summary; exit 1; }
dockerd_up "$TOP/$B/deb/dockerd.log" || { fail "a Docker engine answers"; summary; exit 1; }
docker image inspect "$BASE" > /dev/null 2>&1 ||
    sh "$TOP/checks/image-base.sh" "$BASE" "$TOP/$B/image" > "$T/base.log" 2>&1 ||
    sed 's/^/# /' "$T/base.log"
docker image inspect "$BASE" > /dev/null 2>&1 || { fail "base image $BASE"; summary; exit 1; }
in_container amd64 "$BASE" "" yes
# arm64, what a current Raspberry Pi runs, every program under qemu, on
# asking (DEB_ARM64_INSTALL=1): apt under qemu takes about 8 minutes here,
# too long for CI, which runs the arm64 CGI under qemu above instead.  In
# the arm64 Debian that make check-image ARCH=arm64 made; not made here.
if [ "${DEB_ARM64_INSTALL:-}" != 1 ]; then
	echo "# the arm64 package's install under qemu not run (about 8 min): DEB_ARM64_INSTALL=1 runs it"
elif [ -f "$TOP/$B/immich-jobs-proxy_${VERSION}_arm64.deb" ] &&
    docker image inspect "$BASE_ARM64" > /dev/null 2>&1; then
	in_container arm64 "$BASE_ARM64" linux/arm64 no
else
	fail "arm64: an arm64 package and the $BASE_ARM64 image (make check-image ARCH=arm64 makes it)"
fi
echo "# check-deb took $(($(date +%s) - t_start)) s"
summary
