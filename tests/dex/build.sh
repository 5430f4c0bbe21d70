#!/bin/sh
# Rebuild the smali test DEX files of tests/dex (Debian package libsmali-java provides /usr/bin/smali).
#   tests/dex/build.sh           rebuild tests/dex/smali/{main,second}.dex in place
#   tests/dex/build.sh --check   rebuild into a temporary folder, fail if the committed files differ
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/smali"
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
for dex in main second; do
  smali a --api 21 -o "$out/$dex.dex" "$here/smali/$dex"
done
if [ "${1:-}" = "--check" ]; then
  for dex in main second; do
    cmp "$out/$dex.dex" "$here/smali/$dex.dex" || { echo "tests/dex/smali/$dex.dex is stale: run tests/dex/build.sh" >&2; exit 1; }
  done
fi
