#!/usr/bin/env bash
# Writes the README's quick-suite table from the committed results in docs/results/quick/ (runs.csv
# and manifest.json): `poslab summarize` on a copy of them, and the provenance from the manifest,
# between the README's <!-- quick-table --> markers. Nothing in that block is written by hand, and
# Tests/PosLabExperimentsTests/ReadmeTableTests.swift fails when the README differs from what this
# script writes.
#
#   Scripts/readme_table.sh                 # rewrite the README's block from docs/results/quick/
#   Scripts/readme_table.sh Results/quick   # first copy a new run's runs.csv and manifest.json there
set -euo pipefail
cd "$(dirname "$0")/.."
committed=docs/results/quick
if [[ $# -gt 0 ]]; then
  mkdir -p "$committed"
  cp "$1/runs.csv" "$1/manifest.json" "$committed/"
fi
swift build -c release --product PosLab > /dev/null
swift build -c release --product poslab > /dev/null
poslab="$(swift build -c release --show-bin-path)/poslab"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$committed/runs.csv" "$work/"
"$poslab" summarize "$work" | sed '/^Wrote .*summary.csv and rankings.csv$/d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$work/table.txt"
python3 - "$committed/manifest.json" "$work/table.txt" <<'EOF'
import json, re, sys
manifest = json.load(open(sys.argv[1]))
table = open(sys.argv[2]).read().rstrip("\n")
machine = manifest["machine"]
blas = re.match(r"OpenBLAS (\S+)", machine["blas"]).group(1)
kernel = machine["blas_kernel"].split(" ")[0]
block = (
    "<!-- quick-table: Scripts/readme_table.sh writes this block from docs/results/quick/; do not edit it by hand -->\n"
    f"This is the table `./Scripts/quick.sh` ends with, as `poslab summarize` prints it from the run's `runs.csv` "
    f"(suite `Experiments/quick.yaml`, PosLab commit "
    f"{manifest['git_commit'][:7]}, on the {machine['cores']}-core {machine['cpu']} development machine, OpenBLAS {blas} "
    f"with its `{kernel}` kernel, {manifest['finished_at'][:10]}; its `runs.csv` and `manifest.json` are in "
    "`docs/results/quick/`):\n\n```\n" + table + "\n```\n<!-- /quick-table -->")
readme = open("README.md").read()
start, end = readme.index("<!-- quick-table"), readme.index("<!-- /quick-table -->") + len("<!-- /quick-table -->")
open("README.md", "w").write(readme[:start] + block + readme[end:])
EOF
echo "README.md: the quick suite's table written from $committed" >&2
