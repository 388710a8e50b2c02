#!/usr/bin/env bash
# Builds PRODUCT in release mode for this CPU and prints the binary's path. On an AMD CPU with
# Zen 4's AVX-512 the build targets znver4 and on an Intel CPU with AVX-512 skylake-avx512 (16-lane
# kernels in one register); with AVX2 and FMA it targets haswell; each goes into .build-native,
# beside the portable .build that tests use.
# Results are bit-identical to the portable SSE2 build (checked on the quick suite's runs.csv).
# Package.swift stays free of the flag, so PosLab remains usable as a dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
product="$1"
has() {  # every named /proc/cpuinfo flag is present
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  for f in "$@"; do [[ "$flags" == *" $f "* ]] || return 1; done
}
flags=()
scratch=.build
if grep -qm1 AuthenticAMD /proc/cpuinfo 2>/dev/null &&
   has sse4a avx512f avx512dq avx512cd avx512bw avx512vl avx512ifma avx512vbmi avx512_vbmi2 \
       avx512_vnni avx512_bitalg avx512_vpopcntdq avx512_bf16 gfni vaes vpclmulqdq; then
  flags=(-Xswiftc -target-cpu -Xswiftc znver4)
  scratch=.build-native
elif grep -qm1 GenuineIntel /proc/cpuinfo 2>/dev/null &&
     has avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl clwb; then
  # Skylake-SP and every later Xeon (Ice Lake, Sapphire/Emerald Rapids): the AVX-512 set LLVM's
  # skylake-avx512 target assumes, checked flag by flag.
  flags=(-Xswiftc -target-cpu -Xswiftc skylake-avx512)
  scratch=.build-native
elif has avx2 fma; then
  flags=(-Xswiftc -target-cpu -Xswiftc haswell)
  scratch=.build-native
fi
# poslab is a launcher for libPosLab.so (the PosLab product), which must be built beside it.
if [[ "$product" == poslab ]]; then
  swift build -c release --product PosLab --scratch-path "$scratch" "${flags[@]}" >&2
fi
swift build -c release --product "$product" --scratch-path "$scratch" "${flags[@]}" >&2
echo "$scratch/release/$product"
