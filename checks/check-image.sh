#!/bin/sh
# checks/check-image.sh - `make check-image`: build the Dockerfile that ships
# and run the image the way the README says, against the repo's fake Immich.
#
#   1. A Docker engine: Debian's docker.io is installed when there is no
#      dockerd, and dockerd is started (default settings) when none answers;
#      one this script started is stopped at the end.
#   2. The base image the Dockerfile's FROM names: used when present, pulled
#      when a registry answers, otherwise made by checks/image-base.sh
#      (debootstrap + docker import; the tarball stays in build/image/).
#   3. docker build; the image's user, port, health check and packages.
#   4. The container on the host's network namespace, so that it reaches the
#      fake Immich on 127.0.0.1 (nothing leaves loopback), on a free port
#      (IMMICH_JOBS_PORT): read-only root
#      filesystem, /tmp on a tmpfs, every capability dropped, the key as a
#      file mounted the way compose mounts a secret: GET /, /healthz,
#      /metrics, IPv6, health status, uid, cache on the tmpfs, docker stop time,
#      the key's copy for uid 10001, the key in no log, argv or environment;
#      a key file root cannot read either and a key Immich refuses make the
#      container unhealthy.
#   5. docker-compose.yml as written (`compose config`, `compose run`) on a
#      network of its own, where a fake Immich (the image's own lighttpd
#      serving a fixture) answers as immich-server:2283.
#   6. contrib/compose/same-host.yml and other-machine.yml as written
#      (`compose up`), through the port they publish on the host.
# ARCH (arm64, armhf: a Raspberry Pi's) builds and runs the image for that
# architecture, every program in it run by qemu-user through binfmt_misc
# (qemu-user-static), with the same checks: the build stage starts from
# that architecture's Debian, made by checks/image-base.sh.
# Prints TAP-style "ok - ..." / "not ok - ..." and "N passed, N failed".
# Needs root (as CI runs it) unless a Docker engine and the base image are
# already there.  Everything it starts (containers, network, dockerd, the
# fakes) it stops and removes; it keeps the images for the next run.
. "$(dirname "$0")/../tests/lib.sh"
. "$(dirname "$0")/dockerd.sh"

NATIVE=$(dpkg --print-architecture)
ARCH=${ARCH:-$NATIVE}
case $ARCH in
"$NATIVE") PLATFORM="" QEMU="" ;;
arm64) PLATFORM=linux/arm64 QEMU=aarch64 ;;
armhf) PLATFORM=linux/arm/v7 QEMU=arm ;;
*) echo "usage: make check-image [ARCH=arm64|armhf]" >&2; exit 2 ;;
esac
IMAGE=${IMAGE:-immich-jobs-proxy:check${PLATFORM:+-$ARCH}}
CACHE=$TOP/build/image
NAME=ijp-check-$$
SECRET=/run/secrets/immich_jobs_api_key
FIX_TOTALS="16:2960:9:19"	# active:waiting:failed:queues of jobs-newest.json
MAX_SIZE_MB=${MAX_SIZE_MB:-30}
PASSED=0
CONTAINERS=""
NETWORKS=""
PROJECTS=""	# compose projects started, as NAME:FILE
compose=docker-compose
LATEST=immich-jobs-proxy:latest	# the image docker-compose.yml names
LATEST_WAS="" LATEST_TAGGED=""

pass() { ok "$*"; PASSED=$((PASSED + 1)); }
check() {
	desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; return 1; fi
}
summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
# stop DESCRIPTION: a check that failed and makes the rest meaningless.
stop() {
	fail "$1"
	summary
	exit 1
}

image_cleanup() {
	for c in $CONTAINERS; do docker rm -f "$c" > /dev/null 2>&1; done
	for p in $PROJECTS; do
		(cd "$T/compose" && IMMICH_URL=unused $compose -p "${p%%:*}" -f "${p#*:}" down) \
		    > /dev/null 2>&1
	done
	for n in $NETWORKS; do docker network rm "$n" > /dev/null 2>&1; done
	# compose's image name: given back to the image that had it, if any.
	if [ -n "$LATEST_WAS" ]; then
		docker tag "$LATEST_WAS" "$LATEST" > /dev/null 2>&1
	elif [ -n "$LATEST_TAGGED" ]; then
		docker rmi "$LATEST" > /dev/null 2>&1
	fi
	dockerd_down
	cleanup
}
trap image_cleanup EXIT
trap 'exit 1' INT TERM HUP

