#!/usr/bin/env bash
# The whole test suite: installs what the tests need, then runs `swift test`.
# Set WARNINGS_AS_ERRORS=1 to build with -warnings-as-errors (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-test-deps.sh

flags=()
if [ "${WARNINGS_AS_ERRORS:-0}" = 1 ]; then flags+=(-Xswiftc -warnings-as-errors); fi
swift build "${flags[@]}" --product infra-monitor
swift test "${flags[@]}" "$@"
