# bench/lib/latency.bash: (f) latency of bench/run.sh: pgbench commits BENCH_LATENCY_RATE
# single-row transactions a second for BENCH_LATENCY_SECONDS; each row carries its commit
# wall-clock time (t_us). One cdcd runs two pipelines on the same table: one into a file sink with
# fsync on disk (durable: measured when offsets.json covers the line), one into Kafka exactly-once
# (measured when a read_committed consumer receives the record).
# shellcheck shell=bash disable=SC2034 # globals shared with the other files of bench/lib

LAT_READY=0
LAT_PIDS=()
LAT_DIR=${BENCH_LATENCY_DIR:-}

latency_kill() {
  local p
  for p in "${LAT_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${LAT_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  LAT_PIDS=()
}

cond_all_running() {
  local rest=$HTTP_BODY n=0
  while [[ $rest == *'"state": "running"'* ]]; do
    n=$((n + 1))
    rest=${rest#*'"state": "running"'}
  done
  ((n >= 2))
}

lines_of() { if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi; }

latency_run() {
  pg_setup
  pg_server
  local rate=$BENCH_LATENCY_RATE secs=$BENCH_LATENCY_SECONDS
  local file_name=lat_file_$RUN kafka_name=lat_kafka_$RUN topic cfg dir
  topic=$kafka_name.public.lat
  # On disk: the durable path is the point of this scenario (fsync: true).
  dir=${LAT_DIR:-$WORK}/$file_name
  if ((!LAT_READY)); then
    pg_sql >/dev/null <<'SQL'
CREATE TABLE lat (id bigserial PRIMARY KEY, t_us int8 NOT NULL,
                  pad text NOT NULL DEFAULT repeat('x', 150)) WITH (autovacuum_enabled = false);
-- One publication per pipeline (cdcd keeps a publication equal to what its pipeline captures,
-- its signal table included), made before the slots so that they decode with it.
CREATE PUBLICATION lat_pub_file FOR TABLE lat;
CREATE PUBLICATION lat_pub_kafka FOR TABLE lat;
SQL
    cat >"$WORK/lat.sql" <<'SQL'
INSERT INTO lat (t_us) VALUES ((extract(epoch FROM clock_timestamp()) * 1000000)::int8);
SQL
    LAT_READY=1
  fi
  local shape="latency, $rate txn/s for ${secs}s"
  say "f: $shape"
  pg_sql -c 'TRUNCATE lat' >/dev/null
  pg_sql -c "SELECT 1 FROM pg_create_logical_replication_slot('$file_name', 'pgoutput')" >/dev/null
  pg_sql -c "SELECT 1 FROM pg_create_logical_replication_slot('$kafka_name', 'pgoutput')" >/dev/null
  # The topic exists before the consumer starts (one warm-up record, ignored: it has no t_us).
  echo warmup | kcat -P -b "$CDCD_TEST_KAFKA_BROKERS" -t "$topic" 2>"$WORK/kcat-warmup.log" ||
    die "cannot produce to Kafka $CDCD_TEST_KAFKA_BROKERS (log $WORK/kcat-warmup.log)"
  rm -rf "$dir"
  cfg=$WORK/lat_$RUN.yaml
  cdcd_config_head "$cfg"
  cat >>"$cfg" <<YAML
pipelines:
  - name: $file_name
    source: { type: postgres, dsn: "$PG_DSN", tables: [public.lat], slot: $file_name, publication: lat_pub_file, snapshot: never, signal_table: public.bench_signal_file }
    sink: { type: file, path: "$dir", fsync: true }
    format: { ${BENCH_FORMAT_YAML:-} }
    batch: { ${BENCH_BATCH_YAML:-} }
  - name: $kafka_name
    source: { type: postgres, dsn: "$PG_DSN", tables: [public.lat], slot: $kafka_name, publication: lat_pub_kafka, snapshot: never, signal_table: public.bench_signal_kafka }
    sink: { type: kafka, brokers: "$CDCD_TEST_KAFKA_BROKERS" }
    format: { ${BENCH_FORMAT_YAML:-} }
    batch: { ${BENCH_BATCH_YAML:-} }
YAML
  cdcd_launch "lat-$RUN" "$cfg"
  cdcd_wait cond_all_running 120
  ((W_EXITED == 0)) || cdcd_fail "exited before its pipelines ran"

  local lf=$SHM/lat-file-$RUN.us lk=$SHM/lat-kafka-$RUN.us fifo=$WORK/lat-kafka-$RUN.fifo
  : >"$lf"
  : >"$lk"
  python3 "$HERE/lib/latency.py" file "$dir" >"$lf" 2>"$WORK/lat-file-reader.log" &
  LAT_PIDS+=($!)
  mkfifo "$fifo"
  python3 "$HERE/lib/latency.py" stdin <"$fifo" >"$lk" 2>"$WORK/lat-kafka-reader.log" &
  LAT_PIDS+=($!)
  kcat -C -u -q -b "$CDCD_TEST_KAFKA_BROKERS" -t "$topic" -o beginning \
    -X isolation.level=read_committed -f '%s\n' >"$fifo" 2>"$WORK/lat-kcat.log" &
  LAT_PIDS+=($!)
  sleep 2

  local s0 t0 rows c0
  c0=$(proc_ticks "$CDCD_PID")
  s0=$(server_ticks)
  t0=${EPOCHREALTIME/./}
  pgbench -n -h 127.0.0.1 -p "$CDCD_TEST_PG_PORT" -U postgres -c 4 -j 2 -M prepared \
    -R "$rate" -T "$secs" -f "$WORK/lat.sql" postgres >"$WORK/pgbench-$RUN.log" 2>&1 ||
    {
      tail -n 20 "$WORK/pgbench-$RUN.log" >&2
      die "pgbench failed"
    }
  local load_s
  load_s=$(secs_since "$t0")
  rows=$(pg_sql -c 'SELECT count(*) FROM lat')
  say "  pgbench: $rows transactions in ${load_s}s ($(grep -m1 '^tps' "$WORK/pgbench-$RUN.log" || true))"
  local i got_f got_k
  for ((i = 0; i < 600; i++)); do
    got_f=$(lines_of "$lf")
    got_k=$(lines_of "$lk")
    ((got_f >= rows && got_k >= rows)) && break
    http_get /pipelines && [[ $HTTP_BODY == *'"state": "failed"'* ]] && { json_str last_error; cdcd_fail "a pipeline failed: $REPLY"; }
    nap 0.1
  done
  cdcd_sample
  local srv cpu
  srv=$(ticks_to_s $(($(server_ticks) - s0)))
  # cdcd's CPU during the load and its drain only (not its start-up).
  cpu=$(ticks_to_s $(($(proc_ticks "$CDCD_PID") - c0)))
  cdcd_stop
  latency_kill
  pg_walsenders_gone
  pg_sql -c "SELECT pg_drop_replication_slot('$file_name')" >/dev/null
  pg_sql -c "SELECT pg_drop_replication_slot('$kafka_name')" >/dev/null
  ((got_f == rows)) || die "f: the file sink reader saw $got_f of $rows rows committed"
  ((got_k == rows)) || die "f: the read_committed consumer saw $got_k of $rows rows"
  local p50 p99 max n
  read -r p50 p99 max n < <(python3 "$HERE/lib/latency.py" stats "$lf")
  record "scenario=f" "shape=$shape" "reader=cdcd: 2 pipelines (file + Kafka)" "role=cdcd" \
    "run=$RUN" "events=$((2 * rows))" "wall=$load_s" "cpu_cli=$cpu" "cpu_srv=$srv" \
    "rss_kib=$C_RSS_KIB" "start=${W_START:-}"
  record "scenario=f" "shape=$shape" "reader=commit -> durable in file sink (fsync, disk)" \
    "role=latency" "run=$RUN" "events=$rows" "wall=$load_s" "lat=$p50/$p99/$max"
  say "  file sink: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms"
  read -r p50 p99 max n < <(python3 "$HERE/lib/latency.py" stats "$lk")
  record "scenario=f" "shape=$shape" "reader=commit -> Kafka read_committed consumer (EOS)" \
    "role=latency" "run=$RUN" "events=$rows" "wall=$load_s" "lat=$p50/$p99/$max"
  say "  Kafka: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms"
  ((KEEP)) || rm -rf "$dir" "$lf" "$lk"
}
