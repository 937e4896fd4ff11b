#!/usr/bin/env bash
# Builds the operator's image from the Dockerfile without Docker and without any image registry:
# the Debian bookworm base is made from Debian's packages (mmdebstrap), imported into buildah's
# local storage, and the Dockerfile's stages are built on it with --pull=never. Writes an OCI
# archive and prints the image's size. Needs root (chroot isolation, vfs storage) and Debian's
# package mirror (the base and the Dockerfile's apt-get steps download packages).
#
#   hack/image.sh                    # full build: the build stage compiles the project
#   hack/image.sh --binaries DIR     # runtime stage only, from a `cmake --install` tree DIR
#   options: --out DIR (build/image), --tag NAME (localhost/csp-operator:dev),
#            --refresh-base (remake the base even if DIR/base.tar exists)
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/image
tag=localhost/csp-operator:dev
binaries=""
refresh_base=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binaries) binaries=$(realpath "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --refresh-base) refresh_base=1; shift ;;
    *) echo "image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "image.sh: run as root (buildah chroot isolation)" >&2; exit 2; }
for tool in buildah mmdebstrap; do
  command -v "$tool" >/dev/null || {
    echo "image.sh: $tool missing: apt-get install buildah mmdebstrap" >&2; exit 2; }
done
if [ -n "$binaries" ] && [ ! -x "$binaries/bin/csp-operator" ]; then
  echo "image.sh: $binaries/bin/csp-operator missing (want a cmake --install tree)" >&2; exit 2
fi
mkdir -p "$out"
out=$(realpath "$out")
base_name=localhost/csp-base:bookworm
# The storage is this build's own (vfs: works on any file system and inside containers).
bah() { buildah --root "$out/storage" --runroot "$out/run" --storage-driver vfs "$@"; }
export BUILDAH_ISOLATION=chroot
seconds() { date +%s; }
start=$(seconds)

# The base: what debian:bookworm-slim is (minbase: the Essential packages and apt, without
# documentation), made from the mirror, with the stable updates and security suites enabled so
# the Dockerfile's apt-get installs the patched packages. As in the official image: /usr merged
# by symlinks (not the usrmerge package, which pulls in perl), and apt keeps no package caches
# or downloaded .debs in layers (the official image's /etc/apt/apt.conf.d/docker-* settings).
settings=$out/apt.conf.d
mkdir -p "$settings"
clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb'
clean+=' /var/cache/apt/*.bin || true";'
printf '%s\n' "DPkg::Post-Invoke { $clean };" "APT::Update::Post-Invoke { $clean };" \
  'Dir::Cache::pkgcache "";' 'Dir::Cache::srcpkgcache "";' >"$settings/docker-clean"
echo 'Acquire::Languages "none";' >"$settings/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$settings/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$settings/docker-autoremove-suggests"
if [ "$refresh_base" -eq 1 ] || [ ! -s "$out/base.tar" ]; then
  mirror=http://deb.debian.org/debian
  # shellcheck disable=SC2016  # $1 in a hook is the new root, expanded by mmdebstrap
  mmdebstrap --mode=root --variant=minbase --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="copy-in $(echo "$settings"/docker-*) /etc/apt/apt.conf.d/" \
    --customize-hook='rm -f "$1"/var/cache/apt/*.bin' \
    bookworm "$out/base.tar.part" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  mv "$out/base.tar.part" "$out/base.tar"
  bah rmi -f "$base_name" >/dev/null 2>&1 || true
fi
if ! bah inspect --type image "$base_name" >/dev/null 2>&1; then
  ctr=$(bah from scratch)
  bah add "$ctr" "$out/base.tar" /
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd bash --os linux --arch amd64 "$ctr"
  bah commit --rm -q "$ctr" "$base_name" >/dev/null
fi
base_done=$(seconds)

# With --binaries the build stage is replaced by one that copies the given install tree; the
# runtime stage is the Dockerfile's own text (its second FROM to the end), so packages, user and
# entrypoint cannot drift from what `docker build` makes.
context=.
dockerfile=Dockerfile
if [ -n "$binaries" ]; then
  context=$(mktemp -d)
  trap 'rm -rf "$context"' EXIT
  mkdir -p "$context/out"
  cp -a "$binaries/bin" "$context/out/bin"
  {
    awk '/^FROM /{exit} /^ARG /' Dockerfile
    printf 'FROM scratch AS build\nCOPY out/ /out/\n'
    awk '/^FROM /{n++} n>=2' Dockerfile
  } >"$context/Dockerfile"
  dockerfile=$context/Dockerfile
fi
bah bud --pull=never --layers=false --build-arg "BASE=$base_name" -f "$dockerfile" -t "$tag" \
  "$context"
built=$(seconds)

rm -f "$out/csp-operator.oci.tar"
bah push -q --digestfile "$out/digest" "$tag" "oci-archive:$out/csp-operator.oci.tar:$tag"
bah rmi --prune >/dev/null 2>&1 || true  # the previous build's image, now untagged
size=$(bah images --format '{{.Size}}' "$tag" | head -n 1)
archive=$(du -h "$out/csp-operator.oci.tar" | cut -f1)
echo "image.sh: $tag: $size (compressed archive $archive: $out/csp-operator.oci.tar)"
echo "image.sh: base $((base_done - start)) s, image $((built - base_done)) s"
