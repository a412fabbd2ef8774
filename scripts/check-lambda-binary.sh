#!/usr/bin/env bash
# Checks that an executable loads on provided.al2023: only shared libraries the image has, and no
# symbol version newer than GLIBC_2.34, GLIBCXX_3.4.29, CXXABI_1.3.13 or GCC_11 (objdump -p's
# NEEDED entries and Version References, which the dynamic loader verifies). The same limits as
# LambdaCompatibility.al2023 in Sources/Deploy/LambdaCompatibility.swift.
# Usage: scripts/check-lambda-binary.sh BINARY
set -euo pipefail
binary=${1:?usage: check-lambda-binary.sh BINARY}
allowed=" libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libresolv.so.2 libutil.so.1 ld-linux-x86-64.so.2 ld-linux-aarch64.so.1 libgcc_s.so.1 libstdc++.so.6 "
headers=$(objdump -p "$binary")
status=0
needed=$(awk '$1 == "NEEDED" { print $2 }' <<<"$headers")
echo "needed: $(echo $needed)"
for library in $needed; do
    case "$allowed" in *" $library "*) ;; *) echo "NOT ON provided.al2023: $library" >&2; status=1 ;; esac
done
versions=$(awk '/^Version References:/ { on = 1; next } on && NF == 4 && $1 ~ /^0x/ { print $4 }' <<<"$headers" | sort -u)
for prefix in GLIBC GLIBCXX CXXABI GCC; do
    newest=$(grep -E "^${prefix}_[0-9.]+$" <<<"$versions" | sort -V | tail -1 || true)
    [ -n "$newest" ] && echo "newest $prefix: $newest"
done
while read -r version; do
    [ -n "$version" ] || continue
    name=${version%_*}; number=${version##*_}
    case "$name" in GLIBC) limit=2.34 ;; GLIBCXX) limit=3.4.29 ;; CXXABI) limit=1.3.13 ;; GCC) limit=11.0.0 ;; *) continue ;; esac
    if [ "$(printf '%s\n%s\n' "$number" "$limit" | sort -V | tail -1)" != "$limit" ]; then
        echo "TOO NEW for provided.al2023: $version ($(objdump -T "$binary" | grep -F "($version)" | awk '{print $NF}' | tr '\n' ' '))" >&2
        status=1
    fi
done <<<"$versions"
[ "$status" = 0 ] && echo "ok: loads on provided.al2023 (glibc 2.34, GCC 11)"
exit "$status"
