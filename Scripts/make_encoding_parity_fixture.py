#!/usr/bin/env python3
"""Generate Tests/PosLabModelTests/Fixtures/encoding_parity.json: the PyTorch reference for the
attention-bias encodings kerple (log and power), alibi-asym and fire, and the query-dependent
encodings shaw, xpos and cope, in the model of
Scripts/make_parity_fixture.py (imported: the same transformer, weights drawn the same way), each in
both attention modes. The cases have parity.json's format; PosLab must match their logits, loss and
every gradient (Tests/PosLabModelTests/EncodingParityTests.swift).

The biases, written from the papers' formulas (H, T, T), query i, key j, d = |i - j|:
  kerple (Chi et al. 2022): r1 = 0.01 + softplus(t1), r2 = 0.01 + softplus(t2) (log) or
    0.01 + 1.99 sigmoid(t2) (power); log: -r1 log(1 + r2 d); power: -r1 d^r2.
  alibi-asym: -exp(left_h) (i - j) for j < i, -exp(right_h) (j - i) for j > i (causal: left only).
  fire (Li et al. 2023, the paper's code with GELU): an MLP of
    log(|c (i - j)| + 1) / (log(|c max(i, L)| + 1) + 1e-6), L = |multiplier * init_threshold|.
And, acting on queries and keys (B, H, T, D):
  shaw (Shaw et al. 2018): scores += q_i . w[clip(j - i, K) + K] / sqrt(D), one table w (2K + 1, D) per layer.
  xpos (Sun et al. 2023, torchscale's XPOS with halves pairing): q rotated as RoPE and scaled by
    zeta_k^(n / s), k by zeta_k^(-n / s), zeta_k = (2k + 0.4 D) / (1.4 D), n = position - ceil(T / 2).
  cope (Golovneva et al. 2024, the paper's CoPE module; causal only): gates sigmoid of the scaled,
    masked logits, positions their reversed cumulative sum clamped to npos - 1, and
    q . e interpolated between floor and ceiling, one e (D, npos) per layer.

Usage: python3 Scripts/make_encoding_parity_fixture.py [--output PATH]   (deterministic output)
"""

import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_parity_fixture as ref  # noqa: E402  (the reference model)
import model_card as card  # noqa: E402  (the conventions of docs/model-card.md)

DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "PosLabModelTests", "Fixtures", "encoding_parity.json"
)
SEED = 2
FIRE_HIDDEN = 4
FIRE_THRESHOLD = 6.0  # below the length 10, so both sides of max(i, L) are exercised
SHAW_K = 3        # below the length 10, so clipping is exercised
XPOS_SCALE = 4.0  # a short decay length, so the decay matters at length 10
COPE_NPOS = 6     # below the length 10, so positions are clamped
SPECS = {"kerple": "kerple", "kerple-power": "kerple(kind=power)", "alibi-asym": "alibi-asym",
         "fire": f"fire(hidden={FIRE_HIDDEN}, init_threshold={int(FIRE_THRESHOLD)})",
         "shaw": f"shaw(max_distance={SHAW_K})", "xpos": f"xpos(scale_base={int(XPOS_SCALE)})", "cope": f"cope(npos={COPE_NPOS})"}
CAUSAL_ONLY = {"cope"}


def encoding_parameters(name, causal, generator, heads):
    """The encoding's own parameters, keyed by PosLab's labels."""
    def normal(*shape, std=1.0):
        return torch.randn(*shape, generator=generator, dtype=torch.float32) * std
    if name in ("kerple", "kerple-power"):
        return {"kerple.r1": normal(heads, std=0.7), "kerple.r2": normal(heads, std=0.7)}
    if name == "alibi-asym":
        base = torch.log(torch.tensor(ref.alibi_slopes(heads), dtype=torch.float32))
        params = {"alibi-asym.left": base + normal(heads, std=0.3)}
        if not causal:
            params["alibi-asym.right"] = base + normal(heads, std=0.3)
        return params
    if name == "fire":
        return {"fire.w1": normal(1, FIRE_HIDDEN), "fire.b1": normal(FIRE_HIDDEN, std=0.5),
                "fire.w2": normal(FIRE_HIDDEN, heads, std=0.5), "fire.b2": normal(heads, std=0.1),
                "fire.c": 0.1 + 0.05 * normal(1).abs(), "fire.threshold_multiplier": 1 + 0.1 * normal(1)}
    d = ref.D_MODEL // heads
    if name == "shaw":
        return {f"shaw.keys.{layer}": normal(2 * SHAW_K + 1, d) for layer in range(ref.LAYERS)}
    if name == "xpos":
        return {}
    if name == "cope":
        return {f"cope.embeddings.{layer}": normal(d, COPE_NPOS) for layer in range(ref.LAYERS)}
    raise ValueError(name)


