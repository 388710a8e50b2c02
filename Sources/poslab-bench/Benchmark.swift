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

    @Flag(inversion: .prefixedNo, help: "Also measure single-thread sgemm at 512×512×512, the FLOP/s ceiling.")
    var sgemm = true

    @Option(help: "Print the resident set size every this many steps of a separate long run (0: off), e.g. --rss-every 1000 --rss-steps 10000.")
    var rssEvery = 0

    @Option(help: "Steps of the RSS run.")
    var rssSteps = 10_000

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
        let flops = Self.trainingFLOPs(batch: batch, length: length, dModel: dModel, layers: layers, heads: heads, vocab: vocab)
        print("config: vocab \(vocab), d_model \(dModel), layers \(layers), heads \(heads), length \(length), batch \(batch), "
              + "\(encoding), \(attention), \(threads) thread(s), \(steps) steps × \(repeats) repeats")
        print("machine: \(ProcessInfo.processInfo.processorCount) cores; BLAS: \(BLAS.configuration)")
        print(row("PosLab", ours, rates, extra: "final loss \(String(format: "%.3f", lastLoss))"))
        print(String(format: "PosLab   %8.1f GFLOP/s  (%.1f MFLOP per step: 3 × forward matmul and attention FLOPs)",
                     flops * ours / 1e9, flops / 1e6))
        if sgemm {
            let ceiling = Self.sgemmGFLOPs(repeats: repeats)
            print(String(format: "sgemm    %8.1f GFLOP/s  (512×512×512, one thread, median of %d); PosLab reaches %.0f%% of it",
                         ceiling, repeats, 100 * flops * ours / 1e9 / ceiling))
        }
        if torch, let reference = runTorch() {
            print(row("PyTorch", reference.median, reference.all, extra: "torch \(reference.version)"))
            print(String(format: "ratio PosLab / PyTorch: %.2f×", ours / reference.median))
        }
        if rssEvery > 0 {
            print("resident set size during \(rssSteps) more steps (MB, from /proc/self/status):")
            var line: [String] = []
            for s in 1...rssSteps {
                _ = try step()
                if s % rssEvery == 0 { line.append(String(format: "%d:%.1f", s, Self.memory("VmRSS:"))) }
            }
            print("  " + line.joined(separator: "  "))
            print(String(format: "  peak (VmHWM): %.1f MB", Self.memory("VmHWM:")))
        }
    }

    /// FLOPs of one training step: 3 × the forward pass's matrix products (the backward pass does
    /// two products per forward product). Forward, per layer: qkv 2·N·C·3C, output 2·N·C·C, MLP
    /// 2·2·N·C·4C, attention scores and weighted sum 2·2·B·H·T²·D; plus the head 2·N·C·V; N = B·T.
    static func trainingFLOPs(batch b: Int, length t: Int, dModel c: Int, layers: Int, heads h: Int, vocab v: Int) -> Double {
        let n = Double(b * t), cd = Double(c)
        let perLayer = 2 * n * cd * 3 * cd + 2 * n * cd * cd + 2 * 2 * n * cd * 4 * cd
            + 2 * 2 * Double(b * h) * Double(t * t) * Double(c / h)
        return 3 * (Double(layers) * perLayer + 2 * n * cd * Double(v))
    }

    /// Single-thread sgemm throughput at 512³ (GFLOP/s), the median of `repeats` timings.
    static func sgemmGFLOPs(repeats: Int) -> Double {
        let n = 512, calls = 50  // about 0.15 s per timing
        let rng = RandomGenerator(seed: 1)
        let a = Tensor((0..<(n * n)).map { _ in Float(rng.gaussian()) }, shape: [n, n])
        let b = Tensor((0..<(n * n)).map { _ in Float(rng.gaussian()) }, shape: [n, n])
        let c = Tensor(zeros: [n, n])
        var rates: [Double] = []
        for _ in 0..<(repeats + 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<calls {
                BLAS.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, a: a.data, lda: n, b: b.data, ldb: n,
                          beta: 0, c: c.data, ldc: n)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            rates.append(Double(calls) * 2 * Double(n * n * n) / seconds / 1e9)
        }
        let s = rates.dropFirst().sorted()  // the first is a warm-up
        return s[s.count / 2]
    }

    /// A field of /proc/self/status in MB.
    static func memory(_ field: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
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
