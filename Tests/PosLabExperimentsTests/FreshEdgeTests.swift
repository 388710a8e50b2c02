import Foundation
import Testing

/// `poslab run --fresh` at the edges a newcomer hit (issue 24): it never follows a symbolic link out
/// of the results folder, and it deletes only files whose contents show they are PosLab's.
@Suite struct FreshEdgeTests {
    static let suite = RebuildAndFreshTests.suite
    let fm = FileManager.default

    /// A folder holding small.yaml and a finished study of it in `out`.
    func study(_ name: String = #function) throws -> URL {
        let dir = temporaryDirectory(name)
        try Self.suite.write(to: dir.appendingPathComponent("small.yaml"), atomically: true, encoding: .utf8)
        let (status, _, err) = try runPoslab(["run", "small.yaml", "--out", "out", "--jobs", "2"], in: dir)
        #expect(status == 0, "\(err)")
        return dir
    }

    func listing(_ url: URL) throws -> [String] { try fm.contentsOfDirectory(atPath: url.path).sorted() }

    /// runs/ a link to another study's records: --fresh refuses (exit 2, naming the link) and the
    /// other study keeps every file. (It used to delete them through the link.)
    @Test func freshWithRunsASymlinkToAnotherStudyDeletesNothingThere() throws {
        let dir = try study()
        let other = dir.appendingPathComponent("out/runs")
        let before = try listing(other)
        let mine = dir.appendingPathComponent("mine")
        try fm.createDirectory(at: mine, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: mine.appendingPathComponent("runs"), withDestinationURL: other)
        let (status, _, err) = try runPoslab(["run", "small.yaml", "--out", "mine", "--fresh"], in: dir)
        #expect(status == 2)
        #expect(err.contains("\(mine.path)/runs is a symbolic link") && err.contains("nothing was deleted"), "\(err)")
        #expect(try listing(other) == before)
        #expect(ResultsStoreProbe.isLink(mine.appendingPathComponent("runs")), "the link itself is the user's: left alone")
    }

    /// report/ a link to another study's report: --fresh refuses and that report keeps its page and
    /// figures. (It used to empty the other study's report.)
    @Test func freshWithReportASymlinkToAnotherStudysReportDeletesNothingThere() throws {
        let dir = try study()
        let otherReport = dir.appendingPathComponent("out/report")
        let before = try listing(otherReport)
        #expect(before.contains("report.html") && before.contains("overview.svg"))
        let mine = dir.appendingPathComponent("mine")
        try fm.createDirectory(at: mine, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: mine.appendingPathComponent("report"), withDestinationURL: otherReport)
        let (status, _, err) = try runPoslab(["run", "small.yaml", "--out", "mine", "--fresh"], in: dir)
        #expect(status == 2)
        #expect(err.contains("\(mine.path)/report is a symbolic link to \(otherReport.path)"), "\(err)")
        #expect(try listing(otherReport) == before)
    }

    /// A figure the report names is a link to a user's file elsewhere: refused before anything is
    /// deleted, the records still there. (It used to delete on and remove the link, exit 0.)
    @Test func freshWithAFileInReportASymlinkToElsewhereIsRefusedBeforeDeleting() throws {
        let dir = try study()
        let out = dir.appendingPathComponent("out")
        let elsewhere = dir.appendingPathComponent("elsewhere.svg")
        try Data("<svg>mine</svg>".utf8).write(to: elsewhere)
        let figure = out.appendingPathComponent("report/overview.svg")
        try fm.removeItem(at: figure)
        try fm.createSymbolicLink(at: figure, withDestinationURL: elsewhere)
        let records = try listing(out.appendingPathComponent("runs"))
        let (status, _, err) = try runPoslab(["run", "small.yaml", "--out", "out", "--fresh"], in: dir)
        #expect(status == 2)
        #expect(err.contains("\(figure.path) is a symbolic link"), "\(err)")
        #expect(try listing(out.appendingPathComponent("runs")) == records, "nothing deleted before the refusal")
        #expect(ResultsStoreProbe.isLink(figure))
        #expect(try String(contentsOf: elsewhere, encoding: .utf8) == "<svg>mine</svg>")
    }

    /// A user's files with PosLab's names but not PosLab's contents — an SVG in report/ that the
    /// report does not name, hex-named .json and .safetensors files and a .claim in runs/, a
    /// rebuild.lock with something in it — survive --fresh; PosLab's own files do not. (Names alone
    /// used to decide: all of these were deleted.)
    @Test func freshLeavesAUsersSVGHexNamedFilesClaimAndRebuildLock() throws {
        let dir = try study()
        let out = dir.appendingPathComponent("out"), runs = out.appendingPathComponent("runs")
        let ourRecords = try listing(runs)
        let users: [(String, String)] = [
            ("report/my-plot.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            ("runs/0123456789abcdef0123.json", "{\"my\": \"notes\"}"),
            ("runs/0123456789abcdef0123.safetensors", "not a checkpoint of PosLab's"),
            ("runs/notes.claim", "my claim on the coffee machine"),
            ("rebuild.lock", "my lock\n"),
        ]
        for (path, text) in users { try Data(text.utf8).write(to: out.appendingPathComponent(path)) }
        let (status, _, err) = try runPoslab(["run", "small.yaml", "--out", "out", "--fresh"], in: dir)
        #expect(status == 0, "\(err)")
        for (path, text) in users {
            #expect((try? String(contentsOf: out.appendingPathComponent(path), encoding: .utf8)) == text, "\(path) was deleted or changed")
        }
        // The old study's records and checkpoints are gone (this suite's runs have the same ids,
        // so they were written again: newer than the user's files).
        for name in ourRecords {
            let attributes = try fm.attributesOfItem(atPath: runs.appendingPathComponent(name).path)
            let user = try fm.attributesOfItem(atPath: runs.appendingPathComponent("notes.claim").path)
            #expect((attributes[.modificationDate] as! Date) > (user[.modificationDate] as! Date), "\(name) was not deleted and rewritten")
        }
    }
}

/// What a test needs to look at a file without following a link.
enum ResultsStoreProbe {
    static func isLink(_ url: URL) -> Bool {
        var info = stat()
        return lstat(url.path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }
}
