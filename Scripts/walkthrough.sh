#!/usr/bin/env bash
# Runs docs/walkthrough.md as written: in a fresh temporary folder, writes each ```lang file=PATH
# block to PATH and runs each ```sh block, in order. Fails if any step fails. The one-file plugin
# is built into a plugin cache inside the temporary folder, so every run builds it from cold.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export POSLAB="$root"
if [[ -z "${POSLAB_PREBUILT:-}" ]]; then  # Scripts/test.sh has built everything already
  swift build -c release --product PosLab --package-path "$root" >/dev/null  # libPosLab.so
  swift build -c release --product poslab --package-path "$root" >/dev/null  # its launcher
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export POSLAB_PLUGIN_CACHE="$work/plugin-cache"
script="$work/steps.sh"
awk -v out="$work/blocks" '
  /^```sh$/            { mode = "sh"; n++; file = sprintf("%s.%03d.sh", out, n); next }
  /^```[a-z]+ file=/   { mode = "file"; n++; split($0, a, "file="); target = a[2]; file = sprintf("%s.%03d.file", out, n); print target > (file ".target"); next }
  /^```$/              { mode = ""; next }
  mode != ""           { print > file }
' "$root/docs/walkthrough.md"
{
  echo "set -euo pipefail"
  echo "cd '$work'"
  for block in $(ls "$work"/blocks.* | grep -v '\.target$' | sort); do
    if [[ "$block" == *.sh ]]; then
      cat "$block"
    else
      target="$(cat "$block.target")"
      echo "mkdir -p \"\$(dirname '$target')\" && cp '$block' '$target'"
    fi
  done
} > "$script"
echo "walkthrough: running $(grep -c . "$script") lines from docs/walkthrough.md in $work" >&2
bash "$script"
echo "walkthrough: ok" >&2
