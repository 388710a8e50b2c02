import Foundation
import PosLabModel
import PosLabResults
import PosLabRunner
import PosLabStudy
import Synchronization
import Testing

/// The fault corpus: damaged, foreign, duplicated and missing files, two suite versions and two
/// runners in one folder, an unsafe name, a run that throws. Never a crash, every damaged file
/// named, and once the damage is gone the study equals an undisturbed one.
@Suite struct FaultTests {
    /// The undisturbed study's runs.csv (wall time aside) and curves.csv.
    static func reference(_ suite: Suite) throws -> ([[String]], Data) {
        let r = try runStudy(suite, in: temporaryDirectory("reference"))
        return (withoutWallTime(r.store.runRows), try Data(contentsOf: r.store.curvesURL))
    }

    static func expectUndisturbed(_ store: ResultsStore, _ reference: ([[String]], Data)) throws {
        #expect(withoutWallTime(store.runRows) == reference.0)
        #expect(try Data(contentsOf: store.curvesURL) == reference.1)
    }

    @Test func damagedRecordsAreNamedAndTrainedAgain() throws {
        let suite = try smallSuite(name: "damage", encodings: "[none, sinusoidal]")
        let reference = try Self.reference(suite)
        let dir = temporaryDirectory()
        try runStudy(suite, in: dir)
        let files = recordFiles(dir)
        #expect(files.count == 4)
        // Truncated, garbled (a digit changed: valid JSON, wrong checksum), duplicated (one run's
        // record copied over another's), and a foreign JSON file under a record's name.
        let truncated = try Data(contentsOf: files[0])
        try truncated.prefix(truncated.count - 40).write(to: files[0])
        var text = try String(contentsOf: files[1], encoding: .utf8)
        let digit = text.range(of: "\"steps\":20")!
        text.replaceSubrange(digit, with: "\"steps\":21")
        try text.write(to: files[1], atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: files[2])
        try FileManager.default.copyItem(at: files[3], to: files[2])
        let foreign = dir.appendingPathComponent("runs/notes.txt")
        try "mine".write(to: foreign, atomically: true, encoding: .utf8)

        // rebuild names each damaged record and leaves its run out; it never crashes.
        let store = try ResultsStore(directory: dir, suite: suite, fresh: false)
        let damaged = try store.rebuild(try Trainer(suite: suite).resolve(suite.runs)).damaged
        #expect(Set(damaged.map(\.file)) == Set(files.prefix(3).map(\.path)))
        #expect(damaged.map(\.reason).contains { $0.contains("truncated or garbled") })
        #expect(damaged.map(\.reason).contains { $0.contains("checksum") })
        #expect(damaged.map(\.reason).contains { $0.contains("not \(files[2].deletingPathExtension().lastPathComponent)") })
        #expect(store.runRows.count == 1)

        // A run names each file, trains exactly those three runs again, and leaves the foreign file alone.
        let again = try runStudy(suite, in: dir)
        #expect(again.outcome.trained == 3)
        for file in files.prefix(3) { #expect(again.notes.contains { $0.contains(file.path) && $0.contains("trained again") }, "\(again.notes)") }
        #expect(again.notes.contains { $0.contains(foreign.path) && $0.contains("not a PosLab record") })
        #expect(FileManager.default.fileExists(atPath: foreign.path))
        try Self.expectUndisturbed(again.store, reference)
    }

    @Test func damagedDerivedFilesAndManifestCostNothing() throws {
        let suite = try smallSuite(name: "derived")
        let reference = try Self.reference(suite)
        let dir = temporaryDirectory()
        let first = try runStudy(suite, in: dir)
        // runs.csv truncated mid-line: analysis names the file and the fix, no crash.
        let runs = try Data(contentsOf: first.store.runsURL)
        try runs.prefix(runs.count - 40).write(to: first.store.runsURL)
        do { _ = try RunRow.load(directory: dir); Issue.record("a truncated runs.csv was read") } catch let error as ResultsError {
            #expect(error.description.contains(first.store.runsURL.path) && error.description.contains("poslab rebuild"), "\(error)")
        }
        // A bad quote in curves.csv, a line duplicated in runs.csv, and no manifest at all.
        var curves = try String(contentsOf: first.store.curvesURL, encoding: .utf8)
        curves.insert("\"", at: curves.index(curves.startIndex, offsetBy: 30))
        try curves.write(to: first.store.curvesURL, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: first.store.manifestURL)
        let again = try runStudy(suite, in: dir)
        #expect(again.outcome.trained == 0)
        try Self.expectUndisturbed(again.store, reference)
        #expect(Manifest.read(again.store.manifestURL)?.runsCompleted == suite.runs.count)
        // A damaged manifest is named and rewritten.
        try "{\"suite\": ".write(to: again.store.manifestURL, atomically: true, encoding: .utf8)
        let third = try runStudy(suite, in: dir)
        #expect(third.notes.contains { $0.contains("manifest.json is damaged") })
        #expect(third.outcome.trained == 0)
    }

    @Test func twoSuiteVersionsInOneFolderNeverMix() throws {
        let v1 = try smallSuite(name: "versions", steps: 20), v2 = try smallSuite(name: "versions", steps: 22)
        let reference1 = try Self.reference(v1), reference2 = try Self.reference(v2)
        let dir = temporaryDirectory()
        try runStudy(v1, in: dir, stopAfter: 1)
        let second = try runStudy(v2, in: dir)
        #expect(second.outcome.trained == 4)
        try Self.expectUndisturbed(second.store, reference2)
        let back = try runStudy(v1, in: dir)
        #expect(back.outcome.trained == 3)  // v1's first run was kept
        try Self.expectUndisturbed(back.store, reference1)
    }

    @Test func twoRunnersSharingAFolderTrainEachRunOnce() throws {
        let suite = try smallSuite(name: "shared", seeds: "[1, 2, 3]")
        let reference = try Self.reference(suite)
        let dir = temporaryDirectory()
        let box = Mutex<[SuiteRunner.Outcome]>([])
        let group = DispatchGroup()
        for _ in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let r = try runStudy(suite, in: dir, jobs: 1)
                    box.withLock { $0.append(r.outcome) }
                } catch { Issue.record("\(error)") }
            }.start()
        }
        group.wait()
        let outcomes = box.withLock { $0 }
        #expect(outcomes.count == 2)
        #expect(outcomes.map(\.trained).reduce(0, +) == suite.runs.count, "\(outcomes.map(\.trained))")
        #expect(outcomes.allSatisfy { $0.failed.isEmpty && $0.missing == 0 })
        let store = try ResultsStore(directory: dir, suite: suite, fresh: false)
        try Self.expectUndisturbed(store, reference)
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: store.recordsURL.path)) ?? []).contains { $0.hasSuffix(".claim") })
    }

    /// Two `poslab run` processes started together on one folder: both exit 0, every run is
    /// trained by exactly one of them, and runs.csv equals a single process's.
    @Test func twoProcessesSharingAFolder() throws {
        let dir = temporaryDirectory()
        let suitePath = fixture("tiny.yaml")
        func start() throws -> (Process, Pipe) {
            let process = Process()
            process.executableURL = poslabExecutable
            process.arguments = ["run", suitePath, "--out", "shared", "--jobs", "1"]
            process.currentDirectoryURL = dir
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return (process, err)
        }
        let (a, errA) = try start(), (b, errB) = try start()
        let logs = [errA, errB].map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        a.waitUntilExit()
        b.waitUntilExit()
        #expect(a.terminationStatus == 0 && b.terminationStatus == 0, "\(logs)")
        // Each process prints one "[k/8] …: ok" line per run it trained itself.
        let trained = logs.map { $0.split(separator: "\n").filter { $0.hasPrefix("[") && $0.contains(": ok,") }.count }
        #expect(trained.reduce(0, +) == 8, "\(trained): \(logs)")
        let (status, _, _) = try runPoslab(["run", suitePath, "--out", "single", "--jobs", "1"], in: dir)
        #expect(status == 0)
        let columns = ResultsStore.runColumns
        let shared = try #require(try CSVTable.read(dir.appendingPathComponent("shared/runs.csv"), expectedHeader: columns))
        let single = try #require(try CSVTable.read(dir.appendingPathComponent("single/runs.csv"), expectedHeader: columns))
        #expect(withoutWallTime(shared.rows) == withoutWallTime(single.rows))
    }

    @Test func staleClaimsAreTakenOverLiveOnesRespected() throws {
        let suite = try smallSuite(name: "claims")
        let dir = temporaryDirectory()
        let store = try ResultsStore(directory: dir, suite: suite, fresh: false)
        let ids = try Trainer(suite: suite).resolve(suite.runs).map(\.id)
        // A claim left by a process that is gone (a pid that cannot exist on this host).
        try "pid 2147483646\nhost \(ProcessInfo.processInfo.hostName)\n".write(to: store.claimURL(ids[0]), atomically: true, encoding: .utf8)
        // A live claim from another host: --fresh refuses, naming it.
        try "pid 42\nhost far-away-node\n".write(to: store.claimURL(ids[1]), atomically: true, encoding: .utf8)
        #expect { _ = try ResultsStore(directory: dir, suite: suite, fresh: true) } throws: { error in
            "\(error)".contains("pid 42 on far-away-node")
        }
        try FileManager.default.removeItem(at: store.claimURL(ids[1]))
        let r = try runStudy(suite, in: dir)
        #expect(r.outcome.trained == 4)
        #expect(recordFiles(dir).count == 4)
    }

    @Test func unsafeNamesAreRefused() throws {
        for name in ["'..'", "'.'", "a/b", "'.hidden'", "\"a\\tb\"", String(repeating: "x", count: 65)] {
            #expect { _ = try Suite.parse(yaml: "name: \(name)\nencodings: [none]\ntasks: [shift]\n", file: "n.yaml", defaultName: "n") }
                throws: { ($0 as? SuiteError)?.keyPath == "name" && ($0 as? SuiteError)?.line == 1 }
        }
        let dir = temporaryDirectory()
        let suite = dir.appendingPathComponent("dots.yaml")
        try "name: '..'\nencodings: [none]\ntasks: [shift]\n".write(to: suite, atomically: true, encoding: .utf8)
        let (status, out, err) = try runPoslab(["run", suite.path], in: dir)
        #expect(status == 2 && out.isEmpty && err.contains("dots.yaml:1: name: must be a plain folder name"), "\(err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["dots.yaml"])
    }

    @Test func freshDeletesOnlyWhatPosLabWrote() throws {
        let suite = try smallSuite(name: "fresh")
        let dir = temporaryDirectory()
        try runStudy(suite, in: dir)
        let mine = [dir.appendingPathComponent("notes.txt"), dir.appendingPathComponent("runs/keep.txt")]
        for url in mine { try "mine".write(to: url, atomically: true, encoding: .utf8) }
        let r = try runStudy(suite, in: dir, fresh: true)
        #expect(r.outcome.trained == 4)
        for url in mine { #expect(FileManager.default.fileExists(atPath: url.path)) }
        // A folder whose runs.csv PosLab did not write is refused before anything is touched.
        let other = temporaryDirectory("other")
        try "a,b\n1,2\n".write(to: other.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        #expect { _ = try ResultsStore(directory: other, suite: suite, fresh: true) } throws: { "\($0)".contains("was not written by PosLab") }
        #expect(try String(contentsOf: other.appendingPathComponent("runs.csv"), encoding: .utf8) == "a,b\n1,2\n")
    }

    /// A study with many encodings resumes: its manifest's sorted keys put a long
    /// `encodings_resolved` list before `git_commit`, `poslab_version` and `suite` (the 600-run
    /// standard suite's first such key is at byte 686), and the manifest is still PosLab's.
    @Test func aManifestWithALongEncodingListIsPosLabs() throws {
        let suite = try smallSuite(name: "long")
        let dir = temporaryDirectory()
        try runStudy(suite, in: dir)
        let url = dir.appendingPathComponent("manifest.json")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        manifest["encodings_resolved"] = (1...40).map { "encoding-with-a-long-name-\($0)(argument=\($0))" }
        try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]).write(to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.range(of: "\"git_commit\"")!.lowerBound.utf16Offset(in: text) > 1000)
        _ = try ResultsStore(directory: dir, suite: suite, fresh: false)
        // Someone else's JSON is still refused.
        try #"{"name": "mine", "values": [1, 2, 3]}"#.write(to: url, atomically: true, encoding: .utf8)
        #expect { _ = try ResultsStore(directory: dir, suite: suite, fresh: false) } throws: { "\($0)".contains("was not written by PosLab") }
    }

    @Test func aRunThatThrowsIsRecordedAndRetried() throws {
        let registry = EncodingRegistry()
        try registry.register(NoEncoding.self, origin: .builtIn)
        try registry.register(FlakyEncoding.self, origin: .program("test"))
        let suite = try smallSuite(name: "flaky", encodings: "[none, flaky]", seeds: "[1, 2]", registry: registry)
        let dir = temporaryDirectory()
        FlakyEncoding.failingSeed.withLock { $0 = 2 }
        let first = try runStudy(suite, in: dir, encodings: registry)
        #expect(first.outcome.failed.count == 2 && first.outcome.trained == 8)  // flaky at seed 2, both tasks
        #expect(first.outcome.failed.allSatisfy { $0.message.contains("flaky refuses seed 2") })
        let c = ResultsStore.runColumns
        let failedRows = first.store.runRows.filter { $0[c.firstIndex(of: "status")!] == "failed" }
        #expect(failedRows.count == 2 && failedRows.allSatisfy { $0[c.firstIndex(of: "message")!].contains("refuses seed 2") })
        #expect(first.store.runRows.count == 8)

        FlakyEncoding.failingSeed.withLock { $0 = nil }
        let second = try runStudy(suite, in: dir, encodings: registry)
        #expect(second.outcome.trained == 2 && second.outcome.failed.isEmpty)
        #expect(second.notes.filter { $0.contains("retrying") }.count == 2)
        let clean = try runStudy(suite, in: temporaryDirectory("clean"), encodings: registry)
        #expect(withoutWallTime(second.store.runRows) == withoutWallTime(clean.store.runRows))
    }
}

/// A test-only encoding that adds nothing, and refuses to be built for one seed.
final class FlakyEncoding: RegisteredEncoding {
    static let registryName = "flaky"
    static let summary = "refuses one seed (tests)"
    static let failingSeed = Mutex<UInt64?>(nil)
    var parameters: [Tensor] { [] }
    static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> FlakyEncoding {
        if let seed = failingSeed.withLock({ $0 }), context.seed == seed {
            throw ConfigurationError(field: "flaky", rule: "flaky refuses seed \(seed)")
        }
        return FlakyEncoding()
    }
}
