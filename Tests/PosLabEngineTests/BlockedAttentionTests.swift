import PosLabEngine
import PosLabSupport
import Testing

/// `blockedAttention` (blocks of queries and keys, online softmax, forward only) against the fused
/// full-matrix `attention`, the reference: every bias shape, both attention modes, lengths that are
/// not multiples of either block, blocks larger than the sequence.
@Suite struct BlockedAttentionTests {
    /// Lengths and blocks (queries, keys): ragged last blocks, one-row blocks, blocks past the end.
    static let cases: [(length: Int, queries: Int, keys: Int)] = [(13, 4, 5), (17, 3, 8), (1, 4, 4), (9, 16, 32), (20, 1, 7)]

    /// The bias of the full path for `shape` (nil: none), and the block term that reads the same entries.
    static func bias(_ shape: [Int]?, batch b: Int, heads h: Int, length t: Int) -> (Tensor?, BlockTerm?) {
        guard let shape else { return (nil, nil) }
        let full = Tensor.gaussian(shape, std: 1, rng: RandomGenerator(seed: 9))
        let term: BlockTerm = { rows, keys in  // the entries [rows, keys] of every (T, T) slice
            let outer = shape.dropLast(2).reduce(1, *)
            var values: [Float] = []
            for o in 0..<outer { for i in rows { for j in keys { values.append(full.data[(o * t + i) * t + j]) } } }
            return Tensor(values, shape: Array(shape.dropLast(2)) + [rows.count, keys.count])
        }
        return (full, term)
    }

    @Test(arguments: [false, true], [nil, [13, 13], [3, 13, 13], [2, 3, 13, 13], [1, 3, 13, 13], [2, 1, 13, 13]] as [[Int]?])
    func matchesTheFullMatrix(causal: Bool, biasShape: [Int]?) {
        let (b, h, d) = (2, 3, 4)
        for c in Self.cases {
            let t = c.length
            let shape = biasShape.map { Array($0.dropLast(2)) + [t, t] }
            let q = randomTensor([b, h, t, d], seed: 1), k = randomTensor([b, h, t, d], seed: 2), v = randomTensor([b, h, t, d], seed: 3)
            let (full, term) = Self.bias(shape, batch: b, heads: h, length: t)
            let reference = attention(q, k, v, scale: 0.5, bias: full, causal: causal)                 // (B, T, H·D)
            let blocked = blockedAttention(q, k, v, scale: 0.5, causal: causal,
                                           blocks: AttentionBlocks(queries: c.queries, keys: c.keys), term: term)
            #expect(blocked.shape == reference.shape)
            expectClose(blocked.values, reference.values, tolerance: 1e-5)
        }
    }

    /// Heads whose width is a multiple of 8 run in the AVX2 kernel (CAttentionKernel) where the CPU
    /// has it: 4-row and 16-key tiles with ragged ends (rows and keys not multiples of 4, 8 or 16,
    /// blocks past the end, one-query blocks), widths of one, two and three vectors, every bias
    /// shape and both modes; with and without the kernel, against the full matrix.
    @Test(arguments: [false, true], [nil, [13, 13], [3, 13, 13], [2, 3, 13, 13], [1, 3, 13, 13], [2, 1, 13, 13]] as [[Int]?])
    func vectorKernelMatchesTheFullMatrix(causal: Bool, biasShape: [Int]?) {
        let (b, h) = (2, 3)
        let cases: [(length: Int, queries: Int, keys: Int, width: Int)] = [
            (37, 6, 20, 16), (45, 64, 256, 8), (70, 13, 33, 24), (23, 1, 9, 16), (300, 64, 256, 16), (19, 5, 16, 32)]
        for c in cases {
            let (t, d) = (c.length, c.width)
            let shape = biasShape.map { Array($0.dropLast(2)) + [t, t] }
            let q = randomTensor([b, h, t, d], seed: 1), k = randomTensor([b, h, t, d], seed: 2), v = randomTensor([b, h, t, d], seed: 3)
            let (full, term) = Self.bias(shape, batch: b, heads: h, length: t)
            let reference = attention(q, k, v, scale: 0.5, bias: full, causal: causal)                 // (B, T, H·D)
            for vectorKernel in [true, false] {
                let blocked = blockedAttention(q, k, v, scale: 0.5, causal: causal,
                                               blocks: AttentionBlocks(queries: c.queries, keys: c.keys, vectorKernel: vectorKernel),
                                               term: term)
                #expect(blocked.shape == reference.shape)
                expectClose(blocked.values, reference.values, tolerance: 1e-5)
            }
        }
    }

