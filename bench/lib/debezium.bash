# bench/lib/debezium.bash: (d) Debezium's embedded engine on the workloads of (a) and (b), through
# tests/conformance/debezium/run.sh (DebeziumRunner: JSON lines into a file on SHM, stops after
# --max-events records). PostgreSQL: Debezium 3.6.1.Final. MariaDB: Debezium 3.5.0.Final's
# MariaDB connector (3.6.1's MySQL connector refuses MariaDB 10.11 and there is no 3.6 MariaDB
# connector; see tests/conformance/debezium/README.md).
#
# Debezium has no setting to start streaming at a given position, so it is started BEFORE the
# load (snapshot.mode=no_data: it streams from the log's end then), and once it streams it is
# frozen with SIGSTOP. The load and the other readers run; then SIGCONT, and it is timed until it
# has written every record. Its wall time is its start-up (launch to "connector task started")
# plus SIGCONT to done; its CPU is what it spent after SIGCONT (the start-up's CPU is left out).
# The servers are started with no replication timeout (wal_sender_timeout = 0,
# --net-write-timeout=7200) so the frozen connection survives.
# shellcheck shell=bash disable=SC2034 # globals shared with the other files of bench/lib

DBZ_RUNNER=$ROOT/tests/conformance/debezium/run.sh
DBZ_TIME_PID=
DBZ_PID=
DBZ_NAME=
# Seconds Debezium may take to start streaming.
DBZ_START_TIMEOUT=${BENCH_DBZ_START_TIMEOUT:-180}

dbz_kill() {
  if [[ -n $DBZ_PID ]]; then
    kill -CONT "$DBZ_PID" 2>/dev/null || true
    kill -KILL "$DBZ_PID" 2>/dev/null || true
  fi
  if [[ -n $DBZ_TIME_PID ]]; then wait "$DBZ_TIME_PID" 2>/dev/null || true; fi
  DBZ_TIME_PID=
  DBZ_PID=
}

