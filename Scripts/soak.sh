#!/usr/bin/env bash
# Kill -9 soak: a small suite is killed with SIGKILL at 20 random moments, then finished; its runs.csv
# must equal an undisturbed run's (wall time aside). Twice: one process with --jobs 2, and two
# processes sharing the folder. Not part of the test command (it takes a few minutes).
# Usage: Scripts/soak.sh [KILLS]
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-20}"
swift build -c release --product PosLab > /dev/null  # libPosLab.so: the tool and plugins link it
swift build -c release --product poslab > /dev/null  # the launcher
poslab="$(swift build -c release --show-bin-path)/poslab"
suite=Tests/Fixtures/soak-suite.yaml
work="$(mktemp -d /tmp/poslab-soak.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$poslab" run "$suite" --out "$work/reference" --jobs 2 > /dev/null 2>&1
compare() {  # runs.csv of $1 against the reference, wall time aside
  python3 - "$work/reference/runs.csv" "$1/runs.csv" <<'PY'
import csv, sys
def rows(p):
    r = list(csv.DictReader(open(p, newline="")))
    for x in r: x.pop("wall_seconds", None)
    return r
a, b = rows(sys.argv[1]), rows(sys.argv[2])
sys.exit(0 if a == b else f"soak: {sys.argv[2]} differs from the undisturbed run ({len(a)} vs {len(b)} rows)")
PY
}
for mode in jobs2 two-processes; do
  out="$work/$mode"
  for i in $(seq "$kills"); do
    if [ "$mode" = jobs2 ]; then
      "$poslab" run "$suite" --out "$out" --jobs 2 > /dev/null 2>&1 & pids=($!)
    else
      "$poslab" run "$suite" --out "$out" --jobs 1 > /dev/null 2>&1 & a=$!
      "$poslab" run "$suite" --out "$out" --jobs 1 > /dev/null 2>&1 & b=$!
      pids=("$a" "$b")
    fi
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.05, 0.8), 2))')"
    kill -9 "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  done
  before="$(find "$out/runs" -name '*.json' 2>/dev/null | wc -l)"
  # Finish: the same command, undisturbed (the two-process mode finishes with two processes too).
  if [ "$mode" = jobs2 ]; then
    "$poslab" run "$suite" --out "$out" --jobs 2 > /dev/null 2> "$work/$mode.log" || { cat "$work/$mode.log" >&2; exit 1; }
  else
    "$poslab" run "$suite" --out "$out" --jobs 1 > /dev/null 2> "$work/$mode-a.log" & a=$!
    "$poslab" run "$suite" --out "$out" --jobs 1 > /dev/null 2> "$work/$mode-b.log" & b=$!
    wait "$a" && wait "$b" || { cat "$work/$mode"-*.log >&2; exit 1; }
  fi
  compare "$out"
  leftovers="$(find "$out" -name '*.tmp*' -o -name '.*.tmp' | wc -l)"
  echo "soak: $mode: $kills kills at random moments ($before of 18 runs recorded by then), then finished: runs.csv equals the undisturbed run; $leftovers temporary files left"
done
