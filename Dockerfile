# immich-jobs-proxy: lighttpd + the CGI, and nothing else (docs/docker.md).
#   docker build -t immich-jobs-proxy .
#   docker run -d -p 8085:8085 -e IMMICH_URL=http://immich-server:2283 \
#       -e IMMICH_JOBS_API_KEY_FILE=/run/secrets/immich_jobs_api_key ... immich-jobs-proxy
# `make check-image` builds this file and runs it (ARCH=arm64 or armhf: for
# a Raspberry Pi, under qemu).  BASE names the Debian 12 image the build
# stage starts from (make check-image gives another architecture's).
ARG BASE=debian:bookworm-slim

# The build stage: the Debian packages `make test` builds with, and those
# whose files the service runs.
FROM ${BASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    gcc libc6-dev make libcurl4-openssl-dev libjson-c-dev \
    lighttpd ca-certificates busybox-static \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make all CI=true && make install DESTDIR=/rootfs PREFIX=/usr/local \
 && install -m 0755 contrib/docker/entrypoint.sh \
    /rootfs/usr/local/libexec/immich-jobs-proxy/docker-entrypoint \
 && sh contrib/docker/rootfs.sh /rootfs

# The image: lighttpd, the libraries it and the fetch module load, a static
# busybox for the shell scripts and the health check, setpriv, the CA
# certificates.  No package manager, no compiler.
FROM scratch
COPY --from=build /rootfs/ /
# lighttpd.conf passes the CGI each of its settings that is set (unset or
# "" means the default).  The cache lives on /tmp, a tmpfs with
# --read-only.
ENV PATH="/usr/local/bin:/usr/bin:/usr/sbin" \
    IMMICH_JOBS_CACHE_DIR="/tmp/immich-jobs-proxy" \
    TMPDIR="/tmp" \
    IMMICH_JOBS_PORT="8085"
# lighttpd listens on IMMICH_JOBS_PORT, IPv6 and IPv4.
EXPOSE 8085
# Unhealthy when the service cannot work until someone changes something:
# a configuration error, or what the last call to Immich met (a key Immich
# refuses, an address that is not Immich's API); healthy while Immich is
# merely down or slow.  /healthz never calls Immich itself.
HEALTHCHECK --interval=30s --timeout=15s --start-period=5s --retries=3 \
    CMD ["/usr/local/libexec/immich-jobs-proxy/docker-entrypoint", "--healthcheck"]
# Started as root only to read a key file only root can read (a Docker
# secret): the entrypoint drops to uid 10001 before lighttpd starts.
ENTRYPOINT ["/usr/local/libexec/immich-jobs-proxy/docker-entrypoint"]
CMD ["immich-jobs-proxy", "/usr/local/etc/immich-jobs-proxy/lighttpd.conf"]
