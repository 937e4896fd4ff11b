#!/usr/bin/env bash
# Writes an OCI image archive (image layout in a tar) of one uncompressed layer, for
# `ctr images import`: no registry, no container engine.
#
#   hack/real-node/oci-image.sh NAME ROOTFS_DIR OUT.tar ENTRYPOINT...
#
# NAME (e.g. csp.local/pause:1) goes into the index as io.containerd.image.name, which ctr
# uses as the image's name.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '5p' "$0" >&2; exit 2; }
name=$1 rootfs=$2 out=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blobs/sha256"

# blob FILE MEDIATYPE: moves FILE into the layout and prints its descriptor.
blob() {
  local digest size
  digest=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  mv "$1" "$work/blobs/sha256/$digest"
  jq -cn --arg m "$2" --arg d "sha256:$digest" --argjson s "$size" \
    '{mediaType: $m, digest: $d, size: $s}'
}

tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$rootfs" -cf "$work/layer" .
diff_id=sha256:$(sha256sum "$work/layer" | cut -d' ' -f1)
layer=$(blob "$work/layer" application/vnd.oci.image.layer.v1.tar)
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
jq -cn --arg a "$arch" --arg d "$diff_id" '{architecture: $a, os: "linux",
  config: {Entrypoint: $ARGS.positional, Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
  rootfs: {type: "layers", diff_ids: [$d]}}' --args "$@" >"$work/config"
config=$(blob "$work/config" application/vnd.oci.image.config.v1+json)
jq -cn --argjson c "$config" --argjson l "$layer" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c, layers: [$l]}' \
  >"$work/manifest"
manifest=$(blob "$work/manifest" application/vnd.oci.image.manifest.v1+json)
jq -cn --argjson m "$manifest" --arg n "$name" \
  '{schemaVersion: 2, manifests: [$m + {annotations: {"io.containerd.image.name": $n,
    "org.opencontainers.image.ref.name": ($n | sub(".*:"; ""))}}]}' >"$work/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
tar --numeric-owner --owner=0 --group=0 -C "$work" -cf "$out" oci-layout index.json blobs
