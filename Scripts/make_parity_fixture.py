#!/usr/bin/env python3
"""Generate Tests/PosLabModelTests/Fixtures/parity.json, the PyTorch reference for PosLab's model.

The PosLab transformer is rebuilt here from plain float32 tensors (no nn.Module), with random
weights from torch.manual_seed(0), for every encoding {none, learned, sinusoidal, relative-bias}
crossed with both attention modes {bidirectional, causal}. Cases for {alibi, rope} x {bidirectional,
causal}, plus one bidirectional ALiBi case with 3 heads (d_model 12, non-power-of-two slopes), follow
them, drawn from a second generator seeded with 1 so the first eight cases are unchanged. For each case
the fixture holds the inputs, every parameter, the logits, the masked mean cross-entropy and the
gradient of that loss with respect to every parameter, so a Swift test can load the parameters and
compare.

The model's conventions (GELU's form, LayerNorm's epsilon, the q|k|v order and head layout, the
attention scale, the causal mask, T5's relative position and bucket direction, the MLP's width) come
from the table in docs/model-card.md, read by Scripts/model_card.py; the ones this reference implements
one way only are checked against it. As the card says, linear weights are (in, out) in the model and
applied as x @ W + b; all arrays are flattened row-major. A table of T5 relative-position buckets, computed the way
Hugging Face transformers' T5 does (float32 log, truncation by `.to(torch.long)`), is included
as well, and golden ALiBi slopes (float64) for 3, 6, 8 and 12 heads.

ALiBi (Press et al. 2022): bias[h, i, j] = -slope_h * |j - i|, added to the scores after the
1/sqrt(D) scaling, in every layer (in causal mode this equals slope_h * (j - i) for j <= i; future
keys are masked). RoPE (RoFormer, base 10000), GPT-NeoX / LLaMA "rotate_half" layout: queries and keys
(B, H, T, D) are rotated before the scores, with theta_k = base^(-2k/D) for k < D/2, angle = p * theta_k,
out[..., :D/2] = x1 cos - x2 sin, out[..., D/2:] = x2 cos + x1 sin. Neither has parameters.

Usage: python3 Scripts/make_parity_fixture.py [--output PATH]
The output is deterministic: rerunning produces the same bytes.
"""

import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

import model_card as card

GENERATOR = "Scripts/make_parity_fixture.py"
DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "PosLabModelTests", "Fixtures", "parity.json"
)

VOCAB = 7
D_MODEL = 8
LAYERS = 2
HEADS = 2
BATCH = 3
LENGTH = 10
LEARNED_SIZE = 12
RB_BUCKETS = 8
RB_MAX_DISTANCE = 20
LN_EPS = card.layer_norm_eps()

ENCODINGS = ["none", "learned", "sinusoidal", "relative-bias"]
MODES = ["bidirectional", "causal"]
# Added later; drawn from their own generator so the cases above keep their random draws.
EXTRA_ENCODINGS = ["alibi", "rope"]
EXTRA_SEED = 1
ALIBI_ODD_D_MODEL = 12  # extra ALiBi case with 3 heads (non-power-of-two slope rule)
ALIBI_ODD_HEADS = 3
ALIBI_SLOPE_HEADS = [8, 12, 3, 6]
ROPE_BASE = 10000.0


# --------------------------------------------------------------------------------------------
# T5 relative-position buckets
# --------------------------------------------------------------------------------------------

