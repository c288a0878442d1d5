# bench/lib/mariadb.bash: MariaDB scenarios of bench/run.sh: (b) the stream, (e) the snapshot.
# shellcheck shell=bash disable=SC2034 # globals shared with the other files of bench/lib

MARIA_READY=0
MDB=cdcd_test_bench # the cdc user has every privilege on cdcd_test* databases (svc)

maria_root() { mariadb --no-defaults --socket="$CDCD_TEST_MYSQL_SOCKET" -uroot "$@"; }
# The account cdcd uses, over TCP without TLS (benchmarks measure decoding, not TLS).
maria_cdc_args() {
  echo "--host=127.0.0.1 --port=$CDCD_TEST_MYSQL_PORT --user=$CDCD_TEST_MYSQL_USER" \
    "--password=$CDCD_TEST_MYSQL_PASSWORD --skip-ssl"
}
maria_server() {
  SERVER_KIND=process
  SERVER_PID=$CDCD_TEST_MYSQL_PID
}
maria_source_yaml() { # TABLES SNAPSHOT
  local extra=
  [[ $2 == initial && -n ${BENCH_SNAPSHOT_YAML:-} ]] && extra=", $BENCH_SNAPSHOT_YAML"
  echo "{ type: mysql, host: 127.0.0.1, port: $CDCD_TEST_MYSQL_PORT, user: $CDCD_TEST_MYSQL_USER," \
    "password: \"$CDCD_TEST_MYSQL_PASSWORD\", ssl_mode: disabled, tables: $1, snapshot: $2," \
    "heartbeat_interval: 0, signal_table: \"\"$extra }"
}

maria_small_row() {
  local i=$1
  echo "CONCAT('customer-', $i % 50000), ($i % 100000) / 100.0 + 0.01, 1 + $i % 7," \
    "TIMESTAMP'2025-01-01 00:00:00' + INTERVAL $i SECOND, REPEAT(CHAR(97 + $i % 26), 100 + $i % 40)," \
    "$i % 3 <> 0"
}
maria_big_row() {
  local g=$1
  echo "$g, CONCAT('customer-', $g % 50000, ' ', REPEAT(CHAR(97 + $g % 26), 8 + $g % 24))," \
    "($g % 1000000) / 100.0 + 0.01, TIMESTAMP'2025-01-01 00:00:00' + INTERVAL $g SECOND," \
    "JSON_OBJECT('sku', CONCAT('SKU-', $g % 5000), 'qty', 1 + $g % 7," \
    "'tags', JSON_ARRAY(CONCAT('t', $g % 3), CONCAT('t', $g % 11))), $g % 3 <> 0"
}

maria_setup() {
  ((MARIA_READY)) && return 0
  maria_server
  maria_root mysql -e "SELECT seq FROM seq_1_to_2" >/dev/null 2>&1 ||
    die "MariaDB's Sequence engine (seq_1_to_N tables) is not available"
  local t branches="" first=1 kw
  for t in 1 2 3; do
    if ((first)); then kw=IF; else kw=ELSEIF; fi
    first=0
    branches+="
    $kw t = $((t - 1)) THEN
      IF op < 5 THEN INSERT INTO bench_t$t VALUES (k, $(maria_small_row i));
      ELSEIF op < 9 THEN UPDATE bench_t$t SET amount = amount + 1, qty = qty + 1,
                           note = REPEAT(CHAR(97 + (i + 1) % 26), 100 + i % 40) WHERE id = k;
      ELSE DELETE FROM bench_t$t WHERE id = k;
      END IF;"
  done
  maria_root >/dev/null <<SQL
CREATE DATABASE $MDB;
USE $MDB;
CREATE TABLE bench_rows (
  id         BIGINT PRIMARY KEY,
  customer   VARCHAR(64) NOT NULL,
  amount     DECIMAL(12, 2) NOT NULL,
  created_at TIMESTAMP NOT NULL,
  attrs      JSON,
  active     BOOL NOT NULL
);
CREATE TABLE bench_t1 (id BIGINT PRIMARY KEY, customer VARCHAR(64) NOT NULL,
  amount DECIMAL(12, 2) NOT NULL, qty INT NOT NULL, created_at TIMESTAMP NOT NULL,
  note VARCHAR(200), active BOOL NOT NULL);
CREATE TABLE bench_t2 LIKE bench_t1;
CREATE TABLE bench_t3 LIKE bench_t1;
DELIMITER //
-- bench_small(n): as PostgreSQL's: n transactions of exactly one row change each.
CREATE PROCEDURE bench_small(n INT)
BEGIN
  DECLARE i INT DEFAULT 1;
  DECLARE t INT;
  DECLARE op INT;
  DECLARE k BIGINT;
  WHILE i <= n DO
    SET t = i % 3, op = (i DIV 3) % 10;
    IF op = 9 THEN SET k = -i;
    ELSEIF op >= 5 THEN SET k = 1 + (i * 7919) % $SMALL_KEYS;
    ELSE SET k = 1000000000 + i;
    END IF;
    START TRANSACTION;$branches
    END IF;
    COMMIT;
    SET i = i + 1;
  END WHILE;
END //
DELIMITER ;
SQL
  MARIA_READY=1
}

