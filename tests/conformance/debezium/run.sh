#!/usr/bin/env bash
# Runs DebeziumRunner (the real Debezium embedded engine, see README.md).
#
# Usage: run.sh capture --props FILE --out FILE --schemas true|false [--idle-ms N] [--max-events N]
#                       [--startup-timeout-ms N] [--ready-file FILE]
#        run.sh connect-roundtrip --in FILE --schemas true|false [--dump FILE]
#
# First use fetches the jars named in the pom (pom.xml unless CDCD_DBZ_POM says otherwise) from
# Maven Central with `mvn dependency:copy-dependencies` into
# ${CDCD_CACHE_DIR:-~/.cache/cdcd}/debezium-<version>/ and compiles DebeziumRunner.java there with
# javac; later runs reuse both. Both steps hold a lock, so parallel runs (ctest -j) do not race, and
# results appear under their final name only when complete. The jar dir is keyed by the pom's
# content and the class dir by the content of DebeziumRunner.java and the pom, so editing either
# one refetches / recompiles.
#
# Environment:
#   CDCD_DBZ_POM          the pom naming the jars: a file name in this directory or an absolute
#                         path (default pom.xml: Debezium 3.6.1 PostgreSQL + MySQL connectors;
#                         pom-mariadb.xml: Debezium 3.5.0 MariaDB connector)
#   CDCD_CACHE_DIR        cache root (default ~/.cache/cdcd; safe to delete)
#   CDCD_DBZ_LOG_LEVEL    slf4j-simple level for Debezium/Kafka logging on stderr (default warn)
#   CDCD_DBZ_JAVA_OPTS    extra JVM options (appended last)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${CDCD_CACHE_DIR:-${HOME:-/root}/.cache/cdcd}
POM=${CDCD_DBZ_POM:-pom.xml}
[[ $POM == /* ]] || POM=$HERE/$POM
SRC=$HERE/DebeziumRunner.java

say() { echo "run.sh: $*" >&2; }
die() { echo "run.sh: error: $*" >&2; exit 2; }
now_ms() { date +%s%3N; }

[[ $# -ge 1 ]] || die "usage: $0 capture|connect-roundtrip OPTIONS... (see the header of $0)"
case $1 in
  capture | connect-roundtrip) ;;
  *) die "unknown mode '$1' (want capture or connect-roundtrip)" ;;
esac

command -v java >/dev/null || die "java not found (run scripts/install-deps.sh)"
[[ -f $POM ]] || die "no pom $POM (CDCD_DBZ_POM)"

VERSION=$(sed -n 's:.*<debezium.version>\(.*\)</debezium.version>.*:\1:p' "$POM")
[[ -n $VERSION ]] || die "no debezium.version in $POM"
POM_HASH=$(md5sum <"$POM" | cut -c1-12)
SRC_HASH=$(cat "$SRC" "$POM" | md5sum | cut -c1-12)
BASE=$CACHE/debezium-$VERSION
LIB=$BASE/lib-$POM_HASH
CLASSES=$BASE/classes-$SRC_HASH

# Fills LIB with the jars once (caller holds the lock).
fetch_jars() {
  local work t0
  command -v mvn >/dev/null || die "mvn not found (run scripts/install-deps.sh)"
  t0=$(now_ms)
  say "downloading Debezium $VERSION jars from Maven Central into $LIB"
  # Run on a copy of the pom so Maven writes nothing into the source tree; the Maven repo lives
  # in the work dir too: only the jars are worth caching.
  work=$(mktemp -d "$BASE/lib.build.XXXXXX")
  cp "$POM" "$work/pom.xml"
  if ! mvn -B -q -f "$work/pom.xml" -Dmaven.repo.local="$work/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/lib" \
    </dev/null >"$work/mvn.log" 2>&1; then
    tail -n 30 "$work/mvn.log" >&2
    die "mvn dependency:copy-dependencies failed (log: $work/mvn.log)"
  fi
  touch "$work/lib/.complete"
  rm -rf "$LIB"
  mv "$work/lib" "$LIB"
  rm -rf "$work"
  say "Debezium $VERSION jars ready in $(($(now_ms) - t0)) ms"
}

# Compiles DebeziumRunner.java into CLASSES (caller holds the lock).
compile_runner() {
  local work t0
  command -v javac >/dev/null || die "javac not found (install openjdk-17-jdk-headless: scripts/install-deps.sh)"
  t0=$(now_ms)
  work=$(mktemp -d "$BASE/classes.build.XXXXXX")
  if ! javac -nowarn -encoding UTF-8 --release 17 -cp "$LIB/*" -d "$work" "$SRC" >"$work/javac.log" 2>&1; then
    cat "$work/javac.log" >&2
    rm -rf "$work"
    die "javac failed on $SRC"
  fi
  rm -f "$work/javac.log"
  chmod 755 "$work"
  touch "$work/.complete"
  rm -rf "$CLASSES"
  mv "$work" "$CLASSES"
  # Drop classes of other source versions compiled over an hour ago (younger ones may still be in
  # use by a run started before the edit, which loads classes lazily).
  find "$BASE" -mindepth 1 -maxdepth 1 -name 'classes-*' ! -path "$CLASSES" -mmin +60 \
    -exec rm -rf {} + 2>/dev/null || true
  say "compiled DebeziumRunner in $(($(now_ms) - t0)) ms"
}

if [[ ! -f $LIB/.complete || ! -f $CLASSES/.complete ]]; then
  mkdir -p "$BASE"
  exec 9>"$BASE.lock"
  flock -w 900 9 || die "timeout waiting for $BASE.lock"
  [[ -f $LIB/.complete ]] || fetch_jars
  [[ -f $CLASSES/.complete ]] || compile_runner
  exec 9>&-
fi

# shellcheck disable=SC2206 # word splitting of the user's JVM options is intended
JAVA_OPTS=(
  -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
  -Dorg.slf4j.simpleLogger.defaultLogLevel="${CDCD_DBZ_LOG_LEVEL:-warn}"
  -Dorg.slf4j.simpleLogger.logFile=System.err
  -Dorg.slf4j.simpleLogger.showDateTime=true
  -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS
  -Dorg.slf4j.simpleLogger.showShortLogName=true
  -Dfile.encoding=UTF-8
  ${CDCD_DBZ_JAVA_OPTS:-}
)
exec java "${JAVA_OPTS[@]}" -cp "$CLASSES:$LIB/*" DebeziumRunner "$@"
