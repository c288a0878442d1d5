#!/usr/bin/env bash
# services_smoke_test.sh SERVICE...: end-to-end checks of servers started by `svc start`.
#
# Reads CDCD_TEST_SERVICES_DIR/<service>.env for each listed service (postgres, mariadb, kafka,
# kafka-mock); a listed service without its .env fails. Prints one PASS/FAIL line per service
# (steps above it) and exits 1 if any failed. Leaves no slots, tables or injected errors behind;
# Kafka topics (cdcd-smoke-*) stay.
set -euo pipefail
shopt -s inherit_errexit

STATE=${CDCD_TEST_SERVICES_DIR:?set CDCD_TEST_SERVICES_DIR to the svc STATE_DIR}
(($#)) || { echo "usage: $0 postgres|mariadb|kafka|kafka-mock..." >&2; exit 2; }
ID="$(date +%s)_$$"
KCAT_TIMEOUT=60

step() { echo "  - $*"; }
# Fails the current check with a message (checks run in subshells under set -e).
bad() { echo "  ! $*" >&2; return 1; }

# ---------------------------------------------------------------------------------------------
check_postgres() {
  local out n
  t=smoke_$ID # global: the EXIT trap runs after this function returned
  pg() { psql "$CDCD_TEST_PG_DSN" -XAtq -v ON_ERROR_STOP=1 "$@"; }
  pg_cleanup() {
    pg -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
           WHERE slot_name IN ('${t}_pgoutput', '${t}_wal2json')" \
      -c "DROP PUBLICATION IF EXISTS ${t}_pub" -c "DROP TABLE IF EXISTS $t" >/dev/null 2>&1 || true
  }
  trap pg_cleanup EXIT

  step "create table, publication, pgoutput and wal2json slots"
  pg -c "CREATE TABLE $t (id int PRIMARY KEY, v text)" \
    -c "CREATE PUBLICATION ${t}_pub FOR TABLE $t" \
    -c "SELECT pg_create_logical_replication_slot('${t}_pgoutput', 'pgoutput')" \
    -c "SELECT pg_create_logical_replication_slot('${t}_wal2json', 'wal2json')" >/dev/null
  pg -c "INSERT INTO $t VALUES (1, 'hello')"

  step "wal2json slot returns the insert"
  out=$(pg -c "SELECT data FROM pg_logical_slot_get_changes('${t}_wal2json', NULL, NULL,
               'format-version', '2')")
  grep '"action":"I"' <<<"$out" | grep "\"table\":\"$t\"" | grep '"hello"' >/dev/null ||
    bad "no insert of $t in wal2json output: $out"

  step "pgoutput slot returns begin, relation, insert, commit"
  n=$(pg -c "SELECT count(*) FROM pg_logical_slot_get_binary_changes('${t}_pgoutput', NULL, NULL,
             'proto_version', '1', 'publication_names', '${t}_pub')")
  ((n >= 4)) || bad "pgoutput returned $n messages, expected >= 4"

  step "role cdc opens a replication connection"
  local repl="host=$CDCD_TEST_PG_HOST port=$CDCD_TEST_PG_PORT user=$CDCD_TEST_PG_CDC_USER"
  out=$(psql "$repl dbname=postgres replication=database" -XAtq -c IDENTIFY_SYSTEM)
  [[ -n $out ]] || bad "IDENTIFY_SYSTEM returned nothing"
}

# ---------------------------------------------------------------------------------------------
check_mariadb() {
  local out file pos file2 pos2 gtid gtid2
  t=smoke_$ID # global: the EXIT trap runs after this function returned
  my() {
    mariadb --no-defaults -h"$CDCD_TEST_MYSQL_HOST" -P"$CDCD_TEST_MYSQL_PORT" \
      -u"$CDCD_TEST_MYSQL_USER" -p"$CDCD_TEST_MYSQL_PASSWORD" -D "$CDCD_TEST_MYSQL_DATABASE" -N -B "$@"
  }
  my_cleanup() {
    my -e "DROP TABLE IF EXISTS $t; DROP DATABASE IF EXISTS cdcd_test_$t" >/dev/null 2>&1 || true
  }
  trap my_cleanup EXIT

  step "binlog settings as user $CDCD_TEST_MYSQL_USER over TCP"
  out=$(my -e 'SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@binlog_row_metadata,
                      @@gtid_strict_mode, @@server_id')
  [[ $out == $'1\tROW\tFULL\tFULL\t1\t1' ]] ||
    bad "log_bin/format/row_image/row_metadata/gtid_strict/server_id = $out"

  read -r file pos _ < <(my -e 'SHOW MASTER STATUS')
  gtid=$(my -e 'SELECT @@gtid_binlog_pos')
  step "insert a row"
  my -e "CREATE TABLE $t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO $t VALUES (1, 'hello')"

  step "SHOW MASTER STATUS and the GTID position advance"
  read -r file2 pos2 _ < <(my -e 'SHOW MASTER STATUS')
  gtid2=$(my -e 'SELECT @@gtid_binlog_pos')
  [[ $file2 != "$file" ]] || ((pos2 > pos)) ||
    bad "binlog position did not advance: $file:$pos -> $file2:$pos2"
  [[ $gtid2 != "$gtid" ]] || bad "gtid_binlog_pos did not advance: $gtid"

  step "SHOW BINLOG EVENTS has the row event"
  out=$(my -e "SHOW BINLOG EVENTS IN '$file' FROM $pos")
  grep -E 'Write_rows' <<<"$out" >/dev/null || bad "no Write_rows event after $file:$pos: $out"

  step "cdc may create cdcd_test_* databases"
  my -e "CREATE DATABASE cdcd_test_$t; DROP DATABASE cdcd_test_$t"
}

# ---------------------------------------------------------------------------------------------
# Produces lines of stdin to a topic; extra args go to kcat (e.g. -X transactional.id=...).
produce() {
  local brokers=$1 topic=$2
  shift 2
  timeout "$KCAT_TIMEOUT" kcat -b "$brokers" -P -t "$topic" "$@" 2>&1
}

# Prints a topic's committed messages, one per line, sorted.
consume_committed() {
  timeout "$KCAT_TIMEOUT" kcat -b "$1" -C -t "$2" -o beginning -e -q -X isolation.level=read_committed |
    sort
}

check_kafka_common() {
  local brokers=$1 topic=$2 txn=$3 want out
  want=$(printf 'm1\nm2\nm3\n')
  step "produce 3 messages to $topic${txn:+ in a transaction}"
  if [[ -n $txn ]]; then
    printf 'm1\nm2\nm3\n' | produce "$brokers" "$topic" -X transactional.id="$txn" >/dev/null
  else
    printf 'm1\nm2\nm3\n' | produce "$brokers" "$topic" >/dev/null
  fi
  step "consume them with isolation.level=read_committed"
  out=$(consume_committed "$brokers" "$topic")
  [[ $out == "$want" ]] || bad "read back '${out//$'\n'/,}', expected m1,m2,m3"
}

check_kafka() {
  local out
  step "broker metadata"
  out=$(timeout "$KCAT_TIMEOUT" kcat -b "$CDCD_TEST_KAFKA_BROKERS" -L -m 10)
  grep 'broker 1 at' <<<"$out" >/dev/null || bad "no broker in metadata: $out"
  check_kafka_common "$CDCD_TEST_KAFKA_BROKERS" "cdcd-smoke-$ID" ""
  check_kafka_common "$CDCD_TEST_KAFKA_BROKERS" "cdcd-smoke-txn-$ID" "cdcd-smoke-$ID"
}

# ---------------------------------------------------------------------------------------------
# http METHOD URL: prints "<status> <body>"; a failed connection prints "000 <reason>".
http() {
  python3 - "$1" "$2" <<'PY'
import sys, urllib.error, urllib.request
method, url = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url, method=method, data=None if method == "GET" else b"")
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status, r.read().decode().strip())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode().strip())
except Exception as e:
    print("000", e)
PY
}

