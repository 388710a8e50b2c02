import Foundation
import PosLabResults
import Testing

@Suite struct RunClaimTests {
    /// A claim left by a process that is gone: a pid that cannot exist on this host. Padded to a
    /// megabyte, so that reading it is slow: the takers then judge it stale at about the same time
    /// and move it aside one after another, the window in which a late taker moved the winner's new claim.
    static func writeStaleClaim(_ url: URL) throws {
        try ("pid 2147483646\nhost \(ProcessInfo.processInfo.hostName)\nsince 2026-01-01T00:00:00Z\n"
             + String(repeating: "# padding\n", count: 100_000))
            .write(to: url, atomically: true, encoding: .utf8)
    }

    /// Of many takers of one stale claim exactly one wins. (A taker that judged the claim stale
    /// before another replaced it moved the new, live claim aside too, and both trained the run.)
    /// Threads of one process stand for the processes: a claim held by this pid is live to them.
    @Test func concurrentTakeoversOfAStaleClaimHaveOneWinner() throws {
        let dir = temporaryDirectory()
        let takers = 24
        for round in 0..<20 {
            let url = dir.appendingPathComponent("run-\(round).claim")
            try Self.writeStaleClaim(url)
            let lock = NSLock(), go = NSCondition()
            nonisolated(unsafe) var winners: [RunClaim] = []
            nonisolated(unsafe) var started = false
            let group = DispatchGroup()
            for _ in 0..<takers {
                group.enter()
                Thread {
                    go.lock()
                    while !started { go.wait() }
                    go.unlock()
                    if case .acquired(let claim)? = try? RunClaim.attempt(url) { lock.withLock { winners.append(claim) } }
                    group.leave()
                }.start()
            }
            usleep(20_000)  // let the takers reach the start line (a late one finds a live claim: still one winner)
            go.lock()
            started = true
            go.broadcast()
            go.unlock()
            group.wait()
            #expect(winners.count == 1, "round \(round): \(winners.count) takers won the claim")
            for claim in winners { claim.release() }
        }
    }

    /// A held claim stays fresh whatever the run is doing (training steps or a long evaluation,
    /// which touched it never, so another host took it over after `staleAfter`): it is touched on
    /// its own every `heartbeat` seconds while held, and no more once released.
    @Test func aHeldClaimIsTouchedWithoutSteps() throws {
        let url = temporaryDirectory().appendingPathComponent("run.claim")
        guard case .acquired(let claim) = try RunClaim.attempt(url, heartbeat: 0.05) else {
            Issue.record("a fresh claim was not acquired")
            return
        }
        func age() throws -> TimeInterval {
            let date = try #require(FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date)
            return Date().timeIntervalSince(date)
        }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: url.path)
        #expect(try age() > 7000)
        // Polled, not timed: the touch is waited for (up to 30 s, so a missing one fails instead of hanging).
        var refreshed = false
        for _ in 0..<3000 where !refreshed {
            usleep(10_000)
            refreshed = try age() < 3600
        }
        #expect(refreshed, "the held claim was not touched")
        claim.release()
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
