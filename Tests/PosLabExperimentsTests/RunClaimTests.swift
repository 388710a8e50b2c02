import Foundation
import PosLabExperiments
import Testing

@Suite struct RunClaimTests {
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
