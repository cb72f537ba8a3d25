# immich-jobs-proxy - see README.md.  `make V=1` shows the commands.
-include config.mk

VERSION  = 0.1.0
PREFIX  ?= /usr/local
LIBEXECDIR ?= $(PREFIX)/libexec/immich-jobs-proxy
SYSCONFDIR ?= $(PREFIX)/etc/immich-jobs-proxy
DATADIR ?= $(PREFIX)/share/immich-jobs-proxy
BINDIR  ?= $(PREFIX)/bin
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
WARN     = -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare \
           -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CFLAGS  ?= -O2 -g
# What the code needs stays in ALL_CFLAGS even when CFLAGS is given.
# 64-bit off_t, ino_t and time_t also on 32-bit systems (armhf, make
# check-cross): without them stat() and readdir() fail with EOVERFLOW on a
# file system with 64-bit inode numbers (the cache directory would be
# refused) and the clock wraps in 2038.  A no-op on 64-bit systems.
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -DVERSION='"$(VERSION)"' \
             -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 $(WARN) $(CPPFLAGS) $(CFLAGS)
ifeq ($(CI),true)
ALL_CFLAGS += -Werror
endif
LDFLAGS ?=
# The libraries of libcurl's that most symbols bind to named first: a miss
# loads the module ~20% faster (cgi/load-order.sh says why and how).
FETCH_FIRST = $(shell sh cgi/load-order.sh $(CC))
FETCH_LIBS = -Wl,--push-state,--no-as-needed $(FETCH_FIRST) -Wl,--pop-state \
             -lcurl -ljson-c
PYTHON  ?= /usr/bin/python3

B = build
ifeq ($(V),1)
Q =
else
Q = @
endif

# The CGI is two programs and a module, each linking what it uses:
#   immich-jobs           the front: writes a cache hit, else execs the full
#                         program (cgi/front.c); static where the toolchain
#                         can link it so (FRONT_LDFLAGS)
#   immich-jobs-full      every other answer; libc alone (cgi/main.c)
#   immich-jobs-fetch.so  the call to Immich, with libcurl and json-c,
#                         loaded by the full program on a miss (cgi/module.h)
LIBC_SRC  = lib/config.c lib/secrets.c lib/url.c lib/key.c lib/str.c lib/err.c lib/jobs.c \
            lib/history.c lib/render.c lib/cache.c lib/cache_prune.c lib/counts.c \
            lib/deadline.c
CGI_SRC   = cgi/request.c cgi/answer.c cgi/respond.c cgi/cap.c cgi/sibling.c cgi/log.c
FRONT_SRC = cgi/front.c $(CGI_SRC) $(LIBC_SRC)
FULL_SRC  = cgi/main.c cgi/module.c cgi/shell.c cgi/health.c $(CGI_SRC) $(LIBC_SRC)
FETCH_SRC = lib/upstream.c lib/diagnose.c lib/jobs_parse.c lib/jobs.c lib/secrets.c \
            lib/url.c lib/key.c lib/str.c lib/err.c lib/deadline.c
