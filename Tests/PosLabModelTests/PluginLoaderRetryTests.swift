import Foundation
import PosLabModel
import Testing

@Suite struct PluginLoaderRetryTests {
    /// A plugin that failed to load is not remembered as loaded: loading it again fails again, with
    /// the same reason. (The loader marked the path loaded before loading it, so the second attempt
    /// returned no names and no error, and the file could not be loaded in that process again.)
    @Test func aFailedLoadFailsAgainOnRetry() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-plugin-\(getpid()).so")
        try "not a library\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let registry = EncodingRegistry()
        var reasons: [String] = []
        for attempt in 1...2 {
            do {
                let names = try PluginLoader.load(file.path, into: registry, requireSharedLibrary: false)
                Issue.record("attempt \(attempt): a file that is not a library loaded, registering \(names)")
            } catch let error as PluginError {
                reasons.append(error.reason)
            }
        }
        #expect(reasons.count == 2 && reasons[0] == reasons[1] && reasons[0].hasPrefix("cannot be loaded"), "\(reasons)")
    }
}
