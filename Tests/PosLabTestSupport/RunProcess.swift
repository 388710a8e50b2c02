import Foundation

/// Runs `executable` with `arguments` in `directory`, with `environment` changes (nil removes a
/// variable), and returns (status, stdout, stderr): how the tests run a command as a user would.
public func runProcess(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                       environment: [String: String?] = [:]) throws -> (Int32, String, String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if !environment.isEmpty {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let (o, e) = readBoth(out, err)
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Runs `executable` as `runProcess` does, but kills it (SIGKILL) if it has not ended within
/// `timeout` seconds, with every process it started; returns (status, stdout, stderr, timedOut).
public func runProcess(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                       timeout: TimeInterval) throws -> (Int32, String, String, Bool) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let pid = process.processIdentifier
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var timedOut = false
    DispatchQueue.global().async {
        if done.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            // Its children first (one holding the pipes open would keep this waiting), then it.
            for child in descendants(of: pid) { kill(child, SIGKILL) }
            kill(pid, SIGKILL)
        }
    }
    let (o, e) = readBoth(out, err)
    process.waitUntilExit()
    done.signal()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self), timedOut)
}

/// Both pipes read to their ends at once, stderr on another thread: reading stdout to its end first
/// waited forever on a command that writes more than a pipe holds (64 KiB) to stderr before it ends
/// stdout, blocked on the full stderr pipe while the reader waited on stdout.
func readBoth(_ out: Pipe, _ err: Pipe) -> (Data, Data) {
    let errors = err.fileHandleForReading
    nonisolated(unsafe) var e = Data()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { e = errors.readDataToEndOfFile() }
    let o = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    return (o, e)
}

/// The processes descended from `pid` (from /proc), deepest last.
func descendants(of pid: Int32) -> [Int32] {
    var parent: [Int32: Int32] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let child = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, let ppid = Int32(fields[1]) { parent[child] = ppid }
    }
    var found: [Int32] = [], frontier = [pid]
    while let next = frontier.popLast() {
        let children = parent.filter { $0.value == next }.map(\.key)
        found += children
        frontier += children
    }
    return found
}
