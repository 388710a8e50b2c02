import ArgumentParser
import Foundation
import PosLabModel

/// Training speed of PosLab, side by side with the PyTorch reference script on the same config.
@main
struct Benchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poslab-bench",
        abstract: "Measure training steps/s of PosLab and of the PyTorch reference (Scripts/bench_torch.py).",
        discussion: """
            Both train the same model (token embedding, the encoding, pre-LN blocks, 4× GELU MLP, head) with Adam
            on random batches of the reverse task, for --steps timed steps after --warmup, --repeats times, and
            report the median. The default is the standard config: vocab 16, d_model 64, 2 layers, 4 heads,
            length 32, batch 32, one thread. Build in release mode:
              swift run -c release poslab-bench
              swift run -c release poslab-bench --d-model 128 --layers 4 --length 64   # the larger config
            """)

    @Option(help: "Vocabulary size.") var vocab = 16
    @Option(help: "Model width.") var dModel = 64
    @Option(help: "Transformer blocks.") var layers = 2
    @Option(help: "Attention heads.") var heads = 4
    @Option(help: "Sequence length.") var length = 32
    @Option(help: "Sequences per batch.") var batch = 32
    @Option(help: "Positional encoding (none, learned, sinusoidal, relative-bias, …).") var encoding = "none"
    @Option(help: "bidirectional or causal.") var attention = "bidirectional"
    @Option(help: "Timed steps per repeat.") var steps = 100
    @Option(help: "Untimed steps before the first repeat.") var warmup = 10
    @Option(help: "Repeats; the median is reported.") var repeats = 5
    @Option(help: "BLAS threads (and PyTorch threads).") var threads = 1
    @Flag(inversion: .prefixedNo, help: "Also run the PyTorch reference script (needs python3 with torch).")
    var torch = true

    mutating func run() throws {
        guard let mode = AttentionMode(rawValue: attention) else {
            throw ValidationError("--attention must be bidirectional or causal")
        }
        BLAS.setThreads(threads)
        let config = ModelConfig(vocabSize: vocab, dModel: dModel, layers: layers, heads: heads, maxLength: length, attention: mode)
        let model: Transformer
        do {
            model = try Transformer(config: config, encoding: Spec(parsing: encoding), seed: 0)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let optimizer = Adam(parameters: model.parameters, learningRate: 1e-3)
        let rng = RandomGenerator(seed: 1, stream: "bench")
        let (b, t) = (batch, length)
        func step() throws -> Float {
            let ids = (0..<(b * t)).map { _ in rng.int(below: vocab) }
            var targets = ids
            for s in 0..<b { for i in 0..<t { targets[s * t + i] = ids[s * t + t - 1 - i] } }
            optimizer.zeroGrad()
            let loss = try model.loss(ids: ids, targets: targets, mask: nil, batch: b, length: t)
            loss.backward()
            optimizer.step()
            return loss.scalar
        }
        for _ in 0..<warmup { _ = try step() }
        var rates: [Double] = []
        var lastLoss: Float = 0
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { lastLoss = try step() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            rates.append(Double(steps) / seconds)
        }
        let ours = median(rates)
        print("config: vocab \(vocab), d_model \(dModel), layers \(layers), heads \(heads), length \(length), batch \(batch), "
              + "\(encoding), \(attention), \(threads) thread(s), \(steps) steps × \(repeats) repeats")
        print("machine: \(ProcessInfo.processInfo.processorCount) cores; BLAS: \(BLAS.configuration)")
        print(row("PosLab", ours, rates, extra: "final loss \(String(format: "%.3f", lastLoss))"))
        if torch, let reference = runTorch() {
            print(row("PyTorch", reference.median, reference.all, extra: "torch \(reference.version)"))
            print(String(format: "ratio PosLab / PyTorch: %.2f×", ours / reference.median))
        }
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func row(_ name: String, _ median: Double, _ all: [Double], extra: String) -> String {
        String(format: "%-8@ %8.1f steps/s  %9.0f tokens/s  (runs: %@; %@)", name as NSString, median,
               median * Double(batch * length), all.map { String(format: "%.1f", $0) }.joined(separator: " ") as NSString,
               extra as NSString)
    }

    /// Runs Scripts/bench_torch.py with the same config; nil (with a note) if torch is unavailable.
    func runTorch() -> (median: Double, all: [Double], version: String)? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/bench_torch.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--vocab", "\(vocab)", "--d-model", "\(dModel)", "--layers", "\(layers)",
                             "--heads", "\(heads)", "--length", "\(length)", "--batch", "\(batch)", "--encoding", encoding,
                             "--attention", attention, "--steps", "\(steps)", "--warmup", "\(warmup)",
                             "--repeats", "\(repeats)", "--threads", "\(threads)"]
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch {
            print("PyTorch: could not start python3 (\(error))")
            return nil
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let median = json["steps_per_sec_median"] as? Double else {
            print("PyTorch: reference did not run (is torch installed? pip install torch==2.13.0+cpu)")
            return nil
        }
        return (median, json["steps_per_sec_all"] as? [Double] ?? [], json["torch"] as? String ?? "?")
    }
}
