import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner
import PosLabStudy
import Testing

/// The order-sensitivity control fails where it should, with a fixed seed.
@Suite struct ScienceTests {
    static let yaml = """
        name: science
        encodings: [none, learned]
        tasks: [shift, majority]
        seeds: [1]
        model: {d_model: 32, layers: 2, heads: 4, attention: bidirectional}
        training: {steps: 300, batch_size: 32, length: 8, learning_rate: 0.003}
        evaluation: {lengths: [8, 12], size: 256, seed: 11}
        """

    @Test func noneFailsTheOrderTaskSolvesTheControlLearnedSolvesBoth() throws {
        let suite = try Suite.parse(yaml: Self.yaml, file: "science.yaml", defaultName: "science")
        let trainer = Trainer(suite: suite)
        var accuracy: [String: Double] = [:]
        for plan in suite.runs {
            let result = try trainer.run(plan)
            #expect(result.status == .ok)
            accuracy["\(plan.task.name)/\(plan.encoding)"] = result.evaluations[0].tokenAccuracy
            if plan.encoding.name == "learned" {  // no table rows past 8: unsupported, no numbers
                #expect(result.evaluations[1].status == .unsupported && result.evaluations[1].tokenAccuracy == nil)
            }
        }
        print("science test accuracies at length 8: \(accuracy)")
        // shift: 8 symbols; a position-blind model can only use its own token and the multiset.
        #expect(accuracy["shift/none"]! < 0.45)
        #expect(accuracy["shift/learned"]! > 0.95)
        #expect(accuracy["majority/none"]! > 0.9)
        #expect(accuracy["majority/learned"]! > 0.9)
    }

    /// A run whose loss becomes NaN is recorded as diverged, and the suite goes on.
    @Test func divergedRunIsRecordedAndTheSuiteContinues() throws {
        let registry = EncodingRegistry()
        try registry.register(NoEncoding.self, origin: .builtIn)
        try registry.register(PoisonEncoding.self, origin: .program("test"))
        let yaml = """
            encodings: [poison, none]
            tasks: [majority]
            seeds: [1]
            model: {d_model: 8, layers: 1, heads: 2}
            training: {steps: 20, batch_size: 4, length: 4}
            evaluation: {lengths: [4, 5], size: 8}
            """
        let suite = try Suite.parse(yaml: yaml, file: "p.yaml", defaultName: "poison", encodings: registry)
        let dir = temporaryDirectory()
        let store = try ResultsStore(directory: dir, suite: suite, fresh: true)
        try SuiteRunner(suite: suite, store: store, jobs: 1, trainer: Trainer(suite: suite, encodings: registry)).run()
        let c = Dictionary(uniqueKeysWithValues: ResultsStore.runColumns.enumerated().map { ($1, $0) })
        let rows = store.runRows
        #expect(rows.count == 4)
        for row in rows where row[c["encoding"]!] == "poison" {
            #expect(row[c["status"]!] == "diverged" && row[c["token_accuracy"]!].isEmpty && row[c["steps"]!] == "0")
        }
        for row in rows where row[c["encoding"]!] == "none" {
            #expect(row[c["status"]!] == "ok" && Double(row[c["token_accuracy"]!]) != nil)
        }
    }

    /// runs.csv is typed: numbers parse as numbers, and missing values are empty (NA), never text.
    @Test func runsCSVIsTidyAndTyped() throws {
        let suite = try Suite.load(path: fixture("tiny.yaml"))
        let dir = temporaryDirectory()
        let store = try ResultsStore(directory: dir, suite: suite, fresh: true)
        try SuiteRunner(suite: suite, store: store, jobs: 2).run()
        let table = try #require(try CSVTable.read(store.runsURL, expectedHeader: ResultsStore.runColumns))
        let integers = ["seed", "train_length_min", "train_length_max", "eval_length", "steps"]
        let reals = ["token_accuracy", "sequence_accuracy", "eval_loss", "final_train_loss", "wall_seconds"]
        for row in table.rows {
            for name in integers { #expect(Int(row[table.column(name)]) != nil, "\(name): \(row)") }
            for name in reals {
                let field = row[table.column(name)]
                #expect(field.isEmpty || Double(field) != nil, "\(name): '\(field)'")
            }
            let status = row[table.column("status")]
            #expect(["ok", "unsupported", "diverged"].contains(status))
            #expect(status == "ok" ? Double(row[table.column("token_accuracy")]) != nil : row[table.column("token_accuracy")].isEmpty)
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: store.manifestURL)) as? [String: Any]
        #expect(manifest?["finished_at"] is String && manifest?["runs_completed"] as? Int == 8)
    }
}

/// A test-only encoding with a trainable weight that never reaches the output.
final class InertEncoding: RegisteredEncoding {
    static let registryName = "inert"
    static let summary = "test only: one unused weight"
    let unused: Tensor
    var parameters: [Tensor] { [unused] }
    init(_ context: EncodingContext) { unused = .gaussian([3], std: 1, rng: context.rng(for: Self.registryName)) }
    static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> InertEncoding { InertEncoding(context) }
}

/// A test-only encoding whose output is NaN, to make a run diverge.
final class PoisonEncoding: RegisteredEncoding {
    static let registryName = "poison"
    static let summary = "test only: NaN embeddings"
    static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> PoisonEncoding { PoisonEncoding() }
    func embed(_ x: Tensor, context: HookContext) -> Tensor { x * Float.nan }
}
