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
    /// A plugin registering `yarn` is the plugin of `randomized(yarn)` (the wrapped encoding), and not
    /// of `rope(scaling=yarn)`, where `yarn` is the value of a built-in's argument: splitting the spec
    /// into words made it the plugin of both, so a rebuilt plugin changed rope's run identities.
    @Test func anArgumentValueNamedLikeAPluginIsNotItsEncoding() throws {
        let suite = try Suite.load(path: fixture("tiny.yaml"))
        let plan = try #require(suite.runs.first)
        let library = temporaryDirectory().appendingPathComponent("libYarn.so")
        try Data("a plugin library".utf8).write(to: library)
        let registry = EncodingRegistry()
        for entry in EncodingRegistry.shared.all { try registry.register(entry) }
        try registry.register(YarnNamedPlugin.self, origin: .plugin(path: library.path))
        let trainer = Trainer(suite: suite, encodings: registry)
        func plugins(_ encoding: String) throws -> [String] {
            try trainer.resolve([RunPlan(index: 0, task: plan.task, encoding: Spec(parsing: encoding), seed: plan.seed, point: plan.point)])[0].pluginPaths
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
        let suite = try Suite.load(path: fixture("tiny.yaml"))
        let plan = try #require(suite.runs.first)
        let file = temporaryDirectory().appendingPathComponent("README")
        try Data("a user's file".utf8).write(to: file)
        let registry = EncodingRegistry()
        for entry in EncodingRegistry.shared.all { try registry.register(entry) }
        try registry.register(YarnNamedPlugin.self, origin: .program(file.path))
        let trainer = Trainer(suite: suite, encodings: registry)
        let run = try trainer.resolve([RunPlan(index: 0, task: plan.task, encoding: Spec(name: "yarn"), seed: plan.seed, point: plan.point)])[0]
        #expect(run.pluginPaths == [])
    }
}
