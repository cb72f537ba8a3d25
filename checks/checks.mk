# checks/checks.mk - memory safety, fuzzing and load.
# Included by the Makefile.  Nothing here runs in `make test`.
#
#   make check-asan       whole suite against an ASan + UBSan build (build/asan)
#   make check-valgrind   the suite with the CGI and unit tests under memcheck
#   make fuzz             libFuzzer over parse + aggregate and over the
#                         configuration, FUZZ_SECONDS (60) each, in parallel
#   make loadtest         wrk through lighttpd, LOAD_SECONDS (30) per phase
#   make check-cross ARCH=arm64|armhf
#                         the suite with binaries for a Raspberry Pi's
#                         architecture, under qemu-user (checks/cross.sh)
#
# Needs clang, libclang-rt-14-dev (libFuzzer), valgrind and wrk:
# `make fuzz-deps` installs them on Debian.

SAN_CC    ?= clang
FUZZ_CC   ?= clang
SAN_FLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
ASAN_B     = $(B)/asan
FUZZ_B     = $(B)/fuzz
VG_LOGS    = $(B)/valgrind
FUZZ_SECONDS ?= 60
LOAD_SECONDS ?= 30
# Extra milliseconds the time bounds in tests (tests/lib.sh: TIME_SLACK_MS)
# allow under memcheck.
VG_TIME_SLACK_MS ?= 4000
VALGRIND   = valgrind -q --error-exitcode=99 --leak-check=full \
             --errors-for-leak-kinds=definite --show-leak-kinds=definite \
             --track-fds=no --num-callers=30

FUZZ_DEB_PKGS = clang libclang-rt-14-dev valgrind wrk

fuzz-deps:
	$(call apt_install,$(FUZZ_DEB_PKGS))

# --- AddressSanitizer + UndefinedBehaviorSanitizer -------------------------
# The same Makefile rules, another build directory and compiler flags.  The
# front and the unit tests get checks/san_options.c: reports go to files in
# $(ASAN_B)/san-logs, also from CGIs that lighttpd runs with a clean
# environment; any file there fails the target.
ASAN_LOGS = $(CURDIR)/$(ASAN_B)/san-logs
asan-build:
	$(Q)CFLAGS="-O1 -g $(SAN_FLAGS) -DSAN_LOG_DIR='\"$(ASAN_LOGS)\"'" \
	    LDFLAGS="$(SAN_FLAGS)" $(MAKE) --no-print-directory B=$(ASAN_B) \
	    CC=$(SAN_CC) FRONT_LDFLAGS= \
	    FRONT_SRC="$(FRONT_SRC) checks/san_options.c" \
	    FULL_SRC="$(FULL_SRC) checks/san_options.c" \
	    UNIT_SRC="$(UNIT_SRC) checks/san_options.c" \
	    $(patsubst $(B)/%,$(ASAN_B)/%,$(PROGRAMS)) \
	    $(patsubst $(B)/%,$(ASAN_B)/%,$(UNIT_TESTS))

check-asan: deps fuzz-deps asan-build
	$(Q)rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	$(Q)BUILD=$(CURDIR)/$(ASAN_B) sh tests/run.sh; rc=$$?; \
	sh checks/san-logs.sh "ASan/UBSan" $(ASAN_LOGS) || rc=1; exit $$rc

# --- valgrind memcheck -------------------------------------------------------
# Each process logs to its own file; -q leaves only errors there, so a
# non-empty file is a failure even when the test did not look at the exit code.
# Writable by all (sticky): tests run some CGIs as another uid (setpriv).
# The tests run the full program, which answers hits too: memcheck cannot
# follow a static front's libc (check-asan runs the front, dynamic).
check-valgrind: deps fuzz-deps all unit
	$(Q)rm -rf $(VG_LOGS) && mkdir -p $(VG_LOGS) && chmod 1777 $(VG_LOGS)
	$(Q)CGI_BIN=$(CURDIR)/$(B)/immich-jobs-full \
	    CGI_WRAPPER="$(VALGRIND) --log-file=$(CURDIR)/$(VG_LOGS)/cgi.%p" \
	    UNIT_WRAPPER="$(VALGRIND) --log-file=$(CURDIR)/$(VG_LOGS)/unit.%p" \
	    TIME_SLACK_MS=$(VG_TIME_SLACK_MS) sh tests/run.sh; rc=$$?; \
	sh checks/san-logs.sh memcheck $(CURDIR)/$(VG_LOGS) || rc=1; exit $$rc

