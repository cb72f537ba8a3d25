# checks/image.mk - `make check-image`: build the Dockerfile and run the
# image against the fake Immich (checks/check-image.sh says what it checks).
# Run as root: it installs docker.io and starts dockerd when needed.
check-image: deps
	$(Q)sh checks/check-image.sh

.PHONY: check-image