ms() { echo $(($(date +%s%N) / 1000000)); }
t_start=$(ms)

# --- 1. the engine -----------------------------------------------------------
apt_get() {
	if [ "$(id -u)" != 0 ]; then
		echo "# not root: run as root, or apt-get install -y $*" >&2
		return 1
	fi
	echo "# installing $*"
	# An index that fails to update (another architecture's, mid-sync)
	# need not stop the install: apt says so, and install decides.
	apt-get -o DPkg::Lock::Timeout=900 update -qq > "$T/apt.log" 2>&1 ||
	    sed 's/^/# /' "$T/apt.log"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 \
	    install -y -qq --no-install-recommends "$@" > "$T/apt.log" 2>&1 ||
	    { tail -n 20 "$T/apt.log" >&2; return 1; }
}

missing=""
docker info > /dev/null 2>&1 || command -v dockerd > /dev/null || missing="docker.io"
command -v docker-compose > /dev/null || docker compose version > /dev/null 2>&1 ||
    missing="$missing docker-compose"
[ -z "$QEMU" ] || [ -e "/usr/lib/binfmt.d/qemu-$QEMU.conf" ] || missing="$missing qemu-user-static"
[ -z "$missing" ] || apt_get $missing || stop "install $missing"

docker info > /dev/null 2>&1 || [ "$(id -u)" = 0 ] ||
    stop "no Docker engine answers and only root may start one"
dockerd_up "$CACHE/dockerd.log"
docker info > /dev/null 2>&1 || stop "a Docker engine answers (see build/image/dockerd.log)"
pass "a Docker engine answers ($(docker version -f '{{.Server.Version}}' 2>/dev/null))"

# BuildKit: through the buildx plugin when the docker client has it, else
# through a client that still carries it (docker.io's own, before 23),
# else the engine's classic builder.
BUILD_CLI=docker
export DOCKER_BUILDKIT=1
if ! docker buildx version > /dev/null 2>&1; then
	BUILD_CLI=""
	for c in docker /usr/bin/docker; do
		case $("$c" version -f '{{.Client.Version}}' 2>/dev/null) in
		1[0-9].* | 2[0-2].*) BUILD_CLI=$c; break ;;
		esac
	done
	[ -n "$BUILD_CLI" ] || { BUILD_CLI=docker; DOCKER_BUILDKIT=0; }
fi

# Another architecture's programs: qemu-user-static's handler, registered
# with the F flag (qemu opened at once), so that it works in containers.
if [ -n "$QEMU" ]; then
	handler=/proc/sys/fs/binfmt_misc/qemu-$QEMU
	if ! grep -qx enabled "$handler" 2>/dev/null && [ "$(id -u)" = 0 ]; then
		[ -e /proc/sys/fs/binfmt_misc/register ] ||
		    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
		[ -e "$handler" ] ||
		    cat "/usr/lib/binfmt.d/qemu-$QEMU.conf" > /proc/sys/fs/binfmt_misc/register
		[ -e "$handler" ] && echo 1 > "$handler"
	fi
	grep -qx enabled "$handler" 2>/dev/null ||
	    stop "the kernel runs $ARCH programs (qemu-user-static's handler in /proc/sys/fs/binfmt_misc)"
	pass "the kernel runs $ARCH programs (qemu-$QEMU through binfmt_misc)"
fi

# --- 2. the base image -----------------------------------------------------
# The build stage's (the image itself starts FROM scratch): for another
# architecture, a name of its own, since this engine keeps one image per
# name.
base=$(sed -n 's/^ARG BASE=//p' "$TOP/Dockerfile")
[ -z "$PLATFORM" ] || base=immich-jobs-proxy-base-$ARCH:bookworm
if docker image inspect "$base" > /dev/null 2>&1; then
	how="present"
elif [ -z "$PLATFORM" ] && timeout 60 docker pull -q "$base" > "$T/pull.log" 2>&1; then
	how="pulled"
