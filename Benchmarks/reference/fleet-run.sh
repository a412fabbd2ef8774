#!/bin/sh
# FleetRun: one release `infra-monitor run` over N fake node_exporter targets served by FakeFleet,
# a process of its own (so the resident memory measured is the scraper's alone), on this machine.
#
# Usage: Benchmarks/reference/fleet-run.sh [COUNTS] [ROUNDS]
#   COUNTS: comma-separated target counts (default 10,100,1000); ROUNDS: executions per count
#   after the first (default 3).
#   INFRA_MONITOR: the release binary (default .build/release/infra-monitor of the checkout);
#   FAKE_FLEET: the FakeFleet binary (default Benchmarks/.build/release/FakeFleet).
#
# For each count: a new data directory (no counter state) and a new FakeFleet; the first
# execution (no counter state: cpu and network scrape twice, one sampling window apart), then
# ROUNDS steady executions (counter state kept). Each is timed by GNU time: wall seconds, user and
# system CPU seconds, peak resident set (KiB) of infra-monitor alone. One line per execution:
#   targets=N run=first|steady wall_s=… user_s=… sys_s=… max_rss_kib=… status=…
# FakeFleet is stopped by its PID.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
counts=${1:-10,100,1000}
rounds=${2:-3}
binary=${INFRA_MONITOR:-$root/.build/release/infra-monitor}
fleet=${FAKE_FLEET:-$root/Benchmarks/.build/release/FakeFleet}
[ -x "$binary" ] || { echo "build it first: swift build -c release --product infra-monitor ($binary)" >&2; exit 2; }
[ -x "$fleet" ] || { echo "build it first: (cd Benchmarks && swift build -c release --product FakeFleet) ($fleet)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fleet-run.XXXXXX")
fleet_pid=
cleanup() {
    if [ -n "$fleet_pid" ]; then kill "$fleet_pid" 2>/dev/null || true; wait "$fleet_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
for count in $(echo "$counts" | tr ',' ' '); do
    data="$work/data-$count"
    mkdir -p "$data"
    "$fleet" "$count" "$work/targets-$count.json" > "$work/fleet-$count.out" 2> "$work/fleet-$count.err" &
    fleet_pid=$!
    for _ in $(seq 1 300); do
        grep -q ready "$work/fleet-$count.out" 2>/dev/null && break
        sleep 0.1
    done
    grep -q ready "$work/fleet-$count.out" || { echo "FakeFleet did not start: $(cat "$work/fleet-$count.err")" >&2; exit 1; }
    cat > "$data/config.yaml" <<CONFIG
scrape_configs:
  - job_name: node
    scrape_timeout: 10s
    file_sd_configs:
      - files: ["$work/targets-$count.json"]
CONFIG
    run=first
    for round in $(seq 0 "$rounds"); do
        status=0
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$binary" run --data-dir "$data" > "$work/run.out" 2> "$work/run.err" || status=$?
        set -- $(tail -n 1 "$work/time")
        echo "targets=$count run=$run wall_s=$1 user_s=$2 sys_s=$3 max_rss_kib=$4 status=$status"
        [ "$status" = 0 ] || tail -n 5 "$work/run.err" >&2
        run=steady
    done
    kill "$fleet_pid"
    wait "$fleet_pid" 2>/dev/null || true
    fleet_pid=
done
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
