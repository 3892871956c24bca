#!/usr/bin/env bash
# Installs the Debian 12 packages that the build and the tests need, only when one is missing.
# Run as root (or with sudo available). Safe to run again: it does nothing when all are present.
set -euo pipefail
packages=(build-essential make pkg-config ca-certificates curl unzip
          libsqlite3-dev sqlite3 libcurl4-openssl-dev libjansson-dev libzip-dev
          libmicrohttpd-dev libopenblas-dev libutf8proc-dev libssl-dev zlib1g-dev libcmocka-dev
          libicu-dev libzstd-dev libsnappy-dev librdkafka-dev
          kafkacat maven default-jre-headless
          prometheus
          clang libclang-rt-14-dev valgrind groff-base
          python3 python3-venv python3-pip)
packages+=(chromium)   # the pages' browser tests (headless Chromium driven by playwright-core)
# The pages are bundled with npm (make web); a machine with another Node.js build that has npm keeps it.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "bootstrap: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# The observe tests start their own Prometheus on 127.0.0.1; the package's system service is not wanted.
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
    $SUDO systemctl disable --now prometheus prometheus-node-exporter 2>/dev/null || true
fi
