/// One pre-LayerNorm transformer block: x + Attention(LN(x)), then x + MLP(LN(x)).
///
/// Weights are stored (in, out), so a layer computes x·W + b (PyTorch's `nn.Linear` stores Wᵀ).
public final class TransformerBlock {
    /// Layer norms before attention and before the MLP.
    public let ln1Gain: Tensor, ln1Bias: Tensor, ln2Gain: Tensor, ln2Bias: Tensor
    /// The fused query|key|value projection (C, 3C) and its bias (3C).
    public let wqkv: Tensor, bqkv: Tensor
    /// The attention output projection (C, C) and its bias.
    public let wo: Tensor, bo: Tensor
    /// The MLP: C → 4C (GELU) → C.
    public let w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor

    /// Draws the block's weights from `rng` in a fixed order (see `Tensor.gaussian` for the scheme).
    init(index: Int, config: ModelConfig, rng: RandomGenerator) {
        let c = config.dModel, hidden = 4 * c, p = "block\(index)."
        let residualScale = 1 / Float(2 * config.layers).squareRoot()
        ln1Gain = .filled([c], value: 1, label: p + "ln1.gain")
        ln1Bias = .filled([c], value: 0, label: p + "ln1.bias")
        wqkv = .gaussian([c, 3 * c], std: 1 / Float(c).squareRoot(), rng: rng, label: p + "attn.wqkv")
        bqkv = .filled([3 * c], value: 0, label: p + "attn.bqkv")
        wo = .gaussian([c, c], std: residualScale / Float(c).squareRoot(), rng: rng, label: p + "attn.wo")
        bo = .filled([c], value: 0, label: p + "attn.bo")
        ln2Gain = .filled([c], value: 1, label: p + "ln2.gain")
        ln2Bias = .filled([c], value: 0, label: p + "ln2.bias")
        w1 = .gaussian([c, hidden], std: 1 / Float(c).squareRoot(), rng: rng, label: p + "mlp.w1")
        b1 = .filled([hidden], value: 0, label: p + "mlp.b1")
        w2 = .gaussian([hidden, c], std: residualScale / Float(hidden).squareRoot(), rng: rng, label: p + "mlp.w2")
        b2 = .filled([c], value: 0, label: p + "mlp.b2")
    }

    /// The block's tensors in a fixed order.
    public var parameters: [Tensor] { [ln1Gain, ln1Bias, wqkv, bqkv, wo, bo, ln2Gain, ln2Bias, w1, b1, w2, b2] }

    /// x (B, T, C) → (B, T, C); the encoding's attention hooks are called with `context`. With
    /// `blocks`, attention runs in blocks of queries and keys (forward only, memory linear in T;
    /// see `blockedAttention`), asking the encoding for its block hooks instead of the full ones.
    func callAsFunction(_ x: Tensor, context: HookContext, encoding: any PositionalEncoding,
                        blocks: AttentionBlocks? = nil) throws -> Tensor {
        let heads = context.heads
        // Attention.
        let h = layerNorm(x, gamma: ln1Gain, beta: ln1Bias)                            // (B, T, C)
        let qkv = linear(h, wqkv, bqkv)                                                 // (B, T, 3C)
        let scale = 1 / Float(context.headDim).squareRoot()
        let mixed: Tensor
        if let blocks {
            mixed = try blockedMix(qkv, context: context, encoding: encoding, blocks: blocks)
        } else {
            let (queries, keys, q, k, term) = try attentionInputs(qkv, context: context, encoding: encoding)
            // softmax(q·kᵀ/√d + term, causal mask)·v, heads merged back: (B, T, C). When the encoding
            // leaves queries and keys alone, attention reads all three from qkv in place: the head
            // copies made for the hooks pass a gradient only through a score term that used them.
            mixed = q === queries && k === keys
                ? attention(qkv: qkv, heads: heads, scale: scale, bias: term, causal: context.causal)
                : attention(q, k, PosLabEngine.heads(of: qkv, part: 2, heads: heads), scale: scale, bias: term, causal: context.causal)
        }
        let x = x + linear(mixed, wo, bo)
        // MLP.
        let h2 = layerNorm(x, gamma: ln2Gain, beta: ln2Bias)
        return x + linear(gelu(linear(h2, w1, b1)), w2, b2)                             // (B, T, C)
    }

