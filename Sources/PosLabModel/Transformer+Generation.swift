import Foundation

/// Greedy autoregressive decoding, with a key/value cache and without one.
///
/// A decoder-form task (`PromptTask`) is scored on what the model *generates*: from the prompt
/// x ⊕ SEP, the model's most likely next token is appended and fed back, one token at a time, so
/// an early mistake compounds as it would in use. Two implementations, which must give the same
/// tokens:
///
/// - `generate(…, cached: false)`, the reference: a whole forward pass over the sequence so far at
///   every step, O(steps × forward(T)).
/// - `generate(…, cached: true)`: each block keeps, per position, its input and its fused q|k|v
///   projection (the cache); a step computes the projections, MLP and head for the new token only
///   and attends from it to every cached key: O(steps × T) attention, O(steps) projections.
///
/// The encoding's hooks are called exactly as the full forward pass calls them at that length —
/// on the whole prefix, with the prefix's positions — and only the new token's row is kept. So the
/// cache is exact for every encoding whose hooks are causal (row i of a hook's output depends on
/// rows ≤ i of its inputs and on positions ≤ i), which causal attention already requires; the
/// hooks' own cost is then O(T) per step for `embed`, `embedLayer` and `transformQueriesKeys`, and
/// O(T²) for the bias and score hooks (a (T, T) table per step), cheap beside the projections at
/// the lengths decoder tasks use.
///
/// Positions: one row for the whole sequence (prompt and every generated token), drawn once, as
/// teacher-forced evaluation of the same sequence draws it; step t uses its first t + 1 entries.
extension Transformer {
    /// The `steps` tokens (B·steps, row-major) the model generates greedily after each of `batch`
    /// prompts (`prompts`, B·P ids), at `positions` for the whole sequence of P + steps tokens
    /// (nil: the encoding's evaluation positions). Needs causal attention.
    public func generate(prompts: [Int], batch: Int, promptLength: Int, steps: Int, positions: Positions? = nil,
                         cached: Bool = true) throws -> [Int] {
        precondition(config.attention == .causal, "generation needs causal attention")
        precondition(prompts.count == batch * promptLength && promptLength > 0 && steps > 0,
                     "\(prompts.count) prompt ids for batch \(batch) × length \(promptLength), \(steps) steps")
        let total = promptLength + steps
        let all = try positions ?? resolvedPositions(nil, length: total, training: false)
        precondition(all.length == total && (all.rows == 1 || all.rows == batch),
                     "positions \(all.rows)×\(all.length) for batch \(batch) × \(total) tokens")
        return try Tensor.withoutGradients {
            cached ? try generateCached(prompts: prompts, batch: batch, promptLength: promptLength, steps: steps, positions: all)
                : try generateUncached(prompts: prompts, batch: batch, promptLength: promptLength, steps: steps, positions: all)
        }
    }

    /// The reference: a full forward pass over the sequence so far for every generated token.
    func generateUncached(prompts: [Int], batch b: Int, promptLength p: Int, steps: Int, positions: Positions) throws -> [Int] {
        var rows = (0..<b).map { Array(prompts[($0 * p)..<(($0 + 1) * p)]) }
        for step in 0..<steps {
            let t = p + step                                                              // tokens so far
            let logits = try self.logits(ids: rows.flatMap { $0 }, batch: b, length: t, positions: positions.prefix(t))
            let last = lastRowArgmax(logits)                                              // (B)
            for s in 0..<b { rows[s].append(last[s]) }
        }
        return rows.flatMap { $0.suffix(steps) }
    }

    /// The cached path: the prompt in one forward pass that fills the cache (as the reference's
    /// first step computes it), then one token at a time.
    func generateCached(prompts: [Int], batch b: Int, promptLength p: Int, steps: Int, positions: Positions) throws -> [Int] {
        let cache = DecodingCache(model: self, batch: b, capacity: p + steps)
        var next = lastRowArgmax(try cache.prefill(ids: prompts, length: p, positions: positions.prefix(p)))  // (B)
        var out = next                                                                    // step-major
        out.reserveCapacity(b * steps)
        for t in p..<(p + steps - 1) {
            let logits = try cache.step(ids: next, positions: positions.prefix(t + 1))    // (B, 1, V)
            next = lastRowArgmax(logits)
            out.append(contentsOf: next)
        }
        // step-major (steps, B) → row-major (B, steps)
        return (0..<(b * steps)).map { i in out[(i % steps) * b + i / steps] }
    }

