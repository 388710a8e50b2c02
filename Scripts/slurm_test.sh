#!/usr/bin/env bash
# The Slurm test: a real single-node cluster (Scripts/slurm_cluster.sh, Debian's slurm-wlm and munge)
# runs a 4-task job array of a small suite into one shared folder (`poslab slurm --submit`); then
#   - runs.csv equals a single-process run of the same suite, wall time aside;
#   - no run was trained twice (each run is reported finished by exactly one task);
# and every daemon started is stopped by pid, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
if [[ -z "${POSLAB_PREBUILT:-}" ]]; then  # Scripts/test.sh has built everything already
  swift build -c release --product PosLab > /dev/null  # libPosLab.so: the tool and plugins link it
  swift build -c release --product poslab > /dev/null  # the launcher
fi
poslab="$(swift build -c release --show-bin-path)/poslab"
work="$(mktemp -d /tmp/poslab-slurm.XXXXXX)"
cleanup() { Scripts/slurm_cluster.sh stop "$work/cluster"; rm -rf "$work"; }
trap cleanup EXIT
Scripts/slurm_cluster.sh start "$work/cluster"
export SLURM_CONF="$work/cluster/slurm.conf"
suite=Tests/Fixtures/slurm-suite.yaml

"$poslab" slurm "$suite" --array 4 --cpus-per-task 1 --out "$work/shared" --submit > "$work/submit.txt"
jobs="$(grep -o 'squeue -j [0-9,]*' "$work/submit.txt" | cut -d' ' -f3)"
[ -n "$jobs" ] || { cat "$work/submit.txt" >&2; echo "slurm_test: nothing submitted" >&2; exit 1; }
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$jobs" 2>/dev/null)" ] && break
  sleep 0.5
done
if [ -n "$(squeue -h -j "$jobs" 2>/dev/null)" ]; then
  squeue >&2; echo "slurm_test: jobs still running after 300 s" >&2; exit 1
fi
"$poslab" run "$suite" --out "$work/single" --jobs 1 > /dev/null 2>&1

python3 - "$work" <<'PY'
import csv, glob, re, sys
work = sys.argv[1]
def rows(path):
    with open(path, newline="") as f:
        r = list(csv.DictReader(f))
    for row in r:
        row.pop("wall_seconds", None)
    return r
shared, single = rows(f"{work}/shared/runs.csv"), rows(f"{work}/single/runs.csv")
if shared != single:
    diff = [(a, b) for a, b in zip(shared, single) if a != b][:3]
    sys.exit(f"slurm_test: runs.csv differs from a single-process run ({len(shared)} vs {len(single)} rows): {diff}")
finished = {}
for log in sorted(glob.glob(f"{work}/shared/slurm/task-*.log")):
    for line in open(log, errors="replace"):
        m = re.match(r"^(?:\x1b\[K|\r)*\[\d+/\d+\] (.+?): (ok|diverged|unsupported)\b", line)
        if m:
            finished.setdefault(m.group(1), []).append(log.rsplit("/", 1)[-1])
twice = {run: logs for run, logs in finished.items() if len(logs) > 1}
if twice:
    sys.exit(f"slurm_test: trained twice: {twice}")
runs = len({r['run_id'] for r in single})
tasks_used = len({log for logs in finished.values() for log in logs})
if len(finished) != runs:
    sys.exit(f"slurm_test: {len(finished)} runs reported trained by the array tasks, for {runs} runs")
print(f"slurm_test: {runs} runs trained by {tasks_used} array tasks, none twice; runs.csv equals a single-process run", end="")
PY
echo " ($(( $(date +%s) - start )) s)"
