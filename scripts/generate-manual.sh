#!/usr/bin/env bash
# Writes packaging/man/infra-monitor.1, the man page scripts/install.sh installs, with
# swift-argument-parser's GenerateManual plugin (an mdoc page from the commands' own help, so it
# never drifts from --help). Run it after changing a command's help, and commit the page.
# The plugin builds the package's products first (debug unless --configuration release is given).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
swift package --allow-writing-to-package-directory generate-manual --configuration debug "$@"
page=$(find .build/plugins/GenerateManual/outputs -name infra-monitor.1 | head -n 1)
if [ -z "$page" ]; then
    echo "generate-manual.sh: the plugin wrote no infra-monitor.1 under .build/plugins/GenerateManual/outputs" >&2
    exit 1
fi
mkdir -p packaging/man
cp "$page" packaging/man/infra-monitor.1
echo "wrote packaging/man/infra-monitor.1 ($(wc -l <packaging/man/infra-monitor.1) lines)"
