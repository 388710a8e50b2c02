#!/usr/bin/env python3
"""Runs the examples of docs/*.md as written (docs/walkthrough.md has its own runner, walkthrough.sh).

Each page runs in a fresh temporary folder that sees the repository's Data/, Experiments/, Examples/,
Scripts/ and Tests/, with `poslab` on PATH and at .build/release/poslab. A page's fenced blocks, by
their info string:

  ```sh                      run with bash (set -euo pipefail), the page's blocks in order, in one shell
  ```LANG file=PATH          written to PATH, for the blocks after it
  ```yaml suite-fragment     a piece of a suite file: completed with `encodings: [none]` and
                             `tasks: [shift]` and validated by `poslab slurm` (which trains nothing)
  ```python                  run with python3 when every module it imports is installed (else
                             reported as not run, naming the module), after its `setup=`
  ```swift checked-by=FILE   every line of code in it must be a line of FILE, a test that runs it
  ```LANG skip="REASON"      not run; the reason is printed
  ```                        (no language) output, diagrams, prose: not an example

A block of sh, yaml, python or swift with none of these fails the check, so a new example is run
unless its page says why not. `setup=quick-results` copies docs/results/quick (the quick suite's
committed results) to Results/quick first.

Usage: python3 Scripts/docs_examples.py [BIN_DIR] [PAGE ...]   (BIN_DIR: where `poslab` is built)
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SHARED = ["Data", "Experiments", "Examples", "Scripts", "Tests", "docs"]
RUNNABLE = {"sh", "yaml", "python", "swift"}
FENCE = re.compile(r"^```(\S*)(.*)$")


def blocks(path):
    """(line, language, {attribute: value}, text) of every fenced block of a page."""
    out, current = [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            match = FENCE.match(line.rstrip("\n"))
            if current is None and match:
                info = match.group(2)
                attributes = {k: v.strip('"') for k, v in re.findall(r'(\S+?)=("[^"]*"|\S+)', info)}
                rest = re.sub(r'\S+?=("[^"]*"|\S+)', "", info)
                attributes.update({flag: "" for flag in rest.split()})
                current = (number, match.group(1), attributes, [])
            elif current is not None and line.rstrip("\n") == "```":
                out.append((current[0], current[1], current[2], "".join(current[3])))
                current = None
            elif current is not None:
                current[3].append(line)
    assert current is None, f"{path}: a block opened at line {current[0]} is not closed"
    return out


def imports(code):
    return sorted({m.split(".")[0] for m in re.findall(r"^\s*(?:from|import)\s+([\w.]+)", code, re.M)})


def check_swift(page, line, code, test_file):
    """Every line of code in the block is a line of `test_file` (comments and spacing aside)."""
    def lines(text):
        stripped = (re.sub(r"\s+//.*$|^\s*//.*$", "", l).strip() for l in text.splitlines())
        return [re.sub(r"\s+", " ", l) for l in stripped if l]
    with open(os.path.join(ROOT, test_file), encoding="utf-8") as f:
        known = set(lines(f.read()))
    missing = [l for l in lines(code) if l not in known]
    if missing:
        raise SystemExit(f"{page}: the example is not what {test_file} runs; not found there:\n  "
                         + "\n  ".join(missing))


def run_page(page, bin_dir):
    """Runs one page's examples; returns (run, not run) counts."""
    ran, skipped, script = 0, [], ["set -euo pipefail"]
    work = tempfile.mkdtemp(prefix="poslab-docs-")
    try:
        for name in SHARED:
            os.symlink(os.path.join(ROOT, name), os.path.join(work, name))
        os.makedirs(os.path.join(work, ".build"))
        os.symlink(bin_dir, os.path.join(work, ".build", "release"))
        for n, (line, language, attributes, code) in enumerate(blocks(page)):
            where = f"{os.path.relpath(page, ROOT)}:{line}"
            if "skip" in attributes:
                skipped.append(f"{where} ({language}): {attributes['skip']}")
                continue
            if attributes.get("setup") == "quick-results":
                script.append(f"mkdir -p Results/quick && cp -n '{ROOT}/docs/results/quick/runs.csv' Results/quick/")
            if "file" in attributes:
                path = os.path.join(work, ".blocks", f"{n}")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(code)
                target = attributes["file"]
                script.append(f"mkdir -p \"$(dirname '{target}')\" && cp '{path}' '{target}'")
                ran += 1
            elif language == "sh":
                script.append(code)
                ran += 1
            elif language == "yaml" and "suite-fragment" in attributes:
                path = os.path.join(work, ".blocks", f"{n}.yaml")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(f"name: fragment-{n}\nencodings: [none]\ntasks: [shift]\n" + code)
                script.append(f"poslab slurm '{path}' --out '{work}/.blocks/results-{n}' --array 1 > /dev/null")
                ran += 1
            elif language == "python":
                missing = [m for m in imports(code) if importlib.util.find_spec(m) is None]
                if missing:
                    skipped.append(f"{where} (python): {', '.join(missing)} not installed")
                    continue
                path = os.path.join(work, ".blocks", f"{n}.py")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(code)
                script.append(f"python3 '{path}' > /dev/null")
                ran += 1
            elif language == "swift" and "checked-by" in attributes:
                check_swift(where, line, code, attributes["checked-by"])
                ran += 1
            elif language in RUNNABLE:
                raise SystemExit(f"{where}: a {language} example that is neither run nor marked skip=REASON")
        if len(script) > 1:
            env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
            result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if result.returncode != 0:
                sys.stderr.write(result.stdout[-4000:])
                raise SystemExit(f"{os.path.relpath(page, ROOT)}: an example failed (exit {result.returncode})")
        return ran, skipped
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = sys.argv[1:]
    bin_dir = os.path.abspath(args.pop(0)) if args and os.path.isdir(args[0]) else os.path.join(ROOT, ".build", "release")
    assert os.path.exists(os.path.join(bin_dir, "poslab")), f"no poslab in {bin_dir}: swift build -c release first"
    pages = [os.path.abspath(p) for p in args] or sorted(
        os.path.join(ROOT, "docs", p) for p in os.listdir(os.path.join(ROOT, "docs"))
        if p.endswith(".md") and p != "walkthrough.md")
    total, not_run = 0, []
    for page in pages:
        ran, skipped = run_page(page, bin_dir)
        total += ran
        not_run += skipped
    for line in not_run:
        print(f"docs: not run: {line}", file=sys.stderr)
    print(f"docs: {total} examples run from {len(pages)} pages, {len(not_run)} not run (reasons above)", file=sys.stderr)


if __name__ == "__main__":
    main()
