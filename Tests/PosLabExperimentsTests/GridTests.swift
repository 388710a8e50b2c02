import Foundation
import PosLabResults
import PosLabStudy
import Testing

/// Settings given as lists are swept: a full product, with `grid:` zip, exclude and include;
/// every swept setting is a column, and summaries and comparisons stay within one grid point.
@Suite struct GridTests {
    static let yaml = """
        name: grid
        encodings: [none, sinusoidal]
        tasks: [shift]
        seeds: [1, 2]
        model: {d_model: [8, 16], layers: 1, heads: 2}
        training: {steps: 12, batch_size: 8, length: 6, learning_rate: [0.003, 0.01], log_every: 6}
        evaluation: {lengths: [6], size: 16, seed: 7}
        """

    @Test func learningRateByWidthGivesOneGroupPerGridPoint() throws {
        let suite = try Suite.parse(yaml: Self.yaml, file: "grid.yaml", defaultName: "grid")
        #expect(suite.grid.map(\.label) == [
            "model.d_model=8;training.learning_rate=0.003", "model.d_model=8;training.learning_rate=0.01",
            "model.d_model=16;training.learning_rate=0.003", "model.d_model=16;training.learning_rate=0.01",
        ])
        #expect(suite.runs.count == 16)
        let dir = temporaryDirectory()
        let r = try runStudy(suite, in: dir)
        #expect(r.outcome.trained == 16)
        let c = ResultsStore.runColumns
        let rows = r.store.runRows
        #expect(rows.count == 16)
        #expect(Set(rows.map { "\($0[c.firstIndex(of: "d_model")!])/\($0[c.firstIndex(of: "learning_rate")!])" })
                == ["8/0.003", "8/0.01", "16/0.003", "16/0.01"])

        // Summaries: one group per grid point × encoding, each over its 2 seeds only.
        let records = try RunRow.load(directory: dir)
        #expect(Set(records.map(\.setting)) == ["d_model=8;learning_rate=0.003", "d_model=8;learning_rate=0.01",
                                                "d_model=16;learning_rate=0.003", "d_model=16;learning_rate=0.01"])
        let summary = Summary(records: records, metrics: [.tokenAccuracy])
        #expect(summary.rows.count == 8 && summary.rows.allSatisfy { $0.n == 2 })

        // Comparisons: against none, within each grid point, paired over its seeds; never across.
        let comparison = try Comparison(records: records, metric: .tokenAccuracy, lengths: .all, baseline: "none")
        #expect(comparison.rows.count == 4)
        for row in comparison.rows {
            #expect(row.paired && row.valuesA.count == 2)
            let mine = records.filter { $0.setting == row.setting && $0.encoding == row.a }.sorted { $0.seed < $1.seed }
            #expect(row.valuesA == mine.compactMap(\.tokenAccuracy))
        }
        #expect(Set(comparison.rows.map(\.setting)).count == 4)
        #expect(comparison.table.header.contains("setting"))
    }

    @Test func zipExcludeAndIncludeShapeTheGrid() throws {
        func points(_ grid: String) throws -> [String] {
            try Suite.parse(yaml: """
                encodings: [none]
                tasks: [shift]
                model: {d_model: [8, 16, 32], heads: 2}
                training: {learning_rate: [0.01, 0.003, 0.001], steps: [10, 20]}
                \(grid)
                """, file: "g.yaml", defaultName: "g").grid.map(\.label)
        }
        #expect(try points("").count == 18)
        let zipped = try points("grid: {zip: [[model.d_model, training.learning_rate]]}")
        #expect(zipped.count == 6 && zipped.first == "model.d_model=8;training.learning_rate=0.01;training.steps=10")
        let excluded = try points("grid: {zip: [[model.d_model, training.learning_rate]], exclude: [{model.d_model: 32, training.steps: 20}]}")
        #expect(excluded.count == 5 && !excluded.contains("model.d_model=32;training.learning_rate=0.001;training.steps=20"))
        // Numbers match as numbers: 1e-2 is 0.01.
        #expect(try points("grid: {exclude: [{training.learning_rate: 1e-2}]}").count == 12)
        let included = try points("grid: {zip: [[model.d_model, training.learning_rate]], include: [{model.d_model: 64, training.learning_rate: 0.0003, training.steps: 40}]}")
        #expect(included.count == 7 && included.last == "model.d_model=64;training.learning_rate=0.0003;training.steps=40")
    }

    static let refusals: [(yaml: String, keyPath: String, line: Int, fragment: String)] = [
        ("training: {learning_rate: []}", "training.learning_rate", 3, "empty list"),
        ("training: {learning_rate: [0.01, 0.01]}", "training.learning_rate[1]", 3, "twice"),
        ("model: {d_model: [8, 16]}\ngrid: {zpi: []}", "grid.zpi", 4, "did you mean 'zip'"),
        ("model: {d_model: [8, 16]}\ntraining: {steps: [1, 2, 3]}\ngrid: {zip: [[model.d_model, training.steps]]}", "grid.zip[0]", 5, "same length"),
        ("model: {d_model: [8, 16]}\ngrid: {zip: [[model.d_model, model.layers]]}", "grid.zip[0]", 4, "model.layers is not swept"),
        ("model: {d_model: [8, 16]}\ngrid: {exclude: [{model.d_model: 12}]}", "grid.exclude[0].model.d_model", 4, "not one of the swept values"),
        ("model: {d_model: [8, 16]}\ngrid: {exclude: [{model.d_model: 8}, {model.d_model: 16}]}", "grid.exclude", 4, "every grid point"),
        ("model: {d_model: [8, 16]}\ntraining: {steps: [1, 2]}\ngrid: {include: [{model.d_model: 4}]}", "grid.include[0]", 5, "training.steps is missing"),
        ("model: {d_model: 10, heads: [2,\n  3]}", "model.d_model", 4, "at grid point model.heads=3"),
        ("grid: {zip: []}", "grid", 3, "nothing is swept"),
    ]

    @Test(arguments: refusals.indices)
    func impossibleGridsAreRefusedWithFileLineAndKey(_ i: Int) throws {
        let c = Self.refusals[i]
        do {
            let suite = try Suite.parse(yaml: "encodings: [none]\ntasks: [shift]\n" + c.yaml, file: "bad.yaml", defaultName: "bad")
            Issue.record("accepted: \(suite.grid.map(\.label))")
        } catch let error as SuiteError {
            #expect(error.file == "bad.yaml" && error.keyPath == c.keyPath && error.line == c.line, "\(error)")
            #expect(error.rule.contains(c.fragment), "\(error)")
        }
    }
}
