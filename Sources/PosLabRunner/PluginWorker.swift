import Foundation
import PosLabResults
import PosLabStudy

/// Runs the parts of `poslab run` and `poslab eval` that call a plugin's code in a worker process,
/// so that a segfault, an abort or an `exit()` in a plugin ends the worker, not the suite.
///
/// The worker is `poslab` itself, started again with the hidden subcommand `worker` (an exec of a
/// new process, never a fork of this multithreaded one): it reads one `PluginWorker.Request` as JSON
/// on standard input, loads the suite's plugins, does the one job and writes its answer as lines on
/// standard output (`WorkerLine`), which this side reads as they come — each logged step touches the
/// run's claim and shows progress — while the worker's standard error passes straight through.
/// A worker that dies by a signal or exits before its answer becomes a failed run naming how it
/// ended (`RunRecord.status` `failed`, its `message` naming the signal, e.g. SIGSEGV); the claim is
/// released by the caller as for any other run, and the suite goes on. Built-in encodings never use
/// the worker: their runs stay in-process, as fast as before.
///
/// Follows `poslab check-plugin`, which runs its checks in a child the same way (CheckPlugin.swift).
public struct PluginWorker: Sendable {
    /// The `poslab` executable to start.
    public let executable: URL

    public init(executable: URL) { self.executable = executable }

    /// This process's own executable (`/proc/self/exe`), the `poslab` that starts workers.
    public static var current: PluginWorker {
        PluginWorker(executable: URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                                     ?? CommandLine.arguments[0]))
    }

    /// One job for a worker.
    public struct Request: Codable, Sendable {
        public enum Job: String, Codable, Sendable {
            /// `ConformanceChecker.changesOutput` for the encodings of the runs `indices`.
            case check
            /// Train the run `indices[0]` (saving its model to `checkpoint`, if given) into its record.
            case train
            /// Evaluate `record` at the suite's lengths it lacks, from its checkpoint.
            case extend
        }
        public var job: Job
        /// The suite, fully resolved, whose plugins the worker loads.
        public var suite: Suite
        /// Indices into `suite.runs`.
        public var indices: [Int]
        /// The run's identity, checked by the worker against its own resolution of the plan.
        public var id: String?
        /// Where `train` saves the model, and where `extend` reads it.
        public var checkpoint: String?
        /// The record `extend` grows.
        public var record: RunRecord?
    }

    /// How a worker ended when it gave no answer: "crashed: signal 11 (SIGSEGV)", or "ended the
    /// process with exit(0)".
    public struct Death: Error, CustomStringConvertible, Sendable {
        public var signal: Int32?
        public var status: Int32
        /// The job's last step reported before the end, if any.
        public var lastStep: Int?
        public var description: String {
            let at = lastStep.map { " (last logged step \($0))" } ?? ""
            if let signal { return "crashed the worker process: signal \(signal) (\(SignalName.of(signal)))\(at)" }
            return "ended the worker process with exit(\(status)) before its job finished\(at)"
        }
    }

    /// Runs `request` in a worker: `line` gets every answer line as it arrives. Returns when the
    /// worker has ended; throws `Death` when it ended without a `done` line.
    func perform(_ request: Request, line: (WorkerLine) -> Void) throws {
        let data = try Self.encoder.encode(request)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["worker"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output  // standard error is inherited: a plugin's messages pass through
        // Runs start workers from several threads: each pipe is close-on-exec before any other worker
        // can be started, so no worker holds another's pipe open (and the end of a dead worker's
        // output is seen at once). The child's own ends are dup'ed onto 0 and 1, without the flag.
        try Self.spawnLock.withLock {
            for fd in [input.fileHandleForReading.fileDescriptor, input.fileHandleForWriting.fileDescriptor,
                       output.fileHandleForReading.fileDescriptor, output.fileHandleForWriting.fileDescriptor] {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            try process.run()
        }
        try? output.fileHandleForWriting.close()
        try? input.fileHandleForReading.close()
        Self.writeIgnoringBrokenPipe(data, to: input.fileHandleForWriting.fileDescriptor)  // a worker dead at once is seen below
        try? input.fileHandleForWriting.close()
        var done = false, lastStep: Int?
        func handle(_ text: String) {
            let parsed = WorkerLine(parsing: text)
            switch parsed {
            case .done: done = true
            case .step(let step, _): lastStep = step
            default: break
            }
            line(parsed)
        }
        output.fileHandleForReading.forEachLine(handle)
        process.waitUntilExit()
        if done && process.terminationReason == .exit { return }
        let signalled = process.terminationReason == .uncaughtSignal
        throw Death(signal: signalled ? process.terminationStatus : nil, status: process.terminationStatus, lastStep: lastStep)
    }

    /// Runs a `train` or `extend` request: its record. `onStep` gets each logged step; a plugin's own
    /// output goes to standard error. Throws `Death` if the worker died, or a `ResultsError` with the
    /// worker's message when it could not do the job.
    func record(for request: Request, onStep: (Int, Double) -> Void = { _, _ in }) throws -> RunRecord {
        var record: RunRecord?, failure: String?
        try perform(request) { line in
            switch line {
            case .step(let step, let loss): onStep(step, loss)
            case .record(let json): record = try? RunRecord.decoder.decode(RunRecord.self, from: Data(json.utf8))
            case .error(let message): failure = message
            case .other(let text): FileHandle.standardError.write(Data((text + "\n").utf8))
            default: break
            }
        }
        if let record { return record }
        throw ResultsError(failure ?? "the worker process gave no record")
    }

    private static let spawnLock = NSLock()

    /// Writes `data` to `fd` with SIGPIPE blocked in this thread, so that a worker that is already
    /// gone makes the write fail (its end is reported by `perform`) instead of ending this process.
    static func writeIgnoringBrokenPipe(_ data: Data, to fd: Int32) {
        var pipeSignal = sigset_t(), old = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &old)
        defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 { offset += n; continue }
                if n < 0 && errno == EINTR { continue }
                if errno == EPIPE {  // take the pending signal, so it is not delivered once unblocked
                    var none = timespec()
                    _ = sigtimedwait(&pipeSignal, nil, &none)
                }
                return
            }
        }
    }
}

