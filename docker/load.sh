#!/usr/bin/env bash
# Makes changes in the compose deployment's databases so events flow: each
# round inserts a customer and an order, updates an order and deletes the
# oldest order, in PostgreSQL, MySQL and (if its profile runs) MariaDB.
#
# Usage: docker/load.sh [ROUNDS (default 20)] [SECONDS between rounds (default 1)]
# Then watch: curl -s 127.0.0.1:8083/pipelines, or the topics (docker/README.md).
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${1:-20}
BASE=$(($(date +%s) % 1000000 * 100)) # new customer ids on every run
PAUSE=${2:-1}
compose() { docker compose -f docker-compose.yml "$@"; }
running() { compose ps --status running --services 2>/dev/null | grep -qx "$1"; }

round_sql() {
  local i=$1
  echo "INSERT INTO customers (id, name, email) VALUES ($((BASE + i)), 'load $i', 'load$i@example.com');"
  echo "INSERT INTO orders (customer_id, amount) VALUES ($((BASE + i)), $((i % 90 + 10)).25);"
  echo "UPDATE orders SET amount = amount + 1 WHERE customer_id = $((BASE + i));"
  echo "DELETE FROM orders WHERE id = (SELECT id FROM (SELECT MIN(id) AS id FROM orders) AS oldest);"
}

for i in $(seq 1 "$ROUNDS"); do
  sql=$(round_sql "$i")
  compose exec -T postgres psql -q -v ON_ERROR_STOP=1 -U postgres -d shop -c "BEGIN; $sql COMMIT;"
  compose exec -T mysql mysql -uroot -proot shop -e "BEGIN; $sql COMMIT;" 2>/dev/null
  if running mariadb; then
    compose exec -T mariadb mariadb -uroot -proot shop -e "BEGIN; $sql COMMIT;"
  fi
  echo "load: round $i of $ROUNDS committed"
  sleep "$PAUSE"
done
