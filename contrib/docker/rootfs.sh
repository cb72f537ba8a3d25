#!/bin/sh
# contrib/docker/rootfs.sh ROOT - run by the Dockerfile's build stage after
# `make install DESTDIR=ROOT`: add to ROOT what the service runs, and nothing
# else, for a final stage FROM scratch.
#   lighttpd and the modules lighttpd.conf loads that are not built in
#   the shared libraries of these, the CGI and the fetch module (ldd), the
#     loader and the merged-/usr links the loader's paths go through
#   busybox (static): the shell serve.sh and the entrypoint run in, the few
#     tools they call and wget for the health check, as links to it
#   setpriv (util-linux): the entrypoint's drop from root to uid 10001
#   the CA certificates (for an https IMMICH_URL), /etc/passwd, group and
#     nsswitch.conf, /tmp
# Everything is taken from the build stage's own Debian packages, so it is
# the same on every architecture Debian builds for.
set -eu
root=$1
cd "$root"

# What `make install` puts there for a Pi without Docker.
rm -rf usr/local/lib/systemd

# The merged-/usr links of Debian 12 (/lib -> usr/lib ...): the loader's
# path and ldd's paths go through them.
for l in /bin /sbin /lib /lib32 /lib64 /libx32; do
	[ -L "$l" ] && cp -P "$l" "./$l"
done
mkdir -p usr/bin usr/sbin usr/lib

# add FILE: copy FILE (the file a link leads to) to the directory its path
# names, through the links above.
add() {
	dir=$(readlink -f "$(dirname "$1")")
	mkdir -p ".$dir"
	cp -L "$1" ".$dir/"
}

modules=$(sed -n 's/^server\.modules *= *(\(.*\)).*/\1/p' usr/local/etc/immich-jobs-proxy/lighttpd.conf | tr -d '",')
progs="/usr/sbin/lighttpd /usr/bin/setpriv"
for m in $modules; do
	# Built into Debian's lighttpd (mod_alias, mod_setenv) when no .so.
	[ -f "/usr/lib/lighttpd/$m.so" ] && progs="$progs /usr/lib/lighttpd/$m.so"
done
for p in $progs; do
	add "$p"
done
# Every library these need, and the loader (ldd prints "name => path" and,
# for the loader, its path alone).
# (The front, immich-jobs, is static where it can be: ldd says so, and
# lists nothing.)
for p in $progs usr/local/libexec/immich-jobs-proxy/immich-jobs \
    usr/local/libexec/immich-jobs-proxy/immich-jobs-full \
    usr/local/libexec/immich-jobs-proxy/immich-jobs-fetch.so; do
	ldd "$p" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
done | sort -u > /tmp/libs
while read -r lib; do
	add "$lib"
done < /tmp/libs

cp /bin/busybox usr/bin/busybox
# The applets serve.sh, the entrypoint and the health check call.
for a in sh cat head id mkdir mktemp rm rmdir sed sort tr wget; do
	ln -s busybox "usr/bin/$a"
done

mkdir -p etc/ssl/certs
cp /etc/ssl/certs/ca-certificates.crt etc/ssl/certs/
cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/usr/sbin/nologin
immich-jobs:x:10001:10001:immich-jobs-proxy:/nonexistent:/usr/sbin/nologin
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
immich-jobs:x:10001:
GROUP
# glibc's own defaults, said: users and groups from the files above, host
# names from /etc/hosts and DNS (Docker provides both files).
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' > etc/nsswitch.conf
mkdir -m 1777 tmp
# Where Docker mounts secrets (/run/secrets).
mkdir run
