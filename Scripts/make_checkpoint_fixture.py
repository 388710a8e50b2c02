#!/usr/bin/env python3
"""Check PosLab's safetensors checkpoints in PyTorch and write the fixtures the Swift tests read.

1. Loads every checkpoint PosLab wrote in Tests/PosLabModelTests/Fixtures/checkpoints/ with
   `safetensors.torch.load_file`, puts its weights into the reference model of
   Scripts/make_parity_fixture.py (imported, not copied) and writes, for fixed inputs, the
   reference's logits and attention weights to Tests/PosLabModelTests/Fixtures/checkpoint_logits.json.
   The Swift test loads the same checkpoints and must match them within 1e-4.
2. Writes Tests/PosLabModelTests/Fixtures/python_written.safetensors with `safetensors.torch.save_file`
   (awkward values included: -0, subnormals, infinities, NaN, a scalar, an empty tensor) and, in
   python_written.json, every value's float32 bit pattern: the Swift reader must read it exactly.

Checkpoint layout (PosLab's metadata `poslab.linear_layout` = out_in): names follow the model,
`blocks.{i}.attn.qkv.weight` etc.; linear weights are (out, in) as in torch.nn.Linear, so they are
transposed here into the reference's (in, out).
That layout, like every convention of the model, comes from docs/model-card.md (Scripts/model_card.py). The reference reads a few module constants
(LAYERS, RB_BUCKETS, RB_MAX_DISTANCE); they are set from each checkpoint's metadata.

randomized(learned) is checked at random positions: the reference always uses positions 0..T-1, so
it gets the learned table's rows at the chosen positions, in order (the same sum at every position).
The attention weights are the reference's own: the one torch.softmax call per layer of its forward
pass is recorded while it runs.

Every built-in encoding is covered, in each attention mode it declares (cope: causal only). kerple
(log and power), alibi-asym, fire, shaw, xpos and cope use the PyTorch forms of
Scripts/make_encoding_parity_fixture.py (bias_function, query_key_functions; imported, not copied),
whose module constants (FIRE_THRESHOLD, SHAW_K, XPOS_SCALE, COPE_NPOS) are set from each
checkpoint's spec. Their checkpoint tensors `encoding.<name>` are mapped to the reference's labels
by ENCODING_TENSORS, which must account for every one.

rope with scaling=pi|ntk|yarn changes nothing up to the training length L (poslab.max_length), so
those checkpoints are evaluated at EXTRAPOLATED = 16 > L = 10 tokens. The reference has no scaled
RoPE; scaled_rope_tables below writes it from the papers' formulas, with s = factor, or T / L when
the factor is dynamic (Peng et al. 2023, "YaRN", arXiv 2309.00071, §3.3):
  pi  (Chen et al. 2023, "Extending Context Window of Large Language Models via Positional
       Interpolation", arXiv 2306.15595): position m turns as m / s did, i.e. theta'_k = theta_k / s;
  ntk (bloc97 2023, "NTK-aware scaled RoPE", as YaRN §3.1 writes it): base' = base * s^(D / (D - 2));
  yarn (YaRN §3.2 "NTK-by-parts" and §3.4): r_k = L / lambda_k = L theta_k / (2 pi) rotations over L,
       gamma(r) = 0 for r < alpha, 1 for r > beta, (r - alpha) / (beta - alpha) between;
       theta'_k = (1 - gamma(r_k)) theta_k / s + gamma(r_k) theta_k; and the attention temperature
       sqrt(1/t) = 0.1 ln(s) + 1 multiplies queries and keys (cos and sin), so q.k is divided by t.

The checkpoints come from PosLab (generate them, then run this script):
  POSLAB_WRITE_CHECKPOINT_FIXTURES=1 swift test -c release --filter CheckpointFixtureTests
  pip install safetensors torch==2.13.0+cpu && python3 Scripts/make_checkpoint_fixture.py
The JSON fixtures are deterministic (rerunning produces the same bytes); python_written.safetensors
holds the same tensors every time, but safetensors writes its metadata keys in hash-map order.
"""

import json
import math
import os
import re
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_parity_fixture as ref  # noqa: E402  (the reference model)
import make_encoding_parity_fixture as enc  # noqa: E402  (PyTorch forms of the other encodings)
import model_card as card  # noqa: E402  (the conventions of docs/model-card.md)

