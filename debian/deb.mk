# debian/deb.mk - the Debian package.  Included by the Makefile.
#
#   make deb [ARCH=arm64|armhf]
#                   build/immich-jobs-proxy_VERSION_ARCH.deb, for this
#                   machine's architecture or, with Debian's cross compiler
#                   (as make check-cross), a Raspberry Pi's (debian/make-deb.sh)
#   make check-deb  the packages of all three, lintian on each, and the
#                   amd64 one installed with apt in a fresh Debian 12
#                   container, answering (checks/check-deb.sh)

# What building the package needs (debian/control's Build-Depends, and the
# compiler); check-deb adds lintian, Docker and qemu.
DEB_BUILD_PKGS = gcc make libc6-dev libcurl4-openssl-dev libjson-c-dev debhelper dpkg-dev
DEB_ARCH = $(or $(ARCH),$(shell dpkg --print-architecture))

deb-deps:
	$(call apt_install,$(DEB_BUILD_PKGS))
	$(Q)case "$(DEB_ARCH)" in arm64|armhf) $(MAKE) --no-print-directory \
	    deb-cross-deps ARCH=$(DEB_ARCH) ;; esac

deb-cross-deps:
	$(call apt_install,gcc-$(CROSS_TRIPLET_$(ARCH)) libc6-dev-$(ARCH)-cross)

deb: deb-deps
	$(Q)B=$(B) CROSS_MAY_SKIP="$(CROSS_MAY_SKIP)" sh debian/make-deb.sh $(DEB_ARCH)

check-deb:
	$(call apt_install,lintian docker.io qemu-user-static)
	$(Q)$(MAKE) --no-print-directory deb-deps ARCH=
	$(Q)$(MAKE) --no-print-directory deb-cross-deps ARCH=arm64
	$(Q)$(MAKE) --no-print-directory deb-cross-deps ARCH=armhf
	$(Q)MAKE="$(MAKE)" B=$(B) CROSS_MAY_SKIP="$(CROSS_MAY_SKIP)" sh checks/check-deb.sh

.PHONY: deb deb-deps deb-cross-deps check-deb
