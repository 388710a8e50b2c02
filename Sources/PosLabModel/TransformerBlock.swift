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

    /// x (B, T, C) → (B, T, C).
    func callAsFunction(_ x: Tensor, layer: Int, heads: Int, causal: Bool, positions: [Int],
                        encoding: any PositionalEncoding) -> Tensor {
        let d = x.shape[2] / heads
        // Attention.
        let h = layerNorm(x, gamma: ln1Gain, beta: ln1Bias)                            // (B, T, C)
        let qkv = linear(h, wqkv, bqkv)                                                 // (B, T, 3C)
        let queries = PosLabEngine.heads(of: qkv, part: 0, heads: heads)                // (B, H, T, D)
        let keys = PosLabEngine.heads(of: qkv, part: 1, heads: heads)
        let (q, k) = encoding.transformQueriesKeys(queries, keys, positions: positions, layer: layer)
        let bias = encoding.attentionBias(positions: positions, layer: layer)           // (H, T, T), (T, T) or nil
        let scale = 1 / Float(d).squareRoot()
        // softmax(q·kᵀ/√d + bias, causal mask)·v, heads merged back: (B, T, C). When the encoding
        // leaves queries and keys alone, attention reads all three from qkv in place: the head
        // copies above were made for the hook only, are freed unused, and pass no gradient.
        let mixed = q === queries && k === keys
            ? attention(qkv: qkv, heads: heads, scale: scale, bias: bias, causal: causal)
            : attention(q, k, PosLabEngine.heads(of: qkv, part: 2, heads: heads), scale: scale, bias: bias, causal: causal)
        let x = x + linear(mixed, wo, bo)
        // MLP.
        let h2 = layerNorm(x, gamma: ln2Gain, beta: ln2Bias)
        return x + linear(gelu(linear(h2, w1, b1)), w2, b2)                             // (B, T, C)
    }
}