GENERATOR = "Scripts/make_checkpoint_fixture.py"
FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "PosLabModelTests", "Fixtures"))
CHECKPOINTS = os.path.join(FIXTURES, "checkpoints")
MODES = ("bidirectional", "causal")
# (file stem, reference encoding): one checkpoint per built-in encoding and attention mode it supports.
# The first fourteen come first, so their random inputs (and fixture entries) stay as they were.
CASES = [(f"{name}-{mode}", reference)
         for name, reference in [("none", "none"), ("learned", "learned"), ("sinusoidal", "sinusoidal"),
                                 ("relative-bias", "relative-bias"), ("alibi", "alibi"), ("rope", "rope"),
                                 ("randomized-learned", "learned")]
         for mode in MODES]
CASES += [(f"{name}-{mode}", reference)
          for name, reference in [("kerple", "kerple"), ("kerple-power", "kerple-power"), ("alibi-asym", "alibi-asym"),
                                  ("fire", "fire"), ("shaw", "shaw"), ("xpos", "xpos"), ("cope", "cope"),
                                  ("rope-pi", "rope-scaled"), ("rope-ntk", "rope-scaled"), ("rope-yarn", "rope-scaled")]
          for mode in MODES if mode == "causal" or reference not in enc.CAUSAL_ONLY]
# abacus (McLeish et al. 2024) at evaluation, over positions 0..T-1: no offset, so position p reads
# row p of its table, the reference's learned-table form.
CASES += [(f"abacus-{mode}", "abacus") for mode in MODES]
BATCH = 3
EXTRAPOLATED = 16  # the length scaled RoPE is evaluated at (beyond the training length, where it acts)
LINEAR = ("attn.qkv", "attn.out", "mlp.fc1", "mlp.fc2")


def reference_parameters(tensors, layers):
    """The reference's parameters (keyed by PosLab's labels, linear weights (in, out)) from a checkpoint's tensors."""
    params = {"token_embedding": tensors["token_embedding.weight"]}
    for i in range(layers):
        b, p = f"blocks.{i}.", f"block{i}."
        for ln in ("ln1", "ln2"):
            params[p + ln + ".gain"] = tensors[b + ln + ".weight"]
            params[p + ln + ".bias"] = tensors[b + ln + ".bias"]
        for name, (w, bias) in zip(LINEAR, [("attn.wqkv", "attn.bqkv"), ("attn.wo", "attn.bo"),
                                              ("mlp.w1", "mlp.b1"), ("mlp.w2", "mlp.b2")]):
            params[p + w] = card.from_checkpoint_linear(tensors[b + name + ".weight"])
            params[p + bias] = tensors[b + name + ".bias"]
    params["ln_final.gain"] = tensors["ln_final.weight"]
    params["ln_final.bias"] = tensors["ln_final.bias"]
    params["head.weight"] = card.from_checkpoint_linear(tensors["head.weight"])
    params["head.bias"] = tensors["head.bias"]
    expected = 1 + 12 * layers + 4  # embedding, 12 per block, final norm and head
    encoding = {k: v for k, v in tensors.items() if k.startswith("encoding.")}
    assert len(tensors) == expected + len(encoding), sorted(tensors)
    return params, encoding


def encoding_tensors(reference, layers, causal):
    """{checkpoint name: reference label} of an encoding's parameters (the names of CheckpointNames.swift:
    `encoding.` + the label after its first dot), for the encodings of make_encoding_parity_fixture.py."""
    if reference in ("kerple", "kerple-power"):
        return {"encoding.r1": "kerple.r1", "encoding.r2": "kerple.r2"}
    if reference == "alibi-asym":
        return {"encoding.left": "alibi-asym.left", **({} if causal else {"encoding.right": "alibi-asym.right"})}
    if reference == "fire":
        return {f"encoding.{n}": f"fire.{n}" for n in ("w1", "b1", "w2", "b2", "c", "threshold_multiplier")}
    if reference == "shaw":
        return {f"encoding.keys.{i}": f"shaw.keys.{i}" for i in range(layers)}
    if reference == "cope":
        return {f"encoding.embeddings.{i}": f"cope.embeddings.{i}" for i in range(layers)}
    if reference in ("xpos", "rope-scaled"):
        return {}
    raise ValueError(reference)