# expect_http CODE_GLOB METHOD PATH: calls the mock's control API and checks the status.
expect_http() {
  local want=$1 out
  out=$(http "$2" "$CDCD_TEST_KAFKA_MOCK_CONTROL$3")
  [[ ${out%% *} == $want ]] || { bad "$2 $3 answered '$out', expected $want"; return 1; }
  echo "${out#* }"
}

check_kafka-mock() {
  local b=$CDCD_TEST_KAFKA_MOCK_BROKERS topic=cdcd-smoke-$ID out
  # Whatever happens, leave no injected errors behind for other tests sharing this mock.
  trap 'http DELETE "$CDCD_TEST_KAFKA_MOCK_CONTROL/errors?api=Produce" >/dev/null 2>&1 || true' EXIT

  step "control API answers"
  out=$(expect_http '2??' GET /bootstraps)
  [[ $out == "$b" ]] || bad "/bootstraps says '$out', .env says '$b'"
  expect_http '2??' POST "/topic?name=$topic&partitions=1&replication=3" >/dev/null
  check_kafka_common "$b" "$topic" ""

  step "inject Produce errors through the control API, produce through them"
  expect_http '2??' POST "/errors?api=Produce&errors=NOT_LEADER_FOR_PARTITION,REQUEST_TIMED_OUT" \
    >/dev/null
  printf 'm4\n' | produce "$b" "$topic" >/dev/null
  out=$(consume_committed "$b" "$topic")
  [[ $out == $'m1\nm2\nm3\nm4' ]] || bad "after injected errors read back '${out//$'\n'/,}'"

  step "broker down/up, error list by name and number, bad requests rejected"
  expect_http '2??' POST /broker/3/down >/dev/null
  expect_http '2??' POST /broker/3/up >/dev/null
  expect_http '2??' POST "/errors?api=22&errors=51,-195" >/dev/null
  expect_http '2??' DELETE "/errors?api=InitProducerId" >/dev/null
  expect_http 400 POST "/errors?api=NoSuchApi&errors=1" >/dev/null
  expect_http 404 POST /broker/99/down >/dev/null
}

# ---------------------------------------------------------------------------------------------
failed=0
for svc in "$@"; do
  envf=$STATE/$svc.env
  case $svc in
    postgres | mariadb | kafka | kafka-mock) ;;
    *) echo "FAIL: $svc: unknown service"; failed=1; continue ;;
  esac
  if [[ ! -f $envf ]]; then
    echo "FAIL: $svc: $envf missing (was 'svc start $svc $STATE' run?)"
    failed=1
    continue
  fi
  echo "$svc: checking ($envf)"
  t0=$(date +%s%3N)
  # Each check runs in its own subshell with the .env sourced and errexit on, so the first
  # failing command ends it. Not inside `if`: bash would ignore errexit in the subshell there.
  set +e
  (
    set -e
    # shellcheck disable=SC1090
    source "$envf"
    "check_$svc"
  )
  rc=$?
  set -e
  if ((rc == 0)); then
    echo "PASS: $svc ($(($(date +%s%3N) - t0)) ms)"
  else
    echo "FAIL: $svc"
    failed=1
  fi
done
exit "$failed"
