#!/usr/bin/env bash
# Regenerates tests/signature/testdata/: real cosign signatures of a random image, in both
# layouts cosign v3 writes, by keys of every kind csp::signature verifies. A registry runs on
# loopback (plain HTTP, a temp folder) for the duration; crane pushes the image, cosign signs it
# with --tlog-upload=false, and the exact bytes the registry serves are saved:
#
#   image.digest, image-manifest.json        the signed image
#   keys/<alg>.pub                           the public keys (private keys are not kept)
#   legacy-<alg>/signature-manifest.json     tag sha256-<hex>.sig (simple-signing layers)
#   legacy-<alg>/payload.json                its layer blob (the simple-signing payload)
#   bundle-<alg>/referrers.json              GET /v2/<repo>/referrers/<digest> (or fallback tag)
#   bundle-<alg>/referrer-manifest.json      the referring artifact's manifest
#   bundle-<alg>/bundle.json                 its layer blob (the Sigstore bundle)
#
# Each layout is signed into its own repository so the referrers list holds one signature.
#   hack/make-signature-fixtures.sh [OUT_DIR]   (default tests/signature/testdata)
set -euo pipefail
hack=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$hack/../tests/signature/testdata}
bin=$("$hack/build-test-tools.sh")
work=$(mktemp -d)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

die() { echo "make-signature-fixtures: $*" >&2; exit 1; }

# A free loopback port: bind to 0 and read what the kernel gave.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/storage}, delete: {enabled: true}}
http: {addr: $host}
EOF
"$bin/registry" serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -fsS "http://$host/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://$host/v2/" >/dev/null || die "registry did not start: $(cat "$work/registry.log")"

# Keys: cosign's own ECDSA P-256 pair, and P-384, RSA and Ed25519 imported from openssl.
export COSIGN_PASSWORD=
mkdir -p "$work/keys"
(cd "$work/keys" && "$bin/cosign" generate-key-pair --output-key-prefix p256 >/dev/null 2>&1)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/keys/p384.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/keys/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ED25519 -out "$work/keys/ed25519.pem" 2>/dev/null
for alg in p384 rsa ed25519; do
  "$bin/cosign" import-key-pair --key "$work/keys/$alg.pem" \
    --output-key-prefix "$work/keys/$alg" >/dev/null 2>&1 ||
    die "cosign import-key-pair refused the $alg key"
done

crane() { "$bin/crane" --insecure "$@"; }
# A random one-layer image, pushed once per repository (the same bytes, so the same digest).
head -c 4096 /dev/urandom >"$work/random.bin"
tar -C "$work" -cf "$work/layer.tar" random.bin
push_image() { crane append -f "$work/layer.tar" -t "$host/$1:v1" >/dev/null 2>&1; }

rm -rf "$out" && mkdir -p "$out/keys"
push_image base
digest=$(crane digest "$host/base:v1")
hex=${digest#sha256:}
printf '%s\n' "$digest" >"$out/image.digest"
crane manifest "$host/base@$digest" >"$out/image-manifest.json"

sign() {  # sign REPO KEY [extra cosign flags...]
  local repo=$1 key=$2
  shift 2
  "$bin/cosign" sign --key "$work/keys/$key.key" --tlog-upload=false --use-signing-config=false \
    --allow-http-registry --allow-insecure-registry -y "$@" "$host/$repo@$digest" \
    >"$work/sign.log" 2>&1 || die "cosign sign failed: $(cat "$work/sign.log")"
}

for alg in p256 p384 rsa ed25519; do
  cp "$work/keys/$alg.pub" "$out/keys/$alg.pub"

  repo=legacy-$alg
  push_image "$repo"
  sign "$repo" "$alg" --new-bundle-format=false
  dir=$out/$repo && mkdir -p "$dir"
  crane manifest "$host/$repo:sha256-$hex.sig" >"$dir/signature-manifest.json"
  layer=$(jq -r '.layers[0].digest' "$dir/signature-manifest.json")
  crane blob "$host/$repo@$layer" >"$dir/payload.json"

  repo=bundle-$alg
  push_image "$repo"
  sign "$repo" "$alg"
  dir=$out/$repo && mkdir -p "$dir"
  # The referrers API when the registry has it, else the fallback index tag cosign wrote.
  if ! curl -fsS -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$host/v2/$repo/referrers/$digest" >"$dir/referrers.json" 2>/dev/null; then
    crane manifest "$host/$repo:sha256-$hex" >"$dir/referrers.json"
  fi
  referrer=$(jq -r '.manifests[0].digest' "$dir/referrers.json")
  crane manifest "$host/$repo@$referrer" >"$dir/referrer-manifest.json"
  layer=$(jq -r '.layers[0].digest' "$dir/referrer-manifest.json")
  crane blob "$host/$repo@$layer" >"$dir/bundle.json"
done

cat >"$out/README.md" <<EOF
Real cosign signatures, made by \`hack/make-signature-fixtures.sh\` with cosign
$("$bin/cosign" version 2>&1 | awk '/GitVersion/ {print $2}'), crane and distribution's registry
(hack/versions.env) on $(date -u +%Y-%m-%d): one random image, signed with \`--tlog-upload=false\`
in the v3 bundle layout (\`bundle-<alg>/\`) and the legacy layout (\`legacy-<alg>/\`,
\`--new-bundle-format=false\`) by ECDSA P-256 (\`cosign generate-key-pair\`), ECDSA P-384,
RSA-2048 and Ed25519 keys (\`openssl genpkey\` + \`cosign import-key-pair\`). The files are the
exact bytes the registry served; see the script's header for the list.
EOF
echo "make-signature-fixtures: wrote $out (image $digest)"
