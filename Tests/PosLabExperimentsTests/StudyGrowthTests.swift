import Foundation
import PosLabRunner
import PosLabStudy
import Testing

/// A study grows (seeds, encodings, evaluation lengths) and only the new work is done; the result
/// equals a from-scratch run of the grown suite.
@Suite struct StudyGrowthTests {
    @Test func growingAStudyTrainsOnlyTheNewRuns() throws {
        let dir = temporaryDirectory()
        let base = try smallSuite(name: "grow", encodings: "[none]", seeds: "[1]", lengths: "[6]")
        #expect(try runStudy(base, in: dir).outcome.trained == 2)

        // One more seed and one more encoding: 8 runs, of which 2 are done.
        let wider = try smallSuite(name: "grow", encodings: "[none, sinusoidal]", seeds: "[1, 2]", lengths: "[6]")
        let second = try runStudy(wider, in: dir)
        #expect(second.outcome.trained == 6)
        #expect(!second.notes.contains { $0.contains("retraining") })

        // One more evaluation length: every finished run lacks it, so each is evaluated from its
        // checkpoint, nothing is trained, and the note says so.
        let grown = try smallSuite(name: "grow", encodings: "[none, sinusoidal]", seeds: "[1, 2]", lengths: "[6, 9]")
        let third = try runStudy(grown, in: dir)
        #expect(third.outcome.trained == 0 && third.outcome.evaluated == 8)
        #expect(third.notes == ["evaluating 8 runs from their checkpoints, not training them: their records lack evaluation length 9"],
                "\(third.notes)")
        #expect(try runStudy(grown, in: dir).outcome.evaluated == 0)

        let scratch = try runStudy(grown, in: temporaryDirectory("scratch"))
        #expect(third.store.runRows.count == 16)
        #expect(withoutWallTime(third.store.runRows) == withoutWallTime(scratch.store.runRows))
        #expect(try Data(contentsOf: third.store.curvesURL) == Data(contentsOf: scratch.store.curvesURL))
    }

    /// Without checkpoints (`training.checkpoint: false`), a run lacking a new length is retrained,
    /// and the note says why.
    @Test func withoutCheckpointsGrowingLengthsRetrains() throws {
        let dir = temporaryDirectory()
        var suite = try smallSuite(name: "grow", seeds: "[1, 2]", lengths: "[6]")
        suite.checkpoint = false
        #expect(try runStudy(suite, in: dir).outcome.trained == 8)
        #expect(recordFiles(dir).count == 8 && !hasCheckpoints(dir))
        suite.evaluation.lengths = [6, 9]
        let grown = try runStudy(suite, in: dir)
        #expect(grown.outcome.trained == 8 && grown.outcome.evaluated == 0)
        #expect(grown.notes.filter { $0.contains("retraining") && $0.contains("lacks evaluation length 9") && $0.contains("has no checkpoint") }.count == 8,
                "\(grown.notes)")
    }

    /// A run's identity is its resolved configuration: `learned` and `learned(size=6)` at training
    /// length 6 are the same run, and a suite listing the run under another spelling reuses it.
    @Test func identityIsTheResolvedConfiguration() throws {
        let dir = temporaryDirectory()
        let a = try smallSuite(name: "ident", encodings: "[learned]")
        let b = try smallSuite(name: "ident", encodings: "[\"learned(size=6)\"]")
        let c = try smallSuite(name: "ident", encodings: "[learned]", steps: 21)
        let ids = { (s: Suite) in try Trainer(suite: s).resolve(s.runs).map(\.id) }
        #expect(try ids(a) == ids(b))
        #expect(try Set(ids(a)).isDisjoint(with: ids(c)))
        #expect(try runStudy(a, in: dir).outcome.trained == 2)
        #expect(try runStudy(b, in: dir).outcome.trained == 0)
        #expect(try runStudy(c, in: dir).outcome.trained == 2)
        #expect(recordFiles(dir).count == 4)  // the other configuration's records are kept, not mixed in
    }
}
