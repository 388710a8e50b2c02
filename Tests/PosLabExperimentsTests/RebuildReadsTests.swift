#if os(Linux)
import Foundation
import Glibc
import PosLabReport
import PosLabResults
import PosLabRunner
import Testing

/// `rebuild` reads each record once and hands back what it wrote, so that `poslab run` reads neither
/// the records nor runs.csv again: the record reads are counted by the kernel (inotify), not by a
/// hook in PosLab.
@Suite struct RebuildReadsTests {
    /// How many times each file in `folder` was opened while `body` ran (inotify's IN_OPEN), by name.
    static func opens<T>(in folder: URL, during body: () throws -> T) throws -> (T, [String: Int]) {
        let fd = inotify_init1(Int32(IN_NONBLOCK))
        try #require(fd >= 0)
        defer { close(fd) }
        // IN_CLOSE_NOWRITE too, so that two opens of one file in a row are two events (identical events in a row are merged).
        try #require(inotify_add_watch(fd, folder.path, UInt32(IN_OPEN) | UInt32(IN_CLOSE_NOWRITE)) >= 0)
        let result = try body()
        var counts: [String: Int] = [:]
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            var offset = 0
            while offset < n {  // struct inotify_event: wd, mask, cookie, len (4 bytes each), then len bytes of name
                let (mask, length) = buffer.withUnsafeBytes {
                    ($0.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self), Int($0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let name = String(decoding: buffer[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }, as: UTF8.self)
                if mask & UInt32(IN_OPEN) != 0, name.hasSuffix(".json") { counts[name, default: 0] += 1 }
                offset += 16 + length
            }
        }
        return (result, counts)
    }

    /// A tuned study's rebuild derives runs.csv, curves.csv, validation.csv and selection.csv from
    /// one read of each record (it used to read them twice).
    @Test func rebuildReadsEachRecordOnce() throws {
        let suite = try TuningTests.tunedSuite()
        let dir = temporaryDirectory()
        let store = try TuningTests.study(suite, in: dir) { _, learningRate, _ in (learningRate * 10, 0.5) }
        let runs = try Trainer(suite: suite).resolve(suite.runs)
        let (rebuilt, opened) = try Self.opens(in: store.recordsURL) { try store.rebuild(runs) }
        #expect(rebuilt.records.count == runs.count && rebuilt.damaged.isEmpty)
        #expect(opened == Dictionary(uniqueKeysWithValues: runs.map { ("\($0.id).json", 1) }))
    }

    /// Running a finished study again reads each record twice, once to see it is done and once to
    /// rebuild, never a third time to count the complete runs; it hands back runs.csv as written.
    @Test func aFinishedStudyIsReadToSurveyAndToRebuildOnly() throws {
        let suite = try smallSuite(name: "reads")
        let dir = temporaryDirectory()
        let first = try runStudy(suite, in: dir)
        let (again, opened) = try Self.opens(in: first.store.recordsURL) { try runStudy(suite, in: dir) }
        #expect(again.outcome.trained == 0 && again.outcome.missing == 0)
        #expect(Manifest.read(again.store.manifestURL)?.runsCompleted == suite.runs.count)
        #expect(opened == Dictionary(uniqueKeysWithValues: recordFiles(dir).map { ($0.lastPathComponent, 2) }))
        #expect(again.outcome.runsTable == (try CSVTable.read(again.store.runsURL, expectedHeader: ResultsStore.runColumns)))
    }

    /// Growing a study by a length reads each record four times: to survey it, before claiming its
    /// run, once the run is claimed (another process may have finished it meanwhile), and to
    /// rebuild. The kernel check reads the survey's records, and the evaluation the record read
    /// after claiming (it was six reads).
    @Test func aGrowingStudyReadsEachRecordFourTimes() throws {
        var suite = try smallSuite(name: "grows")
        suite.checkpoint = true
        let dir = temporaryDirectory()
        let first = try runStudy(suite, in: dir)
        suite.evaluation.lengths = [6, 9]
        let (grown, opened) = try Self.opens(in: first.store.recordsURL) { try runStudy(suite, in: dir) }
        #expect(grown.outcome.evaluated == suite.runs.count && grown.outcome.trained == 0)
        #expect(opened == Dictionary(uniqueKeysWithValues: recordFiles(dir).map { ($0.lastPathComponent, 4) }))
    }

    /// The table `rebuild` returns is runs.csv's strings, and what is derived from it (rows, summary,
    /// rankings, the report's data) equals what is derived from the file, in a tuned study with
    /// every grid point or the selected ones; the records are not read again (damaged afterwards).
    @Test func theRebuiltTableIsRunsCSVAndReadsAsTheFileDoes() throws {
        let suite = try TuningTests.tunedSuite()
        let dir = temporaryDirectory()
        let store = try TuningTests.study(suite, in: dir) { encoding, learningRate, seed in
            (encoding == "none" ? learningRate * 10 : 1 - learningRate * 10, 0.25 + 0.125 * Double(seed) + learningRate)
        }
        let rebuilt = try store.rebuild(try Trainer(suite: suite).resolve(suite.runs))
        for file in recordFiles(dir) { try Data("{".utf8).write(to: file) }
        #expect(rebuilt.runsTable.rows.count == suite.runs.count * suite.evaluation.lengths.count)
        #expect(rebuilt.runsTable == (try CSVTable.read(store.runsURL, expectedHeader: ResultsStore.runColumns)))
        for allGridPoints in [false, true] {
            let fromTable = try RunRow.load(table: rebuilt.runsTable, directory: dir, allGridPoints: allGridPoints)
            #expect("\(fromTable)" == "\(try RunRow.load(directory: dir, allGridPoints: allGridPoints))")
        }
        let analysis = try Analysis(records: RunRow.load(table: rebuilt.runsTable, directory: dir), directory: dir)
        let fromFile = try Analysis(directory: dir)
        #expect(analysis.summary.table == fromFile.summary.table && analysis.rankings.table == fromFile.rankings.table)
        // A row's dictionaries compared sorted (two equal dictionaries may list their keys in different orders).
        func fields(_ rows: [ReportData.Row]) -> [String] {
            rows.map { "\($0.scope) \($0.encoding) \($0.seed) \($0.runID) \($0.evalLength) \($0.status) \($0.trainMin) \($0.trainMax) "
                + "\($0.metrics.sorted { $0.key < $1.key }) \($0.settings.sorted { $0.key < $1.key })" }
        }
        #expect(fields(try ReportData.load(dir, runs: rebuilt.runsTable).rows) == fields(try ReportData.load(dir).rows))
    }
}
#endif
