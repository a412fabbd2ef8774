#!/bin/sh
# Builds one libFuzzer target with ASan and prints the path of its binary.
#
# Usage: Fuzz/build.sh TARGET        (the targets are listed in Fuzz/targets.txt)
#
# Each target is its entry file compiled *inside* the module it fuzzes (so it sees internal API),
# linked against the modules that module imports. Those shared modules are built once per build
# directory and rebuilt only when one of their sources is newer than the object.
# Set FUZZ_BUILD_DIR to build elsewhere than .build-fuzz.
set -eu
target=${1:?usage: Fuzz/build.sh TARGET (see Fuzz/targets.txt)}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/.build-fuzz}
objects=$build/objects
mkdir -p "$objects" "$build/$target"
flags="-sanitize=fuzzer,address -parse-as-library -O -g -I $objects -I $root/Sources/CSystemZlib"
log=$build/$target/build.log
: >"$log"

# module NAME FILES...: NAME.o and NAME.swiftmodule in $objects, unless they are newer than FILES.
module() {
    name=$1
    shift
    if [ -f "$objects/$name.o" ] && [ -z "$(find "$@" -newer "$objects/$name.o" 2>/dev/null | head -1)" ]; then
        return 0
    fi
    extra=""
    [ "$name" = Logging ] && extra="-package-name swift_log"
    (cd "$objects" && swiftc $flags $extra -module-name "$name" -emit-module -emit-module-path "$objects/$name.swiftmodule" \
        -wmo -c "$@" -o "$objects/$name.o") >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
}

# libyaml (Yams's CYaml) with ASan, as a static archive; Yams's build defines YAML_DECLARE_STATIC.
cyaml() {
    src=$root/.build/checkouts/Yams/Sources/CYaml
    [ -f "$objects/libcyaml.a" ] && return 0
    mkdir -p "$objects/cyaml"
    for file in "$src"/src/*.c; do
        clang -fsanitize=address,fuzzer-no-link -O1 -g -DYAML_DECLARE_STATIC -I "$src/include" \
            -c "$file" -o "$objects/cyaml/$(basename "$file" .c).o" >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    done
    ar rcs "$objects/libcyaml.a" "$objects"/cyaml/*.o
}

checkouts() {
    [ -d "$root/.build/checkouts/$1" ] || { echo "build the package first (swift build): .build/checkouts/$1 is missing" >&2; exit 2; }
}

json() { module InfraJSON "$root"/Sources/InfraJSON/*.swift; }
core() {
    json
    checkouts swift-log
    module Logging $(find "$root/.build/checkouts/swift-log/Sources/Logging" -name "*.swift")
    module InfraMonitorCore "$root"/Sources/InfraMonitorCore/*.swift
}
core_objects="$objects/InfraMonitorCore.o $objects/Logging.o $objects/InfraJSON.o"

# final MODULE FILES... -- OBJECTS...: the fuzzer binary, the entry file compiled into MODULE.
final() {
    name=$1
    shift
    sources=""
    while [ "$1" != "--" ]; do sources="$sources $1"; shift; done
    shift
    swiftc $flags -module-name "$name" -o "$build/$target/fuzz-$target" $sources "$@" >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
}

# The entry file of the target, from Fuzz/targets.txt ("name file what-it-checks").
entry=$(awk -v t="$target" '$1 == t { print $2 }' "$root/Fuzz/targets.txt")
[ -n "$entry" ] || { echo "unknown target '$target': see Fuzz/targets.txt" >&2; exit 2; }
entry=$root/Fuzz/$entry

case $target in
json) final InfraJSON "$root"/Sources/InfraJSON/*.swift "$entry" -- ;;
definition | jsonpath)
    json
    module JSONata "$root"/Sources/JSONata/*.swift
    final StateMachine "$root"/Sources/StateMachine/*.swift "$entry" -- "$objects/JSONata.o" "$objects/InfraJSON.o"
    ;;
jsonata-parser | jsonata-evaluator)
    json
    final JSONata "$root"/Sources/JSONata/*.swift "$entry" -- "$objects/InfraJSON.o"
    ;;
exposition)
    core
    final Collectors "$root"/Sources/Collectors/*.swift "$entry" -- $core_objects
    ;;
batch)
    core
    module Compression "$root"/Sources/Compression/*.swift
    final Processing "$root"/Sources/Processing/*.swift "$entry" -- "$objects/Compression.o" $core_objects -lz
    ;;
schedule)
    core
    final Scheduler "$root"/Sources/Scheduler/*.swift "$entry" -- $core_objects
    ;;
s3-event)
    core
    final AWSBackend "$root/Sources/AWSBackend/S3EventNotification.swift" "$root/Sources/AWSBackend/AWSBackendError.swift" "$entry" \
        -- $core_objects
    ;;
aws-error)
    json
    core_dir=$root/Sources/AWSClients/Core
    final AWSClients "$core_dir/AWSError.swift" "$core_dir/AWSErrorParser.swift" "$core_dir/AWSHTTP.swift" \
        "$core_dir/AWSService.swift" "$core_dir/XMLNode.swift" "$entry" -- "$objects/InfraJSON.o"
    ;;
profile)
    final AWSSigner "$root/Sources/AWSSigner/ProfileFile.swift" "$root/Sources/AWSSigner/AWSCredentials.swift" "$entry" --
    ;;
query)
    final Dashboard "$root/Sources/Dashboard/FormQuery.swift" "$root/Sources/Dashboard/HTML.swift" "$entry" --
    ;;
config)
    core
    checkouts Yams
    cyaml
    (cd "$objects" && swiftc $flags -DSWIFT_PACKAGE -Xcc -DYAML_DECLARE_STATIC -Xcc -fmodule-map-file="$root/.build/checkouts/Yams/Sources/CYaml/include/module.modulemap" \
        -module-name Yams -emit-module -emit-module-path "$objects/Yams.swiftmodule" -wmo \
        -c "$root"/.build/checkouts/Yams/Sources/Yams/*.swift -o "$objects/Yams.o") >>"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    final LocalBackend "$root/Sources/LocalBackend/ConfigurationFile.swift" "$root/Sources/LocalBackend/LocalBackendError.swift" \
        "$root/Sources/LocalBackend/YAMLJSON.swift" "$entry" \
        -Xcc -fmodule-map-file="$root/.build/checkouts/Yams/Sources/CYaml/include/module.modulemap" \
        -- "$objects/Yams.o" "$objects/libcyaml.a" $core_objects
    ;;
*)
    echo "unknown target '$target': see Fuzz/targets.txt" >&2
    exit 2
    ;;
esac
echo "$build/$target/fuzz-$target"
