#!/bin/sh
# docker-entrypoint COMMAND [ARG...] - the image's entrypoint: run COMMAND
# (the image's CMD: immich-jobs-proxy) as uid 10001.
#
# Started as root (the image's default), it first reads the key file that
# IMMICH_JOBS_API_KEY_FILE names: a Docker secret or a bind-mounted file is
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

# The key file's name, white space around it dropped (as the service does).
file=$(printf '%s' "${IMMICH_JOBS_API_KEY_FILE-}" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
# A regular file only: a FIFO or a device would block or never end here;
# the service itself says what is wrong with any other.
if [ "$(id -u)" = 0 ] && [ -n "$file" ] && [ -f "$file" ]; then
	copy=$shm/$(printf '%s' "$file" | tr -c 'A-Za-z0-9._-' '_')
	# Root opens the file (the redirection), uid 10001 writes the copy;
	# 4097 bytes: one more than the service reads, so that a file too
	# large stays too large in the copy.
	if "$setpriv" --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all -- \
	    sh -c 'umask 077 && rm -rf "$1" && mkdir -p "$1" && head -c 4097 > "$1/$2"' \
	    sh "$shm" "${copy#"$shm"/}" < "$file"; then
		echo "$me: IMMICH_JOBS_API_KEY_FILE $file read as root; the service (uid $uid) reads its copy $copy" >&2
		export IMMICH_JOBS_API_KEY_FILE="$copy"
	else
		echo "$me: could not hand IMMICH_JOBS_API_KEY_FILE $file to uid $uid (above); the service reads it itself" >&2
	fi
fi
as_service "$@"