def set_encoding_constants(reference, args):
    """The module constants make_encoding_parity_fixture.py's forms read, from the checkpoint's spec."""
    if reference in ("kerple", "kerple-power"):
        assert args["kind"] == ("log" if reference == "kerple" else "power"), args
    elif reference == "fire":
        assert args["activation"] == "gelu", args  # the reference's MLP uses GELU
        enc.FIRE_THRESHOLD = float(args["init_threshold"])
    elif reference == "shaw":
        enc.SHAW_K = int(args["max_distance"])
    elif reference == "xpos":
        assert float(args["base"]) == ref.ROPE_BASE, args
        enc.XPOS_SCALE = float(args["scale_base"])
    elif reference == "cope":
        enc.COPE_NPOS = int(args["npos"])


def scaled_rope_tables(length, head_dim, args, training_length):
    """cos and sin (T, D/2) of RoPE with scaling=pi|ntk|yarn (see the module docstring), times YaRN's
    sqrt(1/t), in float64 then cast to float32; plain RoPE up to the training length."""
    d, half = head_dim, head_dim // 2
    base = float(args.get("base", ref.ROPE_BASE))
    k = torch.arange(half, dtype=torch.float64)
    theta = base ** (-2.0 * k / d)
    magnitude = 1.0
    if length > training_length:
        factor = args.get("factor", "dynamic")
        s = length / training_length if factor == "dynamic" else float(factor)
        scaling = args["scaling"]
        if scaling == "pi":
            theta = theta / s
        elif scaling == "ntk":
            theta = (base * s ** (d / (d - 2))) ** (-2.0 * k / d)
        elif scaling == "yarn":
            alpha, beta = float(args["alpha"]), float(args["beta"])
            r = training_length * theta / (2 * math.pi)
            gamma = ((r - alpha) / (beta - alpha)).clamp(0, 1)
            theta = (1 - gamma) * theta / s + gamma * theta
            magnitude = 0.1 * math.log(s) + 1
        else:
            raise ValueError(scaling)
    angle = torch.arange(length, dtype=torch.float64)[:, None] * theta[None, :]
    return (magnitude * torch.cos(angle)).to(torch.float32), (magnitude * torch.sin(angle)).to(torch.float32)


def spec_arguments(spec):
    """`name(a=1;b=2)` -> {"a": "1", "b": "2"} (top level only)."""
    match = re.fullmatch(r"[\w-]+\((.*)\)", spec)
    if not match:
        return {}
    parts, depth, current = [], 0, ""
    for ch in match.group(1):
        depth += ch == "("
        depth -= ch == ")"
        if ch == ";" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return dict(part.split("=", 1) for part in parts)


def run_reference(params, ids, encoding, causal, d_model, heads, **hooks):
    """The reference's logits and, per layer, its attention weights (the softmax outputs of its forward);
    `hooks`: extra_bias, qk_transform, score_term of ref.forward."""
    recorded, softmax = [], torch.softmax

    def recording_softmax(*args, **kwargs):
        out = softmax(*args, **kwargs)
        recorded.append(out)
        return out

    torch.softmax = recording_softmax
    try:
        logits = ref.forward(params, ids, encoding, causal, d_model=d_model, heads=heads, **hooks)
    finally:
        torch.softmax = softmax
    return logits, recorded


