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
#      the key in no log; a key file uid 10001 cannot read is reported.
#   5. docker-compose.yml as written (`compose config`, `compose run`) on a
#      network of its own, where a fake Immich (the image's own lighttpd
#      serving a fixture) answers as immich-server:2283.
# Prints TAP-style "ok - ..." / "not ok - ..." and "N passed, N failed".
# Needs root (as CI runs it) unless a Docker engine and the base image are
# already there.  Everything it starts (containers, network, dockerd, the
# fakes) it stops and removes; it keeps the images for the next run.
. "$(dirname "$0")/../tests/lib.sh"

IMAGE=${IMAGE:-immich-jobs-proxy:check}
CACHE=$TOP/build/image
NAME=ijp-check-$$
SECRET=/run/secrets/immich_jobs_api_key
FIX_TOTALS="16:2960:9:19"	# active:waiting:failed:queues of jobs-newest.json
MAX_SIZE_MB=${MAX_SIZE_MB:-120}
PASSED=0
DOCKERD_PID=""
CONTAINERS=""
NETWORKS=""
LATEST=immich-jobs-proxy:latest	# the image docker-compose.yml names
LATEST_WAS="" LATEST_TAGGED=""

pass() { ok "$*"; PASSED=$((PASSED + 1)); }
check() {
	desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
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
	for n in $NETWORKS; do docker network rm "$n" > /dev/null 2>&1; done
	# compose's image name: given back to the image that had it, if any.
	if [ -n "$LATEST_WAS" ]; then
		docker tag "$LATEST_WAS" "$LATEST" > /dev/null 2>&1
	elif [ -n "$LATEST_TAGGED" ]; then
		docker rmi "$LATEST" > /dev/null 2>&1
	fi
	if [ -n "$DOCKERD_PID" ]; then
		echo "# stopping the dockerd this check started"
		kill "$DOCKERD_PID" 2> /dev/null
		i=0
		while kill -0 "$DOCKERD_PID" 2> /dev/null && [ $i -lt 300 ]; do
			sleep 0.1; i=$((i + 1))
		done
	fi
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
[ -z "$missing" ] || apt_get $missing || stop "install $missing"

if ! docker info > /dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || stop "no Docker engine answers and only root may start one"
	mkdir -p "$CACHE"
	echo "# starting dockerd (log: build/image/dockerd.log)"
	dockerd > "$CACHE/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	i=0
	while ! docker info > /dev/null 2>&1 && [ $i -lt 600 ]; do
		kill -0 "$DOCKERD_PID" 2> /dev/null || break
		sleep 0.1; i=$((i + 1))
	done
fi
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

# --- 2. the base image -----------------------------------------------------
for base in $(sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$TOP/Dockerfile" | sort -u); do
	if docker image inspect "$base" > /dev/null 2>&1; then
		how="present"
	elif timeout 60 docker pull -q "$base" > "$T/pull.log" 2>&1; then
		how="pulled"
	else
		echo "# no registry gives $base: $(tail -n 1 "$T/pull.log")"
		sh "$TOP/checks/image-base.sh" "$base" "$CACHE" && how="made with debootstrap"
	fi
	docker image inspect "$base" > /dev/null 2>&1 || stop "base image $base"
	pass "base image $base ($how)"
done

# --- 3. the image ------------------------------------------------------------
t0=$(ms)
old_id=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null)
if ! "$BUILD_CLI" build -t "$IMAGE" "$TOP" > "$T/build.log" 2>&1; then
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
check "image runs as 10001:10001" [ "$(inspect '{{.Config.User}}')" = 10001:10001 ]
check "image exposes 8085/tcp" [ "$(inspect '{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}')" = "8085/tcp " ]
check "HEALTHCHECK asks /healthz" sh -c "docker image inspect -f '{{json .Config.Healthcheck.Test}}' '$IMAGE' | grep -q /healthz"
docker run --rm --entrypoint dpkg-query "$IMAGE" -W -f '${Package}\n' > "$T/packages" 2>&1
for p in lighttpd libcurl4 libjson-c5 ca-certificates; do
	check "runtime image has $p" grep -qx "$p" "$T/packages"
done
check "runtime image has no compiler, make or -dev package" \
    sh -c "! grep -E '^(gcc|cpp|make|binutils|libc6-dev|.*-dev)\$' '$T/packages'"

# --- 4. the container --------------------------------------------------------
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
# On the host's network the container listens where nothing else does.
PORT=$(free_port)
# The key file as the README says to make it: owned by uid 10001, mode 0400.
printf '%s\n' "$KEY" > "$T/key"
chown 10001 "$T/key" 2> /dev/null && chmod 0400 "$T/key"

# run NAME [docker run options]: start the image on the host's network.
run() {
	n=$1; shift
	CONTAINERS="$CONTAINERS $n"
	docker run -d --name "$n" --network host --read-only \
	    --tmpfs /tmp:size=1m,mode=1777 --cap-drop ALL \
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
check "/tmp is a tmpfs" [ "$(docker exec "$NAME" awk '$2 == "/tmp" { print $3 }' /proc/mounts)" = tmpfs ]
check "the cache is kept in /tmp/immich-jobs-proxy" \
    [ "$(docker exec "$NAME" sh -c 'ls /tmp/immich-jobs-proxy | grep -vc "\.lock$"')" -ge 1 ]
http GET /healthz
check "GET /healthz answers 200 {\"status\":\"ok\"}" [ "$STATUS:$(json 'j["status"]')" = '200:"ok"' ]
HTTP_URL="http://[::1]:$PORT" http GET /healthz
check "GET http://[::1]:$PORT/healthz answers 200 too (IPv6)" [ "$STATUS:$(json 'j["status"]')" = '200:"ok"' ]
http GET /metrics
check "GET /metrics answers 200 with immich_jobs_up 1" \
    sh -c "[ '$STATUS' = 200 ] && grep -qx 'immich_jobs_up 1' '$T/body'"
check "health status becomes healthy" health "$NAME" healthy
docker top "$NAME" -eo uid,pid,comm > "$T/top" 2>&1
check "every process runs as uid 10001 ($(tail -n +2 "$T/top" | tr -s ' \n' ' '))" \
    sh -c "[ \$(tail -n +2 '$T/top' | wc -l) -ge 1 ] && ! tail -n +2 '$T/top' | grep -qv '^ *10001 '"
check "docker exec runs as uid 10001" [ "$(docker exec "$NAME" id -u)" = 10001 ]
check "the root filesystem is read-only" [ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$NAME")" = true ]
check "nothing can write outside /tmp" \
    docker exec "$NAME" sh -c '! touch /usr/local/x 2>/dev/null && ! touch /var/tmp/x 2>/dev/null && touch /tmp/x'
# (docker diff lists the secret's mount point, /run/secrets/...)
check "the container changed no file of the image (docker diff)" \
    [ -z "$(docker diff "$NAME" | grep -v -e '^C /run$' -e '^A /run/secrets')" ]
t0=$(ms)
docker stop -t 10 "$NAME" > /dev/null
stop_ms=$(( $(ms) - t0 ))
check "docker stop takes under 2 s (${stop_ms} ms)" [ "$stop_ms" -lt 2000 ]
check "lighttpd exits 0 on docker stop" [ "$(docker inspect -f '{{.State.ExitCode}}' "$NAME")" = 0 ]
docker logs "$NAME" > "$T/docker-logs" 2>&1
check "docker logs hold lighttpd's start-up line" grep -q 'server started' "$T/docker-logs"
check "the key is not in docker logs" sh -c "! grep -qF -- '$KEY' '$T/docker-logs'"
check "the key is not in the container's configuration" \
    sh -c "! docker inspect '$NAME' | grep -qF -- '$KEY'"
docker rm "$NAME" > /dev/null

# A key file only root can read (what compose gives without the chown):
# the service says so, at start and in /healthz, and the container is
# unhealthy.
chown 0 "$T/key" && chmod 0600 "$T/key"
run "$NAME-unreadable" -e IMMICH_JOBS_PORT="$PORT" -e IMMICH_JOBS_API_KEY_FILE="$SECRET" -v "$T/key:$SECRET:ro"
listening "$NAME-unreadable"
http GET /healthz
check "a key file uid 10001 cannot read: /healthz 500 names IMMICH_JOBS_API_KEY_FILE" \
    sh -c "[ '$STATUS' = 500 ] && grep -q IMMICH_JOBS_API_KEY_FILE '$T/body'"
check "... and the container becomes unhealthy" health "$NAME-unreadable" unhealthy
docker logs "$NAME-unreadable" > "$T/docker-logs" 2>&1
check "... and docker logs say why" grep -q IMMICH_JOBS_API_KEY_FILE "$T/docker-logs"
check "... without the key" sh -c "! grep -qF -- '$KEY' '$T/docker-logs'"
docker rm -f "$NAME-unreadable" > /dev/null

# --- 5. docker-compose.yml ---------------------------------------------------
# As the README says: a copy of the file with the key file beside it, on
# "Immich's network" (one made here, IMMICH_NETWORK) where a fake Immich
# answers as immich-server:2283: lighttpd of the image itself serving the
# fixture.  `compose run` starts the service as written but publishes no
# port; the check talks to the container's own address on that network.
check "the key file's name is in .gitignore and .dockerignore" \
    sh -c "grep -qx immich_jobs_api_key.txt '$TOP/.gitignore' && grep -qx immich_jobs_api_key.txt '$TOP/.dockerignore'"
if command -v docker-compose > /dev/null; then
	compose=docker-compose
else
	compose="docker compose"
fi
mkdir -p "$T/compose"
cp "$TOP/docker-compose.yml" "$T/compose/"
printf '%s\n' "$KEY" > "$T/compose/immich_jobs_api_key.txt"
chown 10001 "$T/compose/immich_jobs_api_key.txt" && chmod 0400 "$T/compose/immich_jobs_api_key.txt"
export IMMICH_NETWORK=$NAME
(cd "$T/compose" && $compose -p "ijpcheck$$" config -q) > "$T/compose.log" 2>&1
check "$compose config accepts docker-compose.yml" [ $? = 0 ]
sed 's/^/# /' "$T/compose.log"
docker network create "$IMMICH_NETWORK" > /dev/null && NETWORKS="$IMMICH_NETWORK"
printf '%s\n' 'server.port = 2283' 'server.document-root = "/srv"' \
    'mimetype.assign = ( "" => "application/json" )' > "$T/fake-immich.conf"
CONTAINERS="$CONTAINERS $NAME-immich"
docker run -d --name "$NAME-immich" --network "$IMMICH_NETWORK" \
    --network-alias immich-server --read-only \
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
check "compose: uid 10001, read-only root, /tmp a tmpfs, no capability" \
    [ "$(docker exec "$NAME-compose" id -u) $(docker inspect -f '{{.HostConfig.ReadonlyRootfs}} {{range $k, $_ := .HostConfig.Tmpfs}}{{$k}}{{end}} {{.HostConfig.CapDrop}}' "$NAME-compose")" = "10001 true /tmp [ALL]" ]
docker logs "$NAME-compose" > "$T/docker-logs" 2>&1
check "compose: the key is not in docker logs" sh -c "! grep -qF -- '$KEY' '$T/docker-logs'"

echo "# check-image took $(( ($(ms) - t_start) / 1000 )) s"
summary
