import PosLabModel
import Testing

/// Abacus embeddings (McLeish et al. 2024): a learned row per digit significance, shifted by a
/// random offset in training, none in evaluation; non-digits (id 0) never shifted.
@Suite struct AbacusTests {
    func make(maxOffset: Int = 5) throws -> AbacusEncoding {
        let config = ModelConfig(vocabSize: 4, dModel: 3, layers: 1, heads: 1, maxLength: 8, attention: .causal)
        let encoding = try EncodingRegistry.shared.make(Spec(parsing: "abacus(max_offset=\(maxOffset), size=10)"),
                                                        context: EncodingContext(config: config, seed: 4))
        return try #require(encoding as? AbacusEncoding)
    }

    /// The row `embed` added to each token of zero embeddings, as an index into the table.
    func rows(_ a: AbacusEncoding, _ ids: [Int], training: Bool) -> [Int] {
        let table = a.table.values, c = 3
        let out = a.embed(Tensor(zeros: [1, ids.count, c]), context: HookContext(positions: ids, training: training)).values
        return (0..<ids.count).map { t in
            (0..<a.table.shape[0]).first { r in (0..<c).allSatisfy { table[r * c + $0] == out[t * c + $0] } }!
        }
    }

    @Test func evaluationReadsEachSignificanceRow() throws {
        let a = try make()
        #expect(a.table.shape == [10 + 5 + 1, 3])
        #expect(rows(a, [0, 1, 2, 3, 0, 1], training: false) == [0, 1, 2, 3, 0, 1])
    }

    @Test func trainingShiftsDigitsByOneOffsetPerBatch() throws {
        let a = try make()
        var offsets = Set<Int>()
        for _ in 0..<60 {
            let r = rows(a, [0, 1, 2, 3, 0, 1], training: true)
            let k = r[1] - 1
            #expect((0...5).contains(k))
            #expect(r == [0, 1 + k, 2 + k, 3 + k, 0, 1 + k])  // one k for the batch; non-digits stay at row 0
            offsets.insert(k)
        }
        #expect(offsets == Set(0...5))
    }

    @Test func noOffsetWhenMaxOffsetIsZero() throws {
        let a = try make(maxOffset: 0)
        #expect(rows(a, [0, 4, 2], training: true) == [0, 4, 2])
    }
}
