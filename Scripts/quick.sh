#!/usr/bin/env bash
# The main job: installs what is missing, builds PosLab and runs the quick training benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
swift build -c release --product poslab-bench
.build/release/poslab-bench "$@"
