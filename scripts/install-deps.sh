#!/usr/bin/env bash
# Installs everything cdcd needs to build and test, from Debian 12 packages.
# Idempotent: packages already present are skipped; uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates clang-format
  libpq-dev librdkafka-dev libmariadb-dev libzstd-dev libjemalloc-dev
  nlohmann-json3-dev libyaml-cpp-dev libyaml-dev libspdlog-dev libfmt-dev libsimdjson-dev
  libgtest-dev libgmock-dev libcli11-dev libcpp-httplib-dev
  # test services: real servers, a peer decoder and a Kafka client
  postgresql-15 postgresql-15-wal2json postgresql-client-15
  mariadb-server mariadb-client kcat
  openjdk-17-jre-headless openjdk-17-jdk-headless maven
  python3 util-linux procps iproute2
  # bench/run.sh
  jq curl
  # scripts/fuzz.sh: libFuzzer with ASan and UBSan
  clang-14 libclang-rt-14-dev
  # docker/verify.sh: the image's runtime root and the compose file, without Docker
  mmdebstrap docker-compose
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  [[ "$p" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
