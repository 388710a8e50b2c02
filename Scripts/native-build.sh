#!/usr/bin/env bash
# Builds PRODUCT in release mode for this CPU and prints the binary's path. With AVX2 and FMA the
# build targets them (into .build-native, beside the portable .build that tests use); results are
# bit-identical to the portable SSE2 build. Package.swift stays free of the flag, so PosLab
# remains usable as a dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
product="$1"
flags=()
scratch=.build
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  flags=(-Xswiftc -target-cpu -Xswiftc haswell)
  scratch=.build-native
fi
swift build -c release --product "$product" --scratch-path "$scratch" "${flags[@]}" >&2
echo "$scratch/release/$product"
