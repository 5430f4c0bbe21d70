#!/usr/bin/env bash
# Build the shipped library profiles (src/portaudit/catalog/profiles/*.profile) from the real
# server-library jars in Debian 12 with `portaudit profile build`.  Deterministic (gzip without a
# date, classes in name order): scripts/build-fixtures --check rebuilds them and compares bytes.
#
#   tests/profiles/shipped.sh [OUT]     default OUT: src/portaudit/catalog/profiles
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-$ROOT/src/portaudit/catalog/profiles}
J=/usr/share/java
PY=$ROOT/.venv/bin/python; [ -x "$PY" ] || PY=python3
mkdir -p "$OUT"
# file | library name | version | jars (Debian 12 package in the comment)
PROFILES=(
  "netty|Netty|4.1.48|netty-transport netty-common netty-buffer netty-resolver"   # libnetty-java
  "jetty|Jetty|9.4.57|jetty9-server jetty9-util jetty9-http jetty9-io"            # libjetty9-java
  "mina|Apache MINA|2.2.1|mina2-core"                                             # libmina2-java
  "httpcore|Apache HttpCore|4.4.16|httpcore httpcore-nio"                         # libhttpcore-java
  "httpcore5|Apache HttpCore 5|5.2.1|httpcore5 httpcore5-h2"                      # libhttpcore5-java
  "jeromq|JeroMQ|0.3.6|jeromq"                                                    # libjeromq-java
  "jmdns|JmDNS|3.5.5|jmdns"                                                       # libjmdns-java
)
for spec in "${PROFILES[@]}"; do
  IFS='|' read -r file name version libs <<<"$spec"
  jars=(); for l in $libs; do jars+=("$J/$l.jar"); done
  for j in "${jars[@]}"; do [ -f "$j" ] || { echo "shipped profiles: missing $j (scripts/apt-install)" >&2; exit 1; }; done
  "$PY" -m portaudit profile build "${jars[@]}" --name "$name" --version "$version" -o "$OUT/$file.profile" >&2
done
