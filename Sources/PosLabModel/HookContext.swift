/// What every hook of a `PositionalEncoding` is told about where it is called: one value, so a
/// hook reads what it needs and new fields never change a hook's signature.
public struct HookContext: Sendable {
    /// The block the hook acts in, 0 ..< layers (`embed` is called before block 0, with 0).
    public var layer: Int
    /// Bidirectional or causal attention.
    public var attention: AttentionMode
    /// The tokens' positions: shared (T) or one row per sequence (B, T).
    public var positions: Positions
    /// B, the number of sequences in the batch.
    public var batch: Int
    /// The number of attention heads, and the width of one head.
    public var heads: Int, headDim: Int
    /// Whether this is a training batch (false in evaluation).
    public var training: Bool

    public init(layer: Int, attention: AttentionMode, positions: Positions, batch: Int, heads: Int, headDim: Int,
                training: Bool) {
        self.layer = layer
        self.attention = attention
        self.positions = positions
        self.batch = batch
        self.heads = heads
        self.headDim = headDim
        self.training = training
    }

    /// A context for `positions` shared by a batch of `batch` (handy in tests and direct calls).
    public init(positions: [Int], batch: Int = 1, heads: Int = 1, headDim: Int = 2, layer: Int = 0,
                attention: AttentionMode = .bidirectional, training: Bool = false) {
        self.init(layer: layer, attention: attention, positions: Positions(shared: positions), batch: batch,
                  heads: heads, headDim: headDim, training: training)
    }

    /// T, the sequence length.
    public var length: Int { positions.length }
    /// Whether keys after the query are hidden.
    public var causal: Bool { attention == .causal }

    /// The positions as real numbers, one row per sequence: a constant (B, T) Float tensor (shared
    /// positions repeated for each of the B sequences), for an encoding that computes with
    /// real-valued positions per example — shifts and scales them (CAPE, Likhomanenko et al. 2021),
    /// then takes sinusoids of them — in tensor code rather than index by index:
    ///
    ///     let p = context.realPositions                              // (B, T)
    ///     let moved = (p + shift) * scale                            // shift, scale: (B, 1), one per sequence
    ///     let angles = moved.reshaped([b, t, 1]) * frequencies       // (B, T, C/2)
    ///
    /// The ids are exact in Float up to 2²⁴. It is a new tensor each time it is read.
    public var realPositions: Tensor {
        let (rows, t) = (batch, length)
        precondition(positions.isShared || positions.rows == rows, "\(positions.rows) rows of positions for a batch of \(rows)")
        var values = [Float](repeating: 0, count: rows * t)
        for r in 0..<rows {
            let row = positions.row(positions.isShared ? 0 : r)
            for i in 0..<t { values[r * t + i] = Float(row[i]) }
        }
        return .constant(values, shape: [rows, t])
    }

    /// The same context with other positions (e.g. one row, or shared positions chosen by a wrapper).
    public func with(positions: Positions) -> HookContext {
        var c = self
        c.positions = positions
        return c
    }

    /// `make(row)` for shared positions; for per-sequence positions, `make` of each row stacked
    /// along a new leading axis, (B, …). A relative encoding writes its hook for one row of positions
    /// and gets per-sequence positions for free (nil if `make` gives nil).
    public func forEachRow(_ make: ([Int]) -> Tensor?) -> Tensor? {
        stacked(queries: nil, keys: nil) { row, _ in make(row) }
    }

    /// `forEachRow` for a block of attention: `make(queryPositions, keyPositions)` with the positions
    /// of queries `queries` and of keys `keys` in each row; (…) for shared positions, (B, …) per sequence.
    public func forEachRow(queries: Range<Int>, keys: Range<Int>, _ make: ([Int], [Int]) -> Tensor?) -> Tensor? {
        stacked(queries: queries, keys: keys, make)
    }

    private func stacked(queries: Range<Int>?, keys: Range<Int>?, _ make: ([Int], [Int]) -> Tensor?) -> Tensor? {
        func cut(_ row: [Int]) -> ([Int], [Int]) {
            guard let queries, let keys else { return (row, row) }
            return (Array(row[queries]), Array(row[keys]))
        }
        if let row = positions.shared {
            let (q, k) = cut(row)
            return make(q, k)
        }
        var parts: [Tensor] = []
        for r in 0..<positions.rows {
            let (q, k) = cut(positions.row(r))
            guard let t = make(q, k) else { return nil }
            parts.append(t)
        }
        let shape = parts[0].shape
        return concatLast(parts.map { $0.reshaped([1, $0.count]) }).reshaped([parts.count] + shape)  // (B, …)
    }
}
