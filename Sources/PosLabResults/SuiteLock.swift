import Foundation
import PosLabSupport
import PosLabStudy

/// The suite live in a results folder, `suite.lock`: every process running a suite there holds a
/// shared lock (flock) on the file while it runs, and the file names the suite (its name and a
/// SHA-256 of what it runs, `fingerprint`). Processes of the same suite share the folder (each run is
/// claimed, `RunClaim`); a process bringing a different suite while the lock is held is refused
/// before it writes anything, since runs.csv and manifest.json belong to one suite. The lock goes
/// with the process (a killed one holds nothing), so it is never stale. Taking it is serialised
/// through the folder's `rebuild.lock`.
public final class SuiteLock: @unchecked Sendable {
    public static let fileName = "suite.lock"
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }
    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// What makes two processes run the same suite: its name, evaluation and checkpoint setting, and
    /// the identities of its runs (fully resolved configurations, a file by its content, not its
    /// path), as one SHA-256.
    static func fingerprint(_ suite: Suite, runs: [String]) -> String {
        let e = suite.evaluation
        return SHA256.hex("\(suite.name)\n\(e.lengths)\n\(e.size)\n\(e.seed)\n\(suite.checkpoint)\n" + runs.sorted().joined(separator: "\n"))
    }

    /// What a lock file says: the suite's name and fingerprint and the first holder.
    struct Contents {
        var suite: String, sha256: String, holder: String
    }

    /// The contents of a lock file as PosLab writes it (nil for anything else).
    static func contents(_ url: URL) -> Contents? {
        guard let data = try? Data(contentsOf: url), data.count < 4096 else { return nil }
        var fields: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        guard let suite = fields["suite"], let sha = fields["sha256"], sha.count == 64, let pid = fields["pid"], let host = fields["host"] else {
            return nil
        }
        return Contents(suite: suite, sha256: sha, holder: "pid \(pid) on \(host)")
    }

    /// Whether a live process holds the lock of the folder `directory` (nil: nobody does), and what it says.
    static func liveHolder(_ directory: URL) -> Contents?? {
        let url = directory.appendingPathComponent(fileName)
        let fd = open(url.path, O_RDONLY | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return .some(contents(url))
    }

    /// Takes the folder for `suite` (shared with processes of the same suite), or refuses: another
    /// suite is live there.
    package static func acquire(_ store: ResultsStore, suite: Suite, runs: [String]) throws -> SuiteLock {
        let directory = store.directory
        let url = directory.appendingPathComponent(fileName)
        let mine = Self.fingerprint(suite, runs: runs)
        return try store.withFolderLock {
            let fd = open(url.path, O_CREAT | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0o644)  // never through a link
            guard fd >= 0 else {
                throw ResultsError("\(url.path): cannot be opened (\(String(cString: strerror(errno)))); it marks which suite is running in \(directory.path)")
            }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {  // nobody is live here: the folder is this suite's
                let text = "suite \(suite.name)\nsha256 \(mine)\npid \(getpid())\nhost \(ProcessInfo.processInfo.hostName)\nsince \(Manifest.now())\n"
                ftruncate(fd, 0)
                _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
                flock(fd, LOCK_SH)
                return SuiteLock(fd: fd)
            }
            let live = contents(url)
            if live?.sha256 == mine {
                flock(fd, LOCK_SH)
                return SuiteLock(fd: fd)
            }
            close(fd)
            let who = live.map { "suite \($0.suite) (\($0.holder))" } ?? "another suite"
            let same = live?.suite == suite.name ? " with other settings" : ""
            throw ResultsError("\(directory.path): \(who) is running in this folder, and suite \(suite.name)\(same) is a different suite; "
                               + "two different suites cannot share a results folder at once (runs.csv and manifest.json are one suite's), "
                               + "so nothing was written. Wait for it to finish, or give this suite its own folder with --out")
        }
    }
}
