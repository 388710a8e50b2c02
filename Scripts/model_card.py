"""The model's conventions, read from the table in docs/model-card.md: the one place they are written.

The PyTorch fixture scripts (make_parity_fixture.py, make_encoding_parity_fixture.py through it, and
make_checkpoint_fixture.py) take every convention of PosLab's model from here: GELU's form,
LayerNorm's epsilon, the order of q, k and v in the fused projection and the head layout inside each,
the attention scale, the causal mask, T5's relative position and bucket direction, the MLP's width
and the checkpoints' weight layout. Conventions the reference implements one way only (the block
structure, RoPE's pairing, the sinusoidal columns, ...) are checked with `require`, so a card that
says otherwise stops the script instead of producing a fixture from a different model.

    import model_card as card
    card.value("layer_norm_eps")          # "1e-5", as written in the card
    card.layer_norm_eps()                 # 1e-05
"""

import math
import os
import re

CARD = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "model-card.md"))


def load(path=CARD):
    """{key: value} from the card's conventions table (the rows whose first cell is a `key`)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    section = text.split("\n## Conventions\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        key, value = cells[0].strip("`"), cells[1].strip("`")
        assert key not in rows, f"{path}: {key} is in the table twice"
        rows[key] = value
    assert rows, f"{path}: no conventions table"
    return rows


CONVENTIONS = load()


def value(key):
    """The card's value for `key`, as written."""
    if key not in CONVENTIONS:
        raise KeyError(f"docs/model-card.md has no convention '{key}'")
    return CONVENTIONS[key]


def require(key, expected):
    """Stops unless the card says `expected` for `key` (a convention the reference implements one way)."""
    got = value(key)
    if got != expected:
        raise SystemExit(f"docs/model-card.md: {key} is '{got}'; this script implements '{expected}' only")


def layer_norm_eps():
    return float(value("layer_norm_eps"))


def gelu(x):
    """GELU in the card's form: `erf` (PyTorch's default) or `tanh`."""
    import torch.nn.functional as F
    return F.gelu(x, approximate={"erf": "none", "tanh": "tanh"}[value("gelu")])


def mlp_ratio():
    return int(value("mlp_ratio"))


def split_qkv(qkv, c):
    """q, k, v (each (..., C)) from a fused projection (..., 3C), in the card's column order."""
    order = value("qkv_order").split(",")
    assert sorted(order) == ["k", "q", "v"], order
    parts = {name: qkv[..., i * c:(i + 1) * c] for i, name in enumerate(order)}
    return parts["q"], parts["k"], parts["v"]


def split_heads(z, heads):
    """(B, T, C) → (B, H, T, D) in the card's head layout."""
    b, t, c = z.shape
    d = c // heads
    layout = value("head_layout")
    if layout == "head-major":   # head h: columns h·D ..< (h+1)·D
        return z.reshape(b, t, heads, d).transpose(1, 2)
    if layout == "dim-major":    # component i of every head together: column i·H + h
        return z.reshape(b, t, d, heads).permute(0, 3, 1, 2)
    raise SystemExit(f"docs/model-card.md: head_layout '{layout}' is not one this script knows")


def merge_heads(a):
    """(B, H, T, D) → (B, T, C), the inverse of split_heads."""
    b, h, t, d = a.shape
    layout = value("head_layout")
    if layout == "head-major":
        return a.transpose(1, 2).reshape(b, t, h * d)
    if layout == "dim-major":
        return a.permute(0, 2, 3, 1).reshape(b, t, h * d)
    raise SystemExit(f"docs/model-card.md: head_layout '{layout}' is not one this script knows")


def attention_scale(head_dim):
    """The factor on q·kᵀ."""
    scale = value("attention_scale")
    if scale == "1/sqrt(d_head)":
        return 1.0 / math.sqrt(head_dim)
    if scale == "1/d_head":
        return 1.0 / head_dim
    raise SystemExit(f"docs/model-card.md: attention_scale '{scale}' is not one this script knows")


def future_mask(length):
    """(T, T) booleans: True where causal attention hides key j from query i."""
    import torch
    mask = value("causal_mask")
    diagonal = {"key<=query": 1, "key<query": 0}[mask]
    return torch.triu(torch.ones(length, length, dtype=torch.bool), diagonal=diagonal)


def t5_relative(positions):
    """(T, T) relative positions [i, j] for query i and key j, as the card defines them."""
    sign = {"key-query": 1, "query-key": -1}[value("t5_relative")]
    return sign * (positions[None, :] - positions[:, None])


def t5_upper_half(relative):
    """Booleans: which relative positions (key − query) take the upper half of bidirectional buckets."""
    later = value("t5_later_keys")
    if later == "upper-half":
        return relative > 0
    if later == "lower-half":
        return relative < 0
    raise SystemExit(f"docs/model-card.md: t5_later_keys '{later}' is not one this script knows")


def checkpoint_linear_layout():
    return value("checkpoint_linear_layout")


def from_checkpoint_linear(weight):
    """A checkpoint's linear weight as the model's (in, out) matrix."""
    layout = checkpoint_linear_layout()
    if layout == "out_in":
        return weight.t().contiguous()
    if layout == "in_out":
        return weight
    raise SystemExit(f"docs/model-card.md: checkpoint_linear_layout '{layout}' is not one this script knows")


def require_reference_model():
    """The conventions the reference model implements one way only."""
    for key, expected in [("block", "pre-layernorm"), ("final_layer_norm", "true"), ("weight_layout", "in_out"),
                          ("bias_after_scale", "true"), ("embedding_scale", "none"), ("tied_head", "false"),
                          ("t5_causal_later_keys", "bucket-0"), ("t5_table", "shared-by-layers"),
                          ("rope_pairing", "halves"), ("sinusoidal_columns", "interleaved"),
                          ("alibi_slopes", "2^(-8(h+1)/n)"), ("loss", "masked-mean-ce")]:
        require(key, expected)