else
	[ -n "$PLATFORM" ] || echo "# no registry gives $base: $(tail -n 1 "$T/pull.log")"
	sh "$TOP/checks/image-base.sh" "$base" "$CACHE" "$ARCH" && how="made with debootstrap"
fi
docker image inspect "$base" > /dev/null 2>&1 || stop "base image $base"
pass "base image $base ($how)"

# --- 3. the image ------------------------------------------------------------
t0=$(ms)
old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null)
if ! "$BUILD_CLI" build ${PLATFORM:+--platform "$PLATFORM" --build-arg BASE="$base"} \
    -t "$IMAGE" "$TOP" > "$T/build.log" 2>&1; then
	tail -n 30 "$T/build.log" | sed 's/^/# /'
	stop "docker build"
fi
pass "docker build -t $IMAGE . ($(( ($(ms) - t0) / 1000 )) s, BuildKit: $([ "$DOCKER_BUILDKIT" = 1 ] && echo yes || echo no))"

# The previous build, unless something else still names or uses it.
[ -z "$old_id" ] || [ "$old_id" = "$(docker image inspect -f '{{.Id}}' "$IMAGE")" ] ||
    docker rmi "$old_id" > /dev/null 2>&1

inspect() { docker image inspect -f "$1" "$IMAGE"; }
size=$(inspect '{{.Size}}')
echo "# image size: $((size / 1000000)) MB ($size bytes)"
check "image is under $MAX_SIZE_MB MB ($((size / 1000000)) MB)" [ "$size" -lt $((MAX_SIZE_MB * 1000000)) ]
# Root only until the entrypoint has read the key file: it drops to 10001.
check "image starts as root, through the entrypoint that drops to uid 10001" \
    [ "$(inspect '{{.Config.User}}|{{json .Config.Entrypoint}}')" = '|["/usr/local/libexec/immich-jobs-proxy/docker-entrypoint"]' ]
check "image is for $ARCH ($(inspect '{{.Os}}/{{.Architecture}}{{with .Variant}}/{{.}}{{end}}'))" \
    [ "$(inspect '{{.Architecture}}')" = "$(echo "${PLATFORM:-linux/$(docker version -f '{{.Server.Arch}}')}" | cut -d/ -f2)" ]
check "image exposes 8085/tcp" [ "$(inspect '{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}')" = "8085/tcp " ]
check "HEALTHCHECK asks /healthz (the entrypoint's --healthcheck)" sh -c "docker image inspect -f '{{json .Config.Healthcheck.Test}}' '$IMAGE' | grep -q docker-entrypoint.*--healthcheck && grep -q '/healthz\"\$' '$TOP/contrib/docker/entrypoint.sh'"
docker run --rm --entrypoint /usr/bin/busybox "$IMAGE" find / -xdev \( -type f -o -type l \) \
    > "$T/files" 2>&1
for f in /usr/sbin/lighttpd /usr/lib/lighttpd/mod_cgi.so /etc/ssl/certs/ca-certificates.crt \
    /usr/local/libexec/immich-jobs-proxy/immich-jobs \
    /usr/local/libexec/immich-jobs-proxy/immich-jobs-full \
    /usr/local/libexec/immich-jobs-proxy/immich-jobs-fetch.so; do
	check "image has $f" grep -qx "$f" "$T/files"
done
for l in libcurl.so.4 libjson-c.so.5; do
	check "image has $l" grep -q "/$l\$" "$T/files"
done
check "image has no package manager, compiler, bash or -dev file" \
    sh -c "! grep -E '/(dpkg|apt-get|gcc|cc|make|ld|bash|perl)\$|\\.h\$|/include/' '$T/files'"

# --- 4. the container --------------------------------------------------------
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
# On the host's network the container listens where nothing else does.
PORT=$(free_port)
# The key file as compose mounts a secret: owned by root, mode 0600.
printf '%s\n' "$KEY" > "$T/key"
chown 0 "$T/key" && chmod 0600 "$T/key"

