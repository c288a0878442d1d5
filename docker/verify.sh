#!/usr/bin/env bash
# Proves docker/ without a Docker engine or Docker Hub (neither exists where CI
# runs): a missing runtime library, a wrong path or a user that cannot write
# its data directory fails here rather than in a user's `docker compose up`.
#
#  1. `docker-compose config -q` validates docker-compose.yml (every profile);
#     promtool (from Debian's prometheus package) checks the monitoring
#     profile's prometheus.yml and alerts.yml and runs alerts_test.yml.
#  2. mmdebstrap builds a Debian 12 (bookworm) minbase root from Debian's
#     mirror, the base debian:12-slim is made from, and runs the Dockerfile's
#     own runtime step in it (setup-runtime.sh + runtime-packages.txt).
#  3. The binary (default build/cdcd, built on Debian 12 like the image's
#     build stage) goes where the Dockerfile puts it; inside the root, as the
#     image's non-root user `cdcd` and with chroot:
#     - no shared library is missing (ldd);
#     - `cdcd version` runs;
#     - a generator -> file pipeline from /etc/cdcd/pipelines.yaml writes
#       its 2,000 events under /var/lib/cdcd, while the image's HEALTHCHECK
#       command (`cdcd health`) answers 0, and exits 0.
#
# Usage: docker/verify.sh [path/to/cdcd]   (root, or sudo; needs mmdebstrap and
# docker-compose: scripts/install-deps.sh installs both). Takes 1-3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-build/cdcd}")
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo

say() { echo "verify: $*"; }
die() {
  echo "verify: FAILED: $*" >&2
  exit 1
}

[[ -x $BIN ]] || die "no cdcd binary at $BIN (./scripts/build.sh first)"
command -v mmdebstrap >/dev/null || die "mmdebstrap not found (scripts/install-deps.sh)"
command -v docker-compose >/dev/null || die "docker-compose not found (scripts/install-deps.sh)"

say "docker-compose config -q on docker/docker-compose.yml (profiles mariadb, monitoring too)"
COMPOSE_PROFILES=mariadb,monitoring docker-compose -f docker/docker-compose.yml config -q ||
  die "docker/docker-compose.yml does not validate"
say "monitoring: promtool check config/rules and test rules; the Grafana dashboard parses"
PROMTOOL=$(command -v promtool || true)
if [[ -z $PROMTOOL ]]; then
  # Debian's prometheus package, unpacked rather than installed (no daemon).
  PROMDIR=$(mktemp -d /tmp/cdcd-promtool.XXXXXX)
  chmod 755 "$PROMDIR" # apt's download user writes there
  (cd "$PROMDIR" && apt-get download -q prometheus >/dev/null && dpkg-deb -x prometheus_*.deb x) ||
    die "cannot fetch Debian's prometheus package for promtool"
  PROMTOOL=$PROMDIR/x/usr/bin/promtool
fi
(cd docker/monitoring && "$PROMTOOL" check rules alerts.yml >/dev/null &&
  "$PROMTOOL" test rules alerts_test.yml >/dev/null) || die "docker/monitoring/alerts.yml: promtool says no"
# prometheus.yml names the rules where the container mounts them: check it on a copy that
# points at the file here.
sed "s|/etc/prometheus/alerts.yml|$PWD/docker/monitoring/alerts.yml|" docker/monitoring/prometheus.yml \
  >"${PROMDIR:-/tmp}/prometheus.yml"
"$PROMTOOL" check config "${PROMDIR:-/tmp}/prometheus.yml" >/dev/null ||
  die "docker/monitoring/prometheus.yml: promtool check config failed"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["panels"]' \
  docker/monitoring/grafana/dashboards/cdcd.json || die "the Grafana dashboard is not valid JSON"
if [[ -n ${PROMDIR:-} ]]; then rm -rf "$PROMDIR"; fi

grep -q '^RUN /tmp/cdcd-setup/setup-runtime.sh' docker/Dockerfile ||
  die "the Dockerfile no longer runs setup-runtime.sh: this check would not test its image"

