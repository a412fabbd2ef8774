#!/bin/sh
# Builds one libFuzzer target (Fuzz/build.sh) and runs it.
#
# Usage: Fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
#   TARGET is one of Fuzz/targets.txt. SECONDS defaults to 600. The corpus grows in
#   .build-fuzz/<target>/corpus/, crashes go to .build-fuzz/<target>/crashes/. The seeds are
#   Fuzz/corpus/<target>/ when it exists, else what Fuzz/seed.py draws from the test fixtures.
#   Set FUZZ_BUILD_DIR to build elsewhere than .build-fuzz.
set -eu
target=${1:?usage: Fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...] (targets: Fuzz/targets.txt)}
seconds=${2:-600}
[ $# -ge 2 ] && shift 2 || shift $#
root=$(cd "$(dirname "$0")/.." && pwd)
binary=$("$root/Fuzz/build.sh" "$target")
work=$(dirname "$binary")
mkdir -p "$work/corpus" "$work/crashes"
if [ -d "$root/Fuzz/corpus/$target" ]; then
    seeds=$root/Fuzz/corpus/$target
else
    seeds=$work/seeds
    python3 "$root/Fuzz/seed.py" "$target" "$seeds"
fi
# Swift's own crash backtracer and ASan's report can deadlock; ASan reports on its own.
SWIFT_BACKTRACE=enable=no exec "$binary" -max_total_time="$seconds" -artifact_prefix="$work/crashes/" -print_final_stats=1 \
    -rss_limit_mb=4096 -timeout=10 "$@" "$work/corpus" "$seeds"
