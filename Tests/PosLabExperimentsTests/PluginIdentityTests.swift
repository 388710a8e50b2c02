import Foundation
import PosLabModel
import PosLabRunner
import PosLabStudy
import Testing

/// A wrapped encoding that comes from a plugin takes part in its run's identity.
public final class YarnNamedPlugin: RegisteredEncoding {
    public static let registryName = "yarn"
    public static let summary = "test: a plugin's encoding whose name is also a value of rope's scaling argument"
    public var arguments: String { "" }
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> YarnNamedPlugin { YarnNamedPlugin() }
}

/// Which plugins a run's identity holds: those of the encodings its spec names, walked as specs.
@Suite struct PluginIdentityTests {
    /// The plugin libraries of a run of `encoding` (tiny.yaml's first task, seed and point) when
    /// `yarn` is registered, beside the built-ins, with `origin`; `file` is written first, so that
    /// the origin's path exists.
    static func plugins(_ encoding: String, yarnOrigin origin: RegistryOrigin, file: URL) throws -> [String] {
        try Data("a file".utf8).write(to: file)
        let suite = try Suite.load(path: fixture("tiny.yaml"))
        let plan = try #require(suite.runs.first)
        let registry = EncodingRegistry()
        for entry in EncodingRegistry.shared.all { try registry.register(entry) }
        try registry.register(YarnNamedPlugin.self, origin: origin)
        let run = RunPlan(index: 0, task: plan.task, encoding: try Spec(parsing: encoding), seed: plan.seed, point: plan.point)
        return try Trainer(suite: suite, encodings: registry).resolve([run])[0].pluginPaths
    }

    /// A plugin registering `yarn` is the plugin of `randomized(yarn)` (the wrapped encoding), and not
    /// of `rope(scaling=yarn)`, where `yarn` is the value of a built-in's argument: splitting the spec
    /// into words made it the plugin of both, so a rebuilt plugin changed rope's run identities.
    @Test func anArgumentValueNamedLikeAPluginIsNotItsEncoding() throws {
        let library = temporaryDirectory().appendingPathComponent("libYarn.so")
        func plugins(_ encoding: String) throws -> [String] {
            try Self.plugins(encoding, yarnOrigin: .plugin(path: library.path), file: library)
        }
        #expect(try plugins("rope(scaling=yarn)") == [])
        #expect(try plugins("randomized(yarn)") == [library.path])
        #expect(try plugins("randomized(encoding=yarn, max_length=64)") == [library.path])
        #expect(try plugins("yarn") == [library.path])
    }

    /// An encoding a program registered in code is no plugin, even when its origin's text names a
    /// file that exists: the origin is a case to switch on, not a path tested with `fileExists`
    /// (which took such a file into the run's identity).
    @Test func aProgramsEncodingIsNoPluginWhateverItsOriginSays() throws {
        let file = temporaryDirectory().appendingPathComponent("README")
        #expect(try Self.plugins("yarn", yarnOrigin: .program(file.path), file: file) == [])
    }
}