    /// The heads of `qkv` (B, T, 3C) as split (B, H, T, D), as the encoding transforms them, and the
    /// additive term of the attention scores — the bias hook's plus the score hook's — each checked.
    func attentionInputs(_ qkv: Tensor, context: HookContext, encoding: any PositionalEncoding) throws
        -> (queries: Tensor, keys: Tensor, q: Tensor, k: Tensor, term: Tensor?) {
        let (b, h, t, d) = (context.batch, context.heads, context.length, context.headDim)
        let queries = PosLabEngine.heads(of: qkv, part: 0, heads: h)                    // (B, H, T, D)
        let keys = PosLabEngine.heads(of: qkv, part: 1, heads: h)
        let (q, k) = encoding.transformQueriesKeys(queries, keys, context: context)
        for (name, y) in [("transformQueriesKeys (queries)", q), ("transformQueriesKeys (keys)", k)] where y.shape != [b, h, t, d] {
            throw HookError(encoding: encoding.fullName, hook: name, got: y.shape, expected: "\([b, h, t, d])")
        }
        var bias = encoding.attentionBias(context: context)                            // its shapes: `allowed` below
        if let given = bias {
            let shared = context.positions.isShared
            let allowed = shared ? [[t, t], [h, t, t], [1, h, t, t]] + (b > 1 ? [[b, h, t, t]] : []) : [[b, t, t], [b, h, t, t]]
            guard allowed.contains(given.shape) else {
                throw HookError(encoding: encoding.fullName, hook: "attentionBias", got: given.shape,
                                expected: allowed.map { "\($0)" }.joined(separator: " or "))
            }
            if !shared && given.shape.count == 3 { bias = given.reshaped([b, 1, t, t]) }  // one bias per sequence
        }
        let scores = encoding.attentionScores(q, k, context: context)                  // (B, H, T, T)
        if let scores, scores.shape != [b, h, t, t] {
            throw HookError(encoding: encoding.fullName, hook: "attentionScores", got: scores.shape, expected: "\([b, h, t, t])")
        }
        switch (bias, scores) {
        case let (bias?, scores?): return (queries, keys, q, k, scores + bias)
        case let (bias, scores): return (queries, keys, q, k, bias ?? scores)
        }
    }

    /// Attention of `qkv` (B, T, 3C) in blocks, heads merged: (B, T, C). The same hooks as
    /// `attentionInputs`, but the bias and score terms are asked for one block of queries at a time
    /// (`attentionBias(queries:keys:context:)`, `attentionScores(_:_:queries:keys:context:)`), each checked.
    func blockedMix(_ qkv: Tensor, context: HookContext, encoding: any PositionalEncoding, blocks: AttentionBlocks) throws -> Tensor {
        let (b, h, t, d) = (context.batch, context.heads, context.length, context.headDim)
        let scale = 1 / Float(d).squareRoot()
        let (queries, keys) = (PosLabEngine.heads(of: qkv, part: 0, heads: h), PosLabEngine.heads(of: qkv, part: 1, heads: h))  // (B, H, T, D)
        let (q, k) = encoding.transformQueriesKeys(queries, keys, context: context)
        for (name, y) in [("transformQueriesKeys (queries)", q), ("transformQueriesKeys (keys)", k)] where y.shape != [b, h, t, d] {
            throw HookError(encoding: encoding.fullName, hook: name, got: y.shape, expected: "\([b, h, t, d])")
        }
        var failure: HookError?
        let term: BlockTerm = { rows, columns in
            guard failure == nil else { return nil }
            let (tq, tk) = (rows.count, columns.count)
            var bias = encoding.attentionBias(queries: rows, keys: columns, context: context)
            if let given = bias {
                let shared = context.positions.isShared
                let allowed = shared ? [[tq, tk], [h, tq, tk], [1, h, tq, tk]] + (b > 1 ? [[b, h, tq, tk]] : [])
                    : [[b, tq, tk], [b, h, tq, tk]]
                guard allowed.contains(given.shape) else {
                    failure = HookError(encoding: encoding.fullName, hook: "attentionBias(queries:keys:)", got: given.shape,
                                        expected: allowed.map { "\($0)" }.joined(separator: " or "))
                    return nil
                }
                if !shared && given.shape.count == 3 { bias = given.reshaped([b, 1, tq, tk]) }
            }
            let scores = encoding.attentionScores(rowsOf(q, rows), k, queries: rows, keys: columns, context: context)
            if let scores, scores.shape != [b, h, tq, tk] {
                failure = HookError(encoding: encoding.fullName, hook: "attentionScores(_:_:queries:keys:)", got: scores.shape,
                                    expected: "\([b, h, tq, tk])")
                return nil
            }
            switch (bias, scores) {
            case let (bias?, scores?): return scores + bias
            case let (bias, scores): return bias ?? scores
            }
        }
        let out = q === queries && k === keys
            ? blockedAttention(qkv: qkv, heads: h, scale: scale, causal: context.causal, blocks: blocks, term: term)
            : blockedAttention(q, k, PosLabEngine.heads(of: qkv, part: 2, heads: h), scale: scale, causal: context.causal,
                               blocks: blocks, term: term)
        if let failure { throw failure }
        return out
    }
}

/// Rows `range` of x (B, H, T, D) along T: x itself for all of them, else a copy (B, H, |range|, D), no gradient.
func rowsOf(_ x: Tensor, _ range: Range<Int>) -> Tensor {
    let (b, h, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    if range == 0..<t { return x }
    let out = Tensor(zeros: [b, h, range.count, d])
    for bh in 0..<(b * h) {
        (out.data + bh * range.count * d).update(from: x.data + (bh * t + range.lowerBound) * d, count: range.count * d)
    }
    return out
}
