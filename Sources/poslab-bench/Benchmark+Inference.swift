import Foundation
import PosLabModel

/// The two forward-only modes: `--generate` (cached greedy decoding) and `--eval-length N`
/// (evaluation at long lengths), each against the PyTorch reference, repeats interleaved.
extension Benchmark {
    /// Generated tokens/s of cached greedy decoding, PosLab and PyTorch taking turns repeat by repeat.
    func measureGeneration(model: Transformer, prompt p: Int, rng: RandomGenerator) throws {
        let generated = length - p
        let prompts = (0..<(batch * p)).map { _ in rng.int(below: vocab) }
        func call(cached: Bool = true) throws { _ = try model.generate(prompts: prompts, batch: batch, promptLength: p, steps: generated, cached: cached) }
        let reference = torch ? TorchReference(script: Self.torchScript, arguments: torchArguments + ["--generate", "--prompt-length", "\(p)"]) : nil
        let (rates, torchRates, torchSummary) = try interleaved(tokensPerCall: batch * generated, reference: reference) { try call() }
        // The reference decoder (a full forward pass per token), once, for scale.
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<max(1, steps / 10) { try call(cached: false) }
        let uncached = Double(max(1, steps / 10) * batch * generated) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        print("config: vocab \(vocab), d_model \(dModel), layers \(layers), heads \(heads), prompt \(p) + \(generated) generated tokens, "
              + "batch \(batch), \(encoding), causal, \(threads) thread(s), \(steps) generations × \(repeats) repeats")
        printMachine()
        func line(_ name: String, _ all: [Double], _ extra: String) -> String {
            String(format: "%-8@ %9.0f generated tokens/s  (runs: %@; %@)", name as NSString, median(all),
                   all.map { String(format: "%.0f", $0) }.joined(separator: " ") as NSString, extra as NSString)
        }
        print(line("PosLab", rates, "key/value cache"))
        print(String(format: "PosLab   %9.0f generated tokens/s without the cache (a full forward pass per token)", uncached))
        printReference(rates, torchRates, summary: torchSummary, line: line, how: "key/value cache, torch.no_grad")
    }

    /// Forward-only evaluation tokens/s at `length` (logits and their cross-entropy, no gradients), PosLab
    /// and PyTorch (F.scaled_dot_product_attention, torch.no_grad) taking turns repeat by repeat.
    func measureEvaluation(model: Transformer, length te: Int, rng: RandomGenerator) throws {
        let chunk = MemoryEstimate.evaluationChunk(length: te, size: evalSize)
        let ids = (0..<(chunk * te)).map { _ in rng.int(below: vocab) }
        func call() throws {
            _ = try Tensor.withoutGradients {
                crossEntropy(try model.logits(ids: ids, batch: chunk, length: te), targets: ids, mask: nil).scalar
            }
        }
        let reference = torch ? TorchReference(script: Self.torchScript, arguments: torchArguments + ["--eval-length", "\(te)"]) : nil
        let (rates, torchRates, torchSummary) = try interleaved(tokensPerCall: chunk * te, reference: reference) { try call() }
        let blocks = model.attentionBlocks
        let path = blocks == nil || !model.encoding.attentionInBlocks || te < model.blockedAttentionFrom
            ? "full (B, H, T, T) attention" : "blocked attention (\(blocks!.queries) queries × \(blocks!.keys) keys\(blocks!.vectorKernel ? "" : ", sgemm per block"))"
        print("config: vocab \(vocab), d_model \(dModel), layers \(layers), heads \(heads), evaluation length \(te), "
              + "\(chunk) sequence(s) per forward pass, \(encoding), \(attention), \(threads) thread(s), \(steps) passes × \(repeats) repeats")
        printMachine()
        func line(_ name: String, _ all: [Double], _ extra: String) -> String {
            String(format: "%-8@ %9.0f tokens/s  (runs: %@; %@)", name as NSString, median(all),
                   all.map { String(format: "%.0f", $0) }.joined(separator: " ") as NSString, extra as NSString)
        }
        print(line("PosLab", rates, "\(path); peak resident set \(String(format: "%.1f", Self.memory("VmHWM:"))) MB"))
        printReference(rates, torchRates, summary: torchSummary, line: line, how: "F.scaled_dot_product_attention, torch.no_grad")
    }

    /// PosLab's rates (tokens/s) over `repeats` repeats of `steps` calls after `warmup`, the PyTorch
    /// reference timing one repeat after each of PosLab's (interleaved, so that a slow spell of a
    /// shared machine falls on both), and the reference's summary.
    func interleaved(tokensPerCall: Int, reference: TorchReference?, _ call: () throws -> Void) rethrows
        -> (rates: [Double], torch: [Double], summary: (version: String, finalLoss: Double)?) {
        for _ in 0..<warmup { try call() }
        var rates: [Double] = [], torchRates: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { try call() }
            rates.append(Double(steps * tokensPerCall) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            if let rate = reference?.repeatOnce() { torchRates.append(rate) }
        }
        return (rates, torchRates, reference?.finish())
    }

    /// PyTorch's line and the ratio, repeat by repeat, or why the reference did not run.
    func printReference(_ rates: [Double], _ torchRates: [Double], summary: (version: String, finalLoss: Double)?,
                        line: (String, [Double], String) -> String, how: String) {
        if let summary, torchRates.count == repeats {
            print(line("PyTorch", torchRates, "torch \(summary.version), \(how), repeats interleaved"))
            let pairs = zip(rates, torchRates).map { $0 / $1 }
            print(String(format: "ratio PosLab / PyTorch: %.2f×  (repeat by repeat: %@; median %.2f×)", median(rates) / median(torchRates),
                         pairs.map { String(format: "%.2f", $0) }.joined(separator: " "), median(pairs)))
        } else if torch {
            print("PyTorch: reference did not run (is torch installed? pip install torch==2.13.0+cpu; Scripts/bench_torch.py knows none, learned, sinusoidal and relative-bias)")
        }
    }
}
