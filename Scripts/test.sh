#!/usr/bin/env bash
# The test command: installs what is missing, runs the plugin walkthrough (docs/walkthrough.md)
# as written, then builds and runs every test in release mode (training tests are 20× faster
# optimised; the gradient and parity checks run the same code).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
Scripts/walkthrough.sh > /dev/null
swift test -c release "$@"
