import Foundation
import PosLabResults
import PosLabStudy

/// Hands out runs to worker threads in order, stopping after `limit` trained runs. A run held by
/// another process is deferred and offered again every half second until it is settled.
final class ClaimQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ResolvedRun]
    private var deferred: [ResolvedRun] = []
    private var remaining: Int
    private var stopped = false
    private var inFlight = 0
    private var announced = Set<String>()
    private(set) var trainedCount = 0
    private let log: @Sendable (String) -> Void

    init(_ items: [ResolvedRun], limit: Int?, log: @escaping @Sendable (String) -> Void) {
        self.items = items.reversed()
        remaining = limit ?? Int.max
        self.log = log
    }

    func next() -> ResolvedRun? {
        while true {
            lock.lock()
            if remaining <= 0 {
                let stop = inFlight == 0 || stopped
                lock.unlock()
                if stop { return nil }
                usleep(50_000)  // a run in flight may give its turn back
                continue
            }
            if let item = items.popLast() {
                inFlight += 1
                remaining -= 1  // given back if the run turns out not to need training here
                lock.unlock()
                return item
            }
            if deferred.isEmpty {
                let busy = inFlight > 0
                lock.unlock()
                if !busy { return nil }
                usleep(50_000)  // runs in flight may yet be deferred
                continue
            }
            // Only runs held elsewhere are left: wait, then offer them again.
            let batch = deferred
            deferred = []
            inFlight += 1
            lock.unlock()
            usleep(500_000)
            lock.withLock {
                inFlight -= 1
                items = batch.reversed() + items
            }
        }
    }

    /// Stops handing out runs (after an error that must end the call).
    func stop() { lock.withLock { remaining = 0; stopped = true } }

    /// A run taken by `next` was settled (trained here, or found finished).
    func finished(trained: Bool) {
        lock.withLock {
            inFlight -= 1
            if trained { trainedCount += 1 } else { remaining += 1 }
        }
    }

    /// A run taken by `next` is being trained by another process: offer it again later.
    func `defer`(_ run: ResolvedRun, holder: RunClaim.Holder) {
        lock.withLock {
            inFlight -= 1
            remaining += 1
            deferred.append(run)
            if announced.insert(run.id).inserted { log("waiting for \(run.plan.id): claimed by \(holder)") }
        }
    }
}

/// The first error any worker hit.
final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    var error: Error? { lock.withLock { stored } }
    func set(_ error: Error) { lock.withLock { if stored == nil { stored = error } } }
}

/// Failures and counts collected from worker threads.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: SuiteRunner.Outcome
    init(_ initial: SuiteRunner.Outcome) { stored = initial }
    var value: SuiteRunner.Outcome { lock.withLock { stored } }
    func failed(_ run: String, _ message: String) { lock.withLock { stored.failed.append((run, message)) } }
    func evaluated() { lock.withLock { stored.evaluated += 1 } }
    func needsTraining(_ run: String, _ reason: String) { lock.withLock { stored.needTraining.append((run, reason)) } }
}
