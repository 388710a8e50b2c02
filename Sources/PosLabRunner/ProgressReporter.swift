import Foundation
import PosLabResults
import PosLabStudy

/// Progress on standard error: runs done of total, an ETA, and the runs in flight with their loss.
///
/// On a terminal one status line is redrawn in place; otherwise (a log file, CI) a plain line is
/// printed as each run finishes.
final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private var done: Int
    private let alreadyDone: Int
    private let start = Date()
    private var active: [String: String] = [:]  // run id → "step s, loss x"
    private let interactive: Bool
    private var lastDraw = Date.distantPast

    init(total: Int, alreadyDone: Int, interactive: Bool = isatty(2) == 1) {
        self.total = total
        self.done = alreadyDone
        self.alreadyDone = alreadyDone
        self.interactive = interactive
        if alreadyDone > 0 { emit("resuming: \(alreadyDone) of \(total) runs already finished\n") }
    }

    func started(_ plan: RunPlan) {
        lock.withLock {
            active[plan.id] = "starting"
            draw(force: true)
        }
    }

    func step(_ plan: RunPlan, step: Int, of steps: Int, loss: Double) {
        lock.withLock {
            active[plan.id] = "step \(step)/\(steps) loss \(String(format: "%.4f", loss))"
            draw(force: false)
        }
    }

    func finished(_ plan: RunPlan, status: RunStatus, wallSeconds: Double, headline: String) {
        lock.withLock {
            active[plan.id] = nil
            done += 1
            let line = "[\(done)/\(total)] \(describe(plan)): \(status.rawValue), \(headline), "
                + String(format: "%.1fs", wallSeconds) + " — ETA \(eta())"
            if interactive { emit("\r\u{1B}[K" + line + "\n") } else { emit(line + "\n") }
            draw(force: true)
        }
    }

    /// A run that failed with an unexpected error (recorded; the others go on).
    func failed(_ plan: RunPlan, message: String) {
        lock.withLock {
            active[plan.id] = nil
            done += 1
            let line = "[\(done)/\(total)] \(describe(plan)): FAILED: \(message)"
            if interactive { emit("\r\u{1B}[K" + line + "\n") } else { emit(line + "\n") }
            draw(force: true)
        }
    }

    /// A run evaluated at new lengths from its checkpoint (not trained).
    func evaluated(_ plan: RunPlan, headline: String) {
        lock.withLock {
            done += 1
            let line = "[\(done)/\(total)] \(describe(plan)): evaluated from its checkpoint, \(headline)"
            if interactive { emit("\r\u{1B}[K" + line + "\n") } else { emit(line + "\n") }
            draw(force: true)
        }
    }

    /// A run found finished by another process sharing the folder.
    func skipped() { lock.withLock { done += 1 } }

    func finish() {
        lock.withLock {
            if interactive { emit("\r\u{1B}[K") }
            let time = Self.duration(Date().timeIntervalSince(start))
            // With --limit (or runs held by another process) not every run is done: say how many are.
            emit(done >= total ? "finished \(total) runs in \(time)\n"
                 : "\(done) of \(total) runs finished (\(done - alreadyDone) this time, in \(time)); run the same command again to go on\n")
        }
    }

    private func describe(_ plan: RunPlan) -> String {
        "\(plan.task) · \(plan.encoding) · seed \(plan.seed)" + (plan.point.swept.isEmpty ? "" : " · \(plan.point.label)")
    }

    private func eta() -> String {
        let finishedHere = done - alreadyDone
        guard finishedHere > 0 else { return "…" }
        let perRun = Date().timeIntervalSince(start) / Double(finishedHere)
        return Self.duration(perRun * Double(total - done))
    }

    private func draw(force: Bool) {
        guard interactive, force || Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let runs = active.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "|", with: " · ")) \($0.value)" }
        var line = "[\(done)/\(total)] ETA \(eta()) | " + runs.joined(separator: " | ")
        if line.count > 160 { line = String(line.prefix(157)) + "…" }
        emit("\r\u{1B}[K" + line)
    }

    private func emit(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 60 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s)s"
    }
}
