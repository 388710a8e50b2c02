import Foundation
import PosLabStudy
import Testing

/// Every malformed suite is refused with the file, the key path and the rule — exit status 2 from
/// the CLI — and nothing is written.
@Suite struct SuiteValidationTests {
    static let cases: [(file: String, keyPath: String, fragment: String)] = [
        ("unknown-key.yaml", "trainig", "did you mean 'training'"),
        ("wrong-type.yaml", "training.steps", "must be an integer"),
        ("unknown-encoding.yaml", "encodings[1]", "did you mean 'sinusoidal'"),
        ("unknown-task.yaml", "tasks[0]", "did you mean 'reverse'"),
        ("heads-do-not-divide.yaml", "model.d_model", "divisible by heads"),
        ("odd-sinusoidal.yaml", "model.d_model", "even d_model"),
        ("learned-table-too-small.yaml", "encodings[1]", "smaller than model.max_length"),
        ("inverted-length-range.yaml", "training.length.max", "must be at least min"),
        ("unknown-encoding-argument.yaml", "encodings[0]", "unknown argument"),
        ("task-needs-longer-sequences.yaml", "training.length", "at least 9 tokens"),
        ("not-yaml.yaml", "", "not valid YAML"),
        ("missing-tasks.yaml", "tasks", "is required"),
        ("duplicate-seed.yaml", "seeds", "twice"),
        ("unknown-optimizer.yaml", "training.optimizer", "must be one of adam, adamw"),
        ("negative-eval-length.yaml", "evaluation.lengths[1]", "between 1 and 100000"),
        ("zero-layers.yaml", "model.layers", "between 1 and 64"),
        ("decoder-task-bidirectional.yaml", "model.attention", "s2s_copy needs causal attention (got bidirectional)"),
        ("undefined-sizes-only.yaml", "evaluation.lengths", "defines none of the evaluation lengths 4, 8"),
        ("undefined-training-sizes.yaml", "training.length", "defines none of the sizes 4...4"),
        ("learned-table-outgrown-by-answers.yaml", "encodings[1]", "reverse_string(form=encoder;symbols=2)'s training sequences of size 10 have 20 tokens"),
    ]

    @Test(arguments: cases.indices)
    func refusedWithKeyPath(_ i: Int) throws {
        let c = Self.cases[i]
        let path = fixture("bad/\(c.file)")
        do {
            _ = try Suite.load(path: path)
            Issue.record("\(c.file) was accepted")
        } catch let error as SuiteError {
            #expect(error.file == path)
            #expect(error.keyPath == c.keyPath, "\(c.file): \(error)")
            #expect(error.rule.contains(c.fragment), "\(c.file): \(error)")
        }
    }

    @Test func cliExitsWithStatus2AndWritesNothing() throws {
        let dir = temporaryDirectory()
        for c in Self.cases.prefix(8) {
            let (status, out, err) = try runPoslab(["run", fixture("bad/\(c.file)"), "--out", "results"], in: dir)
            #expect(status == 2, "\(c.file): status \(status)")
            #expect(err.contains(c.file) && err.contains(c.keyPath) && err.contains(c.fragment), "\(c.file): \(err)")
            #expect(out.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
        let (status, _, err) = try runPoslab(["run", fixture("tiny.yaml"), "--seeds", "x"], in: dir)
        #expect(status == 2 && err.contains("--seeds"), "\(err)")
    }

    /// Seeds are 32-bit, as in a suite file: a --seeds range or value past 4294967295 is refused with
    /// exit 2, naming the option and the limit, and nothing is trained. (A range skipped the bound.)
    @Test(arguments: ["4294967290-4294967300", "4294967296", "1,4294967296"])
    func seedsPastUInt32AreRefused(_ seeds: String) throws {
        let dir = temporaryDirectory()
        let (status, _, err) = try runPoslab(["run", fixture("tiny.yaml"), "--seeds", seeds, "--limit", "1", "--out", "results"], in: dir)
        #expect(status == 2 && err.contains("--seeds") && err.contains("4294967295"), "\(seeds): status \(status), \(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
    }

    @Test func defaultsAreFilledIn() throws {
        let suite = try Suite.parse(yaml: "encodings: [none]\ntasks: [reverse]\n", file: "t.yaml", defaultName: "t")
        #expect(suite.seeds == [1, 2, 3])
        #expect(suite.training.minLength == 8 && suite.training.maxLength == 8)
        #expect(suite.evaluation.lengths == Array(8...32))  // every length up to 4× the training length
        #expect(suite.runs.count == 3)
    }

    /// Reading a suite records its plugins, resolved relative to the suite file, with their lines,
    /// and loads none: a library that does not exist is no error until the command line loads it.
    @Test func pluginsAreRecordedNotLoaded() throws {
        let file = try SuiteFile(yaml: "encodings: [none]\ntasks: [shift]\nplugins:\n  - lib/libA.so\n  - /elsewhere/libB.so\n",
                                 file: "/suites/s.yaml", defaultName: "s")
        #expect(file.plugins == [SuitePlugin(path: "/suites/lib/libA.so", file: "/suites/s.yaml", keyPath: "plugins[0]", line: 4),
                                 SuitePlugin(path: "/elsewhere/libB.so", file: "/suites/s.yaml", keyPath: "plugins[1]", line: 5)])
        #expect(try file.validate().plugins == ["/suites/lib/libA.so", "/elsewhere/libB.so"])
    }

    /// The command line loads a suite's plugins: one that is missing is named with the suite's file
    /// and line, exit 2, nothing written.
    @Test func cliNamesAMissingPluginWithFileAndLine() throws {
        let dir = temporaryDirectory()
        let suite = dir.appendingPathComponent("p.yaml")
        try "encodings: [none]\ntasks: [shift]\nplugins: [libMissing.so]\n".write(to: suite, atomically: true, encoding: .utf8)
        let (status, out, err) = try runPoslab(["run", suite.path, "--out", "results"], in: dir)
        #expect(status == 2 && out.isEmpty)
        #expect(err == "error: \(suite.path):3: plugins[0]: plugin \(dir.path)/libMissing.so: no such file\n", "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
    }

    @Test func shippedSuitesAreValid() throws {
        let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Experiments")
        for name in ["quick.yaml", "standard.yaml"] {
            let suite = try Suite.load(path: experiments.appendingPathComponent(name).path)
            #expect(suite.encodings.count >= 4 && suite.seeds.count >= 3, "\(name)")
        }
    }
}
