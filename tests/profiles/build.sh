#!/usr/bin/env bash
# Release-like (shrunk and obfuscated) apps that open listeners through real server libraries.
#
#   tests/profiles/build.sh [OUT]      default OUT: tests/.cache/profiles
#
# For each app in apps/ (Java sources compiled with javac --release 8 against Debian's jars):
#   1. ProGuard (Debian proguard-cli 6.2) shrinks and obfuscates app + library jars, once per
#      variant below, against a platform jar made from JDK 17's jmods with the class-file major
#      version rewritten to 55 (ProGuard 6.2 cannot read newer class files);
#   2. the obfuscated jar is RUN on the JVM and the sockets it listens on are read from /proc
#      (observe.py -> observed.json): the listener really survived shrinking - the oracle;
#   3. dx turns the obfuscated jar into DEX (classes.dex.jar); ProGuard's mapping.txt is kept.
# Variant "plain" is app + library jars dexed without ProGuard (nothing renamed).
# Outputs are megabytes and are not committed.  Idempotent: a variant is rebuilt only when its
# stamp (sources, jars, rules, tools) changes.  Called by scripts/fetch-third-party.
#
# Needs: default-jdk-headless, proguard-cli, libnetty-java, libjetty9-java (servlet-api),
# libmina2-java (slf4j), and dx (tests/.cache/toolchain/dx.jar, fetched by scripts/build-fixtures).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-$ROOT/tests/.cache/profiles}
J=/usr/share/java
DX=${PORTAUDIT_DX_JAR:-$ROOT/tests/.cache/toolchain/dx.jar}
PG=$J/proguard.jar
JMODS=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}/jmods
PY=$ROOT/.venv/bin/python; [ -x "$PY" ] || PY=python3
if [ ! -f "$DX" ]; then
  "$PY" -c "import runpy, sys; runpy.run_path(sys.argv[1], run_name='build_fixtures')['ensure_dx']()" \
      "$ROOT/scripts/build-fixtures"
fi
[ -f "$PG" ] || { echo "profiles: $PG missing (apt-get install proguard-cli)" >&2; exit 1; }

# app | library jars (obfuscated with the app) | extra app sources | main class | dx min-sdk | more variants
# "optimize" (ProGuard's optimiser on) only where the result runs: Netty's optimised jar needs
# Log4J2 (not in Debian) and then fails verification on JDK 17; Jetty's runs, but its trivial
# setters (ServerConnector.setPort) are inlined into field writes (docs/profiles.md, limitations).
APPS=(
  "netty|netty-transport netty-common netty-buffer netty-resolver|lookalike|app.netty.NettyApp||"
  "jetty|jetty9-server jetty9-util jetty9-http jetty9-io servlet-api||app.jetty.JettyApp|26|"
  "mina|mina2-core slf4j-api||app.mina.MinaApp||optimize"
  "lookalike|||app.lookalike.Bootstrap||"
)
# variant | ProGuard options (empty options and "plain": no ProGuard)
VARIANTS=(
  "plain|"
  "obf|-dontoptimize"
  "repackage|-dontoptimize -repackageclasses ''"
  "overload|-dontoptimize -overloadaggressively -repackageclasses ''"
  "access|-dontoptimize -allowaccessmodification -repackageclasses ''"
)
MORE_VARIANTS=(
  "optimize|-optimizationpasses 2 -allowaccessmodification -repackageclasses ''"
)