# dbz_available POM: 0 when java and the runner work (fetches the jars / compiles once, untimed).
dbz_available() {
  local pom=$1 key=dbz_ok_${1//[^a-z]/_}
  [[ -n ${!key:-} ]] && return "${!key}"
  local rc=0
  if ! command -v java >/dev/null || ! command -v javac >/dev/null; then
    note "d: skipped: java/javac not found (scripts/install-deps.sh installs openjdk-17-jdk-headless)."
    rc=1
  elif ! CDCD_DBZ_POM=$pom "$DBZ_RUNNER" connect-roundtrip --in /dev/null --schemas false \
    >"$WORK/dbz-warmup-$pom.log" 2>&1; then
    note "d: skipped for $pom: the Debezium runner did not start (mvn missing or offline?): $(tail -n 3 "$WORK/dbz-warmup-$pom.log" | tr '\n' ' ')"
    rc=1
  fi
  printf -v "$key" '%s' "$rc"
  return "$rc"
}

dbz_log_fail() {
  echo "bench: ---- last lines of $WORK/$DBZ_NAME.log ----" >&2
  tail -n 25 "$WORK/$DBZ_NAME.log" >&2
  dbz_kill
  die "Debezium ($DBZ_NAME): $*"
}

# dbz_begin NAME POM PROPS RECORDS STREAMING_CHECK: launches the engine (stopping after RECORDS
# records), waits until it started and STREAMING_CHECK (a command) says it streams, then freezes
# it. Sets D_START (launch to "task started", s) and D_OUT.
dbz_begin() {
  local name=$1 pom=$2 props=$3 records=$4 check=$5 i
  DBZ_NAME=$name
  D_OUT=$SHM/$name.jsonl
  local ready=$WORK/$name.ready t0
  rm -f "$ready" "$D_OUT"
  t0=${EPOCHREALTIME/./}
  CDCD_DBZ_POM=$pom /usr/bin/time -f '%e %U %S %M' -o "$WORK/$name.time" "$DBZ_RUNNER" capture \
    --props "$props" --out "$D_OUT" --schemas true --idle-ms 120000 --max-events "$records" \
    --startup-timeout-ms 3600000 --ready-file "$ready" >"$WORK/$name.log" 2>&1 &
  DBZ_TIME_PID=$!
  D_START=
  while [[ ! -e $ready ]]; do
    pid_alive "$DBZ_TIME_PID" || dbz_log_fail "exited before its connector task started"
    ((${EPOCHREALTIME/./} - t0 < DBZ_START_TIMEOUT * 1000000)) ||
      dbz_log_fail "connector task not started after ${DBZ_START_TIMEOUT}s"
    nap 0.05
  done
  us_to_s $((${EPOCHREALTIME/./} - t0))
  D_START=$REPLY
  DBZ_PID=$(pgrep -P "$DBZ_TIME_PID" || true)
  [[ -n $DBZ_PID ]] || dbz_log_fail "no java process under /usr/bin/time"
  for ((i = 0; ; i++)); do
    "$check" && break
    pid_alive "$DBZ_PID" || dbz_log_fail "exited before it streamed"
    ((i < DBZ_START_TIMEOUT * 10)) || dbz_log_fail "not streaming after ${DBZ_START_TIMEOUT}s"
    sleep 0.1
  done
  sleep 1 # let it settle into its streaming loop
  kill -STOP "$DBZ_PID"
}

# dbz_finish SCEN SHAPE_LABEL READER EVENTS RECORDS: thaws the engine, waits for its exit, checks
# its record count and records the row.
dbz_finish() {
  local scen=$1 label=$2 reader=$3 events=$4 records=$5 s0 t0 c0 rc=0 u s m got wall cpu srv
  s0=$(server_ticks)
  c0=$(proc_ticks "$DBZ_PID")
  t0=${EPOCHREALTIME/./}
  kill -CONT "$DBZ_PID"
  wait "$DBZ_TIME_PID" || rc=$?
  us_to_s $((${EPOCHREALTIME/./} - t0))
  wall=$(awk -v a="$D_START" -v b="$REPLY" 'BEGIN { printf "%.3f", a + b }')
  DBZ_TIME_PID=
  DBZ_PID=
  ((rc == 0)) || dbz_log_fail "exited with status $rc"
  [[ $SERVER_KIND == postgres ]] && pg_walsenders_gone
  srv=$(ticks_to_s $(($(server_ticks) - s0)))
  read -r _ u s m < <(tail -n 1 "$WORK/$DBZ_NAME.time")
  cpu=$(awk -v u="$u" -v s="$s" -v c="$c0" -v hz="$TICK" 'BEGIN { printf "%.2f", u + s - c / hz }')
  got=$(wc -l <"$D_OUT")
  ((got == records)) || dbz_log_fail "wrote $got records, expected $records"
  record "scenario=$scen" "shape=$label" "reader=$reader" "role=debezium" "run=$RUN" \
    "events=$events" "wall=$wall" "cpu_cli=$cpu" "cpu_srv=$srv" "rss_kib=$m" "start=$D_START"
  say "  $reader: ${wall}s (start-up ${D_START}s), CPU ${cpu}s after start-up, peak RSS $((m / 1024)) MiB"
  ((KEEP)) || rm -f "$D_OUT"
}

# --- PostgreSQL --------------------------------------------------------------------------------------
DBZ_PG_ON=0
DBZ_PG_SLOT=
dbz_pg_streaming() {
  [[ $(pg_sql -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$DBZ_PG_SLOT' AND active") == 1 ]]
}

# dbz_pg_begin SHAPE SLOT PUBLICATION TABLES RECORDS: before the load.
dbz_pg_begin() {
  local shape=$1 slot=$2 pub=$3 tables=$4 records=$5 props
  DBZ_PG_ON=0
  dbz_available pom.xml || return 0
  props=$WORK/dbz-pg-$shape-$RUN.properties
  tables=${tables//[\[\] ]/}
  cat >"$props" <<PROPS
name=bench
connector.class=io.debezium.connector.postgresql.PostgresConnector
database.hostname=127.0.0.1
database.port=$CDCD_TEST_PG_PORT
database.user=postgres
database.password=
database.dbname=postgres
database.sslmode=disable
topic.prefix=dbz
plugin.name=pgoutput
slot.name=$slot
publication.name=$pub
publication.autocreate.mode=disabled
table.include.list=$tables
snapshot.mode=no_data
PROPS
  DBZ_PG_SLOT=$slot
  dbz_begin "dbz-pg-$shape-$RUN" pom.xml "$props" "$records" dbz_pg_streaming
  DBZ_PG_ON=1
}

dbz_pg_finish() { # EVENTS RECORDS LABEL
  ((DBZ_PG_ON)) || return 0
  pg_server
  dbz_finish a "$3" "Debezium 3.6.1 embedded" "$1" "$2"
  DBZ_PG_ON=0
}

# --- MariaDB -------------------------------------------------------------------------------------------
DBZ_MARIA_ON=0
dbz_maria_streaming() {
  [[ $(maria_root -N -e "SELECT count(*) FROM information_schema.PROCESSLIST
                           WHERE COMMAND LIKE 'Binlog Dump%'") -ge 1 ]]
}

# dbz_maria_begin SHAPE TABLES RECORDS: before the load (and before cdcd's priming start, so the
# only binlog dump connection is Debezium's).
dbz_maria_begin() {
  local shape=$1 tables=$2 records=$3 base=$WORK/dbz-mdb-$1-$RUN
  DBZ_MARIA_ON=0
  dbz_available pom-mariadb.xml || return 0
  tables=${tables//[\[\] ]/}
  rm -f "$base.history"
  cat >"$base.properties" <<PROPS
name=bench
connector.class=io.debezium.connector.mariadb.MariaDbConnector
database.hostname=127.0.0.1
database.port=$CDCD_TEST_MYSQL_PORT
database.user=$CDCD_TEST_MYSQL_USER
database.password=$CDCD_TEST_MYSQL_PASSWORD
database.ssl.mode=disable
database.server.id=$((5400 + RUN))
topic.prefix=dbz
database.include.list=$MDB
table.include.list=$tables
snapshot.mode=no_data
snapshot.locking.mode=none
include.schema.changes=false
schema.history.internal=io.debezium.storage.file.history.FileSchemaHistory
schema.history.internal.file.filename=$base.history
PROPS
  dbz_begin "dbz-mdb-$shape-$RUN" pom-mariadb.xml "$base.properties" "$records" dbz_maria_streaming
  DBZ_MARIA_ON=1
}

dbz_maria_finish() { # EVENTS RECORDS LABEL
  ((DBZ_MARIA_ON)) || return 0
  maria_server
  dbz_finish b "$3" "Debezium 3.5.0 embedded (MariaDB connector)" "$1" "$2"
  DBZ_MARIA_ON=0
}
