#!/usr/bin/env bash
# Crash campaign (issue 15, "What it must show"): seeded SIGKILLs at random delays across `run`,
# `replay`, `process`, `lifecycle apply` and `serve`; after each kill a normal start (`run`) and
# `doctor` must find the data directory consistent: PRAGMA integrity_check ok, every batch's
# records and samples equal to reprocessing its raw object, no temporary files, no RUNNING
# execution. Prints the trials per command and every invariant violation; exits 1 if any.
#
#   scripts/crash-campaign.sh [-n TRIALS] [-s SEED] [-b BINARY] [-d DATA_DIR] [-m MAX_DELAY_MS]
set -euo pipefail

trials=200
seed=1
binary=""
data_dir=""
max_delay_ms=600
while getopts "n:s:b:d:m:" option; do
    case "$option" in
        n) trials="$OPTARG" ;;
        s) seed="$OPTARG" ;;
        b) binary="$OPTARG" ;;
        d) data_dir="$OPTARG" ;;
        m) max_delay_ms="$OPTARG" ;;
        *) echo "usage: $0 [-n TRIALS] [-s SEED] [-b BINARY] [-d DATA_DIR] [-m MAX_DELAY_MS]" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$binary" ]]; then binary="$root/.build/debug/infra-monitor"; fi
[[ -x "$binary" ]] || { echo "crash-campaign: no binary at $binary (swift build --product infra-monitor)" >&2; exit 2; }
if [[ -z "$data_dir" ]]; then data_dir="$(mktemp -d /tmp/crash-campaign.XXXXXX)"; fi
mkdir -p "$data_dir"
logs="$data_dir.campaign-logs"
mkdir -p "$logs"
printf 'collection:\n  sample_window_seconds: 0.2\n' > "$data_dir/config.yaml"

RANDOM=$seed
im() { "$binary" "$@" --data-dir "$data_dir"; }

# A few old executions, so that `lifecycle apply` has batches past 90 days to delete.
for day in 01 02 03; do im run --scheduled-time "2026-01-${day}T00:00:00Z" > /dev/null 2>&1; done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

commands=(run replay process lifecycle serve)
declare -A count=()
violations=0
started=$(date +%s)
for ((trial = 1; trial <= trials; trial++)); do
    command=${commands[$((RANDOM % ${#commands[@]}))]}
    delay_ms=$((RANDOM % max_delay_ms))
    count[$command]=$(( ${count[$command]:-0} + 1 ))
    case "$command" in
        run) arguments=(run) ;;
        replay) arguments=(replay) ;;
        process)
            mapfile -t stored < <(find "$data_dir/objects" -name '*.jsonl.gz' -path '*raw-metrics*' | sort)
            arguments=(process "${stored[$((RANDOM % ${#stored[@]}))]}") ;;
        lifecycle)
            im run --scheduled-time "2026-0$((1 + RANDOM % 3))-0$((1 + RANDOM % 9))T00:00:00Z" > /dev/null 2>&1 || true
            arguments=(lifecycle apply) ;;
        serve) arguments=(serve --port "$(free_port)" --tick-seconds 1); delay_ms=$((delay_ms * 3)) ;;
    esac
    "$binary" "${arguments[@]}" --data-dir "$data_dir" > "$logs/victim.out" 2>&1 &
    victim=$!
    sleep "$(printf '0.%03d' "$delay_ms")"
    kill -KILL "$victim" 2> /dev/null || true
    wait "$victim" 2> /dev/null || true

    if ! im run > "$logs/start.out" 2>&1; then
        violations=$((violations + 1))
        echo "trial $trial ($command, ${delay_ms} ms): the start after the kill failed: $(tail -1 "$logs/start.out")"
    fi
    if ! im doctor --format json > "$logs/doctor.json" 2> "$logs/doctor.err"; then
        violations=$((violations + 1))
        echo "trial $trial ($command, ${delay_ms} ms): doctor: $(cat "$logs/doctor.json" "$logs/doctor.err" | head -c 600)"
        im doctor --repair > /dev/null 2>&1 || true
    fi
done
elapsed=$(($(date +%s) - started))

objects=$(find "$data_dir/objects" -name '*.jsonl.gz' -path '*raw-metrics*' | wc -l)
summary="trials: $trials (seed $seed, kills at 0-${max_delay_ms} ms, serve 0-$((max_delay_ms * 3)) ms)"
for command in "${commands[@]}"; do summary+=", $command ${count[$command]:-0}"; done
echo "$summary"
echo "raw objects at the end: $objects; seconds: $elapsed"
echo "invariant violations: $violations"
[[ $violations -eq 0 ]]
