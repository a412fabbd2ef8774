#!/bin/sh
# Runs every fuzz target of Fuzz/targets.txt for a short time (FUZZ_SMOKE_SECONDS, default 30),
# two at a time, and fails if any target crashes or does not build. CI runs this; the 10-minute
# campaigns are `Fuzz/run.sh TARGET 600`. FUZZ_SMOKE_SECONDS=0 skips the smoke.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SMOKE_SECONDS:-30}
[ "$seconds" = 0 ] && { echo "fuzz smoke skipped (FUZZ_SMOKE_SECONDS=0)"; exit 0; }
logs=${FUZZ_BUILD_DIR:-$root/.build-fuzz}/smoke
mkdir -p "$logs"
targets=$(awk '{ print $1 }' "$root/Fuzz/targets.txt")
# The shared modules first, one build at a time, so that parallel runs do not race on them.
for target in $targets; do
    "$root/Fuzz/build.sh" "$target" >/dev/null || { echo "fuzz target $target does not build" >&2; exit 1; }
done
failed=0
run() {
    if "$root/Fuzz/run.sh" "$1" "$seconds" >"$logs/$1.log" 2>&1; then
        echo "fuzz $1: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$logs/$1.log" | awk '{ print $2 }') runs in ${seconds} s, no crash"
    else
        echo "fuzz $1 FAILED; the end of $logs/$1.log:" >&2
        tail -30 "$logs/$1.log" >&2
        return 1
    fi
}
set -- $targets
while [ $# -gt 0 ]; do
    first=$1
    shift
    if [ $# -gt 0 ]; then
        second=$1
        shift
        run "$first" & a=$!
        run "$second" & b=$!
        wait $a || failed=1
        wait $b || failed=1
    else
        run "$first" || failed=1
    fi
done
exit $failed
