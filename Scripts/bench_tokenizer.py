#!/usr/bin/env python3
"""tiktoken's side of Scripts/bench_tokenizer.sh: GPT-2 BPE over one file, timed.

The encoding is built from PosLab's own ranks file (Sources/PosLabText/Resources/gpt2.tiktoken)
with GPT-2's pre-tokenisation pattern and <|endoftext|> = 50256, so both sides do the same work.
tiktoken's encode of one string runs on one thread.

    python3 Scripts/bench_tokenizer.py FILE          # one line: bytes, tokens, median of 5, MB/s
    python3 Scripts/bench_tokenizer.py FILE --ids    # the ids, space-separated (to compare with poslab's)
"""
import pathlib
import statistics
import sys
import time

import tiktoken
from tiktoken.load import load_tiktoken_bpe

ROOT = pathlib.Path(__file__).resolve().parent.parent
PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def main():
    path = sys.argv[1]
    enc = tiktoken.Encoding(
        name="gpt2-poslab",
        pat_str=PATTERN,
        mergeable_ranks=load_tiktoken_bpe(str(ROOT / "Sources/PosLabText/Resources/gpt2.tiktoken")),
        special_tokens={"<|endoftext|>": 50256},
    )
    with open(path, encoding="utf-8", newline="") as f:  # newline="": keep \r\n as it is in the file
        text = f.read()
    size = len(text.encode("utf-8"))
    allowed = {"<|endoftext|>"}
    if "--ids" in sys.argv[2:]:
        print(" ".join(map(str, enc.encode(text, allowed_special=allowed))))
        return
    seconds = []
    for _ in range(5):
        start = time.perf_counter()
        ids = enc.encode(text, allowed_special=allowed)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    print(f"tiktoken {tiktoken.__version__}: {size} bytes, {len(ids)} tokens, "
          f"median encode {median:.4f} s of 5: {size / median / 1e6:.2f} MB/s")


if __name__ == "__main__":
    main()