/// One line a worker writes on standard output; anything else it prints (a plugin's own output) is
/// passed on to standard error.
enum WorkerLine: Equatable {
    /// A logged training step and its loss.
    case step(Int, Double)
    /// The job's result: a run record, as JSON.
    case record(String)
    /// `check`: starting on the encoding of this spec.
    case begin(String)
    /// `check`: the verdict on an encoding: whether it changes the model's output, and why.
    case verdict(spec: String, changes: Bool, detail: String)
    /// The job threw: the error's message.
    case error(String)
    /// The last line of a worker that finished its job.
    case done
    /// Anything else.
    case other(String)

    static let prefix = "@@poslab-worker "

    init(parsing text: String) {
        guard text.hasPrefix(Self.prefix) else { self = .other(text); return }
        let body = text.dropFirst(Self.prefix.count)
        let word = body.prefix { $0 != " " }, rest = String(body.dropFirst(word.count + 1))
        let fields = rest.components(separatedBy: "\t")
        switch word {
        case "step" where fields.count == 2: self = .step(Int(fields[0]) ?? 0, Double(fields[1]) ?? .nan)
        case "record": self = .record(rest)
        case "begin": self = .begin(rest)
        case "verdict" where fields.count == 3:
            self = .verdict(spec: fields[0], changes: fields[1] == "changes", detail: Self.unescape(fields[2]))
        case "error": self = .error(Self.unescape(rest))
        case "done": self = .done
        default: self = .other(text)
        }
    }

    /// The line as written (no newline inside: messages are escaped).
    var text: String {
        switch self {
        case .step(let s, let loss): return Self.prefix + "step \(s)\t\(loss)"
        case .record(let json): return Self.prefix + "record " + json
        case .begin(let spec): return Self.prefix + "begin " + spec
        case .verdict(let spec, let changes, let detail):
            return Self.prefix + "verdict \(spec)\t\(changes ? "changes" : "inert")\t\(Self.escape(detail))"
        case .error(let message): return Self.prefix + "error " + Self.escape(message)
        case .done: return Self.prefix + "done"
        case .other(let text): return text
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
    }

    static func unescape(_ s: String) -> String {
        var out = "", escaped = false
        for c in s {
            if escaped { out.append(c == "n" ? "\n" : c == "t" ? "\t" : c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }
}