    /// The arg-max id of the last position of each row of logits (B, T, V) (the first on ties).
    func lastRowArgmax(_ logits: Tensor) -> [Int] {
        let (b, t, v) = (logits.shape[0], logits.shape[1], logits.shape[2])
        let z = logits.data
        return (0..<b).map { s in
            let row = z + (s * t + t - 1) * v
            var best = 0
            for j in 1..<v where row[j] > row[best] { best = j }
            return best
        }
    }
}

extension Positions {
    /// The first `n` positions of every row.
    public func prefix(_ n: Int) -> Positions {
        precondition(n <= length, "prefix of \(n) of \(length) positions")
        if rows == 1 { return Positions(shared: Array(ids.prefix(n))) }
        return Positions(perSequence: (0..<rows).flatMap { ids[($0 * length)..<($0 * length + n)] }, rows: rows)
    }
}

/// What a step of cached decoding keeps per block: its input rows (for `embedLayer`) and its fused
/// q|k|v rows, for every position fed so far; and the token embeddings (for `embed`).
final class DecodingCache {
    let model: Transformer
    let b: Int, c: Int, capacity: Int
    /// Token embeddings (B, capacity, C).
    var embeddings: [Float]
    /// Per block: the residual stream entering it (B, capacity, C) and its q|k|v projection (B, capacity, 3C).
    var inputs: [[Float]], qkv: [[Float]]
    /// Positions fed so far.
    var length = 0

    init(model: Transformer, batch: Int, capacity: Int) {
        self.model = model
        b = batch
        c = model.config.dModel
        self.capacity = capacity
        embeddings = [Float](repeating: 0, count: batch * capacity * c)
        inputs = [[Float]](repeating: [Float](repeating: 0, count: batch * capacity * c), count: model.blocks.count)
        qkv = [[Float]](repeating: [Float](repeating: 0, count: batch * capacity * 3 * c), count: model.blocks.count)
    }

    /// Writes `row` (B·width) as position `t` of `store` (B, capacity, width).
    func write(_ row: UnsafePointer<Float>, into store: inout [Float], at t: Int, width: Int) {
        for s in 0..<b { for j in 0..<width { store[(s * capacity + t) * width + j] = row[s * width + j] } }
    }

    /// The first `n` positions of `store` (B, capacity, width) as a tensor (B, n, width).
    func prefix(_ store: [Float], _ n: Int, width: Int) -> Tensor {
        var values = [Float](repeating: 0, count: b * n * width)
        for s in 0..<b { for i in 0..<(n * width) { values[s * n * width + i] = store[s * capacity * width + i] } }
        return .constant(values, shape: [b, n, width])
    }

    /// Row `t` of each sequence of `x` (B, T, width) as (B, 1, width).
    func lastRow(_ x: Tensor) -> Tensor {
        let (t, width) = (x.shape[1], x.shape[2])
        var values = [Float](repeating: 0, count: b * width)
        for s in 0..<b { for j in 0..<width { values[s * width + j] = x.data[(s * t + t - 1) * width + j] } }
        return .constant(values, shape: [b, 1, width])
    }

    /// Writes the rows of `x` (B, n, width) as positions 0 ..< n of `store` (B, capacity, width).
    func writeAll(_ x: Tensor, into store: inout [Float]) {
        let (n, width) = (x.shape[1], x.shape[2])
        for s in 0..<b { for i in 0..<(n * width) { store[s * capacity * width + i] = x.data[s * n * width + i] } }
    }

    /// Feeds the prompts (B·n ids) through the model in one forward pass, as the full pass does,
    /// keeping each block's input and q|k|v rows; the logits (B, 1, V) for what follows them.
    func prefill(ids: [Int], length n: Int, positions: Positions) throws -> Tensor {
        precondition(length == 0 && n <= capacity && positions.length == n)
        var context = try model.hookContext(batch: b, length: n, positions: positions, training: false)
        let tokens = embedding(model.tokenEmbedding, ids: ids, shape: [b, n])             // (B, n, C)
        writeAll(tokens, into: &embeddings)
        var x = try model.checked(model.encoding.embed(tokens, context: context), hook: "embed", like: tokens)
        for (layer, block) in model.blocks.enumerated() {
            context.layer = layer
            writeAll(x, into: &inputs[layer])
            x = try model.checked(model.encoding.embedLayer(x, context: context), hook: "embedLayer", like: x)
            writeAll(linear(layerNorm(x, gamma: block.ln1Gain, beta: block.ln1Bias), block.wqkv, block.bqkv), into: &qkv[layer])
            x = try block(x, context: context, encoding: model.encoding)                  // (B, n, C)
        }
        length = n
        x = layerNorm(lastRow(x), gamma: model.lnFinalGain, beta: model.lnFinalBias)
        return linear(x, model.headWeight, model.headBias)                               // (B, 1, V)
    }

