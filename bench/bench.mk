# bench/bench.mk - `make bench`: requests/s, instructions, Immich
# calls and idle memory of the service against a hello-world CGI, a naive
# libcurl fetcher and a static file, on loopback.  Included by the
# Makefile; not part of `make test`.  Takes about two minutes.
#
#   make bench                 BENCH_SECONDS=10 BENCH_CONNS=16 by default
#   make bench BENCH_STRICT=1  exit 1 when a target is missed

BENCH_DEB_PKGS = wrk valgrind

bench-deps:
	$(call apt_install,$(BENCH_DEB_PKGS))

bench: deps bench-deps all
	$(Q)CC="$(CC)" BUILD="$(CURDIR)/$(B)" PYTHON="$(PYTHON)" sh bench/bench.sh

.PHONY: bench bench-deps
