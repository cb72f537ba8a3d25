#!/bin/sh
# checks/image-base.sh IMAGE CACHE_DIR [ARCH]: make the Debian 12 base image IMAGE
# (what the Dockerfile's FROM names, debian:bookworm-slim) exist in the local
# Docker engine when no registry can provide it: debootstrap a minbase
# bookworm from the Debian mirror this machine's apt uses, trim it the way
# Docker's debian:*-slim images are trimmed (no docs, man pages or locales),
# give it apt sources that work (bookworm, -updates, -security) and
# `docker import` it under IMAGE.  The root filesystem is kept as
# CACHE_DIR/IMAGE.tar, so a second run only imports it again.
# ARCH (Debian's name: arm64, armhf; default this machine's) makes another
# architecture's, its programs run by qemu-user through binfmt_misc (the
# caller registers the handler), imported with that platform.
# Needs root (debootstrap) and a running dockerd.
set -eu
image=$1 cache=$2
arch=${3:-$(dpkg --print-architecture)}
case $arch in
arm64) goarch=arm64 variant=v8 ;;
armhf) goarch=arm variant=v7 ;;
*) goarch=$arch variant="" ;;
esac
tar=$cache/$(echo "$image" | tr ':/' '__').tar

# mirror SUITE_SUFFIX: the first URI of this machine's apt sources ending in
# /debian (or /debian-security), in either sources format.
mirror() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null |
	    grep -v '^[[:space:]]*#' | grep -oE "https?://[^ ]*/debian$1/?( |\$)" |
	    head -n 1 | tr -d ' ' | sed 's,/$,,'
}
main=$(mirror "")
security=$(mirror -security)
: "${main:=http://deb.debian.org/debian}"
: "${security:=http://deb.debian.org/debian-security}"

if [ ! -s "$tar" ]; then
	command -v debootstrap > /dev/null || {
		echo "# installing debootstrap"
		apt-get -o DPkg::Lock::Timeout=900 install -y -qq debootstrap > /dev/null
	}
	mkdir -p "$cache"
	root=$(mktemp -d "$cache/rootfs.XXXXXX")
	trap 'rm -rf "$root" "$tar.tmp"' EXIT
	echo "# debootstrap --arch=$arch --variant=minbase bookworm from $main (a few minutes, once)"
	debootstrap --arch="$arch" --variant=minbase bookworm "$root" "$main" \
	    > "$cache/debootstrap-$arch.log" 2>&1 || {
		tail -n 20 "$cache/debootstrap-$arch.log" >&2
		exit 1
	}
	rm -f "$root/etc/apt/sources.list"
	cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $main
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	# What debian:bookworm-slim leaves out of every package installed later.
	cat > "$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/en*
EOF
	cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
	find "$root/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
	rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* \
	    "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb \
	    "$root/var/lib/apt/lists/"* "$root/var/log/"*.log
	find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'en*' \
	    ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
	tar --numeric-owner -C "$root" -cf "$tar.tmp" .
	mv "$tar.tmp" "$tar"
fi
if [ "$arch" = "$(dpkg --print-architecture)" ]; then
	echo "# docker import $tar as $image"
	docker import -c 'CMD ["bash"]' "$tar" "$image" > /dev/null
	exit 0
fi
# Another architecture's: `docker import` labels the image with this
# machine's (an engine without multi-platform support ignores --platform),
# and a build for that platform then refuses it.  So the image is given to
# `docker load` as `docker save` writes one: the root filesystem as its one
# layer, and a configuration that names the architecture.
echo "# docker load $tar as $image (linux/$goarch${variant:+/$variant})"
dir=$(mktemp -d "$cache/load.XXXXXX")
trap 'rm -rf "$dir"' EXIT
layer=$(sha256sum "$tar" | cut -d ' ' -f 1)
mkdir "$dir/$layer"
ln "$tar" "$dir/$layer/layer.tar" 2> /dev/null || cp "$tar" "$dir/$layer/layer.tar"
printf '{"architecture":"%s",%s"os":"linux","config":{"Cmd":["bash"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"checks/image-base.sh: debootstrap --arch=%s --variant=minbase bookworm"}]}' \
    "$goarch" "${variant:+"\"variant\":\"$variant\","}" "$layer" "$arch" > "$dir/config.json"
config=$(sha256sum "$dir/config.json" | cut -d ' ' -f 1)
mv "$dir/config.json" "$dir/$config.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
    "$config" "$image" "$layer" > "$dir/manifest.json"
tar -C "$dir" -cf - . | docker load > /dev/null