# maria_small_reset N: as pg_small_reset; prints the number of deletes.
maria_small_reset() {
  local n=$1 t
  for t in 1 2 3; do
    maria_root "$MDB" <<SQL
TRUNCATE bench_t$t;
INSERT INTO bench_t$t SELECT seq, $(maria_small_row seq) FROM seq_1_to_$SMALL_KEYS;
INSERT INTO bench_t$t SELECT -seq, $(maria_small_row seq) FROM seq_1_to_$n
  WHERE seq % 3 = $((t - 1)) AND (seq DIV 3) % 10 = 9;
SQL
  done
  maria_root -N "$MDB" -e "SELECT count(*) FROM seq_1_to_$n WHERE (seq DIV 3) % 10 = 9"
}

maria_binlog_file() { maria_root -N -e 'SHOW MASTER STATUS' | cut -f1; }

# One run of (b): both shapes; every reader reads the same binlog file, which holds the load alone
# (FLUSH BINARY LOGS before and after it).
maria_stream_run() {
  mem_guard "b: MariaDB stream"
  maria_setup
  maria_server
  local shape n_events deletes n_records label tables file name scen=b args
  read -ra args <<<"$(maria_cdc_args)"
  for shape in big small; do
    if [[ $shape == big ]]; then
      n_events=$BENCH_BIG_ROWS
      want b || n_events=$BENCH_DBZ_BIG_ROWS
      label="MariaDB stream, 1 txn x $n_events rows"
      tables="[$MDB.bench_rows]"
      maria_root "$MDB" -e 'TRUNCATE bench_rows'
      deletes=0
    else
      n_events=$BENCH_SMALL_TXNS
      want b || n_events=$BENCH_DBZ_SMALL_TXNS
      label="MariaDB stream, $n_events small txns"
      tables="[$MDB.bench_t1, $MDB.bench_t2, $MDB.bench_t3]"
      deletes=$(maria_small_reset "$n_events")
    fi
    n_records=$((n_events + deletes))
    name=bench_b_${shape}_$RUN
    if want d; then dbz_maria_begin "$shape" "$tables" "$n_records"; fi
    if want b; then
      CDCD_SINK_EXTRA='heartbeat_topic: "", schema_changes_topic: ""'
      cdcd_file_prime "$name" "$(maria_source_yaml "$tables" never)"
    fi
    maria_root -e 'FLUSH BINARY LOGS'
    file=$(maria_binlog_file)
    say "b: $label: loading into $file"
    local t0
    t0=${EPOCHREALTIME/./}
    if [[ $shape == big ]]; then
      maria_root "$MDB" -e "INSERT INTO bench_rows SELECT $(maria_big_row seq) FROM seq_1_to_$n_events"
    else
      maria_root "$MDB" -e "CALL bench_small($n_events)"
    fi
    maria_root -e 'FLUSH BINARY LOGS'
    say "b: loaded in $(secs_since "$t0")s: $file, $(maria_root -N -e 'SHOW BINARY LOGS' |
      awk -v f="$file" '$1 == f { printf "%.1f MiB", $2 / 1048576 }')"
    if want b; then
      mkdir -p "$SHM/raw"
      timed "mdb-raw-$shape-$RUN" /dev/null -- mariadb-binlog --no-defaults "${args[@]}" \
        --read-from-remote-server --raw --result-file="$SHM/raw/" "$file"
      record "scenario=$scen" "shape=$label" "reader=mariadb-binlog --raw (pull)" "role=limit" \
        "run=$RUN" "events=$n_events" "wall=$T_WALL" "cpu_cli=$T_CPU" "cpu_srv=$T_SRV" \
        "rss_kib=$T_RSS_KIB"
      say "  raw pull: ${T_WALL}s"
      rm -rf "$SHM/raw"
      timed "mdb-decode-$shape-$RUN" /dev/null -- mariadb-binlog --no-defaults "${args[@]}" \
        --read-from-remote-server -v --base64-output=decode-rows "$file"
      record "scenario=$scen" "shape=$label" "reader=mariadb-binlog -v (decode)" "role=peer" \
        "run=$RUN" "events=$n_events" "wall=$T_WALL" "cpu_cli=$T_CPU" "cpu_srv=$T_SRV" \
        "rss_kib=$T_RSS_KIB"
      say "  decode: ${T_WALL}s"
      cdcd_file_run "$name" $scen "$label" cdcd "$n_events" "$n_records" ""
      CDCD_SINK_EXTRA=
    fi
    if want d; then dbz_maria_finish "$n_events" "$n_records" "$label"; fi
  done
}

