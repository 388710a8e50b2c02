extension Transformer {
    /// Every layer's attention weights for `ids` (B·T token ids), each (B, H, T, T): row i of head h
    /// is how query position i spreads its attention over the keys, summing to 1 (zeros after i
    /// when causal). Positions as in `logits` (an evaluation batch unless given).
    ///
    /// The fused attention kernel keeps its weights to itself, so they are recomputed here from
    /// the same inputs with the engine's unfused ops (q·kᵀ, then `attentionSoftmax`); they match the
    /// kernel's to float32 rounding. No gradient is recorded.
    public func attentionMaps(ids: [Int], batch: Int, length: Int, positions: [Int]? = nil) throws -> [Tensor] {
        precondition(ids.count == batch * length, "\(ids.count) ids for batch \(batch) × length \(length)")
        var context = try hookContext(batch: batch, length: length,
                                      positions: resolvedPositions(positions, length: length, training: false), training: false)
        return try Tensor.withoutGradients {
            var x = embedding(tokenEmbedding, ids: ids, shape: [batch, length])
            x = try checked(encoding.embed(x, context: context), hook: "embed", like: x)
            var maps: [Tensor] = []
            for (layer, block) in blocks.enumerated() {
                context.layer = layer
                x = try checked(encoding.embedLayer(x, context: context), hook: "embedLayer", like: x)
                maps.append(try block.attentionWeights(x, context: context, encoding: encoding))
                x = try block(x, context: context, encoding: encoding)
            }
            return maps
        }
    }
}

extension TransformerBlock {
    /// The attention weights (B, H, T, T) this block computes for its input `x` (B, T, C):
    /// softmax(q·kᵀ/√d + bias + score term) with the causal mask, all as the block's forward pass makes them.
    func attentionWeights(_ x: Tensor, context: HookContext, encoding: any PositionalEncoding) throws -> Tensor {
        let qkv = linear(layerNorm(x, gamma: ln1Gain, beta: ln1Bias), wqkv, bqkv)       // (B, T, 3C)
        let (_, _, q, k, term) = try attentionInputs(qkv, context: context, encoding: encoding)
        let scores = matmul(q, k, transposeB: true)                                     // (B, H, T, T)
        let scale = 1 / Float(context.headDim).squareRoot()
        guard var term else { return attentionSoftmax(scores, scale: scale, causal: context.causal) }
        if term.shape.count == 4 && term.shape[0] == 1 { term = term.reshaped(Array(term.shape.dropFirst())) }  // (H, T, T)
        if Array(scores.shape.suffix(term.shape.count)) == term.shape {                 // (T, T), (H, T, T), (B, H, T, T)
            return attentionSoftmax(scores, scale: scale, bias: term, causal: context.causal)
        }
        return attentionSoftmax(scores * scale + term, causal: context.causal)        // (B, 1, T, T): broadcast first
    }
}
