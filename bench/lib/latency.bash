# bench/lib/latency.bash: (f) latency of bench/run.sh: pgbench commits BENCH_LATENCY_RATE
# single-row transactions a second for BENCH_LATENCY_SECONDS; each row carries its commit
# wall-clock time (t_us). Two runs of the load, one pipeline each: into a file sink with fsync on
# disk (durable: measured when offsets.json covers the line), then into Kafka exactly-once
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

cond_running() { [[ $HTTP_BODY == *'"state": "running"'* ]]; }

lines_of() { if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi; }

latency_run() {
  mem_guard "f: latency"
  pg_setup
  pg_server
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
  # One sink at a time: measured together, the file sink's figure was the
  # Kafka broker's and consumer's CPU on a 2-core machine (p99 440-560 ms
  # together, 5 ms alone), not the file sink's.
  local kind
  for kind in ${BENCH_LATENCY_SINKS:-file kafka}; do latency_one "$kind"; done
}

# One pipeline (postgres -> `kind` sink) under the fixed load, with its reader.
latency_one() {
  local kind=$1 rate=$BENCH_LATENCY_RATE secs=$BENCH_LATENCY_SECONDS
  local name=lat_${1}_$RUN topic cfg dir sink reader out=$SHM/lat-$1-$RUN.us
  topic=$name.public.lat
  # On disk: the durable path is the point of this scenario (fsync: true).
  dir=${LAT_DIR:-$WORK}/$name
  local shape="latency, $rate txn/s for ${secs}s"
  say "f: $shape, $kind sink"
  pg_sql -c 'TRUNCATE lat' >/dev/null
  pg_sql -c "SELECT 1 FROM pg_create_logical_replication_slot('$name', 'pgoutput')" >/dev/null
  if [[ $kind == file ]]; then
    rm -rf "$dir"
    sink="{ type: file, path: \"$dir\", fsync: true }"
    reader="commit -> durable in file sink (fsync, disk)"
  else
    # The topic exists before the consumer starts (one warm-up record, ignored: it has no t_us).
    echo warmup | kcat -P -b "$CDCD_TEST_KAFKA_BROKERS" -t "$topic" 2>"$WORK/kcat-warmup.log" ||
      die "cannot produce to Kafka $CDCD_TEST_KAFKA_BROKERS (log $WORK/kcat-warmup.log)"
    sink="{ type: kafka, brokers: \"$CDCD_TEST_KAFKA_BROKERS\" }"
    reader="commit -> Kafka read_committed consumer (EOS)"
  fi
  cfg=$WORK/lat_${kind}_$RUN.yaml
  cdcd_config_head "$cfg"
  cat >>"$cfg" <<YAML
pipelines:
  - name: $name
    source: { type: postgres, dsn: "$PG_DSN", tables: [public.lat], slot: $name, publication: lat_pub_$kind, snapshot: never, signal_table: public.bench_signal_$kind }
    sink: $sink
    format: { ${BENCH_FORMAT_YAML:-} }
    batch: { ${BENCH_BATCH_YAML:-} }
YAML
  cdcd_launch "lat-$kind-$RUN" "$cfg"
  cdcd_wait cond_running 120
  ((W_EXITED == 0)) || cdcd_fail "exited before its pipeline ran"

  : >"$out"
  if [[ $kind == file ]]; then
    python3 "$HERE/lib/latency.py" file "$dir" >"$out" 2>"$WORK/lat-file-reader.log" &
    LAT_PIDS+=($!)
  else
    local fifo=$WORK/lat-kafka-$RUN.fifo
    mkfifo "$fifo"
    python3 "$HERE/lib/latency.py" stdin <"$fifo" >"$out" 2>"$WORK/lat-kafka-reader.log" &
    LAT_PIDS+=($!)
    kcat -C -u -q -b "$CDCD_TEST_KAFKA_BROKERS" -t "$topic" -o beginning \
      -X isolation.level=read_committed -f '%s\n' >"$fifo" 2>"$WORK/lat-kcat.log" &
    LAT_PIDS+=($!)
  fi
  sleep 2

  local s0 t0 rows c0
  c0=$(proc_ticks "$CDCD_PID")
  s0=$(server_ticks)
  t0=${EPOCHREALTIME/./}
  pgbench -n -h 127.0.0.1 -p "$CDCD_TEST_PG_PORT" -U postgres -c 4 -j 2 -M prepared \
    -R "$rate" -T "$secs" -f "$WORK/lat.sql" postgres >"$WORK/pgbench-$kind-$RUN.log" 2>&1 ||
    {
      tail -n 20 "$WORK/pgbench-$kind-$RUN.log" >&2
      die "pgbench failed"
    }
  local load_s
  load_s=$(secs_since "$t0")
  rows=$(pg_sql -c 'SELECT count(*) FROM lat')
  say "  pgbench: $rows transactions in ${load_s}s ($(grep -m1 '^tps' "$WORK/pgbench-$kind-$RUN.log" || true))"
  local i got
  for ((i = 0; i < 600; i++)); do
    got=$(lines_of "$out")
    ((got >= rows)) && break
    http_get /pipelines && [[ $HTTP_BODY == *'"state": "failed"'* ]] && { json_str last_error; cdcd_fail "the pipeline failed: $REPLY"; }
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
  pg_sql -c "SELECT pg_drop_replication_slot('$name')" >/dev/null
  ((got == rows)) || die "f: the $kind reader saw $got of $rows rows committed"
  local p50 p99 max n
  read -r p50 p99 max n < <(python3 "$HERE/lib/latency.py" stats "$out")
  record "scenario=f" "shape=$shape" "reader=cdcd: postgres -> $kind" "role=cdcd" \
    "run=$RUN" "events=$rows" "wall=$load_s" "cpu_cli=$cpu" "cpu_srv=$srv" \
    "rss_kib=$C_RSS_KIB" "start=${W_START:-}"
  record "scenario=f" "shape=$shape" "reader=$reader" \
    "role=latency" "run=$RUN" "events=$rows" "wall=$load_s" "lat=$p50/$p99/$max"
  say "  $kind sink: p50 ${p50} ms, p99 ${p99} ms, max ${max} ms"
  ((KEEP)) || rm -rf "$dir" "$out"
}
