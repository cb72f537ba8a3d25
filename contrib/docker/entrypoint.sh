#!/bin/sh
# docker-entrypoint COMMAND [ARG...] - the image's entrypoint: run COMMAND
# (the image's CMD: immich-jobs-proxy) as uid 10001.
#
# Started as root (the image's default), it first reads the key file that
# IMMICH_JOBS_API_KEY_FILE names (and IMMICH_JOBS_CLIENT_KEY's and
# IMMICH_JOBS_CLIENT_CERT's, secrets too): a Docker secret or a bind-mounted file is
# owned by root with mode 0600 on the host as in the container, which uid
# 10001 cannot read.  Root opens it; a process already running as uid 10001
# copies it from that open file into a directory only uid 10001 can read,
# on /dev/shm (memory, private to the container), and the service is given
# the copy's name.  The key passes through no argument, no environment and
# no log, and no process but this copy and the service ever holds it.
# Then it drops to uid 10001 for good (setpriv) and runs COMMAND.  Started
# as uid 10001 (docker run --user 10001), it runs COMMAND as it is.
#
# docker-entrypoint --healthcheck: the image's HEALTHCHECK, GET /healthz on
# IMMICH_JOBS_PORT, also as uid 10001.
set -eu
me=immich-jobs-proxy
uid=10001
shm=/dev/shm/immich-jobs-proxy
# util-linux's, by its path: busybox's shell would run its own applet of the
# name, which cannot change users.
setpriv=/usr/bin/setpriv

as_service() {
	if [ "$(id -u)" = 0 ]; then
		exec "$setpriv" --reuid="$uid" --regid="$uid" --clear-groups \
		    --inh-caps=-all -- "$@"
	fi
	exec "$@"
}

if [ "${1-}" = --healthcheck ]; then
	as_service wget -q -O /dev/null \
	    "http://127.0.0.1:${IMMICH_JOBS_PORT:-8085}/healthz"
fi

# hand VAR: when root, and the environment variable VAR names a regular file
# (white space around the name dropped, as the service does; a FIFO or a
# device would block or never end here, and the service says what is wrong
# with any other), root opens it (the redirection) and uid 10001 writes the
# copy, of at most 1 MiB + 1 byte: more than the service reads from any of
# these files, so that one too large stays too large in the copy.
hand() {
	file=$(eval "printf '%s' \"\${$1-}\"" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
	[ -n "$file" ] && [ -f "$file" ] || return 0
	name=$(printf '%s' "$file" | tr -c 'A-Za-z0-9._-' '_')
	if "$setpriv" --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all -- \
	    sh -c 'umask 077 && mkdir -p "$1" && head -c 1048577 > "$1/$2"' \
	    sh "$shm" "$name" < "$file"; then
		echo "$me: $1 $file read as root; the service (uid $uid) reads its copy $shm/$name" >&2
		export "$1=$shm/$name"
	else
		echo "$me: could not hand $1 $file to uid $uid (above); the service reads it itself" >&2
	fi
}

if [ "$(id -u)" = 0 ]; then
	# Left by an earlier start of this container.
	"$setpriv" --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all -- \
	    rm -rf "$shm"
	# The secrets: the API key, and a TLS client certificate's key (and
	# the certificate, which may hold the key too).
	for v in IMMICH_JOBS_API_KEY_FILE IMMICH_JOBS_CLIENT_KEY IMMICH_JOBS_CLIENT_CERT; do
		hand "$v"
	done
fi
as_service "$@"
