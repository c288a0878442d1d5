# svc-kafka.bash: the Kafka services of tests/services/svc (sourced by it, not run on its own):
# a real single-node KRaft broker (`kafka`) and librdkafka's mock cluster (`kafka-mock`).
# Uses svc's helpers and variables (DIR, CACHE, HERE, LOGS, PID, ENV_KEYS, READY_MSG).
# ---------------------------------------------------------------------------------------------
# kafka (real broker, single-node KRaft)

kafka_version() {
  local v=${CDCD_KAFKA_VERSION:-}
  [[ -n $v ]] || v=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")
  [[ -n $v ]] || die "no kafka.version in $HERE/kafka/pom.xml"
  echo "$v"
}

# Fills CACHE/kafka-VERSION with the broker's jars once; later starts reuse it. A lock file
# serialises concurrent first starts; the jars appear under their final name only when complete.
ensure_kafka_jars() {
  local ver=$1 lib=$CACHE/kafka-$1 work t0
  [[ -f $lib/.complete ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (run scripts/install-deps.sh)"
  mkdir -p "$CACHE"
  exec 9>"$CACHE/kafka-$ver.lock"
  flock -w 900 9 || die "timeout waiting for $CACHE/kafka-$ver.lock"
  if [[ ! -f $lib/.complete ]]; then
    t0=$(now_ms)
    say "downloading Kafka $ver jars from Maven Central into $lib"
    # Run on a copy of the pom so Maven writes nothing into the source tree.
    work=$(mktemp -d "$CACHE/kafka-$ver.build.XXXXXX")
    cp "$HERE/kafka/pom.xml" "$work/pom.xml"
    # The Maven repo lives in the work dir too: only the jars are worth caching.
    if ! mvn -B -q -f "$work/pom.xml" -Dmaven.repo.local="$work/m2" -Dkafka.version="$ver" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/lib" \
      </dev/null >"$work/mvn.log" 2>&1; then
      tail -n 30 "$work/mvn.log" >&2
      die "mvn dependency:copy-dependencies failed (log: $work/mvn.log)"
    fi
    touch "$work/lib/.complete"
    rm -rf "$lib"
    mv "$work/lib" "$lib"
    rm -rf "$work"
    say "Kafka $ver jars ready in $(($(now_ms) - t0)) ms"
  fi
  exec 9>&-
}

# Kafka cluster ids are 16 random bytes in unpadded base64url; avoid a leading '-', which the
# storage tool would parse as an option.
kafka_cluster_id() {
  python3 -c 'import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break'
}

# Where the broker's class-data-sharing archive lives (empty: CDS disabled). JVM class loading
# dominates the broker's start on 2 cores; a dynamic AppCDS archive of the broker's classes cuts
# it by about 40%. The archive is only valid for one JVM build and one classpath, so it is keyed
# by the JVM library's identity and kept next to the jars. A mismatched archive is ignored by
# the JVM (-Xshare:auto), so a stale one only costs speed.
kafka_cds_archive() {
  [[ ${CDCD_KAFKA_CDS:-1} != 0 ]] || return 0
  local libjvm
  libjvm=$(dirname "$(readlink -f "$(command -v java)")")/../lib/server/libjvm.so
  [[ -f $libjvm ]] || return 0
  echo "$1/cds-$(stat -L -c '%n %s %Y' "$libjvm" | md5sum | cut -c1-12).jsa"
}

kafka_listed() {
  local out
  out=$(kcat -b "127.0.0.1:$1" -L -m 2 2>/dev/null) || return 1
  grep 'broker 1 at' <<<"$out" >/dev/null
}

start_kafka() {
  command -v java >/dev/null || die "java not found (run scripts/install-deps.sh)"
  command -v kcat >/dev/null || die "kcat not found (run scripts/install-deps.sh)"
  local ver lib port cport
  ver=$(kafka_version)
  lib=$CACHE/kafka-$ver
  ensure_kafka_jars "$ver"
  local sport saport
  read -r port cport sport saport <<<"$(free_ports 4)"
  LOGS=("$DIR/format.log" "$DIR/server.log" "$DIR/kafka.out")
  mkdir -p "$DIR/data"
  make_tls
  cat >"$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,SSL://127.0.0.1:$sport,SASL_SSL://127.0.0.1:$saport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SSL://127.0.0.1:$sport,SASL_SSL://127.0.0.1:$saport
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
ssl.keystore.type=PEM
ssl.keystore.location=$DIR/tls/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$DIR/tls/ca.pem
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$DIR/data
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=8388608
offsets.topic.segment.bytes=8388608
transaction.state.log.segment.bytes=8388608
log.retention.check.interval.ms=3600000
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
PROPS
  cat >"$DIR/log4j.properties" <<LOG4J
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$DIR/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
LOG4J
  local jvm=(java -Xmx512m -Xms128m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    -Dlog4j.configuration="file:$DIR/log4j.properties" -Dkafka.logs.dir="$DIR" -cp "$lib/*")
  local archive dump=()
  archive=$(kafka_cds_archive "$lib")
  if [[ -s $archive ]]; then
    jvm+=(-XX:SharedArchiveFile="$archive")
  elif [[ -n $archive ]]; then
    # No class-data archive yet: this broker dumps one when it exits and `stop` installs it.
    dump=(-XX:ArchiveClassesAtExit="$DIR/kafka.jsa")
    echo "$archive" >"$DIR/cds-target"
  fi
  (cd "$DIR" && "${jvm[@]}" kafka.tools.StorageTool format -t "$(kafka_cluster_id)" \
    -c "$DIR/server.properties" --add-scram "SCRAM-SHA-512=[name=cdc,password=$KAFKA_SASL_PASSWORD]" \
    </dev/null >"$DIR/format.log" 2>&1) || die "kafka storage format failed"
  launch "$DIR" "$DIR/kafka.out" "$DIR/kafka.out" "${jvm[@]}" "${dump[@]}" kafka.Kafka \
    "$DIR/server.properties"
  PID=$(<"$DIR/pid")
  wait_ready "$PID" kafka tcp_open 127.0.0.1 "$port"
  wait_ready "$PID" kafka kafka_listed "$port"
  ENV_KEYS=(
    CDCD_TEST_KAFKA_BROKERS "127.0.0.1:$port"
    CDCD_TEST_KAFKA_VERSION "$ver"
    CDCD_TEST_KAFKA_SSL_BROKERS "127.0.0.1:$sport"
    CDCD_TEST_KAFKA_SASL_SSL_BROKERS "127.0.0.1:$saport"
    CDCD_TEST_KAFKA_SASL_USER cdc
    CDCD_TEST_KAFKA_SASL_PASSWORD "$KAFKA_SASL_PASSWORD"
    CDCD_TEST_KAFKA_SSL_CA "$DIR/tls/ca.pem"
  )
  READY_MSG="kafka $ver on 127.0.0.1:$port (controller 127.0.0.1:$cport)"
}

# ---------------------------------------------------------------------------------------------
# kafka-mock (librdkafka mock cluster + HTTP control API)

# Builds kafka_mock_cluster.cc into the cache, keyed by the source's hash.
mock_binary() {
  if [[ -n ${CDCD_KAFKA_MOCK_BIN:-} ]]; then
    [[ -x $CDCD_KAFKA_MOCK_BIN ]] || die "CDCD_KAFKA_MOCK_BIN=$CDCD_KAFKA_MOCK_BIN is not executable"
    echo "$CDCD_KAFKA_MOCK_BIN"
    return
  fi
  local src=$HERE/kafka_mock_cluster.cc hash out flags
  hash=$(sha256sum "$src" | cut -c1-16)
  out=$CACHE/kafka-mock/kafka_mock_cluster-$hash
  if [[ ! -x $out ]]; then
    mkdir -p "$CACHE/kafka-mock"
    # Debian's cpp-httplib is a compiled library: its -D flags must match the .so's build.
    flags=$(pkg-config --cflags --libs cpp-httplib rdkafka) ||
      die "pkg-config cannot find cpp-httplib or rdkafka"
    # shellcheck disable=SC2086
    g++ -std=c++20 -O1 -o "$out.tmp.$$" "$src" $flags -lpthread >&2 || die "building $src failed"
    mv -f "$out.tmp.$$" "$out"
  fi
  echo "$out"
}

mock_ready() { grep '^ready ' "$DIR/ready" >/dev/null 2>&1; }

start_kafka-mock() {
  local bin line brokers control cport b
  bin=$(mock_binary)
  LOGS=("$DIR/mock.log" "$DIR/ready")
  launch "$DIR" "$DIR/ready" "$DIR/mock.log" "$bin" --brokers "${CDCD_KAFKA_MOCK_BROKER_COUNT:-3}"
  PID=$(<"$DIR/pid")
  wait_ready "$PID" kafka-mock mock_ready
  line=$(grep '^ready ' "$DIR/ready")
  brokers=$(sed -n 's/.* bootstraps=\([^ ]*\).*/\1/p' <<<"$line")
  control=$(sed -n 's/.* control=\([^ ]*\).*/\1/p' <<<"$line")
  [[ -n $brokers && -n $control ]] || die "cannot parse ready line: $line"
  cport=${control##*:}
  wait_ready "$PID" kafka-mock tcp_open 127.0.0.1 "$cport"
  for b in ${brokers//,/ }; do
    tcp_open "${b%:*}" "${b##*:}" || die "mock broker $b does not accept connections"
  done
  ENV_KEYS=(
    CDCD_TEST_KAFKA_MOCK_BROKERS "$brokers"
    CDCD_TEST_KAFKA_MOCK_CONTROL "$control"
  )
  READY_MSG="kafka-mock brokers $brokers, control $control"
}