# run NAME [docker run options]: start the image on the host's network.
run() {
	n=$1; shift
	CONTAINERS="$CONTAINERS $n"
	docker run -d --name "$n" --network host --read-only \
	    --tmpfs /tmp:size=1m,mode=1777 --cap-drop ALL \
	    --cap-add SETUID --cap-add SETGID \
	    --security-opt no-new-privileges --health-interval 1s \
	    -e IMMICH_URL="$FAKE_URL" "$@" "$IMAGE" > "$T/run.log" 2>&1 ||
	    sed 's/^/# /' "$T/run.log"
}
# listening NAME [HOST]: lighttpd in container NAME accepts connections on
# HOST (127.0.0.1), port $PORT (30 s at most).
listening() {
	i=0
	while ! "$PY" -c "import socket; socket.create_connection(('${2:-127.0.0.1}', $PORT), 1)" 2>/dev/null; do
		[ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] || return 1
		sleep 0.1; i=$((i + 1))
		[ $i -lt 300 ] || return 1
	done
}
# health NAME STATUS: the container's health status becomes STATUS.  100 s
# at most: the image's own interval (30 s, compose keeps it) twice over,
# with room for a slow first check on a busy machine.
health() {
	i=0
	while [ "$(docker inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null)" != "$2" ]; do
		sleep 0.2; i=$((i + 1))
		[ $i -lt 500 ] || return 1
	done
}

run "$NAME" -e IMMICH_JOBS_PORT="$PORT" -e IMMICH_JOBS_API_KEY_FILE="$SECRET" \
    -e IMMICH_JOBS_CACHE_TTL=300 -v "$T/key:$SECRET:ro"
listening "$NAME" || { docker logs "$NAME" 2>&1 | sed 's/^/# /'; stop "the container listens on $PORT"; }
pass "the container listens on $PORT"
HTTP_URL=http://127.0.0.1:$PORT LPORT=$PORT

http GET /
totals=$(json '"%s:%s:%s:%s" % (j["active"], j["waiting"], j["failed"], j["queues"])' | tr -d '"')
check "GET / answers 200 with the totals (got $STATUS $totals)" [ "$STATUS:$totals" = "200:$FIX_TOTALS" ]
check "the fake Immich got the key from the mounted file" grep -qF "\"$KEY\"" "$T/fake.log"
http GET /
check "a second GET / is a cache hit (X-Cache: $(header X-Cache))" [ "$STATUS:$(header X-Cache)" = 200:hit ]
check "Immich was asked once" [ "$(fake_requests /api/jobs)" = 1 ]
# (docker exec as uid 10001, with busybox's applets)
dexec() { docker exec -u 10001 "$@"; }
check "/tmp is a tmpfs" [ "$(dexec "$NAME" busybox awk '$2 == "/tmp" { print $3 }' /proc/mounts)" = tmpfs ]
check "the cache is kept in /tmp/immich-jobs-proxy" \
    [ "$(dexec "$NAME" busybox sh -c 'ls /tmp/immich-jobs-proxy | grep -vc "\.lock$"')" -ge 1 ]
http GET /healthz
check "GET /healthz answers 200 {\"status\":\"ok\"}" [ "$STATUS:$(json 'j["status"]')" = '200:"ok"' ]
HTTP_URL="http://[::1]:$PORT" http GET /healthz
check "GET http://[::1]:$PORT/healthz answers 200 too (IPv6)" [ "$STATUS:$(json 'j["status"]')" = '200:"ok"' ]
http GET /metrics
check "GET /metrics answers 200 with immich_jobs_up 1" \
    sh -c "[ '$STATUS' = 200 ] && grep -qx 'immich_jobs_up 1' '$T/body'"
check "health status becomes healthy" health "$NAME" healthy
# The health check's own process is root's for an instant (setpriv, or the
# entrypoint before it): not the service's.
docker top "$NAME" -eo uid,pid,comm 2>&1 | tail -n +2 |
    grep -v -e ' setpriv$' -e ' docker-entrypoi' > "$T/top"
check "every process of the service runs as uid 10001 ($(tr -s ' \n' ' ' < "$T/top"))" \
    sh -c "grep -q ' lighttpd\$' '$T/top' && ! grep -qv '^ *10001 ' '$T/top'"
check "the key file (root's, 0600) was handed to uid 10001 alone: 700 10001 ($(dexec "$NAME" busybox stat -c '%a %u' /dev/shm/immich-jobs-proxy))" \
    [ "$(dexec "$NAME" busybox stat -c '%a %u' /dev/shm/immich-jobs-proxy)" = "700 10001" ]
