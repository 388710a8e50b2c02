#!/usr/bin/env bash
# The main job: installs what is missing, builds PosLab (release, for this CPU) and runs the quick
# suite, ending with the summary table. Extra arguments go to `poslab run` (e.g. --fresh, --jobs 1).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
poslab="$(Scripts/native-build.sh poslab)"
"$poslab" run Experiments/quick.yaml "$@"
