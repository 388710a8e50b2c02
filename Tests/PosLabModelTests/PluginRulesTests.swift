import Foundation
import PosLabModel
import Testing

// docs/plugins.md's example of the random-number and state rules, compiled and checked here. The
// test command checks that the page shows these lines (Scripts/docs_examples.py, `checked-by`).

/// `random-offset`: a learned table read at positions that start at a random offset in training.
public final class RandomOffset: RegisteredEncoding {
    public static let registryName = "random-offset"
    public static let summary = "learned table; training positions start at a random offset"
    let table: Tensor
    let maxOffset: Int
    let offsets: RandomGenerator                                     // state: advanced by every training batch
    public var parameters: [Tensor] { [table] }
    public var maximumLength: Int? { table.shape[0] }

    init(context: EncodingContext, maxOffset: Int) {
        self.maxOffset = maxOffset
        table = .gaussian([context.maxLength + maxOffset, context.dModel], std: 0.02,
                          rng: context.rng(for: Self.registryName), label: "random-offset.table")   // initial weights
        offsets = context.rng(for: "\(Self.registryName)/training")  // training draws: a stream of their own
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> RandomOffset {
        RandomOffset(context: context, maxOffset: try arguments.int("max_offset", default: 4, in: 0...1_000))
    }

    public func positions(length: Int, training: Bool) -> [Int] {
        let start = training ? offsets.int(in: 0...maxOffset) : 0   // evaluation draws nothing
        return Array(start..<(start + length))
    }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor {   // x: (B, T, C)
        x + embedding(table, ids: context.positions.ids, shape: [context.positions.rows, context.length])
    }
}

/// The rules docs/plugins.md states for randomness and state, on the example above, and
/// `HookContext.realPositions`, the per-example real-valued positions (issue 24, item 4).
@Suite struct PluginRulesTests {
    static func model(seed: UInt64) throws -> Transformer {
        let registry = EncodingRegistry()
        try registry.register(RandomOffset.self, origin: .program("docs/plugins.md"))
        return try Transformer(config: smallConfig(maxLength: 6), encoding: Spec(parsing: "random-offset"), seed: seed, registry: registry)
    }

    static let ids = [1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1]  // (2, 6)

    /// Same seed, same bytes: two models built with one seed give bit-identical logits at every
    /// training step although the encoding draws new positions each step (its state advances).
    @Test func sameSeedGivesTheSameBytesStepByStep() throws {
        let (a, b) = (try Self.model(seed: 5), try Self.model(seed: 5))
        var steps: [[UInt32]] = []
        for _ in 0..<4 {
            let la = try a.logits(ids: Self.ids, batch: 2, length: 6, training: true).values.map(\.bitPattern)
            let lb = try b.logits(ids: Self.ids, batch: 2, length: 6, training: true).values.map(\.bitPattern)
            #expect(la == lb)
            steps.append(la)
        }
        #expect(Set(steps).count > 1, "the training draws should move the positions between steps")
        let other = try Self.model(seed: 6).logits(ids: Self.ids, batch: 2, length: 6).values
        let same = try Self.model(seed: 5).logits(ids: Self.ids, batch: 2, length: 6).values
        #expect(other != same, "another seed, other initial weights")
    }

    /// Evaluation depends on no state: after training-mode passes (the generator advanced), the
    /// evaluation logits are bit for bit those of a fresh model of the same seed, as a model
    /// restored from its checkpoint is.
    @Test func evaluationIsIndependentOfTrainingHistory() throws {
        let (used, fresh) = (try Self.model(seed: 5), try Self.model(seed: 5))
        for _ in 0..<3 { _ = try used.logits(ids: Self.ids, batch: 2, length: 6, training: true) }
        let after = try used.logits(ids: Self.ids, batch: 2, length: 6).values.map(\.bitPattern)
        let first = try fresh.logits(ids: Self.ids, batch: 2, length: 6).values.map(\.bitPattern)
        #expect(after == first)
    }

    /// Shared positions are repeated for each sequence; per-sequence positions give each its own row.
    @Test func realPositionsHaveOneRowPerSequence() {
        let shared = HookContext(positions: [3, 4, 5], batch: 2)
        #expect(shared.realPositions.shape == [2, 3] && shared.realPositions.values == [3, 4, 5, 3, 4, 5])
        let rows = HookContext(layer: 0, attention: .bidirectional, positions: Positions(perSequence: [0, 1, 2, 7, 9, 11], rows: 2),
                               batch: 2, heads: 1, headDim: 2, training: true)
        #expect(rows.realPositions.shape == [2, 3] && rows.realPositions.values == [0, 1, 2, 7, 9, 11])
        #expect(!rows.realPositions.requiresGrad)
    }

    /// CAPE's idiom: each sequence's positions shifted and scaled by its own (B, 1) draws, then
    /// sinusoids of them, equal the same computed index by index.
    @Test func perSequenceShiftAndScaleBroadcast() {
        let context = HookContext(layer: 0, attention: .bidirectional, positions: Positions(perSequence: [0, 1, 2, 4, 5, 6], rows: 2),
                                  batch: 2, heads: 1, headDim: 2, training: true)
        let (shift, scale): ([Float], [Float]) = ([0.5, -1.25], [1.1, 0.9])
        let moved = (context.realPositions + .constant(shift, shape: [2, 1])) * .constant(scale, shape: [2, 1])  // (B, T)
        let angles = moved.reshaped([2, 3, 1]) * .constant([1, 0.1], shape: [2])  // (B, T, 2)
        var expected: [Float] = []
        for (s, row) in [[0, 1, 2], [4, 5, 6]].enumerated() {
            for p in row {
                let x = (Float(p) + shift[s]) * scale[s]
                expected += [sin(x * 1), sin(x * 0.1)]
            }
        }
        let got = sin(angles).values
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(got) vs \(expected)")
    }
}
