import Foundation
import PosLabModel
import PosLabResults
import PosLabStudy

/// `poslab run`'s check, before anything is written, that every plugin encoding of a suite changes
/// the model's output: a plugin whose methods match no hook (one written for protocol 1, whose
/// `attentionBias(positions:layer:)` compiles as an ordinary method and is never called, or a
/// misspelt hook) would otherwise train as `none` and record `none`'s numbers under its name.
///
/// The check is `ConformanceChecker.changesOutput`, the one `poslab check-plugin` runs as "changes
/// the model's output against none", done in a worker process (`PluginWorker`) for the first run of
/// each plugin encoding (its task's vocabulary, the model, its seed), so a plugin that crashes when
/// first called is refused here too. Built-in encodings are not checked; an encoding that declares
/// `isPositionless` passes.
extension PluginWorker {
    /// Throws a `SuiteError` naming `file`, the encoding's place in it, the plugin and the fix when
    /// a plugin encoding of `resolved` leaves the model's output exactly as `none` does, or when the
    /// check itself crashes in the plugin's code.
    public func refuseInertEncodings(_ suite: Suite, resolved: [ResolvedRun], file: String) throws {
        var seen = Set<Spec>(), firsts: [ResolvedRun] = []
        for run in resolved where !run.pluginPaths.isEmpty && seen.insert(run.plan.encoding).inserted { firsts.append(run) }
        guard !firsts.isEmpty else { return }
        // The worker names an encoding by its spec's text.
        func place(_ spec: String) -> String { suite.encodings.firstIndex { $0.description == spec }.map { "encodings[\($0)]" } ?? "encodings" }
        func origin(_ spec: String) -> String {
            let paths = firsts.first { $0.plan.encoding.description == spec }?.pluginPaths ?? []
            return "plugin \(paths.joined(separator: ", "))"
        }
        var current: String?, inert: [(spec: String, detail: String)] = [], failure: String?
        do {
            try perform(Request(job: .check, suite: suite, indices: firsts.map(\.plan.index))) { line in
                switch line {
                case .begin(let spec): current = spec
                case .verdict(let spec, let changes, let detail):
                    current = nil
                    if !changes { inert.append((spec, detail)) }
                case .error(let message): failure = message
                case .other(let text): FileHandle.standardError.write(Data((text + "\n").utf8))
                default: break
                }
            }
        } catch let death as Death {
            guard let spec = current else { throw ResultsError("the worker process that checks plugin encodings \(death), before any check; nothing was written") }
            throw SuiteError(file: file, keyPath: place(spec), rule: "'\(spec)' (\(origin(spec))) \(death) when PosLab first called it, "
                             + "checking that it changes the model's output against none; nothing was written. "
                             + "`poslab check-plugin` on the plugin names the hook; fix it, or remove the encoding from the suite")
        }
        if let failure { throw ResultsError("checking the suite's plugin encodings: \(failure); nothing was written") }
        if let first = inert.first {
            let (spec, detail) = (first.spec, first.detail)
            let rule = [
                "'\(spec)' (\(origin(spec))) leaves the model's output exactly as `none` does (\(detail)), ",
                "so it would train as `none` under its own name; nothing was written. PosLab calls only the hooks of ",
                "`PositionalEncoding` (protocol 2): a method written for protocol 1 — `embed(_:positions:)`, ",
                "`transformQueriesKeys(_:_:positions:layer:)`, `attentionBias(positions:layer:)` — compiles as an ordinary ",
                "method and is never called; rename it to its hook, `embed(_:context:)`, `transformQueriesKeys(_:_:context:)` or ",
                "`attentionBias(context:)` (the README's \"Plugins written for protocol 1\"), and rebuild. An encoding meant to ",
                "carry no position information says so: `public var isPositionless: Bool { true }`",
            ].joined()
            throw SuiteError(file: file, keyPath: place(spec), rule: rule)
        }
    }
}
