#!/usr/bin/env bash
# Training speed of PosLab and PyTorch side by side. Builds poslab-bench optimised for this CPU
# (Scripts/native-build.sh), then runs the standard and the larger config.
#   needs: pip install torch==2.13.0+cpu   (without it, only PosLab is measured)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
bench="$(Scripts/native-build.sh poslab-bench)"
echo "== standard config =="
"$bench" "$@"
echo; echo "== larger config =="
"$bench" --d-model 128 --layers 4 --length 64 --steps 20 --warmup 3 "$@"
