# checks/image.mk - `make check-image`: build the Dockerfile and run the
# image against the fake Immich (checks/check-image.sh says what it checks).
# Run as root: it installs docker.io and starts dockerd when needed.
# ARCH=arm64 or armhf: the image for a Raspberry Pi, built and run under qemu.
check-image: deps
	$(Q)ARCH=$(ARCH) sh checks/check-image.sh

.PHONY: check-image
