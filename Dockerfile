# immich-jobs-proxy: lighttpd + the CGI on Debian 12, as a non-root user.
#   docker build -t immich-jobs-proxy .
#   docker run -d -p 8085:8085 -e IMMICH_URL=http://immich-server:2283 \
#       -e IMMICH_JOBS_API_KEY_FILE=/run/secrets/immich_jobs_api_key ... immich-jobs-proxy
# `make check-image` builds this file and runs it (README: Docker).

# The build stage: the Debian packages `make test` builds with.
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    gcc libc6-dev make libcurl4-openssl-dev libjson-c-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make all CI=true && make install DESTDIR=/out PREFIX=/usr/local

# The runtime stage: lighttpd, the two libraries the fetch module loads and
# the CA certificates for an https IMMICH_URL; no compiler, no shell tools
# beyond the base image's.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    lighttpd libcurl4 libjson-c5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd -g 10001 immich-jobs \
 && useradd -u 10001 -g 10001 -M -d /nonexistent -s /usr/sbin/nologin immich-jobs
COPY --from=build /out/ /
# lighttpd refuses to start on an unset env.X: every variable is set (empty
# means the default).  The cache lives on /tmp, a tmpfs with --read-only.
ENV IMMICH_URL="" \
    IMMICH_JOBS_API_KEY="" \
    IMMICH_JOBS_API_KEY_FILE="" \
    IMMICH_JOBS_TIMEOUT="" \
    IMMICH_JOBS_CONNECT_TIMEOUT="" \
    IMMICH_JOBS_CA_FILE="" \
    IMMICH_JOBS_API="" \
    IMMICH_JOBS_CACHE_TTL="" \
    IMMICH_JOBS_STALE_TTL="" \
    IMMICH_JOBS_STALL_AFTER="" \
    IMMICH_JOBS_CACHE_DIR="/tmp/immich-jobs-proxy" \
    TMPDIR="/tmp" \
    IMMICH_JOBS_PORT="8085"
USER 10001:10001
# lighttpd listens on IMMICH_JOBS_PORT, IPv6 and IPv4.
EXPOSE 8085
# /healthz never calls Immich: it proves that lighttpd answers and runs the
# CGI, and that the CGI is configured (500 otherwise).  An HTTP request from
# bash alone: the image carries no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
    CMD bash -c 'exec 3<>"/dev/tcp/127.0.0.1/${IMMICH_JOBS_PORT:-8085}" && printf "GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && read -r _ status _ <&3 && [ "$status" = 200 ]'
CMD ["immich-jobs-proxy", "/usr/local/etc/immich-jobs-proxy/lighttpd.conf"]
