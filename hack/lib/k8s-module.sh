# shellcheck shell=bash
# Shared by hack/build-control-plane.sh and hack/build-kubelet.sh: a wrapper Go module to build
# commands of k8s.io/kubernetes. Its go.mod requires the staging modules at v0.0.0; each is
# replaced with its published tag, derived from the downloaded go.mod so that a new minor needs
# no edit. Needs K8S_VERSION and K8S_STAGING_VERSION (versions.env) and die().

# write_k8s_module MODULE CMD...: go.mod and tools.go (importing k8s.io/kubernetes/cmd/CMD for
# each CMD) in the current folder.
write_k8s_module() {
  local module=$1 gomod cmd
  shift
  gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@v$K8S_VERSION"
  {
    printf 'module %s\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes v%s\n\nreplace (\n' "$module" "$K8S_VERSION"
    awk -v V="v$K8S_STAGING_VERSION" '$2=="=>" && $3 ~ /^\.\/staging\// {printf "\t%s => %s %s\n",$1,$1,V}' "$gomod"
    printf ')\n'
  } >go.mod
  grep -q 'k8s.io/api =>' go.mod || die "no staging replaces found in $gomod"
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for cmd in "$@"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$cmd"; done
    printf ')\n'
  } >tools.go
}

# The -ldflags of a Kubernetes command: stripped, with the version stamped as a release has it.
k8s_ldflags() {
  local minor=${K8S_VERSION#*.} ld="-s -w" p
  minor=${minor%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  echo "$ld"
}
