#!/usr/bin/env bash
# Tokenizer speed: `poslab tokenize --time` (Swift) and tiktoken (Scripts/bench_tokenizer.py) on
# the same file with the same ranks, one thread each, taking turns for three rounds so that a slow
# spell of a shared machine falls on both. Each side reports the median of 5 encodings of the whole
# file (reading it and loading the ranks excluded). Then checks that the two give the same ids.
#   needs: pip install tiktoken==0.14.0
#   usage: Scripts/bench_tokenizer.sh [FILE]      (default: Data/tinyshakespeare.txt)
#   POSLAB_SCRATCH=.build-x Scripts/bench_tokenizer.sh   builds into another folder than .build
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:-Data/tinyshakespeare.txt}"
scratch="${POSLAB_SCRATCH:-.build}"
swift build -c release --product PosLab --scratch-path "$scratch" >&2  # libPosLab.so
swift build -c release --product poslab --scratch-path "$scratch" >&2  # its launcher
poslab="$scratch/release/poslab"
cpu="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "CPU: $cpu ($(nproc) cores); $(swift --version 2>&1 | grep -o 'Swift version [0-9.]*'); Python $(python3 -c 'import platform; print(platform.python_version())')"
echo "file: $file ($(wc -c < "$file") bytes)"
swift_rates=() tiktoken_rates=()
for round in 1 2 3; do
  line="$("$poslab" tokenize "$file" --tokenizer gpt2 --count --time 2>&1 >/dev/null)"
  echo "round $round  poslab   $line"
  swift_rates+=("$(grep -o '[0-9.]* MB/s' <<<"$line" | cut -d' ' -f1)")
  line="$(RAYON_NUM_THREADS=1 python3 Scripts/bench_tokenizer.py "$file")"
  echo "round $round  $line"
  tiktoken_rates+=("$(grep -o '[0-9.]* MB/s' <<<"$line" | cut -d' ' -f1)")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
s="$(median "${swift_rates[@]}")" t="$(median "${tiktoken_rates[@]}")"
echo "median of rounds: poslab $s MB/s, tiktoken $t MB/s, ratio $(python3 -c "print(f'{$s / $t:.2f}')")×"
if cmp -s <("$poslab" tokenize "$file" --tokenizer gpt2 --ids) <(python3 Scripts/bench_tokenizer.py "$file" --ids); then
  echo "ids: identical to tiktoken's"
else
  echo "ids: DIFFER from tiktoken's" >&2; exit 1
fi
