#!/usr/bin/env python3
"""PyTorch reference for PosLab's training-speed benchmark.

Trains the PosLab transformer (token embedding, positional encoding, pre-LN blocks with a fused
qkv projection, 4x GELU MLP, final layer norm, linear head) with torch.optim.Adam(lr=1e-3) on
random token batches and measures training steps per second. Targets are the reversed input ids
and the loss is the masked mean cross-entropy with an all-ones mask, as in PosLab.

Attention is written out explicitly (scores, optional bias, causal mask, softmax, matmul) rather
than with torch's fused scaled_dot_product_attention, so the work matches PosLab's model op for op.

With --eval-length N it measures forward-only evaluation instead (torch.no_grad, logits and their
cross-entropy, as PosLab's evaluation): tokens/s over batches of max(1, 16384 // N) sequences of
N tokens, attention through torch's F.scaled_dot_product_attention (its fused CPU kernel), and the
peak resident set of the process (ru_maxrss) in the summary.

Prints one JSON line on stdout, e.g.
  {"framework": "pytorch", "torch": "2.13.0+cpu", "encoding": "none", "config": {...},
   "threads": 1, "steps_per_sec_median": ..., "steps_per_sec_all": [...], "tokens_per_sec_median": ...}
"""

import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def t5_bucket(relative, bidirectional, num_buckets, max_distance):
    """T5's `_relative_position_bucket` (HF transformers style) for relative = key - query."""
    n = -relative
    if bidirectional:
        num_buckets //= 2
        ret = (n < 0).to(torch.long) * num_buckets
        n = n.abs()
    else:
        ret = torch.zeros_like(n)
        n = torch.clamp(n, min=0)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    safe_n = torch.clamp(n, min=max_exact)
    large = max_exact + (
        torch.log(safe_n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).to(torch.long)
    large = torch.clamp(large, max=num_buckets - 1)
    return ret + torch.where(is_small, n, large)


def sinusoidal_table(rows, width):
    """Interleaved sin/cos table (sin in even columns), computed in float64, returned as float32."""
    positions = torch.arange(rows, dtype=torch.float64)[:, None]
    i = torch.arange(width, dtype=torch.float64)[None, :] // 2
    angle = positions / torch.pow(torch.tensor(10000.0, dtype=torch.float64), 2 * i / width)
    even = (torch.arange(width) % 2 == 0)[None, :]
    return torch.where(even, torch.sin(angle), torch.cos(angle)).to(torch.float32)


class Block(nn.Module):
    def __init__(self, d_model, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d_model, eps=1e-5)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model, eps=1e-5)
        self.fc1 = nn.Linear(d_model, 4 * d_model)
        self.fc2 = nn.Linear(4 * d_model, d_model)

    def forward(self, x, bias, causal_mask, sdpa=False):
        b, t, c = x.shape
        h, d = self.heads, c // self.heads
        q, k, v = self.qkv(self.ln1(x)).split(c, dim=-1)
        q, k, v = (z.reshape(b, t, h, d).transpose(1, 2) for z in (q, k, v))
        if sdpa:  # evaluation: torch's fused attention (bias as a float mask; is_causal without one)
            mask = bias
            if bias is not None and causal_mask is not None:
                mask = bias.masked_fill(causal_mask, float("-inf"))
            a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                               is_causal=causal_mask is not None and bias is None)
            a = a.transpose(1, 2).reshape(b, t, c)
            x = x + self.out(a)
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))
        scores = q @ k.transpose(-1, -2) * (1.0 / math.sqrt(d))
        if bias is not None:
            scores = scores + bias
        if causal_mask is not None:
            scores = scores.masked_fill(causal_mask, float("-inf"))
        a = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.out(a)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Model(nn.Module):
    def __init__(self, vocab, d_model, layers, heads, length, encoding, causal,
                 learned_size=None, buckets=32, max_distance=128):
        super().__init__()
        self.encoding = encoding
        self.causal = causal
        self.buckets, self.max_distance = buckets, max_distance
        self.embed = nn.Embedding(vocab, d_model)
        if encoding == "learned":
            self.learned = nn.Parameter(torch.randn(learned_size or length, d_model))  # N(0, 1), as PosLab
        elif encoding == "relative-bias":
            self.rel = nn.Parameter(torch.randn(buckets, heads) / math.sqrt(d_model))  # shared by all layers
        elif encoding == "sinusoidal":
            self.register_buffer("pe", sinusoidal_table(length, d_model), persistent=False)
        self.blocks = nn.ModuleList(Block(d_model, heads) for _ in range(layers))
        self.ln_final = nn.LayerNorm(d_model, eps=1e-5)
        self.head = nn.Linear(d_model, vocab)

    def forward(self, ids, sdpa=False):
        t = ids.shape[1]
        positions = torch.arange(t, device=ids.device)
        x = self.embed(ids)
        if self.encoding == "learned":
            x = x + self.learned[positions]
        elif self.encoding == "sinusoidal":
            x = x + self.pe[positions]
        bias = None
        if self.encoding == "relative-bias":
            # Recomputed every step (like PosLab, which rebuilds the bias from the table each forward).
            buckets = t5_bucket(positions[None, :] - positions[:, None], not self.causal,
                                self.buckets, self.max_distance)
            bias = self.rel[buckets].permute(2, 0, 1)  # (H, T, T)
        causal_mask = None
        if self.causal and not (sdpa and bias is None):  # SDPA's is_causal needs no (T, T) mask
            causal_mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        elif self.causal:
            causal_mask = True  # a marker: SDPA masks by is_causal
        for block in self.blocks:
            x = block(x, bias, causal_mask, sdpa=sdpa)
        return self.head(self.ln_final(x))


