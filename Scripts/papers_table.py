#!/usr/bin/env python3
"""The reproduction table of a cited suite (docs/papers.md), from the claims.csv `poslab claims` wrote.

  poslab claims Results/ruoss2023 Experiments/papers/ruoss2023-claims.yaml
  python3 Scripts/papers_table.py Results/ruoss2023

One row per claim: each side's mean over the paired seeds (its best seed, and for accuracies the
fraction of seeds at or above claims.csv's solved_at), the paired difference with its interval,
p_holm and the verdict. Standard library only.
"""

import csv
import sys


def number(text, digits=3):
    return "—" if text == "" else f"{float(text):.{digits}f}"


def side(row, s):
    mean, best, solved = row[f"mean_{s}"], row[f"max_{s}"], row[f"solved_{s}"]
    if mean == "":
        return "—"
    out = f"{number(mean)} (best {number(best)}"
    if solved != "":
        seeds = int(row["n_seeds"])
        out += f", {round(float(solved) * seeds)}/{seeds} ≥ {number(row['solved_at'], 1)}"
    return out + ")"


def main(folder):
    with open(f"{folder}/claims.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"Metric: {rows[0]['metric']} ({rows[0]['direction']}); each side: mean over paired seeds "
          "(best seed, seeds solving).\n")
    print("| claim | A | B | A − B [95% CI] | p_holm | verdict |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        ci = "" if r["ci_low"] == "" else f" [{float(r['ci_low']):+.3f}, {float(r['ci_high']):+.3f}]"
        estimate = "—" if r["estimate"] == "" else f"{float(r['estimate']):+.3f}{ci}"
        p = "—" if r["p_holm"] == "" else f"{float(r['p_holm']):.3g}"
        print(f"| {r['claim']} | {side(r, 'a')} | {side(r, 'b')} | {estimate} | {p} | {r['verdict']} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
