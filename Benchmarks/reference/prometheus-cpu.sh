#!/bin/sh
# The CPU Prometheus spends scraping a fake node_exporter fleet, per 1,000 target scrapes, beside
# InfraMonitor's (Benchmarks/reference/fleet-run.sh measures ours on the same FakeFleet).
#
# Usage: Benchmarks/reference/prometheus-cpu.sh [TARGETS] [ROUNDS] [INTERVAL_SECONDS]
#   TARGETS default 1000, ROUNDS (scrape intervals measured) default 6, INTERVAL default 5.
#   PROMETHEUS: the binary (default /usr/bin/prometheus, Debian's `prometheus` package, 2.42);
#   FAKE_FLEET: the FakeFleet binary (default Benchmarks/.build/release/FakeFleet).
#
# Two runs, each with a new FakeFleet (loopback addresses only), a generated configuration and a
# temporary storage directory:
#   full     one job scraping every target's whole page (~98 KB);
#   filtered four jobs, one per InfraMonitor metric, each scraping every target with the
#            collect[] filter InfraMonitor's branch uses (cpu, meminfo, filesystem, netdev,
#            each with uname).
# After two warm-up intervals, Prometheus's user + system CPU (/proc/PID/stat utime + stime) is
# read over ROUNDS intervals together with the scrapes it made (the increase of
# prometheus_target_interval_length_seconds_count, one per scrape after a target's first, from
# its own /metrics). Prints one line per run:
#   mode=full|filtered targets=N scrapes=S cpu_s=C cpu_ms_per_1000_scrapes=… rss_kib=…
# Both processes are stopped by their PIDs.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
targets=${1:-1000}
rounds=${2:-6}
interval=${3:-5}
prometheus=${PROMETHEUS:-/usr/bin/prometheus}
fleet=${FAKE_FLEET:-$root/Benchmarks/.build/release/FakeFleet}
[ -x "$prometheus" ] || { echo "install it first: apt-get install -y prometheus ($prometheus)" >&2; exit 2; }
[ -x "$fleet" ] || { echo "build it first: (cd Benchmarks && swift build -c release --product FakeFleet) ($fleet)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/prometheus-cpu.XXXXXX")
fleet_pid=
prometheus_pid=
stop() {
    if [ -n "$prometheus_pid" ]; then kill "$prometheus_pid" 2>/dev/null || true; wait "$prometheus_pid" 2>/dev/null || true; fi
    if [ -n "$fleet_pid" ]; then kill "$fleet_pid" 2>/dev/null || true; wait "$fleet_pid" 2>/dev/null || true; fi
    prometheus_pid=
    fleet_pid=
}
trap 'stop; rm -rf "$work"' EXIT INT TERM
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# A free loopback port for Prometheus's own web server.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
scrapes() {
    curl -sf "http://127.0.0.1:$port/metrics" | awk '/^prometheus_target_interval_length_seconds_count/ { sum += $2 } END { print sum + 0 }'
}
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) load: $(cut -d' ' -f1-3 /proc/loadavg) $("$prometheus" --version 2>&1 | head -n 1)"
for mode in full filtered; do
    "$fleet" "$targets" "$work/targets.json" > "$work/fleet.out" 2> "$work/fleet.err" &
    fleet_pid=$!
    for _ in $(seq 1 300); do
        grep -q ready "$work/fleet.out" 2>/dev/null && break
        sleep 0.1
    done
    grep -q ready "$work/fleet.out" || { echo "FakeFleet did not start: $(cat "$work/fleet.err")" >&2; exit 1; }
    {
        echo "global:"
        echo "  scrape_interval: ${interval}s"
        echo "  scrape_timeout: $((interval - 1))s"
        echo "scrape_configs:"
        if [ "$mode" = full ]; then
            echo "  - job_name: node"
            echo "    file_sd_configs: [{files: [\"$work/targets.json\"]}]"
        else
            for collector in cpu meminfo filesystem netdev; do
                echo "  - job_name: node_$collector"
                echo "    params: {\"collect[]\": [$collector, uname]}"
                echo "    file_sd_configs: [{files: [\"$work/targets.json\"]}]"
            done
        fi
    } > "$work/prometheus.yml"
    rm -rf "$work/tsdb"
    "$prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
        --web.listen-address="127.0.0.1:$port" --log.level=warn > "$work/prometheus.log" 2>&1 &
    prometheus_pid=$!
    sleep $((interval * 2 + 2))
    before_cpu=$(cpu_ticks "$prometheus_pid")
    before_scrapes=$(scrapes)
    sleep $((interval * rounds))
    after_cpu=$(cpu_ticks "$prometheus_pid")
    after_scrapes=$(scrapes)
    rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$prometheus_pid/status")
    awk -v mode="$mode" -v n="$targets" -v s="$((after_scrapes - before_scrapes))" -v c="$((after_cpu - before_cpu))" -v t="$ticks" -v r="$rss" \
        'BEGIN { printf "mode=%s targets=%d scrapes=%d cpu_s=%.2f cpu_ms_per_1000_scrapes=%.0f rss_kib=%d\n", mode, n, s, c / t, (s > 0 ? c / t * 1000000 / s : 0), r }'
    stop
done
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