@torch.no_grad()
def generate(model, prompts, steps):
    """Greedy decoding with a key/value cache, as a PyTorch user writes it: the prompt in one forward
    pass that fills each block's keys and values, then one token at a time attending to the cache.
    Returns the (B, steps) generated ids."""
    b, p = prompts.shape
    total = p + steps
    c = model.embed.embedding_dim
    positions = torch.arange(total)
    bias = None
    if model.encoding == "relative-bias":
        buckets = t5_bucket(positions[None, :] - positions[:, None], False, model.buckets, model.max_distance)
        bias = model.rel[buckets].permute(2, 0, 1)  # (H, total, total)

    def embed(ids, at):
        x = model.embed(ids)
        if model.encoding == "learned":
            x = x + model.learned[at]
        elif model.encoding == "sinusoidal":
            x = x + model.pe[at]
        return x

    heads = model.blocks[0].heads
    d = c // heads
    keys = [torch.zeros(b, heads, total, d) for _ in model.blocks]
    values = [torch.zeros(b, heads, total, d) for _ in model.blocks]

    def run(x, start):  # x (B, t, C) at positions start ..< start + t; fills and reads the caches
        t = x.shape[1]
        end = start + t
        for block, kc, vc in zip(model.blocks, keys, values):
            q, k, v = block.qkv(block.ln1(x)).split(c, dim=-1)
            q, k, v = (z.reshape(b, t, heads, d).transpose(1, 2) for z in (q, k, v))
            kc[:, :, start:end] = k
            vc[:, :, start:end] = v
            scores = q @ kc[:, :, :end].transpose(-1, -2) * (1.0 / math.sqrt(d))
            if bias is not None:
                scores = scores + bias[:, start:end, :end]
            if t > 1:
                scores = scores.masked_fill(torch.triu(torch.ones(t, end, dtype=torch.bool), diagonal=start + 1), float("-inf"))
            a = (torch.softmax(scores, dim=-1) @ vc[:, :, :end]).transpose(1, 2).reshape(b, t, c)
            x = x + block.out(a)
            x = x + block.fc2(F.gelu(block.fc1(block.ln2(x))))
        return model.head(model.ln_final(x[:, -1:]))  # (B, 1, V)

    out = []
    nxt = run(embed(prompts, positions[:p]), 0).argmax(-1)  # (B, 1)
    out.append(nxt)
    for s in range(steps - 1):
        nxt = run(embed(nxt, positions[p + s:p + s + 1]), p + s).argmax(-1)
        out.append(nxt)
    return torch.cat(out, dim=1)


