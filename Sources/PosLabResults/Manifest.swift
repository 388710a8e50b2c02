import CBuildInfo
import Foundation
import PosLabModel
import PosLabStudy

/// `manifest.json`: what was run, with what, where and when.
public struct Manifest: Codable, Sendable {
    /// The fully resolved suite (every default filled in).
    public var suite: Suite
    public var poslabVersion: String
    public var gitCommit: String
    public var swiftVersion: String
    public var machine: Machine
    public var startedAt: String
    public var finishedAt: String?
    public var runsTotal: Int
    /// Runs with a usable record: kept current as runs finish (`LiveManifest`), final when the call ends.
    public var runsCompleted: Int
    /// The encodings and tasks with every argument resolved, as runs.csv names them (e.g. `learned(size=8)`).
    public var encodingsResolved: [String]?
    public var tasksResolved: [String]?
    /// The plugin libraries the runs' encodings come from, each with its content hash (which is
    /// part of those runs' identities); absent when every encoding is built in.
    public var plugins: [PluginFile]?

    package init(suite: Suite, poslabVersion: String, gitCommit: String, swiftVersion: String, machine: Machine, startedAt: String,
                 finishedAt: String?, runsTotal: Int, runsCompleted: Int, encodingsResolved: [String]? = nil,
                 tasksResolved: [String]? = nil, plugins: [PluginFile]? = nil) {
        self.suite = suite
        self.poslabVersion = poslabVersion
        self.gitCommit = gitCommit
        self.swiftVersion = swiftVersion
        self.machine = machine
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.runsTotal = runsTotal
        self.runsCompleted = runsCompleted
        self.encodingsResolved = encodingsResolved
        self.tasksResolved = tasksResolved
        self.plugins = plugins
    }

    /// A plugin library as the runs used it.
    public struct PluginFile: Codable, Sendable, Equatable {
        /// The library's absolute path when the suite ran.
        public var path: String
        /// The SHA-256 of its contents.
        public var sha256: String
        /// The resolved encodings the runs took from it.
        public var encodings: [String]

        public init(path: String, sha256: String, encodings: [String]) {
            self.path = path
            self.sha256 = sha256
            self.encodings = encodings
        }
    }

    public struct Machine: Codable, Sendable {
        public var os: String
        public var cpu: String
        public var cores: Int
        public var blas: String
        /// The kernel OpenBLAS ran and who chose it, e.g. "Cooperlake (chosen by PosLab over OpenBLAS's Prescott; …)".
        public var blasKernel: String?
        public var jobs: Int
    }

    /// PosLab's version.
    public static let version = "0.1.0"

    package static func now() -> String { ISO8601DateFormatter().string(from: Date()) }

    public static func currentMachine(jobs: Int) -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let info = ProcessInfo.processInfo
        return Machine(os: info.operatingSystemVersionString, cpu: cpu, cores: info.activeProcessorCount,
                       blas: BLAS.configuration, blasKernel: BLAS.kernel.description, jobs: jobs)
    }

    /// The commit of the sources this binary was compiled from, recorded at build time
    /// (`Plugins/BuildInfo`): `<hash>`, `<hash>-dirty` when the compiled files differed from it, or
    /// `unknown` when built outside a git checkout.
    static func gitCommit() -> String { String(cString: poslab_build_commit()) }

    /// The Swift compiler that built this binary, to the minor version (Package.swift needs 6.2 or later).
    package static var swiftVersion: String {
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3)
        return "6.3"
        #else
        return "6.2"
        #endif
    }

    /// Fills in the resolved names of the encodings and tasks of `runs`, in suite order.
    package mutating func resolve(_ runs: [ResolvedRun]) {
        func named(_ name: String, _ args: String) -> String { args.isEmpty ? name : "\(name)(\(args))" }
        encodingsResolved = runs.map { named($0.encodingName, $0.encodingArguments) }.uniqued()
        tasksResolved = runs.map { named($0.taskName, $0.taskArguments) }.uniqued()
        var files: [PluginFile] = []
        for run in runs {  // the runs' paths and hashes are paired (Trainer.resolve)
            for (path, hash) in zip(run.pluginPaths, run.configuration.plugins) {
                let encoding = named(run.encodingName, run.encodingArguments)
                if let i = files.firstIndex(where: { $0.path == path }) {
                    if !files[i].encodings.contains(encoding) { files[i].encodings.append(encoding) }
                } else {
                    files.append(PluginFile(path: path, sha256: hash, encodings: [encoding]))
                }
            }
        }
        plugins = files.isEmpty ? nil : files
    }

    package func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// The manifest at `url`; nil if it is missing or damaged.
    public static func read(_ url: URL) -> Manifest? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(Manifest.self, from: data)
    }
}
