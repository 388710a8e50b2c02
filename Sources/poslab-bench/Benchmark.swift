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

    @Flag(help: "Measure memory instead of speed: train --steps steps, evaluate one chunk at --eval-length, print the peak resident set beside PosLab's estimate.")
    var memory = false

    @Option(help: ArgumentHelp("Measure forward-only evaluation at this length instead of training: tokens/s of logits and their cross-entropy without gradients, chunks of max(1, 16384 / N) sequences as `poslab run` evaluates, against the same model in PyTorch with F.scaled_dot_product_attention, interleaved. With --memory: the evaluation length (default: --length).",
                               discussion: "e.g. poslab-bench --eval-length 4096 --steps 2 --warmup 1"))
    var evalLength: Int?

    @Flag(help: "With --eval-length or --memory: evaluate with the full (B, H, T, T) attention matrix, the reference path, instead of blocks.")
    var fullAttention = false

    @Option(help: ArgumentHelp("With --eval-length or --memory: the blocks of blocked attention, queries×keys (default: Transformer's, AttentionBlocks()).",
                               valueName: "queries×keys"))
    var attentionBlocks: String?

    @Flag(inversion: .prefixedNo, help: "With --eval-length or --memory: let blocked attention use its AVX2 kernel when the CPU has it (--no-attention-kernel: two sgemm calls per block of keys).")
    var attentionKernel = true

    @Option(help: "With --memory: sequences per evaluation length (chunked as `poslab run` does).")
    var evalSize = 256

    @Flag(help: ArgumentHelp("Measure greedy generation instead of training: generated tokens/s of Transformer.generate (key/value cache) against the same cached loop in PyTorch (torch.no_grad), interleaved. Each timed step generates --length − --prompt-length tokens after a prompt of --prompt-length for --batch sequences; causal attention.",
                             discussion: "e.g. poslab-bench --generate --encoding rope"))
    var generate = false

    @Option(help: "With --generate: prompt tokens (default: half of --length).")
    var promptLength: Int?

    @Flag(help: "Measure checkpoints instead of speed: the size of the model's safetensors file and the time to save and to load it (median of --repeats).")
    var checkpoint = false

    /// The CPU's model name, from /proc/cpuinfo.
    static var cpuModel: String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
    }

    /// The heap's tuning and OpenBLAS's kernel first, as `poslab` has them (`ProgramSetup`), then the command.
    static func main() {
        ProgramSetup.prepare()
        main(nil)
    }

    mutating func run() throws {
        guard let mode = generate ? .causal : AttentionMode(rawValue: attention) else {
            throw ValidationError("--attention must be bidirectional or causal")
        }
        if generate { attention = "causal" }
        let prompt = promptLength ?? length / 2
        if generate && !(1..<length).contains(prompt) {
            throw ValidationError("--prompt-length must be between 1 and --length − 1 (\(length - 1)); got \(prompt)")
        }
        BLAS.setThreads(threads)
        let config = ModelConfig(vocabSize: vocab, dModel: dModel, layers: layers, heads: heads, maxLength: length, attention: mode)
        let model: Transformer
        do {
            model = try Transformer(config: config, encoding: Spec(parsing: encoding), seed: 0)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        if let attentionBlocks {
            let sizes = attentionBlocks.split(whereSeparator: { "x×".contains($0) }).compactMap { Int($0) }
            guard sizes.count == 2, sizes.allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("--attention-blocks takes queries×keys, e.g. 128x512; got \(attentionBlocks)")
            }
            model.attentionBlocks = AttentionBlocks(queries: sizes[0], keys: sizes[1])
        }
        model.attentionBlocks?.vectorKernel = attentionKernel
        if fullAttention { model.attentionBlocks = nil }
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
        if memory {
            for _ in 0..<steps { _ = try step() }
            let te = evalLength ?? length
            let chunk = MemoryEstimate.evaluationChunk(length: te, size: evalSize)
            let ids = (0..<(chunk * te)).map { _ in rng.int(below: vocab) }
            _ = try Tensor.withoutGradients {  // as the trainer evaluates: logits, then their cross-entropy
                crossEntropy(try model.logits(ids: ids, batch: chunk, length: te), targets: ids, mask: nil).scalar
            }
            let estimate = MemoryEstimate(config: config, encodingParameters: model.encoding.parameters.reduce(0) { $0 + $1.count },
                                          batch: batch, trainLength: length, evaluationLength: te, evaluationSize: evalSize,
                                          blockedAttention: model.encoding.attentionInBlocks && !fullAttention,
                                          scoreHook: MemoryEstimate.scoreHookFloats(model.encoding))
            print(String(format: "peak resident set %.1f MB; estimate %.1f MB (%@)", Self.memory("VmHWM:"),
                         Double(estimate.peak) / 1_048_576, estimate.description as NSString))
            return
        }
        if generate {
            try measureGeneration(model: model, prompt: prompt, rng: rng)
            return
        }
        if let evalLength {
            try measureEvaluation(model: model, length: evalLength, rng: rng)
            return
        }
        if checkpoint {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("poslab-bench-\(getpid()).safetensors")
            defer { try? FileManager.default.removeItem(at: url) }
            var saves: [Double] = [], loads: [Double] = []
            for _ in 0..<repeats {
                var start = DispatchTime.now().uptimeNanoseconds
                try model.saveCheckpoint(to: url, configuration: "poslab-bench", metadata: ["run_id": "bench"])
                saves.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                start = DispatchTime.now().uptimeNanoseconds
                _ = try Transformer(checkpoint: url)
                loads.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            let parameters = model.parameters.reduce(0) { $0 + $1.count }
            print("config: vocab \(vocab), d_model \(dModel), layers \(layers), heads \(heads), max length \(length), \(encoding), \(attention)")
            print("machine: \(Self.cpuModel); BLAS kernel: \(BLAS.kernel)")
            print(String(format: "checkpoint: %d parameters, %d bytes (%.1f KB); save %.2f ms, load %.2f ms (median of %d; fastest %.2f / %.2f)",
                         parameters, bytes, Double(bytes) / 1024, median(saves), median(loads), repeats,
                         saves.min() ?? 0, loads.min() ?? 0))
            return
        }
        // PyTorch warms up in its own process first; then the two take turns, one repeat each, so
        // that a slow spell of a shared machine falls on both rather than on one of them.
        let reference = torch ? TorchReference(script: Self.torchScript, arguments: torchArguments) : nil
        for _ in 0..<warmup { _ = try step() }
        var rates: [Double] = [], torchRates: [Double] = []
        var lastLoss: Float = 0
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { lastLoss = try step() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            rates.append(Double(steps) / seconds)
            if let rate = reference?.repeatOnce() { torchRates.append(rate) }
        }
        let torchSummary = reference?.finish()
        let ours = median(rates)
        let flops = Self.trainingFLOPs(batch: batch, length: length, dModel: dModel, layers: layers, heads: heads, vocab: vocab)
        print("config: vocab \(vocab), d_model \(dModel), layers \(layers), heads \(heads), length \(length), batch \(batch), "
              + "\(encoding), \(attention), \(threads) thread(s), \(steps) steps × \(repeats) repeats")
        printMachine()
        if let warning = BLAS.kernel.warning { print("warning: \(warning)") }
        print(row("PosLab", ours, rates, extra: "final loss \(String(format: "%.3f", lastLoss))"))
        print(String(format: "PosLab   %8.1f GFLOP/s  (%.1f MFLOP per step: 3 × forward matmul and attention FLOPs)",
                     flops * ours / 1e9, flops / 1e6))
        if sgemm {
            let ceiling = Self.sgemmGFLOPs(repeats: repeats)
            print(String(format: "sgemm    %8.1f GFLOP/s  (512×512×512, one thread, median of %d); PosLab reaches %.0f%% of it",
                         ceiling, repeats, 100 * flops * ours / 1e9 / ceiling))
        }
        let alone = Self.productsAloneSeconds(batch: batch, length: length, dModel: dModel, layers: layers, heads: heads,
                                              vocab: vocab, repeats: repeats)
        print(String(format: "products %8.2f ms per step: the step's matrix products alone, hot in cache (at most %.1f steps/s "
                     + "if nothing else took time; PosLab's whole step takes %.2f ms)", alone * 1e3, 1 / alone, 1e3 / ours))
        if let torchSummary, torchRates.count == repeats {
            let theirs = median(torchRates)
            print(row("PyTorch", theirs, torchRates, extra: "torch \(torchSummary.version), repeats interleaved with PosLab's"))
            // Each PosLab repeat against the PyTorch repeat right after it: a drift that lasts longer
            // than one pair of repeats cancels out of these.
            let pairs = zip(rates, torchRates).map { $0 / $1 }
            print(String(format: "ratio PosLab / PyTorch: %.2f×  (repeat by repeat: %@; median %.2f×)", ours / theirs,
                         pairs.map { String(format: "%.2f", $0) }.joined(separator: " "), median(pairs)))
        } else if torch, reference?.started == true {
            print("PyTorch: the reference stopped after \(torchRates.count) of \(repeats) repeats "
                  + "(\(torchRates.map { String(format: "%.1f", $0) }.joined(separator: " ")) steps/s); see its message above")
        } else if torch {
            print("PyTorch: reference did not run (is torch installed? pip install torch==2.13.0+cpu; Scripts/bench_torch.py knows none, learned, sinusoidal and relative-bias)")
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

    /// Seconds for the matrix products of one training step, replayed alone (same shapes and
    /// transposes as the model's forward and backward passes, buffers reused so they stay in cache):
    /// a floor under the step time that only faster products could lower. Median of `repeats`.
    static func productsAloneSeconds(batch b: Int, length t: Int, dModel c: Int, layers: Int, heads h: Int,
                                     vocab v: Int, repeats: Int) -> Double {
        // `via`: how the step computes it — OpenBLAS (`.sgemm`) for the linear layers, attention's per-head
        // products as `HeadProducts` does in training (`.kernel`).
        typealias Product = (ta: Bool, tb: Bool, m: Int, n: Int, k: Int, accumulate: Bool, times: Int, via: HeadProducts)
        let rows = b * t, d = c / h
        var products: [Product] = []
        func linear(_ input: Int, _ output: Int, times: Int) {
            products.append((false, false, rows, output, input, true, times, .sgemm))  // y = x·W (+ bias rows)
            products.append((false, true, rows, input, output, false, times, .sgemm))  // dX = dY·Wᵀ
            products.append((true, false, input, output, rows, true, times, .sgemm))   // dW += Xᵀ·dY
        }
        linear(c, 3 * c, times: layers)
        linear(c, c, times: layers)
        linear(c, 4 * c, times: layers)
        linear(4 * c, c, times: layers)
        linear(c, v, times: 1)
        let perHead = layers * b * h
        products += [(false, true, t, t, d, false, perHead, .kernel), (false, false, t, d, t, false, perHead, .kernel),  // scores, P·V
                     (true, false, t, d, t, true, perHead, .kernel), (false, true, t, t, d, false, perHead, .kernel),    // dV, dP
                     (false, false, t, d, t, true, perHead, .kernel), (true, false, t, d, t, true, perHead, .kernel)]    // dQ, dK
        let size = products.map { max($0.m * $0.k, $0.k * $0.n, $0.m * $0.n) }.max()!
        let a = Tensor([Float](repeating: 0.01, count: size), shape: [size])
        let bm = Tensor([Float](repeating: 0.02, count: size), shape: [size]), cm = Tensor(zeros: [size])
        let scratch = Tensor(zeros: [HeadProducts.scratchCount(length: t, headSize: d)])
        func step() {
            for p in products {
                for _ in 0..<p.times {
                    p.via.gemm(transposeA: p.ta, transposeB: p.tb, m: p.m, n: p.n, k: p.k,
                               a: a.data, lda: p.ta ? p.m : p.k, b: bm.data, ldb: p.tb ? p.k : p.n,
                               accumulate: p.accumulate, c: cm.data, ldc: p.n, scratch: scratch.data)
                }
            }
        }
        step()
        let flopsPerStep = products.reduce(0.0) { $0 + 2 * Double($1.m * $1.n * $1.k * $1.times) }
        let steps = max(3, Int(2e9 / flopsPerStep))  // about 0.02 s per timing
        var timings: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { step() }
            timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps))
        }
        return timings.sorted()[timings.count / 2]
    }

    /// A field of /proc/self/status in MB.
    static func memory(_ field: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// The machine, its BLAS build and the kernel OpenBLAS runs: printed with every number.
    func printMachine() {
        print("machine: \(Self.cpuModel), \(ProcessInfo.processInfo.processorCount) cores; BLAS: \(BLAS.configuration)")
        print("BLAS kernel: \(BLAS.kernel)")
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

    /// Scripts/bench_torch.py, found from this source file's place in the repository.
    static let torchScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/bench_torch.py")

    /// The reference script's arguments for this config.
    var torchArguments: [String] {
        ["--vocab", "\(vocab)", "--d-model", "\(dModel)", "--layers", "\(layers)", "--heads", "\(heads)",
         "--length", "\(length)", "--batch", "\(batch)", "--encoding", encoding, "--attention", attention,
         "--steps", "\(steps)", "--warmup", "\(warmup)", "--threads", "\(threads)"]
    }
}
