#!/usr/bin/env bash
# Installs what InfraMonitor's build and tests need on Debian: zlib and SQLite headers, sqlite3,
# prometheus-node-exporter (a real scrape target for the collector tests), python3 (the benchmark
# reference) and curl. Safe to run again: it installs only what is missing.
set -euo pipefail

# binutils, gcc and g++: the Lambda compatibility test links C and C++ snippets and reads them with
# objdump; util-linux: flock holds a data directory busy in a test; groff-base renders the man page and
# systemd brings systemd-analyze, which verifies the units (InstallTests).
packages=(zlib1g-dev libsqlite3-dev sqlite3 prometheus-node-exporter python3 python3-pip curl procps chromium fonts-dejavu-core
    binutils gcc g++ util-linux groff-base systemd)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing: ${missing[*]}"
    sudo_cmd=""
    if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python test tools: moto_server plays the AWS services, cfn-lint checks generated templates.
if ! python3 -c "import moto, cfnlint, boto3, flask_cors" >/dev/null 2>&1; then
    python3 -m pip install --quiet "moto[server]" cfn-lint boto3 || python3 -m pip install --quiet --break-system-packages "moto[server]" cfn-lint boto3
fi
command -v moto_server >/dev/null || { echo "moto_server is not on PATH after pip install" >&2; exit 1; }

# Debian starts the packaged node_exporter as a service on :9100 where systemd runs; the tests
# start their own on a free loopback port, so nothing else is needed here.
command -v prometheus-node-exporter >/dev/null
echo "test dependencies ready"
