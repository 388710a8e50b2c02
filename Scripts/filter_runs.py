#!/usr/bin/env python3
"""Copies the rows of RESULTS/runs.csv whose COLUMN equals VALUE into OUT/runs.csv (a results
folder that `poslab summarize`, `compare` and `claims` read like any other).

  python3 Scripts/filter_runs.py Results/press2022 Results/press2022-nonoverlapping eval_protocol=nonoverlapping

`poslab claims` needs one setting per task; a text task is evaluated under two protocols, which are
settings, so a claim about one protocol is decided on a folder holding that protocol's rows only.
Standard library only; the header and every field are kept as they are.
"""

import csv
import os
import sys


def main(source, out, condition):
    column, value = condition.split("=", 1)
    with open(os.path.join(source, "runs.csv"), newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if column not in header:
            sys.exit(f"{source}/runs.csv has no column {column}")
        i = header.index(column)
        rows = [r for r in reader if r[i] == value]
    if not rows:
        sys.exit(f"{source}/runs.csv has no row with {column}={value}")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "runs.csv"), "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header] + rows)
    print(f"wrote {len(rows)} rows to {out}/runs.csv")


if __name__ == "__main__":
    if len(sys.argv) != 4 or "=" not in sys.argv[3]:
        sys.exit(__doc__)
    main(*sys.argv[1:])
