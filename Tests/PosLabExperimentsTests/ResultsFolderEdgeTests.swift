import Foundation
import PosLabResults
import PosLabTestSupport
import Testing

/// A results folder at the edges a newcomer hit (issue 24): two different suites in it at once, a
/// damaged manifest, leftover temporaries and claims, and `report` reading what `summarize` refuses.
@Suite struct ResultsFolderEdgeTests {
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

    /// A second, different suite started on a folder while another is live in it used to run too
    /// (whichever finished last wrote runs.csv, and manifest.json could name the other's settings):
    /// it is refused with exit 2, naming the folder and the fix, and writes nothing.
    @Test func twoDifferentSuitesOnOneFolderAtOnceAreRefused() throws {
        let dir = temporaryDirectory()
        let long = Self.suite.replacingOccurrences(of: "steps: 10", with: "steps: 100000")
            .replacingOccurrences(of: "d_model: 16", with: "d_model: 24")
        try long.write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try Self.suite.replacingOccurrences(of: "name: small", with: "name: other")
            .write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let a = Process()
        a.executableURL = poslabExecutable
        a.arguments = ["run", "a.yaml", "--out", "out", "--jobs", "1"]
        a.currentDirectoryURL = dir
        a.standardOutput = FileHandle.nullDevice
        a.standardError = FileHandle.nullDevice
        try a.run()
        defer { if a.isRunning { kill(a.processIdentifier, SIGKILL) }; a.waitUntilExit() }
        // Wait until suite a is training (it holds a claim).
        let runs = dir.appendingPathComponent("out/runs")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, ((try? fm.contentsOfDirectory(atPath: runs.path)) ?? []).allSatisfy({ !$0.hasSuffix(".claim") }) {
            usleep(100_000)
        }
        #expect(a.isRunning, "suite a should still be training")
        let manifest = try Data(contentsOf: dir.appendingPathComponent("out/manifest.json"))
        let (status, out, err) = try runPoslab(["run", "b.yaml", "--out", "out"], in: dir)
        #expect(status == 2, "\(out)\(err)")
        #expect(err.contains("\(dir.path)/out") && err.contains("suite small") && err.contains("--out"), "\(err)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("out/manifest.json")) == manifest, "manifest.json still names suite a")
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent("out/runs.csv").path), "nothing of suite b written")
    }

    /// A damaged manifest.json in a folder of PosLab records said "not written by PosLab": it says
    /// the file is damaged and how to recover, and leaves it as it is.
    @Test func damagedManifestInAFolderOfRecordsSaysDamagedAndHowToRecover() throws {
        let dir = try study()
        let manifest = dir.appendingPathComponent("out/manifest.json")
        let damaged = Data("\u{0}\u{0}\u{0}\u{0}garbled by a crash".utf8)
        try damaged.write(to: manifest)
        let (status, _, err) = try runPoslab(["run", "small.yaml", "--out", "out"], in: dir)
        #expect(status == 2)
        #expect(err.contains("\(manifest.path) is damaged") && !err.contains("not written by PosLab"), "\(err)")
        #expect(err.contains("poslab run") && err.contains("--out"), "says how to recover: \(err)")
        #expect(try Data(contentsOf: manifest) == damaged)
        // Following the advice recovers the folder without training again.
        try fm.moveItem(at: manifest, to: manifest.appendingPathExtension("damaged"))
        let (again, _, why) = try runPoslab(["run", "small.yaml", "--out", "out"], in: dir)
        #expect(again == 0 && why.contains("4 of 4 runs already finished"), "\(why)")
    }

    /// `.dat.nosync*` temporaries (atomic writes cut short) and stale claims were never cleaned. A
    /// run cleans them — only files whose names and contents are PosLab's, only inside the results
    /// folder, and only when provably stale (a dead pid on this host, or older than the timeout).
    @Test func staleTemporariesAndClaimsAreCleaned() throws {
        let dir = try study()
        let out = dir.appendingPathComponent("out"), runs = out.appendingPathComponent("runs")
        let old = Date().addingTimeInterval(-3600)
        let csv = try Data(contentsOf: out.appendingPathComponent("runs.csv"))
        let record = try Data(contentsOf: try #require(recordFiles(out).first))
        func write(_ data: Data, _ url: URL, modified: Date? = nil) throws {
            try data.write(to: url)
            if let modified { try fm.setAttributes([.modificationDate: modified], ofItemAtPath: url.path) }
        }
        // A process that has ended: its pid names no live process.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let host = ProcessInfo.processInfo.hostName
        func claim(_ pid: Int32) -> Data { Data("pid \(pid)\nhost \(host)\nsince 2026-01-01T00:00:00Z\n".utf8) }
        let staleTemporary = out.appendingPathComponent(".dat.nosync1f2.a1B2c3"), staleRecordTemporary = runs.appendingPathComponent(".dat.nosync1f3.x9Y8z7")
        let freshTemporary = out.appendingPathComponent(".dat.nosync1f4.q1W2e3"), usersTemporary = out.appendingPathComponent(".dat.nosync1f5.mine00")
        let outsideTemporary = dir.appendingPathComponent(".dat.nosync1f6.b1B2c3")
        let deadClaim = runs.appendingPathComponent("0123456789abcdef0123.claim"), liveClaim = runs.appendingPathComponent("00000000000000000001.claim")
        let usersClaim = runs.appendingPathComponent("notes.claim")
        try write(csv, staleTemporary, modified: old)
        try write(record.prefix(100), staleRecordTemporary, modified: old)  // cut short, still PosLab's format
        try write(csv, freshTemporary)
        try write(Data("my own notes\n".utf8), usersTemporary, modified: old)
        try write(csv, outsideTemporary, modified: old)
        try write(claim(ended.processIdentifier), deadClaim)
        try write(claim(getpid()), liveClaim, modified: old)  // this test process is alive
        try write(Data("pid 1\nmy claim\n".utf8), usersClaim, modified: old)

        let (status, _, err) = try runPoslab(["run", "small.yaml", "--out", "out"], in: dir)
        #expect(status == 0, "\(err)")
        for gone in [staleTemporary, staleRecordTemporary, deadClaim] {
            #expect(!fm.fileExists(atPath: gone.path), "\(gone.lastPathComponent) is stale and PosLab's: removed")
        }
        for kept in [freshTemporary, usersTemporary, outsideTemporary, liveClaim, usersClaim] {
            #expect(fm.fileExists(atPath: kept.path), "\(kept.lastPathComponent) kept")
        }
        #expect(err.contains("removed") && err.contains(deadClaim.lastPathComponent), "the cleaning is said: \(err)")
    }

    /// `report` drew rows that `summarize` refuses: it reads runs.csv as `summarize` does, with the
    /// same error and exit 2, and writes no report.
    @Test func reportRejectsRowsThatSummarizeRejects() throws {
        let dir = try study()
        let out = dir.appendingPathComponent("out"), runsCSV = out.appendingPathComponent("runs.csv")
        let table = try #require(try CSVTable.read(runsCSV, expectedHeader: ResultsStore.runColumns))
        func edited(_ column: String, _ value: String) -> CSVTable {
            var t = table
            t.rows[1][t.column(column)] = value
            return t
        }
        var duplicated = table
        duplicated.rows.insert(table.rows[0], at: 1)  // line 3 repeats line 2
        let cases: [(String, CSVTable)] = [
            ("a status that is none of ok, unsupported, diverged, failed", edited("status", "bogus")),
            ("a seed that is not a whole number", edited("seed", "x")),
            ("a perplexity below 1", edited("perplexity", "0.5")),
            ("a duplicated row", duplicated),
        ]
        try fm.removeItem(at: out.appendingPathComponent("report"))
        for (what, bad) in cases {
            try bad.write(to: runsCSV)
            let (summarized, _, summarizeError) = try runPoslab(["summarize", "out"], in: dir)
            let (reported, _, reportError) = try runPoslab(["report", "out"], in: dir)
            #expect(summarized == 2 && reported == 2, "\(what): summarize \(summarized), report \(reported): \(reportError)")
            #expect(reportError == summarizeError && reportError.contains("\(runsCSV.path):3"), "\(what): \(reportError) vs \(summarizeError)")
            #expect(!fm.fileExists(atPath: out.appendingPathComponent("report").path), "\(what): a report was written")
        }
    }
}
