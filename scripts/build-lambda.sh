#!/usr/bin/env bash
# Builds the Lambda bootstrap for provided.al2023 (glibc 2.34, GCC 11's libgcc_s) on this Debian
# machine, strips it, checks what it needs from the image, and zips it as bootstrap.
# The same recipe as `infra-monitor deploy package` (Sources/Deploy/LambdaPackage.swift):
#   - the Swift runtime and Foundation static (--static-swift-stdlib);
#   - libstdc++ and zlib static: INFRA_MONITOR_LAMBDA_LINK_DIR holds libstdc++.so and libz.so
#     links to the static archives, searched before the toolchain's folders (Package.swift);
#   - scripts/lambda/al2023-compat.c pins hypot, hypotf and arc4random to versions glibc 2.34 has;
#   - glibc and libgcc_s stay shared (the image has them; a static glibc cannot use NSS).
# Usage: scripts/build-lambda.sh [OUTPUT.zip]   (default .build/lambda/infra-monitor-lambda-<arch>.zip)
# Prints the sizes, the libraries and the newest symbol versions; exits 1 when the bootstrap
# needs anything provided.al2023 does not have.
set -euo pipefail
cd "$(dirname "$0")/.."

arch=$(uname -m)
case "$arch" in x86_64) lambda_arch=x86_64 ;; aarch64) lambda_arch=arm64 ;; *) echo "unsupported architecture $arch" >&2; exit 1 ;; esac
work="$PWD/.build/lambda"
output="${1:-$work/infra-monitor-lambda-$lambda_arch.zip}"
mkdir -p "$work/link"

for pair in libstdc++.so:libstdc++.a libz.so:libz.a; do
    archive=$(cc -print-file-name="${pair#*:}")
    [ -f "$archive" ] || { echo "the C compiler finds no ${pair#*:}; install libstdc++-12-dev and zlib1g-dev" >&2; exit 1; }
    ln -sfn "$archive" "$work/link/${pair%%:*}"
done
cc -O2 -fPIC -fno-builtin -c scripts/lambda/al2023-compat.c -o "$work/link/al2023-compat.o"

start=$(date +%s)
INFRA_MONITOR_LAMBDA_LINK_DIR="$work/link" swift build -c release --product infra-monitor-lambda --static-swift-stdlib
echo "build: $(( $(date +%s) - start )) s"
binary="$(swift build -c release --show-bin-path)/infra-monitor-lambda"
strip --strip-all -o "$work/bootstrap" "$binary"

rm -f "$output"
python3 - "$work/bootstrap" "$output" <<'PY'
import sys, zipfile
bootstrap, output = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
    info = zipfile.ZipInfo.from_file(bootstrap, "bootstrap")
    info.external_attr = (0o100755 << 16)
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(bootstrap, "rb") as source:
        archive.writestr(info, source.read(), compresslevel=9)
PY

echo "unstripped: $(stat -c %s "$binary") bytes; bootstrap (stripped): $(stat -c %s "$work/bootstrap") bytes; zip: $(stat -c %s "$output") bytes ($output)"
exec scripts/check-lambda-binary.sh "$work/bootstrap"
