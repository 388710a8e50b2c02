import Foundation

/// A claim on one run, `runs/<id>.claim`: created with O_CREAT|O_EXCL, so of several processes
/// sharing a results folder (on one machine or many) exactly one trains each run. It names the
/// holder's pid and host; the holder touches it while it holds it (`heartbeat`). A claim whose holder is gone (a
/// dead pid on this host, or no touch for `staleAfter` seconds from another host) is stale and
/// is taken over.
public final class RunClaim: @unchecked Sendable {
    /// Seconds without a touch after which another host's claim is stale.
    public nonisolated(unsafe) static var staleAfter: TimeInterval = 600

    public let url: URL
    private var lastTouch = Date()
    /// Touches the claim on its own while it is held: through evaluation and checkpointing too, not
    /// only training steps (`touch`), so a long evaluation does not lose it after `staleAfter`.
    private let heartbeat: Heartbeat

    private init(url: URL, heartbeat: TimeInterval) {
        self.url = url
        self.heartbeat = Heartbeat(path: url.path, every: heartbeat)
    }

    deinit { heartbeat.stop() }

    /// Who holds a claim.
    public struct Holder: CustomStringConvertible, Sendable {
        public var pid: Int32, host: String
        public var description: String { "pid \(pid) on \(host)" }
    }

    /// The outcome of trying to claim a run.
    public enum Attempt {
        case acquired(RunClaim)
        case held(Holder)
    }

    static var me: Holder { Holder(pid: getpid(), host: ProcessInfo.processInfo.hostName) }

    /// Tries to claim the run whose claim file is `url`, taking over a stale claim. An acquired claim
    /// is touched every `heartbeat` seconds until it is released.
    public static func attempt(_ url: URL, heartbeat: TimeInterval = 30) throws -> Attempt {
        for _ in 0..<3 {
            let fd = open(url.path, O_CREAT | O_EXCL | O_WRONLY, 0o644)
            if fd >= 0 {
                let text = "pid \(me.pid)\nhost \(me.host)\nsince \(Manifest.now())\n"
                _ = text.withCString { write(fd, $0, strlen($0)) }
                close(fd)
                return .acquired(RunClaim(url: url, heartbeat: heartbeat))
            }
            guard errno == EEXIST else {
                throw ResultsError("cannot create \(url.path): \(String(cString: strerror(errno)))")
            }
            guard let holder = holder(of: url) else { continue }  // released meanwhile, or being written
            guard isStale(url, holder: holder) else { return .held(holder) }
            takeOver(url)  // then retry: of the takers, the O_EXCL create above picks one
        }
        return holder(of: url).map { .held($0) } ?? .held(Holder(pid: 0, host: "unknown"))
    }

    /// Removes the stale claim at `url`, deciding again under an exclusive lock on the claim file itself:
    /// only while the locked file is still the one at `url` and still stale. Moving the claim aside
    /// without the lock let a taker that judged it stale before another taker replaced it move the
    /// new, live claim aside too, and both trained the run. The lock is released when its process
    /// dies, so a killed taker leaves nothing behind.
    static func takeOver(_ url: URL) {
        var fd = open(url.path, O_RDWR)  // writable where it can be: NFS locks exclusively only then
        if fd < 0 && errno == EACCES { fd = open(url.path, O_RDONLY) }
        guard fd >= 0 else { return }  // gone meanwhile
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { return }
        var locked = stat(), current = stat()
        guard fstat(fd, &locked) == 0, stat(url.path, &current) == 0,
              locked.st_dev == current.st_dev, locked.st_ino == current.st_ino else { return }  // replaced meanwhile
        guard let holder = holder(of: url), isStale(url, holder: holder) else { return }
        unlink(url.path)
    }

    /// The holder named in a claim file (nil if it is gone or unreadable).
    static func holder(of url: URL) -> Holder? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        var pid: Int32?, host: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("pid ") { pid = Int32(line.dropFirst(4)) }
            if line.hasPrefix("host ") { host = String(line.dropFirst(5)) }
        }
        guard let pid, let host else {
            // Half-written (a holder killed between create and write): stale once old.
            let age = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date).map { Date().timeIntervalSince($0) }
            return (age ?? 0) > 5 ? Holder(pid: 0, host: "") : nil
        }
        return Holder(pid: pid, host: host)
    }

    /// Whether a file holds a claim as PosLab writes one: `pid N`, `host H` and `since T` lines.
    static func isClaimFile(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url), data.count < 4096 else { return false }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        return lines.count == 3 && lines[0].hasPrefix("pid ") && Int32(lines[0].dropFirst(4)) != nil
            && lines[1].hasPrefix("host ") && lines[2].hasPrefix("since ")
    }

    /// Whether `holder`'s claim can be taken over.
    static func isStale(_ url: URL, holder: Holder) -> Bool {
        if holder.pid == 0 { return true }
        if holder.host == me.host {
            if holder.pid == me.pid { return false }
            return kill(holder.pid, 0) != 0 && errno == ESRCH
        }
        let touched = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? Date()
        return Date().timeIntervalSince(touched) > staleAfter
    }

    /// Marks the claim alive (at most every 30 seconds).
    public func touch() {
        guard Date().timeIntervalSince(lastTouch) > 30 else { return }
        lastTouch = Date()
        utimes(url.path, nil)
    }

    /// Gives the claim up (after the run's record is written).
    public func release() {
        heartbeat.stop()
        unlink(url.path)
    }
}

/// A timer touching a claim file every `interval` seconds until stopped; after `stop` returns it
/// touches nothing more (the path may hold another process's claim by then).
private final class Heartbeat: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))

    init(path: String, every interval: TimeInterval) {
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.beat(path) }
        timer.resume()
    }

    private func beat(_ path: String) { lock.withLock { if !stopped { _ = utimes(path, nil) } } }

    func stop() {
        let running = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if running { timer.cancel() }
    }
}
