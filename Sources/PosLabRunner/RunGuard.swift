import CRunGuard
import PosLabStudy

/// A crash or an `exit()` inside a plugin's code ends the process. `poslab run` and `poslab eval`
/// therefore run plugin encodings in worker processes (`PluginWorker`); a `SuiteRunner` without a
/// worker (a library caller's) runs them here, where, while a run whose encoding comes from a plugin
/// trains or evaluates, the handlers in `Sources/CRunGuard` make the process say which run and which
/// plugin before it ends (the signal kept, an `exit()` turned into status 1). Nothing finished is
/// lost: every run's record and checkpoint are written atomically.
enum RunGuard {
    /// Runs `body` for `run`, guarded when the run's encoding comes from a plugin.
    static func during<T>(_ run: ResolvedRun, results: String, _ body: () throws -> T) rethrows -> T {
        guard !run.pluginPaths.isEmpty else { return try body() }
        poslab_run_guard_enter("\(run.plan.id) (encoding \(run.plan.encoding) from plugin \(run.pluginPaths.joined(separator: ", ")))", results)
        defer { poslab_run_guard_leave() }
        return try body()
    }
}
