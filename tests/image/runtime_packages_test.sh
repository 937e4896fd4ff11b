#!/usr/bin/env bash
# The image's runtime stage provides every shared library the binaries load, without building
# the image: each library ldd resolves here (this machine is Debian bookworm, as the image) must
# belong to a package the runtime stage's `apt-get install` names, to one of their dependencies,
# or to the base image (Essential packages and apt, as bookworm-slim). A library from any other
# package would be missing in the image.
#
#   runtime_packages_test.sh DOCKERFILE BINARY...
# Exit status: 0 every library is provided, 1 one is not, 2 the check itself cannot run, 77 not
# on Debian bookworm (the packages and paths here would not be the image's).
set -euo pipefail
dockerfile=$1; shift
# shellcheck source=/dev/null
codename=$( (. /etc/os-release && echo "${VERSION_CODENAME:-}") 2>/dev/null || true)
if [ "$codename" != bookworm ] || ! command -v dpkg-query >/dev/null; then
  echo "skipped: this machine is not Debian bookworm (${codename:-unknown}), as the image is"
  exit 77
fi

# The runtime stage is the last FROM to the end; its install line may span continuation lines.
packages=$(awk '/^FROM /{stage=""} {stage = stage $0 "\n"} END{printf "%s", stage}' "$dockerfile" |
  sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' |
  grep -o 'apt-get install[^&]*' | tr ' ' '\n' | grep -v -e '^-' -e '^$' -e '^apt-get$' \
    -e '^install$' || true)
if [ -z "$packages" ]; then
  echo "no apt-get install in the runtime stage of $dockerfile" >&2; exit 2
fi
# One dpkg-query for every installed package: its Essential flag and dependencies.
declare -A installed=() essential=() depends=()
while IFS=$'\t' read -r pkg status is_essential deps; do
  [[ $status == *" installed" ]] || continue
  installed[$pkg]=1
  [ "$is_essential" = yes ] && essential[$pkg]=1
  depends[$pkg]="${depends[$pkg]:-},$deps"
done < <(dpkg-query -W -f='${Package}\t${Status}\t${Essential}\t${Pre-Depends},${Depends}\n')

# The closure under dependencies; of alternatives the installed one counts (apt's choice here).
declare -A provided=()
add_with_dependencies() {
  local queue=("$@") pkg group alternative chosen
  while [ ${#queue[@]} -gt 0 ]; do
    pkg=${queue[0]}; queue=("${queue[@]:1}")
    [ -n "${provided[$pkg]:-}" ] && continue
    provided[$pkg]=1
    while IFS= read -r group; do
      chosen=""
      while IFS= read -r alternative; do
        alternative=${alternative%%(*}; alternative=${alternative%%:*}
        alternative=${alternative// /}
        [ -z "$alternative" ] && continue
        [ -z "$chosen" ] && chosen=$alternative
        if [ -n "${installed[$alternative]:-}" ]; then chosen=$alternative; break; fi
      done < <(tr '|' '\n' <<<"$group")
      [ -n "$chosen" ] && queue+=("$chosen")
    done < <(tr ',' '\n' <<<"${depends[$pkg]:-}")
  done
}
for pkg in $packages; do
  [ -n "${installed[$pkg]:-}" ] || {
    echo "$pkg (named by the Dockerfile) is not installed here: its dependencies are unknown" >&2
    exit 2; }
done
# shellcheck disable=SC2086  # word splitting wanted: a list of package names
add_with_dependencies $packages "${!essential[@]}" apt

# Which library each binary loads, as ldd resolves it here.
declare -A loaded_by=()
for binary in "$@"; do
  while read -r library; do
    if [[ $library == MISSING:* ]]; then
      echo "$(basename "$binary"): ${library#MISSING:} not found on this machine" >&2; exit 2
    fi
    loaded_by[$library]+="$(basename "$binary") "
  done < <(ldd "$binary" | awk '/=> not found/ {print "MISSING:" $1; next}
    $2 == "=>" && $3 ~ /^\// {print $3; next} $1 ~ /^\// {print $1}')
done

# Their packages, in one dpkg -S (it reads the whole file database per call); merged /usr means
# dpkg may know a library under /lib or /usr/lib, or under its real name.
candidates=()
for library in "${!loaded_by[@]}"; do
  candidates+=("$library" "$(realpath "$library")" "${library#/usr}" "/usr$library")
done
declare -A owner=()
while IFS= read -r line; do
  owner[${line#*: }]=${line%%[:,]*}
done < <(dpkg -S "${candidates[@]}" 2>/dev/null || true)

failures=0
for library in "${!loaded_by[@]}"; do
  pkg=""
  for candidate in "$library" "$(realpath "$library")" "${library#/usr}" "/usr$library"; do
    pkg=${owner[$candidate]:-}
    [ -n "$pkg" ] && break
  done
  [ -n "$pkg" ] || { echo "$library: no package owns it" >&2; exit 2; }
  if [ -z "${provided[$pkg]:-}" ]; then
    echo "$library (package $pkg, loaded by ${loaded_by[$library]% }) is not installed by the" \
      "runtime stage nor part of the base image"
    failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ] || exit 1
echo "all ${#loaded_by[@]} shared libraries of $# binaries come from the base or from:" \
  "$(tr '\n' ' ' <<<"$packages")"