ROOT=$(mktemp -d /tmp/cdcd-image.XXXXXX)
cleanup() {
  $SUDO umount "$ROOT/proc" 2>/dev/null || true
  [[ -n ${CDCD_VERIFY_KEEP:-} ]] || $SUDO rm -rf "$ROOT"
}
trap cleanup EXIT

say "building a Debian 12 root in $ROOT with mmdebstrap and setup-runtime.sh"
t0=$(date +%s)
$SUDO mmdebstrap --quiet --variant=minbase \
  --customize-hook='mkdir -p "$1/tmp/cdcd-setup"' \
  --customize-hook='copy-in docker/setup-runtime.sh docker/runtime-packages.txt /tmp/cdcd-setup' \
  --customize-hook='chroot "$1" /tmp/cdcd-setup/setup-runtime.sh' \
  --customize-hook='rm -rf "$1/tmp/cdcd-setup"' \
  bookworm "$ROOT" http://deb.debian.org/debian >/tmp/cdcd-verify-mmdebstrap.log 2>&1 ||
  {
    tail -n 30 /tmp/cdcd-verify-mmdebstrap.log >&2
    die "mmdebstrap failed (log: /tmp/cdcd-verify-mmdebstrap.log)"
  }
say "root ready in $(($(date +%s) - t0)) s ($($SUDO du -sh "$ROOT" | cut -f1))"

# The Dockerfile's COPY lines.
$SUDO install -m 755 "$BIN" "$ROOT/usr/local/bin/cdcd"
$SUDO mkdir -p "$ROOT/etc/cdcd"
$SUDO cp -r config/examples "$ROOT/etc/cdcd/examples"
$SUDO mount -t proc proc "$ROOT/proc"
as_cdcd() { $SUDO chroot --userspec=cdcd:cdcd "$ROOT" "$@"; }

missing=$($SUDO chroot "$ROOT" ldd /usr/local/bin/cdcd | grep 'not found' || true)
[[ -z $missing ]] || die "shared libraries missing from the runtime image (add their packages to docker/runtime-packages.txt):
$missing"
say "$(as_cdcd /usr/local/bin/cdcd version) runs as user cdcd"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$SUDO tee "$ROOT/etc/cdcd/pipelines.yaml" >/dev/null <<EOF
pipelines:
  - name: verify
    source: {type: generator, rate: 1000, limit: 2000, seed: 1}
    sink: {type: file, path: /var/lib/cdcd/verify}
    format: {envelope: debezium, schemas: false}
http: {listen: "127.0.0.1:$PORT"}
EOF
as_cdcd /usr/local/bin/cdcd run --config /etc/cdcd/pipelines.yaml >"$ROOT.log" 2>&1 &
pid=$!
healthy=""
for _ in $(seq 1 50); do
  if as_cdcd /usr/local/bin/cdcd health --url "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    healthy=yes
    break
  fi
  sleep 0.1
done
status=0
wait "$pid" || status=$?
cat "$ROOT.log"
rm -f "$ROOT.log"
[[ -n $healthy ]] || die "the HEALTHCHECK command (cdcd health) never answered 0"
[[ $status -eq 0 ]] || die "cdcd run exited $status inside the image"
[[ -f $ROOT/var/lib/cdcd/verify/offsets.json ]] || die "no committed offsets under /var/lib/cdcd/verify"
owner=$($SUDO chroot "$ROOT" stat -c %U /var/lib/cdcd/verify/offsets.json)
[[ $owner == cdcd ]] || die "the output belongs to $owner, not cdcd"
changes=$(grep -c '"op":' "$ROOT"/var/lib/cdcd/verify/events-*.jsonl | awk -F: '{n += $NF} END {print n}')
[[ $changes -eq 2000 ]] || die "expected 2000 change records under /var/lib/cdcd/verify, found $changes"
say "ok: the runtime image runs cdcd as user cdcd (2000 events written, health check 0)"
