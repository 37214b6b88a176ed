#!/usr/bin/env bash
# Installs the Debian packages that hallpass needs to build, run and test, and only those
# that are missing, so that it returns at once when everything is there.
set -euo pipefail

packages=(
    build-essential cmake pkg-config clang clang-format
    libsqlite3-dev libcsv-dev libxlsxwriter-dev libjansson-dev libsodium-dev libglib2.0-dev
    libcmocka-dev libmicrohttpd-dev libpq-dev libcurl4-openssl-dev libcjose-dev libzip-dev postgresql
    curl libclang-rt-14-dev
    sqlite3 unzip python3 python3-pytest tzdata
    chromium wrk time faketime
    openssl
    debhelper dpkg-dev lintian libsystemd-dev adduser systemd
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

# Node.js 20 or later runs the browser tests; the machines come with it. Debian 12's own
# nodejs is 18, too old for playwright-core, so it is not installed from here.
if ! command -v node >/dev/null 2>&1; then
    echo "install-deps: the browser tests need Node.js 20 or later (node not found)" >&2
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
