#!/usr/bin/env python3
"""Markdown tables of the literature suites, from their runs.csv (docs/literature-tasks.md).

  python3 Scripts/literature_tables.py chomsky Results/chomsky   # DeepMind's aggregate
  python3 Scripts/literature_tables.py nope Results/nope         # exact match of generated answers
  python3 Scripts/literature_tables.py addition Results/addition # exact match by digit count

chomsky: per task and encoding, token accuracy averaged over the unseen lengths (longer than the
longest training length), as Ruoss et al. report it (their score: the mean accuracy over test
lengths); the mean over seeds, and in brackets the best seed (DeepMind report the maximum over
seeds and learning rates). Lengths a task does not define (unsupported) are left out of its mean;
an encoding unsupported at every unseen length (learned) shows "—".
nope: per task and encoding, over the unseen lengths, the exact match of the generated answer
(sequence_accuracy) and the teacher-forced token accuracy, means over seeds.
addition: per task variant and encoding, exact match of the generated sum at each evaluated digit
count, means over seeds.
Standard library only, so it runs wherever the results are.
"""

import csv
import statistics
import sys
from collections import defaultdict


def load(folder):
    with open(f"{folder}/runs.csv", newline="") as f:
        return list(csv.DictReader(f))


def short(task, args):
    """A task's name with the arguments that distinguish variants (form and defaults left out)."""
    keep = [a for a in args.split(";") if a and not a.startswith("form=") and not a.startswith("max_position=")
            and a not in ("format=plain", "index_hints=false", "positions=default", "symbols=2")]
    return task + (f"({', '.join(keep)})" if keep else "")


def encoding_name(row):
    """The encoding as the suite names it: learned's size and randomized's max_length follow each
    task's sequence length (4 × the longest training sequence), so they are left out to keep one
    column per encoding; randomized keeps the name of the encoding it wraps."""
    if row["encoding"] == "randomized":
        inner = row["encoding_args"].split("encoding=", 1)[1].split("(", 1)[0].split(";", 1)[0]
        return f"randomized({inner})"
    return row["encoding"]


def per_seed_mean(rows, metric, lengths):
    """{(task, encoding): {seed: mean of metric over lengths where ok}}."""
    out = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if int(r["eval_length"]) in lengths and r["status"] == "ok" and r[metric] != "":
            out[(short(r["task"], r["task_args"]), encoding_name(r))][r["seed"]].append(float(r[metric]))
    return {k: {s: statistics.mean(v) for s, v in seeds.items()} for k, seeds in out.items()}