check "... which root in the container cannot read (no capability)" \
    sh -c "! docker exec '$NAME' busybox ls /dev/shm/immich-jobs-proxy > /dev/null 2>&1"
# Every process's arguments and environment, as uid 10001 reads them
# (lighttpd's: the CGI makes itself unreadable).
dexec "$NAME" busybox sh -c 'cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null' |
    tr '\0' '\n' > "$T/procs"
check "lighttpd's environment names the copy of the key file" \
    grep -q "^IMMICH_JOBS_API_KEY_FILE=/dev/shm/immich-jobs-proxy/" "$T/procs"
check "the key is in no process's arguments or environment" sh -c "! grep -qF -- '$KEY' '$T/procs'"
check "the root filesystem is read-only" [ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$NAME")" = true ]
check "nothing can write outside /tmp" \
    dexec "$NAME" sh -c '{ ! echo > /usr/local/x && ! echo > /x && echo > /tmp/x; } 2> /dev/null'
# (docker diff lists the secret's mount point, /run/secrets/...)
check "the container changed no file of the image (docker diff)" \
    [ -z "$(docker diff "$NAME" | grep -v -e '^C /run$' -e '^A /run/secrets')" ]
t0=$(ms)
docker stop -t 10 "$NAME" > /dev/null
stop_ms=$(( $(ms) - t0 ))
check "docker stop takes under 2 s (${stop_ms} ms)" [ "$stop_ms" -lt 2000 ]
rc=$(docker inspect -f '{{.State.ExitCode}}' "$NAME")
check "lighttpd exits 0 on docker stop (got $rc)" [ "$rc" = 0 ]
docker logs "$NAME" > "$T/docker-logs" 2>&1
check "docker logs hold lighttpd's start-up line" grep -q 'server started' "$T/docker-logs"
check "the key is not in docker logs" sh -c "! grep -qF -- '$KEY' '$T/docker-logs'"
check "the key is not in the container's configuration" \
    sh -c "! docker inspect '$NAME' | grep -qF -- '$KEY'"
docker rm "$NAME" > /dev/null

# A key file nobody in the container may read: another user's, mode 0600,
# with every capability dropped but the two the entrypoint's drop to uid
# 10001 needs: the service says so, at start and in /healthz, and the
# container is unhealthy.
chown 4242 "$T/key" && chmod 0600 "$T/key"
run "$NAME-unreadable" -e IMMICH_JOBS_PORT="$PORT" -e IMMICH_JOBS_API_KEY_FILE="$SECRET" -v "$T/key:$SECRET:ro"
listening "$NAME-unreadable"
http GET /healthz
check "a key file root in the container cannot read either: /healthz 500 names IMMICH_JOBS_API_KEY_FILE" \
    sh -c "[ '$STATUS' = 500 ] && grep -q IMMICH_JOBS_API_KEY_FILE '$T/body'"
check "... and the container becomes unhealthy" health "$NAME-unreadable" unhealthy
docker logs "$NAME-unreadable" > "$T/docker-logs" 2>&1
check "... and docker logs say why" grep -q IMMICH_JOBS_API_KEY_FILE "$T/docker-logs"
check "... without the key" sh -c "! grep -qF -- '$KEY' '$T/docker-logs'"
docker rm -f "$NAME-unreadable" > /dev/null

# A key Immich refuses: the container turns unhealthy (it cannot work until
# someone acts), from what the last call to Immich met.
chown 0 "$T/key" && chmod 0600 "$T/key"
spec '{"/api/jobs": {"status": 401, "body_file": "'"$FIX"'/error-401-invalid-key.json"}}'
run "$NAME-refused" -e IMMICH_JOBS_PORT="$PORT" -e IMMICH_JOBS_API_KEY_FILE="$SECRET" \
    -e IMMICH_JOBS_CACHE_TTL=1 -v "$T/key:$SECRET:ro"
listening "$NAME-refused"
# A dashboard polling / and /metrics, each poll calling Immich again.
for i in 1 2 3 4; do
	http GET /metrics
	http GET /
	sleep 1.1
done
http GET /healthz
check "a key Immich refuses: /healthz answers 502 with Immich's reason (got $STATUS)" \
    sh -c "[ '$STATUS' = 502 ] && grep -q 'Immich rejected the API key' '$T/body'"
