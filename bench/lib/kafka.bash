# bench/lib/kafka.bash: (c) the Kafka sink of bench/run.sh: generator -> Kafka, exactly-once and
# at_least_once, against kcat -P producing the same records.
# shellcheck shell=bash disable=SC2034 # globals shared with the other files of bench/lib

KAFKA_READY=0
KAFKA_RECORDS=0
KAFKA_INPUT=

kafka_server() {
  SERVER_KIND=process
  SERVER_PID=$CDCD_TEST_KAFKA_PID
}
generator_yaml() { echo "{ type: generator, limit: $BENCH_KAFKA_EVENTS, seed: 1 }"; }

# kafka_count TOPIC: records a read_committed consumer sees in TOPIC.
kafka_count() {
  kcat -C -b "$CDCD_TEST_KAFKA_BROKERS" -t "$1" -o beginning -e -q \
    -X isolation.level=read_committed -f '%o\n' 2>"$WORK/kcat-count.log" | wc -l
}

# Once: the generator's records, rendered by cdcd into a file sink, become kcat's input
# ("key<TAB>value" lines; a tombstone's value is empty and kcat -Z sends it as null).
kafka_setup() {
  ((KAFKA_READY)) && return 0
  local name=bench_c_records n=$BENCH_KAFKA_EVENTS
  say "c: rendering $n generator events into a file for kcat"
  cdcd_file_config "$name" "$(generator_yaml)"
  WANT_EVENTS=$n
  cdcd_launch "$name" "$WORK/$name.yaml"
  cdcd_wait cond_events "$TIMEOUT"
  cdcd_stop
  KAFKA_RECORDS=$(file_records "$SHM/$name")
  ((KAFKA_RECORDS >= n)) || die "the generator's file holds $KAFKA_RECORDS records, expected >= $n"
  KAFKA_INPUT=$SHM/kcat-input.tsv
  jq -rj '(.key | tojson) + "\t" + (if .value == null then "" else (.value | tojson) end) + "\n"' \
    "$SHM/$name"/events-*.jsonl >"$KAFKA_INPUT"
  local lines
  lines=$(wc -l <"$KAFKA_INPUT")
  ((lines == KAFKA_RECORDS)) || die "kcat input has $lines lines, the file sink $KAFKA_RECORDS records"
  rm -rf "${SHM:?}/$name"
  say "c: $KAFKA_RECORDS records, $(($(stat -c %s "$KAFKA_INPUT") / 1048576)) MiB"
  KAFKA_READY=1
}

kafka_kcat_ref() { # LABEL ROLE TOPIC [kcat options...]
  local label=$1 role=$2 topic=$3 shape=$4 got
  shift 4
  timed "kcat-$topic" /dev/null -- kcat -P -b "$CDCD_TEST_KAFKA_BROKERS" -t "$topic" -K '\t' -Z \
    -l "$@" "$KAFKA_INPUT"
  got=$(kafka_count "$topic")
  ((got == KAFKA_RECORDS)) || die "kcat ($label) produced $got records to $topic, expected $KAFKA_RECORDS"
  record "scenario=c" "shape=$shape" "reader=$label" "role=$role" "run=$RUN" \
    "events=$KAFKA_RECORDS" "wall=$T_WALL" "cpu_cli=$T_CPU" "cpu_srv=$T_SRV" "rss_kib=$T_RSS_KIB"
  say "  $label: ${T_WALL}s, CPU ${T_CPU}s client + ${T_SRV}s broker"
}

kafka_cdcd() { # DELIVERY SHAPE
  local delivery=$1 shape=$2 name=bench_c_${1}_$RUN cfg s0 srv got
  cfg=$WORK/$name.yaml
  cdcd_config_head "$cfg"
  cat >>"$cfg" <<YAML
pipelines:
  - name: $name
    source: $(generator_yaml)
    sink: { type: kafka, brokers: "$CDCD_TEST_KAFKA_BROKERS", delivery: $delivery }
    format: { ${BENCH_FORMAT_YAML:-} }
    batch: { ${BENCH_BATCH_YAML:-} }
YAML
  s0=$(server_ticks)
  WANT_EVENTS=$BENCH_KAFKA_EVENTS
  cdcd_launch "$name" "$cfg"
  cdcd_wait cond_events "$TIMEOUT"
  cdcd_sample
  cdcd_stop
  srv=$(ticks_to_s $(($(server_ticks) - s0)))
  got=$(kafka_count "$name.public.orders")
  ((got == KAFKA_RECORDS)) ||
    cdcd_fail "cdcd ($delivery) left $got records in $name.public.orders, expected $KAFKA_RECORDS"
  record "scenario=c" "shape=$shape" "reader=cdcd $delivery" "role=cdcd" "run=$RUN" \
    "events=$KAFKA_RECORDS" "wall=$W_WALL" "cpu_cli=$C_CPU" "cpu_srv=$srv" "rss_kib=$C_RSS_KIB" \
    "start=${W_START:-}"
  say "  cdcd $delivery: ${W_WALL}s, CPU ${C_CPU}s client + ${srv}s broker, peak RSS $((C_RSS_KIB / 1024)) MiB"
}

kafka_run() {
  mem_guard "c: Kafka sink"
  kafka_setup
  kafka_server
  local shape="Kafka sink, $KAFKA_RECORDS generator records"
  say "c: $shape"
  kafka_kcat_ref "kcat -P" limit "bench_c_kcat_$RUN" "$shape"
  kafka_kcat_ref "kcat -P, one transaction" peer "bench_c_kcattx_$RUN" "$shape" \
    -X "transactional.id=bench_c_kcattx_$RUN"
  kafka_cdcd exactly_once "$shape"
  kafka_cdcd at_least_once "$shape"
}
