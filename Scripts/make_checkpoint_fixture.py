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
transposed here into the reference's (in, out). The reference reads a few module constants
(LAYERS, RB_BUCKETS, RB_MAX_DISTANCE); they are set from each checkpoint's metadata.

randomized(learned) is checked at random positions: the reference always uses positions 0..T-1, so
it gets the learned table's rows at the chosen positions, in order (the same sum at every position).
The attention weights are the reference's own: the one torch.softmax call per layer of its forward
pass is recorded while it runs.

The checkpoints come from PosLab (generate them, then run this script):
  POSLAB_WRITE_CHECKPOINT_FIXTURES=1 swift test -c release --filter CheckpointFixtureTests
  pip install safetensors torch==2.13.0+cpu && python3 Scripts/make_checkpoint_fixture.py
The JSON fixtures are deterministic (rerunning produces the same bytes); python_written.safetensors
holds the same tensors every time, but safetensors writes its metadata keys in hash-map order.
"""

import json
import os
import re
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_parity_fixture as ref  # noqa: E402  (the reference model)

GENERATOR = "Scripts/make_checkpoint_fixture.py"
FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "PosLabModelTests", "Fixtures"))
CHECKPOINTS = os.path.join(FIXTURES, "checkpoints")
# (file stem, reference encoding): one checkpoint per built-in encoding and attention mode.
CASES = [(f"{name}-{mode}", reference)
         for name, reference in [("none", "none"), ("learned", "learned"), ("sinusoidal", "sinusoidal"),
                                 ("relative-bias", "relative-bias"), ("alibi", "alibi"), ("rope", "rope"),
                                 ("randomized-learned", "learned")]
         for mode in ("bidirectional", "causal")]
BATCH = 3
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
            params[p + w] = tensors[b + name + ".weight"].t().contiguous()
            params[p + bias] = tensors[b + name + ".bias"]
    params["ln_final.gain"] = tensors["ln_final.weight"]
    params["ln_final.bias"] = tensors["ln_final.bias"]
    params["head.weight"] = tensors["head.weight"].t().contiguous()
    params["head.bias"] = tensors["head.bias"]
    expected = 1 + 12 * layers + 4  # embedding, 12 per block, final norm and head
    encoding = {k: v for k, v in tensors.items() if k.startswith("encoding.")}
    assert len(tensors) == expected + len(encoding), sorted(tensors)
    return params, encoding


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


def run_reference(params, ids, encoding, causal, d_model, heads):
    """The reference's logits and, per layer, its attention weights (the softmax outputs of its forward)."""
    recorded, softmax = [], torch.softmax

    def recording_softmax(*args, **kwargs):
        out = softmax(*args, **kwargs)
        recorded.append(out)
        return out

    torch.softmax = recording_softmax
    try:
        logits = ref.forward(params, ids, encoding, causal, d_model=d_model, heads=heads)
    finally:
        torch.softmax = softmax
    return logits, recorded


def checkpoint_case(stem, encoding, generator):
    path = os.path.join(CHECKPOINTS, stem + ".safetensors")
    tensors = load_file(path)
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    assert meta["poslab.linear_layout"] == "out_in" and meta["poslab.format"] == "1", meta
    layers, d_model, heads = int(meta["poslab.layers"]), int(meta["poslab.d_model"]), int(meta["poslab.heads"])
    length, vocab, causal = int(meta["poslab.max_length"]), int(meta["poslab.vocab_size"]), meta["poslab.attention"] == "causal"
    spec = meta["poslab.encoding"]
    ref.LAYERS = layers
    params, extra = reference_parameters(tensors, layers)
    ids = torch.randint(0, vocab, (BATCH, length), generator=generator)
    positions = None
    if encoding == "learned":
        table = extra["encoding.table"]
        if spec.startswith("randomized"):
            span = int(spec_arguments(spec)["max_length"])
            positions = sorted(torch.randperm(span, generator=generator)[:length].tolist())
            table = table[positions]
        params["learned.table"] = table
    elif encoding == "relative-bias":
        args = spec_arguments(spec)
        ref.RB_BUCKETS, ref.RB_MAX_DISTANCE = int(args["buckets"]), int(args["max_distance"])
        params["relative-bias.table"] = extra["encoding.table"]
    else:
        assert not extra, (stem, sorted(extra))
    with torch.no_grad():
        logits, maps = run_reference(params, ids, encoding, causal, d_model, heads)
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
