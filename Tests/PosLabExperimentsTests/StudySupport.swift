import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner
import PosLabStudy
import Testing

/// Lines a runner logged (warnings, retraining and waiting notes).
final class Notes: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func add(_ line: String) { lock.withLock { stored.append(line) } }
}

/// Runs `suite` into `dir` and returns what the runner did, what it logged, and the store.
@discardableResult
func runStudy(_ suite: Suite, in dir: URL, jobs: Int = 2, encodings: EncodingRegistry = .shared, fresh: Bool = false,
              stopAfter: Int? = nil) throws -> (outcome: SuiteRunner.Outcome, notes: [String], store: ResultsStore) {
    let store = try ResultsStore(directory: dir, suite: suite, fresh: fresh)
    var runner = SuiteRunner(suite: suite, store: store, jobs: jobs, trainer: Trainer(suite: suite, encodings: encodings))
    let notes = Notes()
    runner.log = { notes.add($0) }
    let outcome = try runner.run(stopAfter: stopAfter)
    return (outcome, notes.lines, store)
}

/// A small suite: 2 tasks × the given encodings × seeds, a few steps, tiny model.
func smallSuite(name: String = "small", encodings: String = "[none, sinusoidal]", seeds: String = "[1]",
                lengths: String = "[6]", steps: Int = 20, extra: String = "", registry: EncodingRegistry = .shared) throws -> Suite {
    try Suite.parse(yaml: """
        name: \(name)
        encodings: \(encodings)
        tasks: [shift, majority]
        seeds: \(seeds)
        model: {d_model: 16, layers: 1, heads: 2}
        training: {steps: \(steps), batch_size: 8, length: 6, log_every: 10}
        evaluation: {lengths: \(lengths), size: 16, seed: 7}
        \(extra)
        """, file: "\(name).yaml", defaultName: name, encodings: registry)
}

/// The record files in a results folder.
func recordFiles(_ dir: URL) -> [URL] {
    let runs = dir.appendingPathComponent("runs")
    return ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        .map { runs.appendingPathComponent($0) }
}