# (e) MariaDB: the snapshot of snap_rows (made once), cdcd vs `mariadb -e SELECT` to /dev/null.
MARIA_SNAP_READY=0
maria_snapshot_run() {
  mem_guard "e: MariaDB snapshot"
  maria_setup
  maria_server
  local rows=$BENCH_SNAPSHOT_ROWS label="MariaDB snapshot, $BENCH_SNAPSHOT_ROWS rows" args from to
  read -ra args <<<"$(maria_cdc_args)"
  if ((!MARIA_SNAP_READY)); then
    say "e: loading $rows rows into $MDB.snap_rows"
    maria_root "$MDB" -e "CREATE TABLE snap_rows LIKE bench_rows"
    # In transactions of 500,000 rows: one huge transaction only makes the binlog cache spill.
    for ((from = 1; from <= rows; from += 500000)); do
      to=$((from + 499999 < rows ? from + 499999 : rows))
      maria_root "$MDB" -e "INSERT INTO snap_rows SELECT $(maria_big_row seq) FROM seq_${from}_to_$to"
    done
    maria_root "$MDB" -e "ANALYZE TABLE snap_rows" >/dev/null
    MARIA_SNAP_READY=1
  fi
  timed "mdb-select-$RUN" /dev/null -- mariadb --no-defaults "${args[@]}" --quick --batch \
    -e "SELECT * FROM $MDB.snap_rows"
  record "scenario=e" "shape=$label" "reader=mariadb -e SELECT to /dev/null" "role=limit" \
    "run=$RUN" "events=$rows" "wall=$T_WALL" "cpu_cli=$T_CPU" "cpu_srv=$T_SRV" "rss_kib=$T_RSS_KIB"
  say "  mariadb SELECT: ${T_WALL}s"
  CDCD_SINK_EXTRA='heartbeat_topic: "", schema_changes_topic: ""'
  cdcd_file_run "bench_e_mdb_$RUN" e "$label" cdcd "$rows" "$rows" \
    "$(maria_source_yaml "[$MDB.snap_rows]" initial)" "${BENCH_REAP:-1}"
  CDCD_SINK_EXTRA=
}