def checkpoint_case(stem, encoding, generator):
    path = os.path.join(CHECKPOINTS, stem + ".safetensors")
    tensors = load_file(path)
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    assert meta["poslab.linear_layout"] == card.checkpoint_linear_layout() and meta["poslab.format"] == "1", meta
    layers, d_model, heads = int(meta["poslab.layers"]), int(meta["poslab.d_model"]), int(meta["poslab.heads"])
    length, vocab, causal = int(meta["poslab.max_length"]), int(meta["poslab.vocab_size"]), meta["poslab.attention"] == "causal"
    spec = meta["poslab.encoding"]
    ref.LAYERS = layers
    params, extra = reference_parameters(tensors, layers)
    training_length = length
    if encoding == "rope-scaled":
        length = EXTRAPOLATED
        assert length > training_length
    ids = torch.randint(0, vocab, (BATCH, length), generator=generator)
    positions = None
    hooks = {}
    if encoding == "learned":
        table = extra["encoding.table"]
        if spec.startswith("randomized"):
            span = int(spec_arguments(spec)["max_length"])
            positions = sorted(torch.randperm(span, generator=generator)[:length].tolist())
            table = table[positions]
        params["learned.table"] = table
    elif encoding == "abacus":
        params["learned.table"] = extra["encoding.table"][:length]
        encoding = "learned"
    elif encoding == "relative-bias":
        args = spec_arguments(spec)
        ref.RB_BUCKETS, ref.RB_MAX_DISTANCE = int(args["buckets"]), int(args["max_distance"])
        params["relative-bias.table"] = extra["encoding.table"]
    elif encoding in ("none", "sinusoidal", "alibi", "rope"):
        assert not extra, (stem, sorted(extra))
    else:
        names = encoding_tensors(encoding, layers, causal)
        assert set(extra) == set(names), (stem, sorted(extra), sorted(names))
        own = {label: extra[name] for name, label in names.items()}
        args = spec_arguments(spec)
        if encoding == "rope-scaled":
            cos, sin = scaled_rope_tables(length, d_model // heads, args, training_length)
            hooks["qk_transform"] = lambda q, k, layer: (ref.apply_rope(q, cos, sin), ref.apply_rope(k, cos, sin))
        else:
            set_encoding_constants(encoding, args)
            qk_transform, score_term = enc.query_key_functions(encoding, own)
            if qk_transform or score_term:
                hooks = {"qk_transform": qk_transform, "score_term": score_term}
            else:
                hooks["extra_bias"] = enc.bias_function(encoding, own, causal)
        encoding = "none"
    with torch.no_grad():
        logits, maps = run_reference(params, ids, encoding, causal, d_model, heads, **hooks)
    assert len(maps) == layers
    return {
        "file": f"checkpoints/{stem}.safetensors",
        "encoding": spec,
        "attention": meta["poslab.attention"],
        "batch": BATCH,
        "length": length,
        "ids": ids.reshape(-1).tolist(),
        "positions": positions,
        "logits": ref.floats(logits),
        "attention_maps": [ref.floats(m) for m in maps],
    }


def python_written(path):
    """A small safetensors file written by the safetensors package, and every value's bit pattern."""
    g = torch.Generator().manual_seed(0)
    tensors = {
        "model.layer.weight": torch.arange(12, dtype=torch.float32).reshape(3, 4) / 7 - 0.5,
        "awkward": torch.tensor([-0.0, 1e-45, 1.1754942e-38, 3.4028235e38, -float("inf"), float("inf"),
                                 float("nan"), 1.0, -1.5], dtype=torch.float32),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
        "cube": torch.randn(2, 3, 4, generator=g, dtype=torch.float32),
    }
    metadata = {"format": "pt", "note": "written by safetensors.torch.save_file, ünïcode ✓", "empty": ""}
    save_file(tensors, path, metadata=metadata)
    return {
        "generator": GENERATOR,
        "metadata": metadata,
        "tensors": {name: {"shape": list(t.shape), "bits": t.reshape(-1).numpy().view(np.uint32).tolist()}
                    for name, t in tensors.items()},
    }


def main():
    torch.set_num_threads(1)
    import safetensors
    generator = torch.Generator().manual_seed(0)
    cases = [checkpoint_case(stem, encoding, generator) for stem, encoding in CASES]
    fixture = {"generator": GENERATOR, "torch_version": torch.__version__,
               "safetensors_version": safetensors.__version__, "cases": cases}
    out = os.path.join(FIXTURES, "checkpoint_logits.json")
    with open(out, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    written = python_written(os.path.join(FIXTURES, "python_written.safetensors"))
    with open(os.path.join(FIXTURES, "python_written.json"), "w") as f:
        json.dump(written, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    print(f"wrote {out}: {len(cases)} checkpoints read by safetensors {safetensors.__version__}, "
          f"torch {torch.__version__}; and python_written.safetensors")


if __name__ == "__main__":
    main()
