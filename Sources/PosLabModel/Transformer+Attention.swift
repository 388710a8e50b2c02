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
        if let limit = encoding.maximumLength, positions == nil, length > limit {
            throw LengthUnsupported(encoding: encoding.fullName, length: length, maximum: limit)
        }
        let positions = positions ?? encoding.positions(length: length, training: false)
        if let limit = encoding.maximumLength, let last = positions.max(), last >= limit {
            throw LengthUnsupported(encoding: encoding.fullName, length: last + 1, maximum: limit)
        }
        return Tensor.withoutGradients {
            var x = encoding.embed(embedding(tokenEmbedding, ids: ids, shape: [batch, length]), positions: positions)
            var maps: [Tensor] = []
            for (layer, block) in blocks.enumerated() {
                maps.append(block.attentionWeights(x, layer: layer, heads: config.heads, causal: config.attention == .causal,
                                                   positions: positions, encoding: encoding))
                x = block(x, layer: layer, heads: config.heads, causal: config.attention == .causal,
                          positions: positions, encoding: encoding)
            }
            return maps
        }
    }
}

extension TransformerBlock {
    /// The attention weights (B, H, T, T) this block computes for its input `x` (B, T, C):
    /// softmax(q·kᵀ/√d + bias) with the causal mask, q and k as the block's forward pass makes them.
    func attentionWeights(_ x: Tensor, layer: Int, heads: Int, causal: Bool, positions: [Int],
                          encoding: any PositionalEncoding) -> Tensor {
        let qkv = linear(layerNorm(x, gamma: ln1Gain, beta: ln1Bias), wqkv, bqkv)       // (B, T, 3C)
        let (q, k) = encoding.transformQueriesKeys(PosLabEngine.heads(of: qkv, part: 0, heads: heads),
                                                   PosLabEngine.heads(of: qkv, part: 1, heads: heads),
                                                   positions: positions, layer: layer)  // (B, H, T, D)
        let scores = matmul(q, k, transposeB: true)                                     // (B, H, T, T)
        return attentionSoftmax(scores, scale: 1 / Float(x.shape[2] / heads).squareRoot(),
                                bias: encoding.attentionBias(positions: positions, layer: layer), causal: causal)
    }
}
