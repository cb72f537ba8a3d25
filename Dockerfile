# immich-jobs-proxy: lighttpd + the CGI on Alpine, as a non-root user.
#   docker build -t immich-jobs-proxy .
#   docker run -p 8085:8085 -e IMMICH_URL=http://immich:2283 -e IMMICH_JOBS_API_KEY=... immich-jobs-proxy
FROM alpine:3.20 AS build
RUN apk add --no-cache build-base curl-dev json-c-dev
WORKDIR /src
COPY Makefile lighttpd.conf ./
COPY cgi cgi
COPY lib lib
RUN make all CI=true && make install DESTDIR=/out PREFIX=/usr/local

FROM alpine:3.20
RUN apk add --no-cache lighttpd libcurl json-c ca-certificates \
 && adduser -D -H -s /sbin/nologin -u 10001 immich-jobs
COPY --from=build /out/ /
# lighttpd refuses to start on an unset env.X: every variable is set (empty
# means the default).  The cache lives on /tmp, a tmpfs with read_only: true.
ENV IMMICH_URL="" \
    IMMICH_JOBS_API_KEY="" \
    IMMICH_JOBS_API_KEY_FILE="" \
    IMMICH_JOBS_TIMEOUT="" \
    IMMICH_JOBS_CA_FILE="" \
    IMMICH_JOBS_API="" \
    IMMICH_JOBS_CACHE_TTL="" \
    IMMICH_JOBS_STALE_TTL="" \
    IMMICH_JOBS_STALL_AFTER="" \
    IMMICH_JOBS_CACHE_DIR="/tmp/immich-jobs-proxy" \
    TMPDIR="/tmp"
USER 10001:10001
EXPOSE 8085
# /healthz never calls Immich: it only proves the CGI runs and is configured.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD wget -q -O /dev/null http://127.0.0.1:8085/healthz || exit 1
CMD ["immich-jobs-proxy", "/usr/local/etc/immich-jobs-proxy/lighttpd.conf"]
