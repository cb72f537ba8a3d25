# checks/dockerd.sh - sourced by a check that needs a Docker engine (make
# check-deb): dockerd_up LOG starts dockerd (as root, default settings, its
# log in LOG) when no engine answers and waits until one does; dockerd_down
# stops only a dockerd that dockerd_up started.  One dockerd serves every
# user of the machine: another's is never stopped.
DOCKERD_PID=""

dockerd_up() {
	docker info > /dev/null 2>&1 && return 0
	[ "$(id -u)" = 0 ] || return 1
	echo "# starting dockerd (log: $1)"
	mkdir -p "$(dirname "$1")"
	dockerd > "$1" 2>&1 &
	DOCKERD_PID=$!
	_i=0
	while ! docker info > /dev/null 2>&1 && [ $_i -lt 600 ]; do
		kill -0 "$DOCKERD_PID" 2> /dev/null || break
		sleep 0.1; _i=$((_i + 1))
	done
	docker info > /dev/null 2>&1
}

dockerd_down() {
	[ -n "$DOCKERD_PID" ] || return 0
	echo "# stopping the dockerd this check started"
	kill "$DOCKERD_PID" 2> /dev/null
	_i=0
	while kill -0 "$DOCKERD_PID" 2> /dev/null && [ $_i -lt 300 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	DOCKERD_PID=""
}
