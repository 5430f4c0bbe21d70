#!/usr/bin/env bash
# Build the "real library" test apps: small Java apps that start servers with Netty, Jetty and
# Apache MINA, compiled with javac --release 8 against Debian's real jars, then dexed by dx
# TOGETHER WITH the real library classes (the jars themselves, not stubs).
#
#   tests/realibs/build.sh [OUT]      default OUT: tests/.cache/third_party/realibs
#
# Writes OUT/<app>.jar (a jar whose classes*.dex hold app + library bytecode) and OUT/manifest.json
# (inputs and their sha256).  Idempotent: an app whose jar exists and whose inputs (sources, jars,
# dx) are unchanged is skipped.  Called by scripts/fetch-third-party.  Outputs are not committed.
#
# Needs: default-jdk-headless (javac 17), libnetty-java, libjetty9-java, libservlet-api-java
# (pulled in by libjetty9-java), libmina2-java, and dx (tests/.cache/toolchain/dx.jar, fetched by
# scripts/build-fixtures; PORTAUDIT_DX_JAR overrides).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-$ROOT/tests/.cache/third_party/realibs}
J=/usr/share/java
DX=${PORTAUDIT_DX_JAR:-$ROOT/tests/.cache/toolchain/dx.jar}
if [ ! -f "$DX" ]; then
  # build-fixtures knows how to fetch dx (Debian bullseye's dalvik-exchange) into the cache
  PY=$ROOT/.venv/bin/python; [ -x "$PY" ] || PY=python3
  "$PY" -c "import runpy, sys; runpy.run_path(sys.argv[1], run_name='build_fixtures')['ensure_dx']()" \
      "$ROOT/scripts/build-fixtures"
fi

# app name | library jars (dexed with the app) | extra compile-time classpath (not dexed) | dx min-sdk
# Jetty 9.4 uses invokedynamic (lambdas) and default / static interface methods, which dx only
# accepts with --min-sdk-version=26 (DEX 038, invoke-custom); Netty 4.1 and MINA 2.2 dex at the default.
APPS=(
  "netty|netty-transport netty-common netty-buffer netty-resolver||"
  "jetty|jetty9-server jetty9-util jetty9-http jetty9-io|servlet-api|26"
  "mina|mina2-core||"
  "netty-only|netty-transport netty-common netty-buffer netty-resolver||"
)
# netty-only has no app code (no apps/netty-only/ folder): Netty's own bytecode alone, where no
# entry point is called from outside the library, so its internal bind calls must be reported.

mkdir -p "$OUT"
manifest="$OUT/manifest.json.tmp"
echo "{" > "$manifest"
first=1
for spec in "${APPS[@]}"; do
  IFS='|' read -r app libs extra minsdk <<<"$spec"
  jars=(); for l in $libs; do jars+=("$J/$l.jar"); done
  cp_extra=(); for l in $extra; do cp_extra+=("$J/$l.jar"); done
  for j in "${jars[@]}" "${cp_extra[@]}"; do
    [ -f "$j" ] || { echo "realibs: missing $j (scripts/apt-install installs scripts/apt-packages.txt)" >&2; exit 1; }
  done
  srcs=""; [ -d "$HERE/apps/$app" ] && srcs=$(cd "$HERE/apps/$app" && find src -name '*.java' | sort)
  stamp=$( { for s in $srcs; do sha256sum "$HERE/apps/$app/$s"; done; sha256sum "${jars[@]}" "${cp_extra[@]}" "$DX"; echo "min-sdk $minsdk"; } \
           | awk '{print $1}' | sha256sum | cut -c1-16)
  if [ -f "$OUT/$app.jar" ] && [ "$(cat "$OUT/$app.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "realibs: $app.jar up to date" >&2
  else
    work=$(mktemp -d)
    cp=$(IFS=:; echo "${jars[*]}${cp_extra:+:${cp_extra[*]}}")
    mkdir -p "$work/classes"
    if [ -n "$srcs" ]; then
      (cd "$HERE/apps/$app" && javac --release 8 -nowarn -encoding UTF-8 -cp "$cp" -d "$work/classes" $srcs)
    fi
    # dx reads the app's class folder and the library jars; --multi-dex splits past 64K methods.
    # Default min-sdk (DEX 035): these jars need nothing newer.
    if ! java -Xmx1g -cp "$DX" com.android.dx.command.Main --dex --multi-dex ${minsdk:+--min-sdk-version=$minsdk} \
         --output="$work/$app.jar" ${srcs:+"$work/classes"} "${jars[@]}" > "$work/dx.log" 2>&1; then
      tail -30 "$work/dx.log" >&2; echo "realibs: dx failed for $app" >&2; exit 1
    fi
    mv "$work/$app.jar" "$OUT/$app.jar"
    echo "$stamp" > "$OUT/$app.stamp"
    rm -rf "$work"
    echo "realibs: built $OUT/$app.jar" >&2
  fi
  [ $first = 1 ] || echo "," >> "$manifest"; first=0
  printf '  "%s": {"libraries": [%s], "min_sdk": "%s", "jar_sha256": "%s"}' "$app" \
    "$(for j in "${jars[@]}"; do printf '"%s",' "$(basename "$(readlink -f "$j")")"; done | sed 's/,$//')" "${minsdk:-default}" \
    "$(sha256sum "$OUT/$app.jar" | cut -d' ' -f1)" >> "$manifest"
done
printf '\n}\n' >> "$manifest"
mv "$manifest" "$OUT/manifest.json"
