#!/bin/sh
# Builds one libFuzzer target over the InfraJSON and StateMachine sources (or, for exposition,
# InfraMonitorCore and Collectors) and runs it.
#
# Usage: Fuzz/run.sh definition|jsonpath|json|exposition|jsonata-parser|jsonata-evaluator [SECONDS] [extra libFuzzer flags...]
#   SECONDS defaults to 600. Crashes are written to .build-fuzz/<target>/crashes/.
#   Set FUZZ_BUILD_DIR to build elsewhere than .build-fuzz.
set -eu
target=${1:?usage: Fuzz/run.sh definition|jsonpath|json|exposition|jsonata-parser|jsonata-evaluator [SECONDS] [libFuzzer flags...]}
seconds=${2:-600}
[ $# -ge 2 ] && shift 2 || shift $#
root=$(cd "$(dirname "$0")/.." && pwd)
case $target in
definition) source=FuzzDefinition.swift ;;
jsonpath) source=FuzzJSONPath.swift ;;
json) source=FuzzJSON.swift ;;
exposition) source=FuzzExposition.swift ;;
jsonata-parser) source=FuzzJSONataParser.swift ;;
jsonata-evaluator) source=FuzzJSONataEvaluator.swift ;;
*)
    echo "unknown target '$target': use definition, jsonpath, json, exposition, jsonata-parser or jsonata-evaluator" >&2
    exit 2
    ;;
esac
work=${FUZZ_BUILD_DIR:-$root/.build-fuzz}/$target
mkdir -p "$work/objects" "$work/corpus" "$work/crashes"
flags="-sanitize=fuzzer,address -parse-as-library -O -g"
if [ "$target" = exposition ]; then
    # InfraJSON and InfraMonitorCore as modules of their own, then Collectors with the target inside
    # it (internal access).
    (cd "$work/objects" && swiftc $flags -module-name InfraJSON -emit-module -emit-module-path "$work/objects/InfraJSON.swiftmodule" \
        -wmo -c "$root"/Sources/InfraJSON/*.swift -o "$work/objects/InfraJSON.o")
    # swift-log's Logging, which the domain's ports name, from the package's checkout.
    logging="$root/.build/checkouts/swift-log/Sources/Logging"
    [ -d "$logging" ] || { echo "build the package first (swift build): $logging is missing" >&2; exit 2; }
    (cd "$work/objects" && swiftc $flags -module-name Logging -package-name swift_log -emit-module -emit-module-path "$work/objects/Logging.swiftmodule" \
        -wmo -c $(find "$logging" -name "*.swift") -o "$work/objects/Logging.o")
    (cd "$work/objects" && swiftc $flags -module-name InfraMonitorCore -I "$work/objects" -emit-module \
        -emit-module-path "$work/objects/InfraMonitorCore.swiftmodule" \
        -wmo -c "$root"/Sources/InfraMonitorCore/*.swift -o "$work/objects/InfraMonitorCore.o")
    swiftc $flags -module-name Collectors -I "$work/objects" -o "$work/fuzz-$target" \
        "$root"/Sources/Collectors/*.swift "$root/Fuzz/$source" "$work/objects/InfraMonitorCore.o" "$work/objects/InfraJSON.o" \
        "$work/objects/Logging.o"
elif [ "$target" = json ]; then
    # InfraJSON alone: the target sees the module's internals.
    swiftc $flags -module-name InfraJSON -o "$work/fuzz-$target" \
        "$root"/Sources/InfraJSON/*.swift "$root/Fuzz/$source"
else
    # InfraJSON as its own module, then JSONata (with the target inside it for the JSONata targets),
    # then StateMachine with the target inside it (internal access).
    (cd "$work/objects" && swiftc $flags -module-name InfraJSON -emit-module -emit-module-path "$work/objects/InfraJSON.swiftmodule" \
        -wmo -c "$root"/Sources/InfraJSON/*.swift -o "$work/objects/InfraJSON.o")
    case $target in
    jsonata-*)
        swiftc $flags -module-name JSONata -I "$work/objects" -o "$work/fuzz-$target" \
            "$root"/Sources/JSONata/*.swift "$root/Fuzz/$source" "$work/objects/InfraJSON.o"
        ;;
    *)
        (cd "$work/objects" && swiftc $flags -module-name JSONata -I "$work/objects" -emit-module \
            -emit-module-path "$work/objects/JSONata.swiftmodule" -wmo -c "$root"/Sources/JSONata/*.swift -o "$work/objects/JSONata.o")
        swiftc $flags -module-name StateMachine -I "$work/objects" -o "$work/fuzz-$target" \
            "$root"/Sources/StateMachine/*.swift "$root/Fuzz/$source" "$work/objects/InfraJSON.o" "$work/objects/JSONata.o"
        ;;
    esac
fi
python3 "$root/Fuzz/seed.py" "$target" "$work/seeds"
exec "$work/fuzz-$target" -max_total_time="$seconds" -artifact_prefix="$work/crashes/" -print_final_stats=1 \
    -rss_limit_mb=4096 -timeout=10 "$@" "$work/corpus" "$work/seeds"