# --- libFuzzer ----------------------------------------------------------------
FUZZ_FLAGS = -O1 -g -fsanitize=fuzzer,address,undefined \
             -fno-omit-frame-pointer -fno-sanitize-recover=all \
             -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN)
ifeq ($(CI),true)
FUZZ_FLAGS += -Werror
endif
FUZZ_PARSE_SRC  = checks/fuzz_parse.c lib/jobs_parse.c lib/str.c lib/jobs.c lib/err.c \
                  lib/render.c lib/history.c lib/diagnose.c
FUZZ_CONFIG_SRC = checks/fuzz_config.c lib/config.c lib/secrets.c lib/url.c lib/key.c lib/str.c lib/err.c

$(FUZZ_B):
	$(Q)mkdir -p $@

$(FUZZ_B)/fuzz_parse: $(FUZZ_PARSE_SRC) $(LIB_HDR) checks/check.h | $(FUZZ_B)
	@$(if $(Q),echo "  FUZZCC  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_PARSE_SRC) -ljson-c

$(FUZZ_B)/fuzz_config: $(FUZZ_CONFIG_SRC) $(LIB_HDR) checks/check.h | $(FUZZ_B)
	@$(if $(Q),echo "  FUZZCC  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_CONFIG_SRC)

fuzz-build: $(FUZZ_B)/fuzz_parse $(FUZZ_B)/fuzz_config

fuzz: fuzz-deps fuzz-build
	$(Q)FUZZ_B=$(CURDIR)/$(FUZZ_B) FUZZ_SECONDS=$(FUZZ_SECONDS) sh checks/run-fuzz.sh

# --- load ---------------------------------------------------------------------
loadtest: deps fuzz-deps all
	$(Q)LOAD_SECONDS=$(LOAD_SECONDS) sh checks/loadtest.sh

# --- other architectures: a Raspberry Pi's ---------------------------------
# checks/cross.sh says how; ARCH's libraries come from Debian's ARCH
# packages, unpacked into $(B)/cross-ARCH/sysroot.  armhf may be skipped
# (counted as skipped, never as passed) when apt cannot provide its
# packages: Debian's armhf indices have lagged the others while a mirror
# synced.  arm64, what current Raspberry Pi OS runs, always runs.
CROSS_MAY_SKIP ?= armhf
# qemu emulates every instruction: a CGI run that loads libcurl takes
# several times as long, as under memcheck (VG_TIME_SLACK_MS).
CROSS_TIME_SLACK_MS ?= 3000
CROSS_TRIPLET_arm64 = aarch64-linux-gnu
CROSS_TRIPLET_armhf = arm-linux-gnueabihf
check-cross: deps
	$(Q)case "$(ARCH)" in arm64|armhf) ;; *) \
	    echo "usage: make check-cross ARCH=arm64|armhf" >&2; exit 2 ;; esac
	$(call apt_install,gcc-$(CROSS_TRIPLET_$(ARCH)) libc6-dev-$(ARCH)-cross \
	    qemu-user-static binutils)
	$(Q)MAKE="$(MAKE)" B=$(B) CROSS_MAY_SKIP="$(CROSS_MAY_SKIP)" \
	    TIME_SLACK_MS=$(CROSS_TIME_SLACK_MS) sh checks/cross.sh $(ARCH)

.PHONY: check-cross fuzz-deps asan-build check-asan check-valgrind fuzz-build fuzz loadtest
