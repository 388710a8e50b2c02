import Foundation

/// The PyTorch reference (Scripts/bench_torch.py --serve) in a child process: it warms up when
/// started, times one repeat each time it is asked, and reports its version at the end.
final class TorchReference {
    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffer = Data()
    private var alive = true
    /// Whether the script started and finished its warm-up.
    private(set) var started = false

    /// Starts the script and waits for its warm-up; on failure, later calls return nil.
    init(script: URL, arguments: [String]) {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--serve"] + arguments
        process.standardInput = input
        process.standardOutput = output
        signal(SIGPIPE, SIG_IGN)  // a child that died makes a write fail, not kill the benchmark
        do { try process.run() } catch {
            alive = false
            return
        }
        alive = nextObject()?["ready"] as? Bool == true
        started = alive
    }

    /// Times one repeat in the child; nil if it is not running.
    func repeatOnce() -> Double? {
        guard alive else { return nil }
        guard (try? input.fileHandleForWriting.write(contentsOf: Data("repeat\n".utf8))) != nil,
              let rate = nextObject()?["rate"] as? Double else {
            alive = false
            return nil
        }
        return rate
    }

    /// Closes the child's input and reads its summary (nil if it failed).
    func finish() -> (version: String, finalLoss: Double)? {
        try? input.fileHandleForWriting.close()
        let summary = alive ? nextObject() : nil
        process.waitUntilExit()
        guard process.terminationStatus == 0, let summary else { return nil }
        return (summary["torch"] as? String ?? "?", summary["final_loss"] as? Double ?? .nan)
    }

    /// The next line of the child's output, parsed as a JSON object (nil at the end of output).
    private func nextObject() -> [String: Any]? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[buffer.index(after: newline)...])
                return (try? JSONSerialization.jsonObject(with: line)) as? [String: Any]
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}