def main():
    parser = argparse.ArgumentParser(description="PyTorch reference training-speed benchmark for PosLab")
    parser.add_argument("--vocab", type=int, default=16)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--length", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--encoding", default="none", choices=["none", "learned", "sinusoidal", "relative-bias"])
    parser.add_argument("--attention", default="bidirectional", choices=["bidirectional", "causal"])
    parser.add_argument("--steps", type=int, default=100, help="timed steps per repeat")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps before the repeats")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--generate", action="store_true",
                        help="time greedy generation with a key/value cache (generated tokens/s) instead of training")
    parser.add_argument("--prompt-length", type=int, default=None, help="with --generate: prompt tokens (default length/2)")
    parser.add_argument("--eval-length", type=int, default=None,
                        help="time forward-only evaluation at this length (tokens/s, torch.no_grad, "
                             "F.scaled_dot_product_attention) instead of training")
    parser.add_argument("--serve", action="store_true",
                        help="after the warm-up print {\"ready\": true}, then time one repeat per line read on stdin "
                             "(printing {\"rate\": steps/s}) until stdin closes: lets a caller interleave its own "
                             "repeats with these on a noisy machine")
    args = parser.parse_args()
    if args.d_model % args.heads:
        parser.error("--d-model must be divisible by --heads")
    if args.encoding == "sinusoidal" and args.d_model % 2:
        parser.error("sinusoidal needs an even --d-model")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = Model(args.vocab, args.d_model, args.layers, args.heads, args.length, args.encoding,
                  causal=(args.attention == "causal"))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(args.seed + 1)

    def step():
        ids = torch.randint(0, args.vocab, (args.batch, args.length), generator=generator)
        targets = ids.flip(1)
        mask = torch.ones(args.batch, args.length)
        logits = model(ids)
        per_token = F.cross_entropy(logits.reshape(-1, args.vocab), targets.reshape(-1), reduction="none")
        loss = (per_token * mask.reshape(-1)).sum() / mask.sum()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss

    def repeat():
        start = time.perf_counter()
        for _ in range(args.steps):
            last = step()
        return args.steps / (time.perf_counter() - start), last

    if args.generate:
        args.attention = "causal"
        model.causal = True
        prompt = args.prompt_length or args.length // 2
        prompts = torch.randint(0, args.vocab, (args.batch, prompt), generator=generator)
        generated = args.length - prompt

        def step():  # one generation of the whole batch; the "loss" slot carries 0
            generate(model, prompts, generated)
            return torch.tensor(0.0)

        def repeat():
            start = time.perf_counter()
            for _ in range(args.steps):
                last = step()
            return args.steps * args.batch * generated / (time.perf_counter() - start), last

    if args.eval_length:
        te = args.eval_length
        model.eval()
        if args.encoding == "sinusoidal":
            model.pe = sinusoidal_table(max(te, args.length), args.d_model)
        eval_batch = max(1, 16384 // te)

        @torch.no_grad()
        def step():  # one evaluation chunk, as PosLab's trainer evaluates: logits, then their cross-entropy
            ids = torch.randint(0, args.vocab, (eval_batch, te), generator=generator)
            logits = model(ids, sdpa=True)
            return F.cross_entropy(logits.reshape(-1, args.vocab), ids.reshape(-1))

        def repeat():
            start = time.perf_counter()
            for _ in range(args.steps):
                last = step()
            return args.steps * eval_batch * te / (time.perf_counter() - start), last

    for _ in range(args.warmup):
        loss = step()
    rates = []
    if args.serve:
        print(json.dumps({"ready": True}), flush=True)
        for _ in sys.stdin:
            rate, loss = repeat()
            rates.append(rate)
            print(json.dumps({"rate": round(rate, 3)}), flush=True)
        if not rates:
            raise SystemExit("no repeat was asked for")
    else:
        for _ in range(args.repeats):
            rate, loss = repeat()
            rates.append(rate)
    if not math.isfinite(loss.item()):
        raise SystemExit("loss diverged")

    median = statistics.median(rates)
    if args.eval_length:
        import resource
        print(json.dumps({
            "framework": "pytorch", "torch": torch.__version__, "encoding": args.encoding, "attention": args.attention,
            "eval_length": args.eval_length, "eval_batch": max(1, 16384 // args.eval_length), "threads": args.threads,
            "tokens_per_sec_median": round(median, 1), "tokens_per_sec_all": [round(r, 1) for r in rates],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "final_loss": round(loss.item(), 4),
        }))
        return
    print(json.dumps({
        "framework": "pytorch",
        "torch": torch.__version__,
        "encoding": args.encoding,
        "attention": args.attention,
        "config": {"vocab_size": args.vocab, "d_model": args.d_model, "layers": args.layers, "heads": args.heads,
                   "length": args.length, "batch": args.batch, "steps": args.steps, "warmup": args.warmup,
                   "repeats": len(rates)},
        "threads": args.threads,
        "steps_per_sec_median": round(median, 3),
        "steps_per_sec_all": [round(r, 3) for r in rates],
        "tokens_per_sec_median": round(median * args.batch * args.length, 1),
        "final_loss": round(loss.item(), 4),
    }))


if __name__ == "__main__":
    main()
