#!/usr/bin/env bash
# runtime_packages_test.sh can fail: with PACKAGE taken out of the runtime stage's install list
# it must name the library PACKAGE provides and exit 1.
#
#   missing_package_test.sh PACKAGE LIBRARY DOCKERFILE BINARY...
set -euo pipefail
package=$1 library=$2 dockerfile=$3; shift 3
here=$(dirname "$0")
grep -q " $package\b" "$dockerfile" || { echo "$dockerfile does not install $package" >&2; exit 2; }
without=$(mktemp)
trap 'rm -f "$without"' EXIT
sed "s/ $package\b//" "$dockerfile" >"$without"
rc=0
output=$(bash "$here/runtime_packages_test.sh" "$without" "$@") || rc=$?
echo "$output"
[ "$rc" -ne 77 ] || exit 77
[ "$rc" -eq 1 ] || { echo "expected exit 1 without $package, got $rc" >&2; exit 1; }
grep -q "$library.*package $package" <<<"$output" || {
  echo "expected $library (package $package) to be reported" >&2; exit 1; }
echo "without $package the check fails as it should"