    /// Feeds one token per sequence at the next position; the logits (B, 1, V) for what follows it.
    func step(ids: [Int], positions: Positions) throws -> Tensor {
        let t = length, n = t + 1
        precondition(n <= capacity && positions.length == n)
        var context = try model.hookContext(batch: b, length: n, positions: positions, training: false)
        let token = embedding(model.tokenEmbedding, ids: ids, shape: [b, 1])             // (B, 1, C)
        write(token.data, into: &embeddings, at: t, width: c)
        let all = prefix(embeddings, n, width: c)                                        // (B, n, C)
        var x = lastRow(try model.checked(model.encoding.embed(all, context: context), hook: "embed", like: all))  // (B, 1, C)
        for (layer, block) in model.blocks.enumerated() {
            context.layer = layer
            write(x.data, into: &inputs[layer], at: t, width: c)
            let stream = prefix(inputs[layer], n, width: c)                              // (B, n, C)
            x = lastRow(try model.checked(model.encoding.embedLayer(stream, context: context), hook: "embedLayer", like: stream))
            x = try block.decode(x, cache: self, layer: layer, context: context)          // (B, 1, C)
        }
        length = n
        x = layerNorm(x, gamma: model.lnFinalGain, beta: model.lnFinalBias)
        return linear(x, model.headWeight, model.headBias)                               // (B, 1, V)
    }
}

extension TransformerBlock {
    /// The block for the newest position only: x (B, 1, C) → (B, 1, C), attending from it to every
    /// cached position (all of them are visible: generation is causal).
    func decode(_ x: Tensor, cache: DecodingCache, layer: Int, context: HookContext) throws -> Tensor {
        let (b, h, n, d) = (context.batch, context.heads, context.length, context.headDim)
        let c = h * d, t = n - 1
        let row = linear(layerNorm(x, gamma: ln1Gain, beta: ln1Bias), wqkv, bqkv)       // (B, 1, 3C)
        cache.write(row.data, into: &cache.qkv[layer], at: t, width: 3 * c)
        let qkv = cache.prefix(cache.qkv[layer], n, width: 3 * c)                       // (B, n, 3C)
        // The hooks see the whole prefix, exactly as in the full forward pass at this length.
        let (_, _, q, k, term) = try attentionInputs(qkv, context: context, encoding: cache.model.encoding)  // q, k (B, H, n, D)
        // The term's row t at (sequence s, head, key j), whatever its broadcast shape:
        // (n, n), (H, n, n), (B′, H′, n, n) with B′ ∈ {1, B}, H′ ∈ {1, H}.
        let shape = term?.shape ?? [], rank = shape.count
        let termB = rank == 4 ? shape[0] : 1, termH = rank >= 3 ? shape[rank - 3] : 1
        let scale = 1 / Float(d).squareRoot()
        let mixed = Tensor(zeros: [b, 1, c])                                            // (B, 1, C), heads merged
        var weights = [Float](repeating: 0, count: n)
        let qp = q.data, kp = k.data, vp = qkv.data, out = mixed.data
        for s in 0..<b {
            for head in 0..<h {
                let query = qp + ((s * h + head) * n + t) * d
                let termRow = term.map { $0.data + (((termB == 1 ? 0 : s) * termH + (termH == 1 ? 0 : head)) * n + t) * n }
                var largest = -Float.infinity
                for j in 0..<n {
                    let key = kp + ((s * h + head) * n + j) * d
                    var dot: Float = 0
                    for i in 0..<d { dot += query[i] * key[i] }
                    weights[j] = dot * scale + (termRow?[j] ?? 0)
                    largest = max(largest, weights[j])
                }
                var total: Float = 0
                for j in 0..<n {
                    weights[j] = expf(weights[j] - largest)
                    total += weights[j]
                }
                let o = out + s * c + head * d
                for j in 0..<n {
                    let value = vp + (s * n + j) * 3 * c + 2 * c + head * d
                    let w = weights[j] / total
                    for i in 0..<d { o[i] += w * value[i] }
                }
            }
        }
        let x = x + linear(mixed, wo, bo)                                                // (B, 1, C)
        let h2 = layerNorm(x, gamma: ln2Gain, beta: ln2Bias)
        return x + linear(gelu(linear(h2, w1, b1)), w2, b2)                             // (B, 1, C)
    }
}
