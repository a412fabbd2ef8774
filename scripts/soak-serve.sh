#!/usr/bin/env bash
# Soak of `serve` (issue 15, "What it must show"): runs `serve` with a one-second tick until it has
# finished N executions, and samples its resident memory (all of it, and the anonymous part: the
# rest is pages of the binary and of mapped files, which the kernel can drop), open file descriptors
# and database size (SQLite file plus WAL) as it goes. Memory and descriptors should stay flat; the database grows
# linearly with the stored batches. Prints a table of the samples and a verdict line; exits 1 when
# an execution failed or `serve` died.
#
#   scripts/soak-serve.sh [-n EXECUTIONS] [-b BINARY] [-d DATA_DIR] [-e SAMPLE_EVERY]
#
# The campaign (2,000 executions, about 35 minutes) belongs outside CI; the suite runs a 20-
# execution smoke of this script (SoakScriptTests).
set -euo pipefail

executions=2000
binary=""
data_dir=""
every=0
while getopts "n:b:d:e:" option; do
    case "$option" in
        n) executions="$OPTARG" ;;
        b) binary="$OPTARG" ;;
        d) data_dir="$OPTARG" ;;
        e) every="$OPTARG" ;;
        *) echo "usage: $0 [-n EXECUTIONS] [-b BINARY] [-d DATA_DIR] [-e SAMPLE_EVERY]" >&2; exit 2 ;;
    esac
done
[[ "$executions" =~ ^[0-9]+$ && "$executions" -ge 2 ]] || { echo "soak-serve: -n needs a whole number of at least 2" >&2; exit 2; }
if [[ "$every" = 0 ]]; then every=$(( executions / 10 > 0 ? executions / 10 : 1 )); fi

root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$binary" ]]; then binary="$root/.build/debug/infra-monitor"; fi
[[ -x "$binary" ]] || { echo "soak-serve: no binary at $binary (swift build --product infra-monitor)" >&2; exit 2; }
if [[ -z "$data_dir" ]]; then data_dir="$(mktemp -d /tmp/soak-serve.XXXXXX)"; fi
mkdir -p "$data_dir"
# A short sampling window, so that each execution fits well inside its one-second tick.
printf 'collection:\n  sample_window_seconds: 0.2\n' > "$data_dir/config.yaml"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$binary" serve --data-dir "$data_dir" --port "$port" --tick-seconds 1 > "$data_dir.serve.log" 2>&1 &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
trap stop EXIT

# Finished executions, read from /metrics (SUCCEEDED + FAILED + ABORTED).
finished() {
    { curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null || true; } \
        | awk '/^infra_monitor_executions_total\{status="(SUCCEEDED|FAILED|ABORTED)"\}/ { n += $2 } END { print n + 0 }'
}
failures() {
    { curl -sf "http://127.0.0.1:$port/metrics" 2>/dev/null || true; } \
        | awk '/^infra_monitor_execution_failures_total/ { print $2 + 0; found = 1 } END { if (!found) print 0 }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
anon_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
db_bytes() { cat "$data_dir"/infra-monitor.sqlite "$data_dir"/infra-monitor.sqlite-wal 2>/dev/null | wc -c; }

started=$(date +%s)
printf '%-10s %-8s %-10s %-10s %-5s %-12s\n' executions seconds rss_kB anon_kB fds db_bytes
next=1
done_count=0
last_row=0
while (( done_count < executions )); do
    kill -0 "$pid" 2>/dev/null || { echo "soak-serve: serve died; see $data_dir.serve.log" >&2; exit 1; }
    done_count=$(finished)
    if (( done_count >= next )); then
        printf '%-10s %-8s %-10s %-10s %-5s %-12s\n' "$done_count" "$(( $(date +%s) - started ))" "$(rss_kb)" "$(anon_kb)" "$(fds)" "$(db_bytes)"
        last_row=$done_count
        next=$(( next == 1 ? every : next + every ))
    fi
    sleep 0.5
done
if (( last_row != done_count )); then
    printf '%-10s %-8s %-10s %-10s %-5s %-12s\n' "$done_count" "$(( $(date +%s) - started ))" "$(rss_kb)" "$(anon_kb)" "$(fds)" "$(db_bytes)"
fi
failed=$(failures)
echo "soak-serve: $done_count executions in $(( $(date +%s) - started )) s, $failed failed or aborted; data in $data_dir"
[[ "$failed" = 0 ]]
