#!/usr/bin/env python3
"""Write Tests/PosLabTextTests/Fixtures/tokenizer.json: tiktoken's GPT-2 ids for a varied set of strings.

The Swift tokenizer (Sources/PosLabText) must give exactly these ids. The encoding is built from
the very ranks file PosLab ships (Sources/PosLabText/Resources/gpt2.tiktoken) with GPT-2's
pre-tokenisation pattern, and its ids are checked against the golden sentence of the shared data
README before anything is written. `<|endoftext|>` is allowed as a special token, as the seed
chapter encodes with allowed_special={"<|endoftext|>"}.

    pip install tiktoken==0.14.0 && python3 Scripts/make_tokenizer_fixture.py

Two kinds of case: hand-picked strings (Unicode, emoji, whitespace runs, contractions, numbers,
special-token edge cases), and strings drawn at random (seed 15) from a pool of characters of every
class the pattern tells apart, so that the rarer branches (Unicode spaces before letters,
apostrophes inside punctuation runs, combining marks) are exercised; and long single pieces
(letters, digits, punctuation, repeats), which take the Swift side's heap-based merge.
"""
import json
import pathlib
import random

import tiktoken
from tiktoken.load import load_tiktoken_bpe

ROOT = pathlib.Path(__file__).resolve().parent.parent
RANKS = ROOT / "Sources/PosLabText/Resources/gpt2.tiktoken"
OUT = ROOT / "Tests/PosLabTextTests/Fixtures/tokenizer.json"
PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def encoding():
    enc = tiktoken.Encoding(
        name="gpt2-poslab",
        pat_str=PATTERN,
        mergeable_ranks=load_tiktoken_bpe(str(RANKS)),
        special_tokens={"<|endoftext|>": 50256},
    )
    golden = "Hello, do you like tea? <|endoftext|> In the sunlit terraces of someunknownPlace."
    want = [15496, 11, 466, 345, 588, 8887, 30, 220, 50256, 554, 262, 4252, 18250, 8812, 2114, 286,
            617, 34680, 27271, 13]
    assert enc.encode(golden, allowed_special={"<|endoftext|>"}) == want, "ranks file or pattern is not GPT-2's"
    return enc


HAND_PICKED = [
    "",
    "a",
    " ",
    "Hello, world!",
    "Hello world",
    "  leading spaces",
    "trailing spaces   ",
    "many     spaces   between words",
    "tabs\tand\t\ttabs",
    "new\nlines\n\n\nand\r\nCRLF",
    "\n\n\n",
    " \n \n ",
    "   \tmixed \t\n whitespace  x",
    "I'm sure you'll see they've gone, we're here, he'd say, it's Tom's.",
    "I'M SHOUTING IT'S LOUD",
    "'s 'll 've 're 'd 'm 't 'x ''s '''",
    "don't can't won't shan't y'all o'clock",
    "rock 'n' roll",
    "?'s !'ll ''ve",
    "0 1 12 123 1234 12345 123456 3.14159 -42 +7 1,000,000 1e10 0x1F",
    "2026-11-27 16:50:00 UTC",
    "Ⅻ ½ ² ٣٤٥ ൬",
    "café naïve résumé façade Ångström",
    "Straße groß ÆØÅ æøå",
    "Привет, мир! Как дела?",
    "Γειά σου Κόσμε",
    "日本語のテキストです。漢字とひらがな。",
    "中文 文本, 一二三 123",
    "한국어 텍스트",
    "مرحبا بالعالم",
    "שלום עולם",
    "नमस्ते दुनिया",
    "ไทย ภาษา",
    "emoji 🙂 😀😃😄 🎉🎉",
    "family 👩‍👩‍👧‍👦 flag 🇵🇹 skin 👍🏽 keycap 1️⃣",
    "e\u0301 combining a\u0308 marks",
    "non\u00a0breaking\u00a0space \u2003em\u2003space \u3000ideographic",
    "zero\u200bwidth\u200cjoiner\u200d",
    "\u2028line\u2029paragraph\u0085next",
    "<|endoftext|>",
    "<|endoftext|><|endoftext|>",
    "a<|endoftext|>b",
    " <|endoftext|> ",
    "<|endoftext|",
    "<|endoftext|>>",
    "<<|endoftext|>",
    "<|endoftext",
    "The quick brown fox jumps over the lazy dog.",
    "someunknownPlace superlongwordwithoutanyspacesatallthatneedsmanymerges",
    "https://example.com/path?query=1&x=y#frag",
    "def f(x):\n    return x ** 2  # square\n",
    "{\"key\": [1, 2, 3], \"null\": null}",
    "$$$ %%% ^^^ &&& *** ((( ))) --- ___ +++ ===",
    "...!!!???,,,;;;:::",
    "\u0000\u0001\u001f\u007f control",
    "\ud7ff\ue000\uffff\U0010ffff\U0001f600",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝓜𝓪𝓽𝓱",
]

POOL = (
    list("abcXYZ019 ' .,!?-\n\t") + ["  ", "   ", "'s", "'ll", "'ve", "'re", "'d", "'m", "'t"]
    + list("éßøÆλΩжЖ日本語中한ابא") + list("½²Ⅻ٣") + ["\u0301", "\u0308"]
    + ["\u00a0", "\u2003", "\u3000", "\u2028", "\u0085", "\r\n", "\u200b"]
    + ["🙂", "👍🏽", "🇵🇹", "👩‍👧"] + ["<|endoftext|>", "<|", "|>"] + list("$%^&*()[]{}<>|/\\\"`~@#")
)


def random_cases(count=300, seed=15):
    rng = random.Random(seed)
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def long_pieces(seed=16):
    """Pieces of hundreds to thousands of bytes, which the Swift side merges with a heap."""
    rng = random.Random(seed)
    letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(2000))
    mixed = "".join(rng.choice("aAbBeEtTsSqQzZ") for _ in range(800))
    digits = "".join(rng.choice("0123456789") for _ in range(1500))
    cyrillic = "".join(rng.choice("абвгдежзийклмнопрст") for _ in range(600))
    return [letters, " " + mixed, digits, "=" * 3000, "ab" * 1000, "aaaa" * 300, cyrillic,
            " " * 1000 + "word", "x" + "\u0301" * 400, letters[:257], letters[:255] + " " + mixed[:300]]


def main():
    enc = encoding()
    cases = [{"text": s, "ids": enc.encode(s, allowed_special={"<|endoftext|>"})}
             for s in HAND_PICKED + random_cases() + long_pieces()]
    for case in cases:
        assert enc.decode(case["ids"]) == case["text"]
    fixture = {
        "generator": "Scripts/make_tokenizer_fixture.py",
        "tiktoken": tiktoken.__version__,
        "ranks": "Sources/PosLabText/Resources/gpt2.tiktoken",
        "pattern": PATTERN,
        "special_tokens": {"<|endoftext|>": 50256},
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, ensure_ascii=True, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(cases)} cases")


if __name__ == "__main__":
    main()