def t5_bucket(relative, bidirectional, num_buckets, max_distance):
    """T5's `_relative_position_bucket` for `relative` = key position - query position.

    `relative` is an integer tensor; the result has the same shape. The large-distance branch
    uses a float32 log divided by a Python (double) log, then truncates with `.to(torch.long)`,
    which is how Hugging Face transformers computes it.
    """
    relative = torch.as_tensor(relative, dtype=torch.long)
    n = -relative
    if bidirectional:
        num_buckets //= 2
        ret = card.t5_upper_half(relative).to(torch.long) * num_buckets
        n = n.abs()
    else:
        ret = torch.zeros_like(n)
        n = torch.clamp(n, min=0)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    # For n == 0 the log is -inf; those entries are small and replaced by torch.where, but
    # casting -inf to long is undefined, so clamp the argument first (harmless for n >= max_exact).
    safe_n = torch.clamp(n, min=max_exact)
    large = max_exact + (
        torch.log(safe_n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).to(torch.long)
    large = torch.clamp(large, max=num_buckets - 1)
    return ret + torch.where(is_small, n, large)


def t5_bucket_exact(relative, bidirectional, num_buckets, max_distance):
    """The same bucket in double precision via log2 (powers of two exact); for comparison only."""
    n = -relative
    if bidirectional:
        num_buckets //= 2
        ret = num_buckets if card.t5_upper_half(relative) else 0
        n = abs(n)
    else:
        ret = 0
        n = max(n, 0)
    max_exact = num_buckets // 2
    if n < max_exact:
        return ret + n
    fraction = math.log2(n / max_exact) / math.log2(max_distance / max_exact)
    return ret + min(num_buckets - 1, max_exact + int(fraction * (num_buckets - max_exact)))


def check_t5_buckets():
    """Assert known T5 buckets (buckets=32, max_distance=128)."""
    expected_bidirectional = {-7: 7, -8: 8, -16: 10, -32: 12, -64: 14, -128: 15,
                              1: 17, 8: 24, 16: 26, 128: 31}
    expected_causal = {-15: 15, -16: 16, -32: 21, -64: 26, -128: 31, 5: 0}
    for expected, bidirectional in ((expected_bidirectional, True), (expected_causal, False)):
        rel = torch.tensor(sorted(expected))
        got = t5_bucket(rel, bidirectional, 32, 128).tolist()
        for r, g in zip(rel.tolist(), got):
            assert g == expected[r], f"T5 bucket(bidirectional={bidirectional}, {r}) = {g}, expected {expected[r]}"


def bucket_disagreements(relative, bidirectional, num_buckets, max_distance):
    """Relative positions where the float32 (HF) bucket differs from the double-precision one."""
    torch_buckets = t5_bucket(torch.tensor(relative), bidirectional, num_buckets, max_distance).tolist()
    return [(r, b, t5_bucket_exact(r, bidirectional, num_buckets, max_distance))
            for r, b in zip(relative, torch_buckets)
            if b != t5_bucket_exact(r, bidirectional, num_buckets, max_distance)]


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------

def sinusoidal_table(rows, width):
    """PE[p, 2i] = sin(p / 10000^(2i/C)), PE[p, 2i+1] = cos(same), in float64 then cast to float32."""
    pe = torch.zeros(rows, width, dtype=torch.float64)
    positions = torch.arange(rows, dtype=torch.float64)
    for column in range(width):
        i = column // 2
        angle = positions / (10000.0 ** (2 * i / width))
        pe[:, column] = torch.sin(angle) if column % 2 == 0 else torch.cos(angle)
    return pe.to(torch.float32)


def alibi_slopes(n):
    """ALiBi head slopes (float64), as in Press et al.'s reference implementation.

    Power of two n: slope_h = 2^(-8(h+1)/n). Otherwise the slopes for 2^floor(log2 n) heads followed
    by the first n - 2^floor(log2 n) of every other slope (indices 0, 2, ...) for twice that many heads.
    """
    closest = 2 ** int(math.floor(math.log2(n)))
    powers = [2.0 ** (-8.0 * (h + 1) / closest) for h in range(closest)]
    if closest == n:
        return powers
    return powers + alibi_slopes(2 * closest)[0::2][:n - closest]


def alibi_slopes_press(n):
    """Press et al.'s code verbatim (start * ratio**i); for checking alibi_slopes only."""
    def power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        return [start * start ** i for i in range(n)]
    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + alibi_slopes_press(2 * closest)[0::2][:n - closest]


def check_alibi_slopes():
    """The slopes match known values and, to within rounding, the reference code.

    The reference code's start * ratio**i accumulates a few ulp of error (e.g. 0.5000000000000001 for
    the second of 16 heads); 2^(-8(h+1)/n) is used here, so the tolerance is a few ulp.
    """
    assert alibi_slopes(8) == [2.0 ** -k for k in range(1, 9)]
    assert alibi_slopes(3) == [2.0 ** -4, 2.0 ** -8, 2.0 ** -2], alibi_slopes(3)
    assert alibi_slopes(6) == [2.0 ** -2, 2.0 ** -4, 2.0 ** -6, 2.0 ** -8, 2.0 ** -1, 2.0 ** -3], alibi_slopes(6)
    for n in range(1, 65):
        ours, theirs = alibi_slopes(n), alibi_slopes_press(n)
        assert len(ours) == n and all(abs(a - b) <= 4e-15 * a for a, b in zip(ours, theirs)), n


def alibi_bias(length, heads):
    """(H, T, T) float32 bias -slope_h * |j - i| (query i, key j), computed in float64."""
    positions = torch.arange(length, dtype=torch.float64)
    distance = (positions[None, :] - positions[:, None]).abs()
    slopes = torch.tensor(alibi_slopes(heads), dtype=torch.float64)
    return (-slopes[:, None, None] * distance).to(torch.float32)


def rope_tables(length, head_dim, base=ROPE_BASE):
    """cos and sin (T, D/2) of p * base^(-2k/D), in float64 then cast to float32."""
    half = head_dim // 2
    theta = torch.tensor([base ** (-2.0 * k / head_dim) for k in range(half)], dtype=torch.float64)
    angle = torch.arange(length, dtype=torch.float64)[:, None] * theta[None, :]
    return torch.cos(angle).to(torch.float32), torch.sin(angle).to(torch.float32)


def apply_rope(x, cos, sin):
    """Rotate (B, H, T, D) by position, halves layout (x1 = x[..., :D/2], x2 = x[..., D/2:])."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)


def check_rope():
    """apply_rope equals multiplying (x1 + i x2) by e^(i angle) in complex128, and keeps norms."""
    g = torch.Generator().manual_seed(123)
    x = torch.randn(2, 3, 7, 6, generator=g, dtype=torch.float32)
    cos, sin = rope_tables(7, 6)
    got = apply_rope(x, cos, sin).double()
    theta = torch.tensor([ROPE_BASE ** (-2.0 * k / 6) for k in range(3)], dtype=torch.float64)
    angle = torch.arange(7, dtype=torch.float64)[:, None] * theta[None, :]
    z = torch.complex(x[..., :3].double(), x[..., 3:].double()) * torch.polar(torch.ones_like(angle), angle)
    expected = torch.cat((z.real, z.imag), dim=-1)
    assert (got - expected).abs().max().item() < 1e-5
    assert torch.equal(apply_rope(x[:, :, :1], cos[:1], sin[:1]), x[:, :, :1])  # position 0 unrotated


def make_parameters(encoding, generator, d_model=D_MODEL, heads=HEADS):
    """Random parameters keyed by the Swift labels, in a fixed order."""
    c, v, hidden = d_model, VOCAB, card.mlp_ratio() * d_model

    def normal(*shape, std=1.0):
        return torch.randn(*shape, generator=generator, dtype=torch.float32) * std

    def matrix(fan_in, fan_out):
        return normal(fan_in, fan_out, std=1.0 / math.sqrt(fan_in))

    def gain(n):
        return 1.0 + 0.1 * normal(n)

    def bias(n):
        return 0.1 * normal(n)

    params = {"token_embedding": normal(v, c)}
    if encoding == "learned":
        params["learned.table"] = normal(LEARNED_SIZE, c)
    elif encoding == "relative-bias":
        params["relative-bias.table"] = normal(RB_BUCKETS, heads, std=0.5)
    for layer in range(LAYERS):
        p = f"block{layer}."
        params[p + "ln1.gain"] = gain(c)
        params[p + "ln1.bias"] = bias(c)
        params[p + "attn.wqkv"] = matrix(c, 3 * c)
        params[p + "attn.bqkv"] = bias(3 * c)
        params[p + "attn.wo"] = matrix(c, c)
        params[p + "attn.bo"] = bias(c)
        params[p + "ln2.gain"] = gain(c)
        params[p + "ln2.bias"] = bias(c)
        params[p + "mlp.w1"] = matrix(c, hidden)
        params[p + "mlp.b1"] = bias(hidden)
        params[p + "mlp.w2"] = matrix(hidden, c)
        params[p + "mlp.b2"] = bias(c)
    params["ln_final.gain"] = gain(c)
    params["ln_final.bias"] = bias(c)
    params["head.weight"] = matrix(c, v)
    params["head.bias"] = bias(v)
    for tensor in params.values():
        tensor.requires_grad_(True)
    return params


def forward(params, ids, encoding, causal, d_model=D_MODEL, heads=HEADS, extra_bias=None, qk_transform=None, score_term=None):
    """Logits (B, T, V) for ids (B, T). `extra_bias(T, H)`, if given, is an (H, T, T) attention bias;
    `qk_transform(q, k, layer)` returns new (B, H, T, D) queries and keys; `score_term(q, k, layer,
    causal)` a (B, H, T, T) term added to the scaled scores (Scripts/make_encoding_parity_fixture.py
    uses these for the encodings this file does not build)."""
    b, t = ids.shape
    c, h = d_model, heads
    d = c // h
    positions = torch.arange(t)

    x = params["token_embedding"][ids]
    if encoding == "learned":
        x = x + params["learned.table"][positions]
    elif encoding == "sinusoidal":
        x = x + sinusoidal_table(t, c)[positions]

    bias = None
    if encoding == "relative-bias":
        relative = card.t5_relative(positions)  # [i, j] = key j - query i
        buckets = t5_bucket(relative, not causal, RB_BUCKETS, RB_MAX_DISTANCE)
        bias = params["relative-bias.table"][buckets].permute(2, 0, 1)  # (T, T, H) -> (H, T, T)
    elif encoding == "alibi":
        bias = alibi_bias(t, h)
    if extra_bias is not None:
        bias = extra_bias(t, h)
    rope = rope_tables(t, d) if encoding == "rope" else None
    future = card.future_mask(t)

    for layer in range(LAYERS):
        p = f"block{layer}."
        hn = F.layer_norm(x, (c,), params[p + "ln1.gain"], params[p + "ln1.bias"], LN_EPS)
        qkv = hn @ params[p + "attn.wqkv"] + params[p + "attn.bqkv"]
        q, k, v = (card.split_heads(z, h) for z in card.split_qkv(qkv, c))
        if rope is not None:
            q, k = apply_rope(q, *rope), apply_rope(k, *rope)
        if qk_transform is not None:
            q, k = qk_transform(q, k, layer)
        scores = q @ k.transpose(-1, -2) * card.attention_scale(d)
        if bias is not None:
            scores = scores + bias
        if score_term is not None:
            scores = scores + score_term(q, k, layer, causal)
        if causal:
            scores = scores.masked_fill(future, float("-inf"))
        attn = torch.softmax(scores, dim=-1)
        a = card.merge_heads(attn @ v)
        x = x + a @ params[p + "attn.wo"] + params[p + "attn.bo"]
        h2 = F.layer_norm(x, (c,), params[p + "ln2.gain"], params[p + "ln2.bias"], LN_EPS)
        x = x + card.gelu(h2 @ params[p + "mlp.w1"] + params[p + "mlp.b1"]) @ params[p + "mlp.w2"] + params[p + "mlp.b2"]
    x = F.layer_norm(x, (c,), params["ln_final.gain"], params["ln_final.bias"], LN_EPS)
    return x @ params["head.weight"] + params["head.bias"]


def masked_loss(logits, targets, mask):
    """Masked mean cross-entropy over positions."""
    per_position = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none")
    flat_mask = mask.reshape(-1)
    return (per_position * flat_mask).sum() / flat_mask.sum()


# --------------------------------------------------------------------------------------------
# JSON output
# --------------------------------------------------------------------------------------------

def floats(tensor):
    """Flat row-major list of float32 values, each written as its shortest float32 round-trip decimal."""
    values = tensor.detach().to(torch.float32).reshape(-1).numpy()
    out = []
    for value in values:
        assert np.isfinite(value), "non-finite value in fixture"
        number = float(str(np.float32(value)))  # shortest decimal that reads back as this float32
        assert np.float32(number) == value, (number, value)
        out.append(number)
    return out


def spec_string(encoding):
    if encoding == "learned":
        return f"learned(size={LEARNED_SIZE})"
    if encoding == "relative-bias":
        return f"relative-bias(buckets={RB_BUCKETS}, max_distance={RB_MAX_DISTANCE})"
    return encoding


def make_case(encoding, mode, generator, d_model=D_MODEL, heads=HEADS):
    ids = torch.randint(0, VOCAB, (BATCH, LENGTH), generator=generator)
    targets = torch.randint(0, VOCAB, (BATCH, LENGTH), generator=generator)
    mask = torch.randint(0, 2, (BATCH, LENGTH), generator=generator).to(torch.float32)
    if mask.sum() == 0:
        mask[0, 0] = 1.0
    params = make_parameters(encoding, generator, d_model, heads)

    logits = forward(params, ids, encoding, causal=(mode == "causal"), d_model=d_model, heads=heads)
    loss = masked_loss(logits, targets, mask)
    loss.backward()
    assert torch.isfinite(loss), (encoding, mode)

    return {
        "encoding": encoding,
        "spec": spec_string(encoding),
        "attention": mode,
        "config": {"vocab_size": VOCAB, "d_model": d_model, "layers": LAYERS, "heads": heads, "max_length": LENGTH},
        "batch": BATCH,
        "length": LENGTH,
        "ids": ids.reshape(-1).tolist(),
        "targets": targets.reshape(-1).tolist(),
        "mask": floats(mask),
        "parameters": {label: {"shape": list(t.shape), "values": floats(t)} for label, t in params.items()},
        "logits": floats(logits),
        "loss": floats(loss)[0],
        "gradients": {label: floats(t.grad) for label, t in params.items()},
    }


def bucket_tables():
    relative = list(range(-200, 201))
    tables = []
    for num_buckets, max_distance in ((32, 128), (RB_BUCKETS, RB_MAX_DISTANCE)):
        for bidirectional in (True, False):
            buckets = t5_bucket(torch.tensor(relative), bidirectional, num_buckets, max_distance).tolist()
            tables.append({"bidirectional": bidirectional, "buckets": num_buckets, "max_distance": max_distance,
                           "relative": relative, "bucket": buckets})
    return tables


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write the fixture")
    args = parser.parse_args()

    torch.set_num_threads(1)  # deterministic reductions, same bytes on rerun
    torch.manual_seed(0)
    card.require_reference_model()
    check_t5_buckets()
    check_alibi_slopes()
    check_rope()

    generator = torch.Generator().manual_seed(0)
    cases = [make_case(encoding, mode, generator) for encoding in ENCODINGS for mode in MODES]
    extra = torch.Generator().manual_seed(EXTRA_SEED)
    cases += [make_case(encoding, mode, extra) for encoding in EXTRA_ENCODINGS for mode in MODES]
    cases.append(make_case("alibi", "bidirectional", extra, d_model=ALIBI_ODD_D_MODEL, heads=ALIBI_ODD_HEADS))
    fixture = {
        "generator": GENERATOR,
        "torch_version": torch.__version__,
        "cases": cases,
        "t5_buckets": bucket_tables(),
        "alibi_slopes": {str(n): alibi_slopes(n) for n in ALIBI_SLOPE_HEADS},
    }

    output = os.path.normpath(args.output)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")

    disagreements = sum(len(bucket_disagreements(list(range(-200, 201)), bi, nb, md))
                        for nb, md in ((32, 128), (RB_BUCKETS, RB_MAX_DISTANCE)) for bi in (True, False))
    losses = ", ".join(f"{c['encoding']}/{c['attention'][0]}/h{c['config']['heads']}={c['loss']:.4f}" for c in cases)
    print(f"wrote {output} ({os.path.getsize(output)} bytes): {len(cases)} cases, torch {torch.__version__}, "
          f"float32-vs-double bucket disagreements in [-200, 200]: {disagreements}; losses {losses}")


if __name__ == "__main__":
    main()