check "... and the container becomes unhealthy" health "$NAME-refused" unhealthy
docker logs "$NAME-refused" > "$T/docker-logs" 2>&1
check "... and docker logs say so once in 4 polls ($(grep -c Immich "$T/docker-logs") lines), never as a 502" \
    sh -c "[ \$(grep -c 'Immich' '$T/docker-logs') = 1 ] && grep -q 'Immich fails since .*Immich rejected the API key' '$T/docker-logs' && ! grep -q '502' '$T/docker-logs'"
docker rm -f "$NAME-refused" > /dev/null

# --- 5. docker-compose.yml ---------------------------------------------------
# As the README says: a copy of the file with the key file beside it, on
# "Immich's network" (one made here, IMMICH_NETWORK) where a fake Immich
# answers as immich-server:2283: lighttpd of the image itself serving the
# fixture.  `compose run` starts the service as written but publishes no
# port; the check talks to the container's own address on that network.
check "the key file's name is in .gitignore and .dockerignore" \
    sh -c "grep -qx immich_jobs_api_key.txt '$TOP/.gitignore' && grep -qx immich_jobs_api_key.txt '$TOP/.dockerignore'"
command -v docker-compose > /dev/null || compose="docker compose"
mkdir -p "$T/compose"
cp "$TOP/docker-compose.yml" "$T/compose/"
# As a user makes it, as root, without chown: root's, 0600.
printf '%s\n' "$KEY" > "$T/compose/immich_jobs_api_key.txt"
chown 0 "$T/compose/immich_jobs_api_key.txt" && chmod 0600 "$T/compose/immich_jobs_api_key.txt"
export IMMICH_NETWORK=$NAME
(cd "$T/compose" && $compose -p "ijpcheck$$" config -q) > "$T/compose.log" 2>&1
check "$compose config accepts docker-compose.yml" [ $? = 0 ]
sed 's/^/# /' "$T/compose.log"
docker network create "$IMMICH_NETWORK" > /dev/null && NETWORKS="$IMMICH_NETWORK"
printf '%s\n' 'server.port = 2283' 'server.document-root = "/srv"' \
    'mimetype.assign = ( "" => "application/json" )' > "$T/fake-immich.conf"
CONTAINERS="$CONTAINERS $NAME-immich"
docker run -d --name "$NAME-immich" --network "$IMMICH_NETWORK" \
    --network-alias immich-server --read-only --user 10001 \
    -v "$T/fake-immich.conf:/etc/fake-immich.conf:ro" \
    -v "$FIX/jobs-newest.json:/srv/api/jobs:ro" \
    --entrypoint lighttpd "$IMAGE" -D -f /etc/fake-immich.conf > /dev/null
LATEST_WAS=$(docker image inspect -f '{{.Id}}' "$LATEST" 2>/dev/null)
docker tag "$IMAGE" "$LATEST" && LATEST_TAGGED=1
CONTAINERS="$CONTAINERS $NAME-compose"
(cd "$T/compose" && $compose -p "ijpcheck$$" run -d --name "$NAME-compose" \
    immich-jobs-proxy) > "$T/compose.log" 2>&1 || sed 's/^/# /' "$T/compose.log"
PORT=8085	# the image's own, in the container's network namespace
ip=$(docker inspect -f "{{(index .NetworkSettings.Networks \"$IMMICH_NETWORK\").IPAddress}}" "$NAME-compose" 2>/dev/null)
listening "$NAME-compose" "$ip"
check "compose: the service listens on $ip:$PORT on Immich's network" [ $? = 0 ]
HTTP_URL=http://$ip:$PORT
http GET /
totals=$(json '"%s:%s:%s:%s" % (j["active"], j["waiting"], j["failed"], j["queues"])' | tr -d '"')
check "compose: GET / reaches immich-server:2283 and answers the totals (got $STATUS $totals)" \
    [ "$STATUS:$totals" = "200:$FIX_TOTALS" ]
check "compose: the container becomes healthy" health "$NAME-compose" healthy
docker top "$NAME-compose" -eo uid,pid,comm 2>&1 | tail -n +2 |
    grep -v -e ' setpriv$' -e ' docker-entrypoi' > "$T/top"
