#!/bin/sh
# The systemd unit (contrib/immich-jobs-proxy.service, installed by `make
# install` with its PREFIX's paths): a dynamic user, a read-only system, the
# cache in its runtime directory, the key through LoadCredential= into
# IMMICH_JOBS_API_KEY_FILE; `systemd-analyze verify` accepts it without a
# warning (the man page it names installed beside it) and `systemd-analyze security` rates its exposure 2.0 or lower.
# Then the wrapper is run the way the unit runs it (RUNTIME_DIRECTORY, the
# key as a credential file) as a non-root user.
. "$(dirname "$0")/lib.sh"
spec '{"/api/jobs": {"body_file": "'"$FIX"'/jobs-newest.json"}}'
fake_start
P=$T/opt/ijp
make -s -C "$TOP" install PREFIX="$P" > "$T/install.log" 2>&1
check "make install PREFIX=$P succeeds" [ $? = 0 ]
U=$P/lib/systemd/system/immich-jobs-proxy.service
has() { check "the unit has $1" grep -qx -- "$1" "$U"; }
has "ExecStart=$P/bin/immich-jobs-proxy $P/etc/immich-jobs-proxy/lighttpd.conf"
has "DynamicUser=yes"
has "ProtectSystem=strict"
has "ProtectHome=yes"
has "PrivateTmp=yes"
has "RuntimeDirectory=immich-jobs-proxy"
has "RuntimeDirectoryMode=0700"
has "LoadCredential=api-key:$P/etc/immich-jobs-proxy/api-key"
has "Environment=IMMICH_JOBS_API_KEY_FILE=%d/api-key"
has "EnvironmentFile=-$P/etc/immich-jobs-proxy/env"
has "CapabilityBoundingSet="
has "Documentation=man:immich-jobs-proxy(8)"
check "no key in the unit" sh -c "! grep -q 'IMMICH_JOBS_API_KEY=' '$U'"

if command -v systemd-analyze > /dev/null; then
	# Documentation= names the man page: verify looks for it with man(1).
	MANPATH=$P/share/man systemd-analyze verify "$U" > "$T/verify.log" 2>&1
	rc=$?
	sed 's/^/# /' "$T/verify.log"
	check "systemd-analyze verify: exit 0 (got $rc)" [ "$rc" = 0 ]
	check "systemd-analyze verify: no warning" [ ! -s "$T/verify.log" ]
	# The drop-in docs/install.md and the man page give for a TLS client
	# certificate: the same lines in both, accepted without a warning.
	sed -n '/^```ini$/,/^```$/p' "$TOP/docs/install.md" | sed '1d;$d' > "$T/dropin"
	sed -n '/^\[Service\]$/,/^\.Ed$/p' "$TOP/docs/immich-jobs-proxy.8" | sed '$d' |
	    sed 's|/usr/local/etc/|/etc/|' > "$T/dropin.man"
	check "docs/install.md gives a drop-in with the client key as a credential" \
	    grep -qx 'Environment=IMMICH_JOBS_CLIENT_CERT=%d/client-cert IMMICH_JOBS_CLIENT_KEY=%d/client-key' "$T/dropin"
	check "... the man page the same one" cmp -s "$T/dropin" "$T/dropin.man"
	mkdir -p "$U.d"
	sed "s|/etc/immich-jobs-proxy/|$P/etc/immich-jobs-proxy/|" "$T/dropin" > "$U.d/client-cert.conf"
	MANPATH=$P/share/man systemd-analyze verify "$U" > "$T/verify.log" 2>&1
	rc=$?
	sed 's/^/# /' "$T/verify.log"
	check "systemd-analyze verify with that drop-in: exit 0, no warning (got $rc)" \
	    [ "$rc:$(cat "$T/verify.log")" = 0: ]
	rm -r "$U.d"
	systemd-analyze security --offline=true --threshold=20 "$U" > "$T/security.log" 2>&1
	rc=$?
	tail -n 1 "$T/security.log" | sed 's/^/# /'
	check "systemd-analyze security: exposure 2.0 or lower (exit $rc)" [ "$rc" = 0 ]
else
	echo "# skipped systemd-analyze verify and security: systemd-analyze is not installed (Debian: apt-get install systemd)"
fi

# As the unit runs it: RUNTIME_DIRECTORY (0700, the service's) holds the
# cache, the key comes from the credential file, nothing in TMPDIR.
if [ "$(id -u)" = 0 ]; then
	chmod 0711 "$T"
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups --"
	uid=65534
else
	as_user=
	uid=$(id -u)
fi
mkdir -p "$T/run/immich-jobs-proxy" "$T/creds" "$T/tmp"
printf '%s\n' "$KEY" > "$T/creds/api-key"
chmod 0700 "$T/run/immich-jobs-proxy" "$T/creds"
chmod 0400 "$T/creds/api-key"
chmod 1777 "$T/tmp"
[ "$uid" = "$(id -u)" ] || chown -R "$uid" "$T/run/immich-jobs-proxy" "$T/creds"
port=$(free_port)
$as_user env -i PATH=/usr/bin:/bin TMPDIR="$T/tmp" IMMICH_URL="$FAKE_URL" \
    RUNTIME_DIRECTORY="$T/run/immich-jobs-proxy" \
    IMMICH_JOBS_API_KEY_FILE="$T/creds/api-key" IMMICH_JOBS_PORT="$port" \
    sh "$P/bin/immich-jobs-proxy" "$P/etc/immich-jobs-proxy/lighttpd.conf" \
    > "$T/unit.log" 2>&1 &
upid=$!
PIDS="$PIDS $upid"
i=0
while ! curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
HTTP_URL=http://127.0.0.1:$port
http GET /
check "as the unit runs it: GET / answers the totals" [ "$STATUS:$(json 'j["active"]')" = 200:16 ]
check "the fake Immich got the key from the credential file" grep -qF "$KEY" "$T/fake.log"
check "the cache is in RUNTIME_DIRECTORY" [ -n "$(ls "$T/run/immich-jobs-proxy")" ]
check "nothing in TMPDIR" [ -z "$(ls "$T/tmp")" ]
kill -TERM "$upid"; wait "$upid" 2>/dev/null
cat "$T/unit.log" >> "$T/all-output"
no_leak
finish
