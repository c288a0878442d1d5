#!/bin/sh
# Prepares a Debian 12 root to run cdcd: the runtime libraries listed in
# runtime-packages.txt (next to this script), the non-root user `cdcd` and
# the config and data directories. Run as root inside the image (the
# Dockerfile's runtime stage) or inside a chroot (docker/verify.sh).
set -eu
HERE=$(dirname "$0")
PACKAGES=$(grep -v '^#' "$HERE/runtime-packages.txt" | tr '\n' ' ')
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES
rm -rf /var/lib/apt/lists/*
useradd --system --user-group --create-home --home-dir /var/lib/cdcd --shell /usr/sbin/nologin cdcd
mkdir -p /etc/cdcd
chown cdcd:cdcd /var/lib/cdcd
