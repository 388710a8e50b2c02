import PosLabEngine
import Testing

/// `matmul` whose leading (batch) dimensions broadcast as NumPy's and PyTorch's do (issue 24,
/// item 4): values against explicit loops, gradients against central finite differences, and the
/// broadcast path's bytes against the equal-batch path on an explicitly repeated input.
@Suite struct BroadcastMatmulTests {
    /// A · op(B) by explicit loops: the output batch is the broadcast of both batch shapes (a missing
    /// dimension counts as 1, a 1 repeats), and every output matrix is a triple loop summed in float64.
    static func reference(_ a: Tensor, _ b: Tensor, transposeB: Bool) -> (shape: [Int], values: [Float]) {
        let ab = Array(a.shape.dropLast(2)), bb = Array(b.shape.dropLast(2))
        let rank = max(ab.count, bb.count)
        let pa = [Int](repeating: 1, count: rank - ab.count) + ab, pb = [Int](repeating: 1, count: rank - bb.count) + bb
        let batch = (0..<rank).map { max(pa[$0], pb[$0]) }
        let m = a.shape[a.shape.count - 2], k = a.shape.last!
        let n = transposeB ? b.shape[b.shape.count - 2] : b.shape.last!
        var values: [Float] = []
        for o in 0..<batch.reduce(1, *) {
            var index = [Int](repeating: 0, count: rank), rest = o
            for d in stride(from: rank - 1, through: 0, by: -1) {
                index[d] = rest % batch[d]
                rest /= batch[d]
            }
            // The matrix of an input at this output index: row-major over its own (padded) batch shape.
            func matrix(_ shape: [Int]) -> Int { (0..<rank).reduce(0) { $0 * shape[$1] + (shape[$1] == 1 ? 0 : index[$1]) } }
            let (ia, ib) = (matrix(pa), matrix(pb))
            for r in 0..<m {
                for c in 0..<n {
                    var s: Double = 0
                    for j in 0..<k {
                        let x = a.data[ia * m * k + r * k + j]
                        let y = transposeB ? b.data[ib * n * k + c * k + j] : b.data[ib * k * n + j * n + c]
                        s += Double(x) * Double(y)
                    }
                    values.append(Float(s))
                }
            }
        }
        return (batch + [m, n], values)
    }

    /// (a's shape, b's shape, transposeB): a missing leading dimension on either side, size-1
    /// dimensions on either or both, a rank-2 `a` against a batch of `b`, and bᵀ; the first and the
    /// last are the fast paths that existed before (a shared `b`, equal batches).
    static let shapes: [([Int], [Int], Bool)] = [
        ([2, 3, 4, 5], [5, 6], false),           // (B, H, T, d) · (d, e): one sgemm
        ([2, 3, 4, 5], [3, 5, 6], false),        // (B, H, T, d) · (H, d, e): b has no B
        ([3, 4, 5], [2, 3, 5, 4], false),        // (H, T, d) · (B, H, d, T): a has no B
        ([1, 3, 4, 5], [2, 3, 5, 6], false),     // (1, H, T, d) · (B, H, d, e)
        ([2, 1, 4, 5], [1, 3, 5, 6], false),     // both repeat, along different dimensions
        ([4, 5], [2, 3, 5, 6], false),           // (T, d) · (B, H, d, e)
        ([2, 3, 4, 5], [1, 3, 6, 5], true),      // q · kᵀ with k shared over B
        ([2, 3, 4, 5], [2, 3, 5, 6], false),     // equal batches
    ]

    @Test(arguments: shapes.indices)
    func valuesMatchExplicitLoops(_ i: Int) {
        let (sa, sb, t) = Self.shapes[i]
        let a = randomTensor(sa, seed: 1), b = randomTensor(sb, seed: 2)
        let out = matmul(a, b, transposeB: t), expected = Self.reference(a, b, transposeB: t)
        #expect(out.shape == expected.shape, "\(sa) · \(sb)")
        expectClose(out.values, expected.values, tolerance: 1e-5)
    }

    @Test(arguments: shapes.indices)
    func gradientsMatchFiniteDifferences(_ i: Int) {
        let (sa, sb, t) = Self.shapes[i]
        let a = randomTensor(sa, seed: 3, label: "a"), b = randomTensor(sb, seed: 4, label: "b")
        expectGradients([a, b]) { matmul(a, b, transposeB: t) }
    }

    /// The gradient of an input repeated along a broadcast dimension is the sum over that dimension:
    /// (1, H, T, d) · (B, H, d, e) gives `a` the sum over B of what an explicitly repeated `a` gets.
    @Test func repeatedInputGetsTheSumOfItsGradients() {
        let a = randomTensor([1, 3, 4, 5], seed: 5), b = randomTensor([2, 3, 5, 6], seed: 6)
        let repeated = Tensor(a.values + a.values, shape: [2, 3, 4, 5], requiresGrad: true)
        sum(matmul(a, b) * matmul(a, b)).backward()
        sum(matmul(repeated, b) * matmul(repeated, b)).backward()
        let g = repeated.gradValues, half = g.count / 2
        expectClose(a.gradValues, (0..<half).map { g[$0] + g[half + $0] }, tolerance: 1e-5)
    }

    /// Broadcasting changes no bytes: the broadcast path's output is bit for bit the equal-batch
    /// path's on the input repeated by hand (each output matrix is the same one sgemm).
    @Test func broadcastIsBitIdenticalToExplicitRepetition() {
        let a = randomTensor([1, 3, 4, 5], seed: 7), b = randomTensor([2, 3, 5, 6], seed: 8)
        let repeated = Tensor(a.values + a.values, shape: [2, 3, 4, 5])
        #expect(matmul(a, b).values.map(\.bitPattern) == matmul(repeated, b).values.map(\.bitPattern))
    }
}
