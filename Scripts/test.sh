#!/usr/bin/env bash
# The test command: installs what is missing, runs the plugin walkthrough (docs/walkthrough.md)
# and the other docs/ pages' examples (Scripts/docs_examples.py) as written, renders a small
# study's report in headless Chromium (Scripts/check_report.sh), runs a suite as a Slurm job array
# on a single-node cluster it starts and stops (Scripts/slurm_test.sh), then runs every test in
# release mode, all from one release build (training tests are 20× faster optimised; the
# gradient and parity checks run the same code).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/bootstrap.sh --tests
# One release build of everything, the tests included, used by every step below.
swift build -c release --build-tests > /dev/null
export POSLAB_PREBUILT=1  # the scripts below use this build instead of building their own
Scripts/walkthrough.sh > /dev/null
# The browser check: a small study's report, rendered as a reader's browser would.
poslab="$(swift build -c release --show-bin-path)/poslab"
# The examples of docs/*.md, run as written (each page says why of any it does not run).
python3 Scripts/docs_examples.py "$(dirname "$poslab")"
report="$(mktemp -d)"
trap 'rm -rf "$report"' EXIT
"$poslab" run Tests/Fixtures/report-check.yaml --out "$report/results" > /dev/null 2> "$report/run.log" ||
  { cat "$report/run.log" >&2; exit 1; }
"$poslab" compare "$report/results" --baseline none > /dev/null
"$poslab" report "$report/results" > /dev/null
Scripts/check_report.sh "$report/results/report/report.html"
# Many machines: a real single-node Slurm cluster runs a 4-task job array of a small suite.
Scripts/slurm_test.sh
swift test -c release --skip-build "$@"
