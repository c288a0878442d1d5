# bench/lib/pg.bash: PostgreSQL scenarios of bench/run.sh: (a) the stream, (e) the snapshot.
# shellcheck shell=bash disable=SC2034 # globals shared with the other files of bench/lib

PG_READY=0
PG_DSN=
PG_WAL2JSON=0
SMALL_KEYS=${BENCH_SMALL_KEYS:-10000}
FSYNC=${BENCH_FSYNC:-false}

pg_sql() { psql "$PG_DSN" -XAtq -v ON_ERROR_STOP=1 "$@"; }
pg_server() {
  SERVER_KIND=postgres
  SERVER_PID=$CDCD_TEST_PG_PID
}

# Waits until no replication connection is left (its walsender exited and was reaped), so the
# next measurement's server CPU starts from a quiet server.
pg_walsenders_gone() {
  local i
  for ((i = 0; i < 150; i++)); do
    # A frozen Debezium (scenario d) keeps its walsender: not counted.
    [[ $(pg_sql -c "SELECT count(*) FROM pg_stat_replication WHERE pid NOT IN
           (SELECT active_pid FROM pg_replication_slots
            WHERE slot_name = '${PG_IGNORE_SLOT:-}' AND active_pid IS NOT NULL)") == 0 ]] && {
      sleep 0.2
      return
    }
    sleep 0.1
  done
  die "a walsender is still running 15 s after its client finished"
}

# The row of the small-transaction tables for counter expression I (SQL text).
small_row_sql() {
  local i=$1
  echo "'customer-' || ($i % 50000), ($i % 100000) / 100.0 + 0.01, 1 + $i % 7," \
    "timestamptz '2025-01-01 00:00:00+00' + $i * interval '1 second'," \
    "repeat(chr(97 + $i % 26), 100 + $i % 40), $i % 3 <> 0"
}

pg_setup() {
  ((PG_READY)) && return 0
  pg_server
  # Benchmarks measure decoding, not TLS: every reader connects without it.
  PG_DSN="$CDCD_TEST_PG_DSN sslmode=disable"
  if [[ ${BENCH_WAL2JSON:-1} != 0 && -f /usr/lib/postgresql/15/lib/wal2json.so ]]; then
    PG_WAL2JSON=1
  fi
  local t branches="" first=1 kw
  for t in 1 2 3; do
    if ((first)); then kw=IF; else kw=ELSIF; fi
    first=0
    branches+="
    $kw t = $((t - 1)) THEN
      IF op < 5 THEN INSERT INTO bench_t$t VALUES (k, $(small_row_sql i));
      ELSIF op < 9 THEN UPDATE bench_t$t SET amount = amount + 1, qty = qty + 1,
                          note = repeat(chr(97 + (i + 1) % 26), 100 + i % 40) WHERE id = k;
      ELSE DELETE FROM bench_t$t WHERE id = k;
      END IF;"
  done
  pg_sql >/dev/null <<SQL
CREATE TABLE bench_rows (
  id         int8 PRIMARY KEY,
  customer   text NOT NULL,
  amount     numeric(12, 2) NOT NULL,
  created_at timestamptz NOT NULL,
  attrs      jsonb,
  active     bool NOT NULL
) WITH (autovacuum_enabled = false);
CREATE PUBLICATION bench_pub_big FOR TABLE bench_rows;
CREATE TABLE bench_t1 (id int8 PRIMARY KEY, customer text NOT NULL, amount numeric(12, 2) NOT NULL,
  qty int4 NOT NULL, created_at timestamptz NOT NULL, note text, active bool NOT NULL)
  WITH (autovacuum_enabled = false);
CREATE TABLE bench_t2 (LIKE bench_t1 INCLUDING ALL) WITH (autovacuum_enabled = false);
CREATE TABLE bench_t3 (LIKE bench_t1 INCLUDING ALL) WITH (autovacuum_enabled = false);
CREATE PUBLICATION bench_pub_small FOR TABLE bench_t1, bench_t2, bench_t3;
-- bench_small(n): n transactions of one row change each; transaction i changes table i % 3 and
-- is an insert (new key), an update (of one of the $SMALL_KEYS preloaded keys) or a delete (of a
-- preloaded key -i) as (i / 3) % 10 is < 5, < 9 or 9: so exactly n events, deterministic.
CREATE PROCEDURE bench_small(n int) LANGUAGE plpgsql AS \$\$
DECLARE t int; op int; k int8;
BEGIN
  FOR i IN 1..n LOOP
    t := i % 3;
    op := (i / 3) % 10;
    IF op = 9 THEN k := -i;
    ELSIF op >= 5 THEN k := 1 + (i::int8 * 7919) % $SMALL_KEYS;
    ELSE k := 1000000000 + i;
    END IF;$branches
    END IF;
    COMMIT;
  END LOOP;
END \$\$;
SQL
  PG_READY=1
}

# pg_small_reset N: empties the small tables and preloads the keys bench_small(N) updates and
# deletes (before the slots exist, so no reader sees it). Prints the number of deletes.
pg_small_reset() {
  local n=$1 t
  for t in 1 2 3; do
    pg_sql >/dev/null <<SQL
TRUNCATE bench_t$t;
INSERT INTO bench_t$t SELECT i, $(small_row_sql i) FROM generate_series(1, $SMALL_KEYS) AS i;
INSERT INTO bench_t$t SELECT -i, $(small_row_sql i) FROM generate_series(1, $n) AS i
  WHERE i % 3 = $((t - 1)) AND (i / 3) % 10 = 9;
SQL
  done
  pg_sql -c "SELECT count(*) FROM generate_series(1, $n) AS i WHERE (i / 3) % 10 = 9"
}

pg_big_load() {
  pg_sql -c "
INSERT INTO bench_rows
SELECT g,
       'customer-' || (g % 50000) || ' ' || repeat(chr(97 + g % 26), 8 + g % 24),
       (g % 1000000) / 100.0 + 0.01,
       timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second',
       jsonb_build_object('sku', 'SKU-' || (g % 5000), 'qty', 1 + g % 7,
                          'tags', jsonb_build_array('t' || (g % 3), 't' || (g % 11))),
       g % 3 <> 0
FROM generate_series(1, $1) AS g" >/dev/null
}

# pg_recvlogical_ref LABEL ROLE SLOT END_LSN EVENTS SCENARIO SHAPE -o ...: one reference reader.
pg_recvlogical_ref() {
  local label=$1 role=$2 slot=$3 end=$4 events=$5 scen=$6 shape=$7
  shift 7
  pg_server
  timed "pg-$slot" /dev/null -- pg_recvlogical -d "$PG_DSN" --slot "$slot" --start --no-loop \
    -E "$end" -f /dev/null "$@"
  pg_walsenders_gone
  T_SRV=$(ticks_to_s $(($(server_ticks) - PG_S0)))
  record "scenario=$scen" "shape=$shape" "reader=$label" "role=$role" "run=$RUN" "events=$events" \
    "wall=$T_WALL" "cpu_cli=$T_CPU" "cpu_srv=$T_SRV" "rss_kib=$T_RSS_KIB"
  say "  $label: ${T_WALL}s, CPU ${T_CPU}s client + ${T_SRV}s server"
}

# cdcd_file_run NAME SCEN SHAPE LABEL EVENTS RECORDS SOURCE_YAML [REAP]: cdcd with SOURCE_YAML
# (a flow mapping) into a file sink on SHM, until EVENTS are committed; checks the count and
# records the result. The server CPU is counted by the caller's SERVER_KIND.
cdcd_file_run() {
  local name=$1 scen=$2 shape=$3 label=$4 events=$5 records=$6 source=$7 reap=${8:-${BENCH_REAP:-0}}
  local out=$SHM/$name cfg=$WORK/$name.yaml s0 n got
  # A primed pipeline (cdcd_file_prime) keeps its directory and its committed start.
  if [[ $PRIMED != "$name" ]]; then
    rm -rf "$out"
    cdcd_file_config "$name" "$source"
  fi
  PRIMED=
  s0=$(server_ticks)
  ((reap)) && reaper_start "$out"
  WANT_EVENTS=$events
  cdcd_launch "$name" "$cfg"
  cdcd_wait cond_events "$TIMEOUT"
  json_num events_committed
  n=$REPLY
  cdcd_sample
  cdcd_stop
  reaper_stop
  [[ $SERVER_KIND == postgres ]] && pg_walsenders_gone
  local srv
  srv=$(ticks_to_s $(($(server_ticks) - s0)))
  if ((W_EXITED == 0)) && [[ $n != "$events" ]]; then
    cdcd_fail "$label committed $n events, expected $events"
  fi
  got=$(file_records "$out")
  [[ $got == "$records" ]] || cdcd_fail "$label: the file sink holds $got records, expected $records"
  record "scenario=$scen" "shape=$shape" "reader=$label" "role=cdcd" "run=$RUN" "events=$events" \
    "wall=$W_WALL" "cpu_cli=$C_CPU" "cpu_srv=$srv" "rss_kib=$C_RSS_KIB" "start=${W_START:-}"
  say "  $label: ${W_WALL}s, CPU ${C_CPU}s client + ${srv}s server, peak RSS $((C_RSS_KIB / 1024)) MiB"
  ((KEEP)) || rm -rf "$out"
}

# cdcd_file_config NAME SOURCE_YAML: WORK/NAME.yaml, one pipeline NAME from SOURCE_YAML (a flow
# mapping) into a file sink in SHM/NAME. CDCD_SINK_EXTRA: more keys for the sink's mapping.
CDCD_SINK_EXTRA=
cdcd_file_config() {
  local name=$1 source=$2 cfg=$WORK/$1.yaml
  cdcd_config_head "$cfg"
  cat >>"$cfg" <<YAML
pipelines:
  - name: $name
    source: $source
    sink: { type: file, path: "$SHM/$name", fsync: $FSYNC${CDCD_SINK_EXTRA:+, $CDCD_SINK_EXTRA} }
    format: { ${BENCH_FORMAT_YAML:-} }
    batch: { ${BENCH_BATCH_YAML:-} }
YAML
}

# cdcd_file_prime NAME SOURCE_YAML: a first start of the pipeline that only commits where its
# stream starts (MySQL: the binlog's end now; see SourceConnector::log_end_marker), then stops:
# the next cdcd_file_run NAME resumes exactly there, so it reads a range loaded in between.
PRIMED=
cdcd_file_prime() {
  local name=$1 source=$2
  rm -rf "${SHM:?}/$name"
  cdcd_file_config "$name" "$source"
  cdcd_launch "$name-prime" "$WORK/$name.yaml"
  cdcd_wait cond_offset 120
  ((W_EXITED == 0)) || cdcd_fail "exited before committing its start position"
  cdcd_stop
  PRIMED=$name
}

# One run of (a): both shapes, every reader on the same WAL from slots made before the load.
pg_stream_run() {
  mem_guard "a: PostgreSQL stream"
  pg_setup
  pg_server
  local shape slots=() s end n_events n_records deletes label pub tables scen=a
  for shape in big small; do
    if [[ $shape == big ]]; then
      n_events=$BENCH_BIG_ROWS
      want a || n_events=$BENCH_DBZ_BIG_ROWS
      label="PG stream, 1 txn x $n_events rows"
      pub=bench_pub_big
      tables="[public.bench_rows]"
      pg_sql -c 'TRUNCATE bench_rows' >/dev/null
      deletes=0
    else
      n_events=$BENCH_SMALL_TXNS
      want a || n_events=$BENCH_DBZ_SMALL_TXNS
      label="PG stream, $n_events small txns"
      pub=bench_pub_small
      tables="[public.bench_t1, public.bench_t2, public.bench_t3]"
      deletes=$(pg_small_reset "$n_events")
    fi
    n_records=$((n_events + deletes)) # a delete is followed by its tombstone
    slots=()
    if want a; then
      slots+=("b_${shape}_pgoutput_$RUN" "b_${shape}_cdcd_$RUN")
      ((PG_WAL2JSON)) && slots+=("b_${shape}_wal2json_$RUN")
    fi
    want d && slots+=("b_${shape}_dbz_$RUN")
    for s in "${slots[@]}"; do
      if [[ $s == *wal2json* ]]; then
        pg_sql -c "SELECT 1 FROM pg_create_logical_replication_slot('$s', 'wal2json')" >/dev/null
      else
        pg_sql -c "SELECT 1 FROM pg_create_logical_replication_slot('$s', 'pgoutput')" >/dev/null
      fi
    done
    if want d; then
      dbz_pg_begin "$shape" "b_${shape}_dbz_$RUN" "$pub" "$tables" "$n_records"
      PG_IGNORE_SLOT=b_${shape}_dbz_$RUN
    fi
    say "a: $label: loading"
    local t0
    t0=${EPOCHREALTIME/./}
    if [[ $shape == big ]]; then pg_big_load "$n_events"; else pg_sql -c "CALL bench_small($n_events)" >/dev/null; fi
    end=$(pg_sql -c 'SELECT pg_current_wal_insert_lsn()')
    # The load's dirty pages written now, not by the checkpointer during a measurement.
    pg_sql -c 'CHECKPOINT' >/dev/null
    say "a: loaded in $(secs_since "$t0")s, WAL end $end"
    if want a; then
      PG_S0=$(server_ticks)
      pg_recvlogical_ref "pg_recvlogical pgoutput v1" limit "b_${shape}_pgoutput_$RUN" "$end" \
        "$n_events" $scen "$label" -o proto_version=1 -o "publication_names=$pub"
      if ((PG_WAL2JSON)); then
        PG_S0=$(server_ticks)
        pg_recvlogical_ref "pg_recvlogical wal2json v2" peer "b_${shape}_wal2json_$RUN" "$end" \
          "$n_events" $scen "$label" -o format-version=2
      fi
      cdcd_file_run "bench_a_${shape}_$RUN" $scen "$label" "cdcd" "$n_events" "$n_records" \
        "{ type: postgres, dsn: \"$PG_DSN\", tables: $tables, slot: b_${shape}_cdcd_$RUN, publication: $pub, snapshot: never, heartbeat_interval: 0 }"
    fi
    if want d; then
      PG_IGNORE_SLOT=
      dbz_pg_finish "$n_events" "$n_records" "$label"
    fi
    for s in "${slots[@]}"; do
      pg_sql -c "SELECT pg_drop_replication_slot('$s')" >/dev/null
    done
  done
  ((PG_WAL2JSON)) || note "a: wal2json is not installed (/usr/lib/postgresql/15/lib/wal2json.so; Debian postgresql-15-wal2json): its peer rows are missing."
}

# (e) PostgreSQL: the snapshot of snap_rows (made once), cdcd vs \copy to /dev/null.
PG_SNAP_READY=0
pg_snapshot_run() {
  mem_guard "e: PostgreSQL snapshot"
  pg_setup
  pg_server
  local rows=$BENCH_SNAPSHOT_ROWS label="PG snapshot, $BENCH_SNAPSHOT_ROWS rows" name="bench_e_pg_$RUN"
  if ((!PG_SNAP_READY)); then
    say "e: loading $rows rows into snap_rows"
    pg_sql >/dev/null <<SQL
CREATE TABLE snap_rows (LIKE bench_rows INCLUDING ALL) WITH (autovacuum_enabled = false);
INSERT INTO snap_rows
SELECT g, 'customer-' || (g % 50000) || ' ' || repeat(chr(97 + g % 26), 8 + g % 24),
       (g % 1000000) / 100.0 + 0.01, timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second',
       jsonb_build_object('sku', 'SKU-' || (g % 5000), 'qty', 1 + g % 7,
                          'tags', jsonb_build_array('t' || (g % 3), 't' || (g % 11))),
       g % 3 <> 0
FROM generate_series(1, $rows) AS g;
VACUUM ANALYZE snap_rows;
CHECKPOINT;
SQL
    PG_SNAP_READY=1
  fi
  local s0
  s0=$(server_ticks)
  timed "pg-copy-$RUN" /dev/null -- psql "$PG_DSN" -XAtq -v ON_ERROR_STOP=1 \
    -c "\\copy (SELECT * FROM snap_rows) TO '/dev/null'"
  # Its backend's CPU reaches the postmaster's count once the backend exited and was reaped.
  sleep 0.5
  T_SRV=$(ticks_to_s $(($(server_ticks) - s0)))
  record "scenario=e" "shape=$label" "reader=psql \\copy to /dev/null" "role=limit" "run=$RUN" \
    "events=$rows" "wall=$T_WALL" "cpu_cli=$T_CPU" "cpu_srv=$T_SRV" "rss_kib=$T_RSS_KIB"
  say "  psql \\copy: ${T_WALL}s"
  cdcd_file_run "$name" e "$label" "cdcd" "$rows" "$rows" \
    "{ type: postgres, dsn: \"$PG_DSN\", tables: [public.snap_rows], snapshot: initial, heartbeat_interval: 0${BENCH_SNAPSHOT_YAML:+, $BENCH_SNAPSHOT_YAML} }" \
    "${BENCH_REAP:-1}"
  # cdcd made the slot and publication cdcd_<name>: drop them, or the slot holds WAL.
  pg_sql -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
             WHERE slot_name = 'cdcd_$name'" >/dev/null
  pg_sql -c "DROP PUBLICATION IF EXISTS cdcd_$name" >/dev/null
}
