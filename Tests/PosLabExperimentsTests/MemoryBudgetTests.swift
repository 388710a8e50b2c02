import Foundation
import PosLabModel
import PosLabStudy
import PosLabTasks
import Testing

/// Suites too large for the machine are refused before anything is written.
@Suite struct MemoryBudgetTests {
    static let base = "encodings: [none, learned]\ntasks: [shift]\nseeds: [1]\n"

    /// The oversized suites: each exit 2 before any run starts (nothing printed on stdout, not
    /// even the plan; nothing written), naming the key and the estimate.
    /// (Evaluation at length 100,000 was one of them; evaluation now runs attention in blocks, in
    /// memory linear in the length, and it fits: `MemoryEstimateTests` covers the blocked estimate.)
    @Test(arguments: [
        ("model: {d_model: 4096, layers: 64, heads: 256}\n", "model"),
        ("training: {batch_size: 65536, length: 100000}\n", "training.batch_size, training.length"),
        ("training: {length: 100000}\n", "training.batch_size, training.length"),
    ])
    func oversizedSuitesAreRefused(_ extra: String, key: String) throws {
        let dir = temporaryDirectory()
        try (Self.base + extra).write(to: dir.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
        let (status, out, err) = try runPoslab(["run", "big.yaml", "--out", "out", "--jobs", "1"], in: dir)
        #expect(status == 2 && err.contains("big.yaml: \(key):") && err.contains("needs about"), "\(err)")
        #expect(out.isEmpty, "\(out)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    /// `shaw` and `cope` hold (B, H, T, T) terms of their own in every layer, which the estimate counts
    /// (`MemoryEstimate.scoreHookFloats`): the training step of each exceeds `none`'s by L·B·H·T²
    /// floats times 6 for shaw (its gathered and scaled terms, their gradients, the indices) and 27
    /// for cope (gates, their reversed running sum, positions, interpolation weights, both gathered
    /// embeddings and the blend, the two index arrays, the gradients); evaluation exceeds it too.
    @Test func shawAndCopeActivationsAreCounted() throws {
        func estimate(_ encoding: String) throws -> MemoryEstimate {
            let suite = try Suite.parse(yaml: "encodings: [\"\(encoding)\"]\ntasks: [shift]\nseeds: [1]\n"
                + "model: {d_model: 32, layers: 2, heads: 4, attention: causal}\ntraining: {batch_size: 8, length: 32}\n",
                file: "s.yaml", defaultName: "s")
            return try #require(try suite.largestRun()).estimate
        }
        let t = try TaskRegistry.shared.make(Spec(parsing: "shift")).sequenceLength(size: 32)
        let scores = 2 * 8 * 4 * t * t * 4  // L·B·H·T² floats, 4 bytes each
        let none = try estimate("none"), shaw = try estimate("shaw"), cope = try estimate("cope")
        #expect(shaw.training - none.training == 6 * scores, "shaw: \(shaw.training - none.training) bytes more than none")
        #expect(cope.training - none.training == 27 * scores, "cope: \(cope.training - none.training) bytes more than none")
        #expect(shaw.evaluation > none.evaluation && cope.evaluation > shaw.evaluation)
    }

    /// A learned table of a billion rows is refused by its size bound, during validation.
    @Test func aHugeLearnedTableIsRefused() throws {
        let dir = temporaryDirectory()
        try "encodings: [\"learned(size=1000000000)\"]\ntasks: [shift]\nseeds: [1]\n"
            .write(to: dir.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
        let (status, _, err) = try runPoslab(["run", "big.yaml", "--out", "out"], in: dir)
        #expect(status == 2 && err.contains("1...1000000"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    /// The budget is the available memory divided by the jobs: the same suite fits one job and not two.
    @Test func theBudgetIsSharedByTheJobs() throws {
        let suite = try Suite.parse(yaml: Self.base + "model: {d_model: 256, layers: 4}\ntraining: {batch_size: 64, length: 64}\n",
                                    file: "s.yaml", defaultName: "s")
        let (estimate, run) = try #require(try suite.largestRun())
        #expect(run.contains("learned"))
        try suite.checkMemory(jobs: 1, available: estimate.peak + 1, file: "s.yaml")
        #expect(throws: SuiteError.self) { try suite.checkMemory(jobs: 2, available: estimate.peak + 1, file: "s.yaml") }
    }
}