LIB_HDR   = $(wildcard lib/*.h cgi/*.h)

PROGRAMS  = $(B)/immich-jobs $(B)/immich-jobs-full $(B)/immich-jobs-fetch.so

# -static-pie when this compiler links it (not armhf's, nor a sanitizer's:
# checks.mk sets it empty): a static front starts without the dynamic
# loader, which costs more than all of a cache hit's own work.
ifeq ($(origin FRONT_LDFLAGS),undefined)
FRONT_LDFLAGS := $(shell printf 'int main(void){return 0;}\n' | \
                   $(CC) -x c -static-pie -o /dev/null - 2>/dev/null && echo -static-pie)
endif

all: $(PROGRAMS)

$(B):
	$(Q)mkdir -p $@

$(B)/immich-jobs: $(FRONT_SRC) $(LIB_HDR) | $(B)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(FRONT_SRC) $(LDFLAGS) $(FRONT_LDFLAGS)

$(B)/immich-jobs-full: $(FULL_SRC) $(LIB_HDR) | $(B)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(FULL_SRC) $(LDFLAGS)

$(B)/immich-jobs-fetch.so: $(FETCH_SRC) $(LIB_HDR) | $(B)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $(FETCH_SRC) $(LDFLAGS) $(FETCH_LIBS)

# One cmocka program per lib module: tests/unit/test_<module>.c, each linked
# with the helpers in tests/unit/unit.c and every libc-only part of lib/.
UNIT_SRC   = tests/unit/unit.c lib/config.c lib/secrets.c lib/url.c lib/key.c lib/str.c lib/diagnose.c \
             lib/err.c lib/jobs.c lib/history.c lib/jobs_parse.c lib/render.c lib/cache.c \
             lib/cache_prune.c lib/counts.c lib/deadline.c
UNIT_TESTS = $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_*.c))
$(B)/unit/test_%: tests/unit/test_%.c $(UNIT_SRC) tests/unit/unit.h $(LIB_HDR)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -DFIXTURES='"$(CURDIR)/tests/fixtures"' -o $@ $< $(UNIT_SRC) $(LDFLAGS) -ljson-c -lcmocka
unit: $(UNIT_TESTS)

# Installs lighttpd.conf, the immich-jobs-proxy wrapper, the systemd unit and
# the man page with the paths of this PREFIX (and LIBEXECDIR, SYSCONFDIR,
# DATADIR, BINDIR, SYSTEMDUNITDIR) written over the /usr/local ones they ship
# with; DESTDIR only stages.  The unit's settings file (env) is a template to
# fill in, installed only where there is none: a user's settings stay.
INSTALL_PATHS = -e 's|/usr/local/libexec/immich-jobs-proxy|$(LIBEXECDIR)|g' \
                -e 's|/usr/local/share/immich-jobs-proxy|$(DATADIR)|g' \
                -e 's|/usr/local/etc/immich-jobs-proxy|$(SYSCONFDIR)|g' \
                -e 's|/usr/local/bin/immich-jobs|$(BINDIR)/immich-jobs|g' \
                -e 's|/usr/local/lib/systemd/system|$(SYSTEMDUNITDIR)|g'
install: all
	install -d $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(LIBEXECDIR)/empty $(DESTDIR)$(SYSCONFDIR) \
	    $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/errors $(DESTDIR)$(SYSTEMDUNITDIR) \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 0644 cgi/errors/status-*.html $(DESTDIR)$(DATADIR)/errors/
	install -m 0755 $(B)/immich-jobs $(DESTDIR)$(LIBEXECDIR)/immich-jobs
	install -m 0755 $(B)/immich-jobs-full $(DESTDIR)$(LIBEXECDIR)/immich-jobs-full
	install -m 0644 $(B)/immich-jobs-fetch.so $(DESTDIR)$(LIBEXECDIR)/immich-jobs-fetch.so
	sed $(INSTALL_PATHS) lighttpd.conf > $(DESTDIR)$(SYSCONFDIR)/lighttpd.conf
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/lighttpd.conf
	sed $(INSTALL_PATHS) -e 's|^version=.*|version=$(VERSION)|' cgi/serve.sh \
	    > $(DESTDIR)$(BINDIR)/immich-jobs-proxy
	chmod 0755 $(DESTDIR)$(BINDIR)/immich-jobs-proxy
	sed $(INSTALL_PATHS) contrib/immich-jobs-proxy.service \
	    > $(DESTDIR)$(SYSTEMDUNITDIR)/immich-jobs-proxy.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/immich-jobs-proxy.service
	sed $(INSTALL_PATHS) docs/immich-jobs-proxy.8 > $(DESTDIR)$(MANDIR)/man8/immich-jobs-proxy.8
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/immich-jobs-proxy.8
	ln -sf immich-jobs-proxy.8 $(DESTDIR)$(MANDIR)/man8/immich-jobs.8
	[ -e $(DESTDIR)$(SYSCONFDIR)/env ] || { sed $(INSTALL_PATHS) contrib/env \
	    > $(DESTDIR)$(SYSCONFDIR)/env && chmod 0644 $(DESTDIR)$(SYSCONFDIR)/env; }
	ln -sf $(LIBEXECDIR)/immich-jobs $(DESTDIR)$(BINDIR)/immich-jobs

uninstall:
	rm -f $(DESTDIR)$(LIBEXECDIR)/immich-jobs $(DESTDIR)$(LIBEXECDIR)/immich-jobs-full \
	      $(DESTDIR)$(LIBEXECDIR)/immich-jobs-fetch.so \
	      $(DESTDIR)$(SYSCONFDIR)/lighttpd.conf $(DESTDIR)$(BINDIR)/immich-jobs-proxy \
	      $(DESTDIR)$(BINDIR)/immich-jobs \
	      $(DESTDIR)$(SYSTEMDUNITDIR)/immich-jobs-proxy.service \
	      $(DESTDIR)$(MANDIR)/man8/immich-jobs-proxy.8 $(DESTDIR)$(MANDIR)/man8/immich-jobs.8
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(LIBEXECDIR)/empty

# $(call apt_install,PKGS): install the Debian packages of PKGS that are
# missing (as root, or through sudo), or say exactly what to install.
# A failed `apt-get update` does not stop it: one index that cannot be
# fetched (a foreign architecture's, say, while a mirror syncs) makes update
# fail although the others are fine; the install then says whether what is
# needed could be had.  The lock timeout waits for another apt or dpkg.
APT_GET = apt-get -o DPkg::Lock::Timeout=900
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
	    | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "installing: $$missing"; \
	        $(APT_GET) update -qq || echo "apt-get update failed; installing from the package lists it has"; \
	        DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq --no-install-recommends $$missing; \
	    elif command -v sudo >/dev/null; then \
	        echo "installing (sudo): $$missing"; \
	        sudo $(APT_GET) update -qq || echo "apt-get update failed; installing from the package lists it has"; \
	        sudo DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq --no-install-recommends $$missing; \
	    else \
	        echo "missing Debian packages; run as root: apt-get install -y $$missing" >&2; exit 1; \
	    fi; \
	fi
endef

# Debian packages the build, `make run` and `make test` need (systemd for
# systemd-analyze, which checks the unit; prometheus for promtool and the
# server that scrapes the service in the tests).
DEB_PKGS = gcc make pkg-config lighttpd libcurl4-openssl-dev libjson-c-dev time \
           libcmocka-dev python3 python3-prometheus-client curl openssl systemd \
           prometheus
deps:
	$(call apt_install,$(DEB_PKGS))

run: deps all
	$(Q)sh demo/run.sh

test: deps all unit
	$(Q)sh tests/run.sh

# For the edit loop: the unit tests and the scripts that run the CGI alone
# (tests/README.md); `make test` stays the whole suite.
check-quick: all unit
	$(Q)sh tests/run.sh --quick

clean:
	rm -rf $(B)

.PHONY: all install uninstall deps run test check-quick clean unit

# Benchmarks (make bench) live in bench/; the longer checks (make check-asan,
# check-valgrind, fuzz, loadtest) in checks/; the Debian package (make deb,
# make check-deb) in debian/.
-include bench/bench.mk
-include checks/checks.mk
-include checks/image.mk
-include debian/deb.mk
-include tests/replay/replay.mk
