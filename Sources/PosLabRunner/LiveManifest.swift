import Foundation
import PosLabResults

/// manifest.json kept current while a suite runs: each finished run raises `runs_completed` and
/// rewrites the file atomically (one writer at a time within the process).
final class LiveManifest: @unchecked Sendable {
    private let lock = NSLock()
    private var manifest: Manifest
    private let url: URL

    init(_ manifest: Manifest, url: URL) {
        self.manifest = manifest
        self.url = url
    }

    /// One more run has a usable record; a failed write is left to the final one.
    func runCompleted() {
        lock.withLock {
            manifest.runsCompleted = min(manifest.runsCompleted + 1, manifest.runsTotal)
            try? manifest.write(to: url)
        }
    }
}