    /// The AVX2 kernel takes widths that are multiples of 8 only, and only on a CPU with AVX2 and FMA.
    @Test func vectorKernelWidths() {
        #expect(!AttentionBlocks.vectorKernelRuns(headSize: 4))
        #expect(!AttentionBlocks.vectorKernelRuns(headSize: 12))
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set(cpu.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        #expect(AttentionBlocks.vectorKernelRuns(headSize: 16) == (flags.contains("avx2") && flags.contains("fma")))
    }

    /// The fused-projection entry point reads the same heads as the split one.
    @Test(arguments: [false, true])
    func readsAFusedProjection(causal: Bool) {
        let (b, h, t, d) = (2, 2, 11, 4)
        let qkv = randomTensor([b, t, 3 * h * d], seed: 4)
        let reference = attention(qkv: qkv, heads: h, scale: 0.3, causal: causal)
        let blocked = blockedAttention(qkv: qkv, heads: h, scale: 0.3, causal: causal, blocks: AttentionBlocks(queries: 4, keys: 3))
        expectClose(blocked.values, reference.values, tolerance: 1e-5)
        // Heads 16 wide: the AVX2 kernel's strides through the fused rows.
        let wide = randomTensor([b, t, 3 * h * 16], seed: 5)
        expectClose(blockedAttention(qkv: wide, heads: h, scale: 0.3, causal: causal, blocks: AttentionBlocks(queries: 5, keys: 7)).values,
                    attention(qkv: wide, heads: h, scale: 0.3, causal: causal).values, tolerance: 1e-5)
    }

    /// Scores far apart (a large bias on some keys): the running maximum changes between key blocks
    /// and the earlier sums must be scaled down by e^(m − m′), or the result is wrong.
    @Test(arguments: [2, 16])
    func rescalesWhenTheMaximumGrows(width d: Int) {
        let (b, h, t) = (1, 1, 12)
        let q = randomTensor([b, h, t, d], seed: 5), k = randomTensor([b, h, t, d], seed: 6), v = randomTensor([b, h, t, d], seed: 7)
        let values = (0..<(t * t)).map { Float(($0 % t) * 3) }  // later keys score higher: the maximum grows block by block
        let full = Tensor(values, shape: [t, t])
        let reference = attention(q, k, v, scale: 1, bias: full)
        let blocked = blockedAttention(q, k, v, scale: 1, blocks: AttentionBlocks(queries: 5, keys: 4)) { rows, keys in
            Tensor(rows.flatMap { _ in keys.map { Float($0 * 3) } }, shape: [rows.count, keys.count])
        }
        expectClose(blocked.values, reference.values, tolerance: 1e-5)
    }

    /// The term is asked for once per block of queries, against the keys they see: all of them, or up
    /// to the block's last query when causal.
    @Test(arguments: [false, true])
    func asksForTheTermOncePerQueryBlock(causal: Bool) {
        let (t, x) = (10, randomTensor([1, 1, 10, 2], seed: 8))
        var asked: [(Range<Int>, Range<Int>)] = []
        _ = blockedAttention(x, x, x, scale: 1, causal: causal, blocks: AttentionBlocks(queries: 4, keys: 3)) { rows, keys in
            asked.append((rows, keys))
            return nil
        }
        #expect(asked.map(\.0) == [0..<4, 4..<8, 8..<10])
        #expect(asked.map(\.1) == (causal ? [0..<4, 0..<8, 0..<10] : [0..<t, 0..<t, 0..<t]))
    }
}