def query_key_functions(name, params):
    """(qk_transform, score_term) for the reference model's forward."""
    if name == "shaw":
        def shaw(q, k, layer, causal):
            t, d = q.shape[-2], q.shape[-1]
            pos = torch.arange(t)
            rows = (pos[None, :] - pos[:, None]).clamp(-SHAW_K, SHAW_K) + SHAW_K  # [i, j]: clip(j - i) + K
            a = params[f"shaw.keys.{layer}"][rows]                                # (T, T, D)
            return torch.einsum("bhid,ijd->bhij", q, a) / math.sqrt(d)
        return None, shaw
    if name == "xpos":
        def xpos(q, k, layer):
            t, d = q.shape[-2], q.shape[-1]
            half = d // 2
            theta = torch.tensor([ref.ROPE_BASE ** (-2.0 * j / d) for j in range(half)], dtype=torch.float64)
            angle = torch.arange(t, dtype=torch.float64)[:, None] * theta[None, :]
            zeta = (torch.arange(0, d, 2, dtype=torch.float64) + 0.4 * d) / (1.4 * d)
            min_pos = -t // 2                                                     # torchscale: -(length) // 2
            n = torch.arange(min_pos, min_pos + t, dtype=torch.float64)
            up = zeta[None, :] ** (n[:, None] / XPOS_SCALE)                       # (T, D/2)
            cos, sin = torch.cos(angle), torch.sin(angle)
            f = lambda x: x.to(torch.float32)
            return ref.apply_rope(q, f(cos * up), f(sin * up)), ref.apply_rope(k, f(cos / up), f(sin / up))
        return xpos, None
    if name == "cope":
        def cope(q, k, layer, causal):
            assert causal
            t, d = q.shape[-2], q.shape[-1]
            future = card.future_mask(t)
            logits = (q @ k.transpose(-1, -2) / math.sqrt(d)).masked_fill(future, float("-inf"))
            gates = torch.sigmoid(logits)
            pos = gates.flip(-1).cumsum(dim=-1).flip(-1).clamp(max=COPE_NPOS - 1)
            pos_ceil, pos_floor = pos.ceil().long(), pos.floor().long()
            logits_int = q @ params[f"cope.embeddings.{layer}"]                   # (B, H, T, npos)
            w = pos - pos_floor
            return logits_int.gather(-1, pos_ceil) * w + logits_int.gather(-1, pos_floor) * (1 - w)
        return None, cope
    return None, None


def bias_function(name, params, causal):
    def bias(t, h):
        pos = torch.arange(t, dtype=torch.float32)
        signed = pos[None, :] - pos[:, None]  # [i, j] = j - i
        d = signed.abs()
        if name in ("kerple", "kerple-power"):
            r1 = 0.01 + F.softplus(params["kerple.r1"])
            if name == "kerple":
                r2 = 0.01 + F.softplus(params["kerple.r2"])
                return -r1[:, None, None] * torch.log(1 + r2[:, None, None] * d)
            r2 = 0.01 + 1.99 * torch.sigmoid(params["kerple.r2"])
            return -r1[:, None, None] * torch.pow(d, r2[:, None, None])
        if name == "alibi-asym":
            left = torch.exp(params["alibi-asym.left"])[:, None, None] * torch.clamp(-signed, min=0)
            if causal:
                return -left
            return -(left + torch.exp(params["alibi-asym.right"])[:, None, None] * torch.clamp(signed, min=0))
        if name == "fire":
            c = params["fire.c"]
            threshold = torch.abs(params["fire.threshold_multiplier"] * FIRE_THRESHOLD)
            normalizer = torch.max(pos, threshold)[:, None]
            x = torch.log(torch.abs(c * (pos[:, None] - pos[None, :])) + 1) / (torch.log(torch.abs(c * normalizer) + 1) + 1e-6)
            hidden = card.gelu(x[..., None] @ params["fire.w1"] + params["fire.b1"])
            return (hidden @ params["fire.w2"] + params["fire.b2"]).permute(2, 0, 1)
        raise ValueError(name)
    return bias


def make_case(name, mode, generator):
    causal = mode == "causal"
    b, t, heads = ref.BATCH, ref.LENGTH, ref.HEADS
    ids = torch.randint(0, ref.VOCAB, (b, t), generator=generator)
    targets = torch.randint(0, ref.VOCAB, (b, t), generator=generator)
    mask = torch.randint(0, 2, (b, t), generator=generator).to(torch.float32)
    if mask.sum() == 0:
        mask[0, 0] = 1.0
    params = ref.make_parameters("none", generator)
    own = encoding_parameters(name, causal, generator, heads)
    for tensor in own.values():
        tensor.requires_grad_(True)
    params.update(own)
    qk_transform, score_term = query_key_functions(name, params)
    bias = None if qk_transform or score_term else bias_function(name, params, causal)
    logits = ref.forward(params, ids, "none", causal, extra_bias=bias, qk_transform=qk_transform, score_term=score_term)
    loss = ref.masked_loss(logits, targets, mask)
    loss.backward()
    assert torch.isfinite(loss), (name, mode)
    assert all(torch.isfinite(p.grad).all() for p in params.values()), (name, mode)
    return {
        "encoding": name, "spec": SPECS[name], "attention": mode,
        "config": {"vocab_size": ref.VOCAB, "d_model": ref.D_MODEL, "layers": ref.LAYERS, "heads": heads, "max_length": t},
        "batch": b, "length": t,
        "ids": ids.reshape(-1).tolist(), "targets": targets.reshape(-1).tolist(), "mask": ref.floats(mask),
        "parameters": {label: {"shape": list(p.shape), "values": ref.floats(p)} for label, p in params.items()},
        "logits": ref.floats(logits), "loss": ref.floats(loss)[0],
        "gradients": {label: ref.floats(p.grad) for label, p in params.items()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(SEED)
    cases = [make_case(name, mode, generator) for name in SPECS for mode in ref.MODES
             if mode == "causal" or name not in CAUSAL_ONLY]
    fixture = {"generator": "Scripts/make_encoding_parity_fixture.py", "torch_version": torch.__version__, "cases": cases}
    output = os.path.normpath(args.output)
    with open(output, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    losses = ", ".join(f"{c['spec']}/{c['attention'][0]}={c['loss']:.4f}" for c in cases)
    print(f"wrote {output} ({os.path.getsize(output)} bytes): {len(cases)} cases, torch {torch.__version__}; losses {losses}")


if __name__ == "__main__":
    main()