mkdir -p "$OUT"
PLATFORM=$OUT/platform-55.jar
if [ ! -f "$PLATFORM" ]; then
  tmp=$(mktemp -d)
  for m in java.base java.logging java.management java.naming java.xml java.sql java.desktop \
           java.instrument java.security.jgss java.scripting jdk.unsupported; do
    jmod extract --dir "$tmp/$m" "$JMODS/$m.jmod"
  done
  "$PY" "$HERE/platform_jar.py" "$PLATFORM.tmp" "$tmp"/*
  mv "$PLATFORM.tmp" "$PLATFORM"
  rm -rf "$tmp"
fi

for spec in "${APPS[@]}"; do
  IFS='|' read -r app libs extra main minsdk more <<<"$spec"
  jars=(); for l in $libs; do jars+=("$J/$l.jar"); done
  for j in "${jars[@]}"; do [ -f "$j" ] || { echo "profiles: missing $j" >&2; exit 1; }; done
  srcs=$(cd "$HERE/apps" && find "$app/src" ${extra:+$extra/src} -name '*.java' | sort)
  variants=("${VARIANTS[@]}")
  for m in "${MORE_VARIANTS[@]}"; do [[ " $more " == *" ${m%%|*} "* ]] && variants+=("$m"); done
  for vspec in "${variants[@]}"; do
    IFS='|' read -r variant opts <<<"$vspec"
    dir=$OUT/$app/$variant
    stamp=$( { for s in $srcs; do sha256sum "$HERE/apps/$s"; done; sha256sum "${jars[@]}" "$DX" "$PG" \
               "$HERE/rules/common.pro" "$HERE/rules/$app.pro" "$HERE/observe.py" "$0"; echo "$opts $minsdk"; } \
             | awk '{print $1}' | sha256sum | cut -c1-16)
    if [ -f "$dir/classes.dex.jar" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
      echo "profiles: $app/$variant up to date" >&2
      continue
    fi
    work=$(mktemp -d)
    mkdir -p "$work/classes"
    cp=$(IFS=:; echo "${jars[*]}")
    (cd "$HERE/apps" && javac --release 8 -nowarn -encoding UTF-8 ${cp:+-cp "$cp"} -d "$work/classes" $srcs)
    (cd "$work/classes" && jar cf ../app.jar .)
    if [ "$variant" = plain ]; then
      cp "$work/app.jar" "$work/run.jar"
      runcp="$work/run.jar${cp:+:$cp}"
      dexin=("$work/app.jar" "${jars[@]}")
    else
      {
        echo "-injars $work/app.jar"
        for j in "${jars[@]}"; do echo "-injars $j(!META-INF/**,!module-info.class)"; done
        echo "-outjars $work/run.jar"
        echo "-libraryjars $PLATFORM"
        echo "-printmapping $work/mapping.txt"
        echo "-keep public class $main { public static void main(java.lang.String[]); }"
        cat "$HERE/rules/common.pro" "$HERE/rules/$app.pro"
        echo "$opts"
      } > "$work/proguard.pro"
      if ! java -Xss4m -jar "$PG" @"$work/proguard.pro" > "$work/proguard.log" 2>&1; then
        tail -30 "$work/proguard.log" >&2; echo "profiles: ProGuard failed for $app/$variant" >&2; exit 1
      fi
      runcp="$work/run.jar"
      dexin=("$work/run.jar")
    fi
    # the oracle: run it and read its listening sockets from /proc
    if ! "$PY" "$HERE/observe.py" "$work/observed.json" java -cp "$runcp" "$main"; then
      echo "profiles: $app/$variant did not run" >&2; exit 1
    fi
    if ! java -Xmx1g -cp "$DX" com.android.dx.command.Main --dex --multi-dex ${minsdk:+--min-sdk-version=$minsdk} \
         --output="$work/classes.dex.jar" "${dexin[@]}" > "$work/dx.log" 2>&1; then
      tail -30 "$work/dx.log" >&2; echo "profiles: dx failed for $app/$variant" >&2; exit 1
    fi
    rm -rf "$dir"; mkdir -p "$dir"
    mv "$work/classes.dex.jar" "$work/observed.json" "$dir/"
    [ -f "$work/mapping.txt" ] && mv "$work/mapping.txt" "$work/proguard.pro" "$dir/"
    echo "$stamp" > "$dir/stamp"
    rm -rf "$work"
    echo "profiles: built $app/$variant ($(cat "$dir/observed.json" | tr -d ' \n'))" >&2
  done
done