got="$(awk '{ print $1 }' "$T/top" | sort -u | tr -d ' \n') $(docker inspect -f '{{.HostConfig.ReadonlyRootfs}} {{range $k, $_ := .HostConfig.Tmpfs}}{{$k}}{{end}} {{.HostConfig.CapDrop}} {{.HostConfig.CapAdd}}' "$NAME-compose" | sed 's/CAP_//g')"
check "compose: lighttpd runs as uid 10001, read-only root, /tmp a tmpfs, no capability but SETUID and SETGID ($got)" \
    [ "$got" = "10001 true /tmp [ALL] [SETUID SETGID]" ]
docker logs "$NAME-compose" > "$T/docker-logs" 2>&1
check "compose: the key is not in docker logs" sh -c "! grep -qF -- '$KEY' '$T/docker-logs'"

# --- 6. the other recipes: Immich on this host, Immich on another machine -----
# Each as written, with `compose up` (ports published on the host), against
# a fake Immich (again the image's lighttpd) listening on this host's address
# on Docker's bridge: the address host.docker.internal resolves to, and, for
# the container, as good as another machine's.  Homepage's URL is the host's
# published port: 127.0.0.1 here.
gw=$(docker run --rm --add-host gw:host-gateway --entrypoint /usr/bin/busybox "$IMAGE" \
    awk '$2 == "gw" { print $1 }' /etc/hosts)
IPORT=$(free_port)
printf '%s\n' "server.port = $IPORT" "server.bind = \"$gw\"" 'server.document-root = "/srv"' \
    'mimetype.assign = ( "" => "application/json" )' > "$T/fake-host-immich.conf"
CONTAINERS="$CONTAINERS $NAME-host-immich"
docker run -d --name "$NAME-host-immich" --network host --read-only --user 10001 \
    -v "$T/fake-host-immich.conf:/etc/fake-immich.conf:ro" \
    -v "$FIX/jobs-newest.json:/srv/api/jobs:ro" \
    --entrypoint lighttpd "$IMAGE" -D -f /etc/fake-immich.conf > /dev/null
for recipe in same-host other-machine; do
	cp "$TOP/contrib/compose/$recipe.yml" "$T/compose/"
	project=ijp$recipe$$
	PROJECTS="$PROJECTS $project:$recipe.yml"
	PORT=$(free_port)
	(cd "$T/compose" && IMMICH_JOBS_HOST_PORT=$PORT IMMICH_PORT=$IPORT \
	    IMMICH_URL=http://$gw:$IPORT $compose -p "$project" -f "$recipe.yml" up -d) \
	    > "$T/compose.log" 2>&1 || sed 's/^/# /' "$T/compose.log"
	c=$(docker ps -q --filter "label=com.docker.compose.project=$project" | head -n 1)
	# Docker's proxy takes connections on the published port at once:
	# wait for an answer (60 s at most: lighttpd starts slowly under qemu).
	HTTP_URL=http://127.0.0.1:$PORT
	i=0
	while http GET /healthz && [ "$STATUS" != 200 ] && [ $i -lt 300 ]; do
		sleep 0.2; i=$((i + 1))
	done
	check "$recipe.yml: the service answers on the host's port $PORT" [ "$STATUS" = 200 ]
	http GET /
	totals=$(json '"%s:%s:%s:%s" % (j["active"], j["waiting"], j["failed"], j["queues"])' | tr -d '"')
	check "$recipe.yml: Homepage's URL, http://HOST:$PORT/, answers the totals (got $STATUS $totals)" \
	    [ "$STATUS:$totals" = "200:$FIX_TOTALS" ] || sed 's/^/# /' "$T/body"
	docker logs "$c" > "$T/docker-logs" 2>&1
	check "$recipe.yml: the key is not in docker logs" sh -c "! grep -qF -- '$KEY' '$T/docker-logs'"
	(cd "$T/compose" && IMMICH_URL=unused $compose -p "$project" -f "$recipe.yml" down) \
	    > /dev/null 2>&1
	check "$recipe.yml: compose down removes its container" \
	    [ -z "$(docker ps -aq --filter "label=com.docker.compose.project=$project")" ]
done

echo "# check-image took $(( ($(ms) - t_start) / 1000 )) s"
summary
