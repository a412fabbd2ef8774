#!/usr/bin/env bash
# The whole test suite: installs what the tests need, then runs `swift test`.
# Set WARNINGS_AS_ERRORS=1 to build with -warnings-as-errors (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-test-deps.sh

# Tests talk to loopback servers only: never let the AWS credential chain reach for the EC2
# instance metadata address.
export AWS_EC2_METADATA_DISABLED=true

flags=()
if [ "${WARNINGS_AS_ERRORS:-0}" = 1 ]; then flags+=(-Xswiftc -warnings-as-errors); fi
swift build "${flags[@]}" --product infra-monitor
# Tests that measure time (task timeouts and heartbeats) run in a pass of their own, after the
# rest: in the main pass the cooperative pool (one thread per core, two here) is shared with
# hundreds of tests, and any of them holding a thread for seconds delays their timers.
timed='HeartbeatTests|StubbornTaskTimeoutTests|StatesTaskCommandTests'
if [ "$#" -eq 0 ]; then
    swift test "${flags[@]}" --skip "$timed"
    swift test "${flags[@]}" --filter "$timed"
    # A short run of every fuzz target (30 s each, two at a time; FUZZ_SMOKE_SECONDS=0 skips it).
    ./Fuzz/smoke.sh
else
    swift test "${flags[@]}" "$@"
fi