def table(rows, title_cols):
    lines = ["| " + " | ".join(title_cols) + " |", "|" + "---|" * len(title_cols)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def chomsky(folder):
    rows = load(folder)
    train = max(int(r["train_length_max"]) for r in rows)
    # The unseen lengths every encoding but learned can represent (randomized's max_length, 4 × the
    # longest training sequence, stops short of the longest test sequences), so that every mean is
    # over the same lengths; modular_arithmetic's undefined even sizes are left out of its own.
    longer = {int(r["eval_length"]) for r in rows if int(r["eval_length"]) > train}
    cut = {int(r["eval_length"]) for r in rows if r["status"] == "unsupported" and r["encoding"] != "learned"
           and int(r["eval_length"]) % 2 == 1}
    unseen = sorted(l for l in longer if l not in cut)
    means = per_seed_mean(rows, "token_accuracy", set(unseen))
    tasks = list(dict.fromkeys(short(r["task"], r["task_args"]) for r in rows))
    encodings = list(dict.fromkeys(encoding_name(r) for r in rows))
    body = []
    for t in tasks:
        cells = [t]
        for e in encodings:
            seeds = means.get((t, e))
            cells.append(f"{statistics.mean(seeds.values()):.3f} ({max(seeds.values()):.3f})" if seeds else "—")
        body.append(cells)
    avg = ["**mean over tasks**"]
    for e in encodings:
        vals = [statistics.mean(means[(t, e)].values()) for t in tasks if (t, e) in means]
        avg.append(f"**{statistics.mean(vals):.3f}**" if len(vals) == len(tasks) else "—")
    body.append(avg)
    trained = per_seed_mean(rows, "token_accuracy", {train})
    inside = [f"mean over tasks at n = {train} (trained)"]
    for e in encodings:
        vals = [statistics.mean(trained[(t, e)].values()) for t in tasks if (t, e) in trained]
        inside.append(f"{statistics.mean(vals):.3f}" if len(vals) == len(tasks) else "—")
    body.append(inside)
    print(f"Token accuracy averaged over the unseen lengths {unseen[0]}–{unseen[-1]} "
          f"(trained on ≤ {train}): mean over {len({r['seed'] for r in rows})} seeds (best seed).\n")
    print(table(body, ["task"] + [f"`{e}`" for e in encodings]))


def nope(folder):
    rows = load(folder)
    train = max(int(r["train_length_max"]) for r in rows)
    unseen = sorted({int(r["eval_length"]) for r in rows if int(r["eval_length"]) > train})
    exact = per_seed_mean(rows, "sequence_accuracy", set(unseen))
    forced = per_seed_mean(rows, "token_accuracy", set(unseen))
    inside = per_seed_mean(rows, "sequence_accuracy", {train})
    tasks = list(dict.fromkeys(short(r["task"], r["task_args"]) for r in rows))
    encodings = list(dict.fromkeys(encoding_name(r) for r in rows))
    body = []
    for t in tasks:
        cells = [t]
        for e in encodings:
            at_train = f"{statistics.mean(inside[(t, e)].values()):.2f}" if (t, e) in inside else "—"
            if (t, e) not in exact:  # e.g. learned: no table rows past the training sequences
                cells.append(f"{at_train} · unsupported")
                continue
            cells.append(f"{at_train} · {statistics.mean(exact[(t, e)].values()):.2f} "
                         f"({statistics.mean(forced[(t, e)].values()):.2f})")
        body.append(cells)
    print(f"Exact match of the generated answer at the training length {train} · averaged over the unseen lengths "
          f"{unseen[0]}–{unseen[-1]} (teacher-forced token accuracy there): means over "
          f"{len({r['seed'] for r in rows})} seeds.\n")
    print(table(body, ["task"] + [f"`{e}`" for e in encodings]))


def addition(folder):
    rows = load(folder)
    lengths = sorted({int(r["eval_length"]) for r in rows})
    tasks = list(dict.fromkeys(short(r["task"], r["task_args"]) for r in rows))
    encodings = list(dict.fromkeys(encoding_name(r) for r in rows))
    cell = defaultdict(list)
    for r in rows:
        e = encoding_name(r)
        if r["status"] == "ok" and r["sequence_accuracy"] != "":
            cell[(short(r["task"], r["task_args"]), e, int(r["eval_length"]))].append(float(r["sequence_accuracy"]))
        elif r["status"] == "unsupported":
            cell.setdefault((short(r["task"], r["task_args"]), e, int(r["eval_length"]), "u"), [])
    body = []
    for t in tasks:
        for e in encodings:
            vals = []
            for l in lengths:
                v = cell.get((t, e, l))
                vals.append(f"{statistics.mean(v):.2f}" if v else "unsupported" if (t, e, l, "u") in cell else "—")
            body.append([t, f"`{e}`"] + vals)
    train = max(int(r["train_length_max"]) for r in rows)
    print(f"Exact match of the generated sum, by digits per operand (trained on 1–{train}): means over "
          f"{len({r['seed'] for r in rows})} seeds.\n")
    print(table(body, ["task", "encoding"] + [f"{l} digits" for l in lengths]))


if __name__ == "__main__":
    {"chomsky": chomsky, "nope": nope, "addition": addition}[sys.argv[1]](sys.argv[2])
