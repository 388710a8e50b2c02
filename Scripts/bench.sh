#!/usr/bin/env bash
# Training speed of PosLab and PyTorch side by side (Issue: performance). Builds poslab-bench
# optimised for this CPU when it has AVX2 and FMA (Package.swift stays portable: the flag is
# given here, not in the manifest), then runs the standard and the larger config.
#   needs: pip install torch==2.13.0+cpu   (without it, only PosLab is measured)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh
flags=()
scratch=.build
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  flags=(-Xswiftc -target-cpu -Xswiftc haswell)   # AVX2 + FMA; results are bit-identical to the SSE2 build
  scratch=.build-native
fi
swift build -c release --product poslab-bench --scratch-path "$scratch" "${flags[@]}" >/dev/null
bench="$scratch/release/poslab-bench"
echo "== standard config =="
"$bench" "$@"
echo; echo "== larger config =="
"$bench" --d-model 128 --layers 4 --length 64 --steps 20 --warmup 3 "$@"
