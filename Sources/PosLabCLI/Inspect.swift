import ArgumentParser
import Foundation
import PosLabModel
import PosLabTasks

extension PosLab {
    /// `poslab inspect CHECKPOINT`: what a saved model holds, one tensor as CSV, or its attention maps.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a checkpoint's configuration and tensors, dump one tensor, or write attention maps.",
            discussion: """
                Without options: the model's configuration, encoding, seed and the configuration text saved \
                with it, then each tensor's name, shape, mean, sd (n−1, as torch.std), min and max. Any \
                safetensors file can be listed; the rest needs a PosLab checkpoint.

                --tensor NAME --csv writes one tensor as tidy CSV (index columns, then value), in the \
                checkpoint's layout: linear weights are (out, in), as torch.nn.Linear holds them.

                --attention writes the attention weights of one example, every layer and head, as CSV with \
                columns layer,head,query,key,query_position,key_position,query_token,key_token,weight. The \
                example is number K (from 0) of a task's evaluation set at length T, drawn as `poslab run` \
                draws it (seed --eval-seed, default 2024), or the ids given with --ids. --task and --eval-seed \
                default to the checkpoint's metadata keys `task` and `evaluation_seed` when it has them.

                A missing, truncated or damaged file stops with one line naming it, exit status 2.

                Examples:
                  poslab inspect Tests/PosLabModelTests/Fixtures/checkpoints/learned-causal.safetensors
                  poslab inspect model.safetensors --tensor encoding.table --csv > table.csv
                  poslab inspect model.safetensors --attention --task reverse --length 16 --example 3 > attention.csv
                  poslab inspect model.safetensors --attention --ids "3 1 4 1 5 9 2 6"
                """)

        @Argument(help: "A safetensors checkpoint written by PosLab.")
        var checkpoint: String

        @Option(help: ArgumentHelp("Show only this tensor (with --csv: all its values).", valueName: "name"))
        var tensor: String?

        @Flag(help: "With --tensor: write the tensor's values as CSV.")
        var csv = false

        @Flag(help: "Write one example's attention maps (every layer and head) as CSV.")
        var attention = false

        @Option(help: ArgumentHelp("With --attention: the task whose evaluation set gives the example.", valueName: "spec"))
        var task: String?

        @Option(help: "With --attention: the sequence length T (default: the model's max_length).")
        var length: Int?

        @Option(help: "With --attention: which example of the evaluation set, from 0.")
        var example = 0

        @Option(help: "With --attention: the evaluation seed the set is drawn from (default: the checkpoint's, or 2024).")
        var evalSeed: UInt64?

        @Option(help: ArgumentHelp("With --attention: token ids, space-separated, instead of --task.", valueName: "ids"))
        var ids: String?

        @OptionGroup var plugin: PluginOptions

        func validate() throws {
            if csv && tensor == nil { throw ValidationError("--csv needs --tensor NAME") }
            if attention && tensor != nil { throw ValidationError("--attention and --tensor are separate uses; give one") }
            if !attention && (task != nil || ids != nil || length != nil) {
                throw ValidationError("--task, --ids and --length go with --attention")
            }
            if task != nil && ids != nil { throw ValidationError("give --task or --ids, not both") }
            if let length, length < 1 { throw ValidationError("--length must be at least 1 (got \(length))") }
            if example < 0 { throw ValidationError("--example counts from 0 (got \(example))") }
        }

        func run() throws {
            try loadPlugins(plugin.paths)
            let url = URL(fileURLWithPath: checkpoint)
            do {
                let file = try SafetensorsFile(contentsOf: url)
                if let tensor {
                    try show(tensor, in: file)
                } else if attention {
                    try writeAttention(Checkpoint(contents: file, file: checkpoint))
                } else {
                    summarize(file)
                }
            } catch let error as CheckpointError {
                PosLab.fail("\(checkpoint): \(error.problem)")  // the file as the user named it
            } catch let error as LengthUnsupported {
                PosLab.fail("\(checkpoint): \(error)")
            }
        }

        /// The configuration, metadata and a line per tensor.
        func summarize(_ file: SafetensorsFile) {
            let size = (try? FileManager.default.attributesOfItem(atPath: checkpoint)[.size] as? Int) ?? 0
            print("checkpoint     \(checkpoint) (\(size) bytes)")
            var reserved: Set<String> = []
            do {
                let c = try Checkpoint(contents: file, file: checkpoint)
                let m = c.config
                print("model          vocab_size \(m.vocabSize), d_model \(m.dModel), layers \(m.layers), heads \(m.heads), max_length \(m.maxLength), \(m.attention.rawValue)")
                print("encoding       \(c.encoding)")
                print("seed           \(c.seed)")
                print("layout         linear weights (out, in), as torch.nn.Linear: y = x·Wᵀ + b")
                if !c.configuration.isEmpty {
                    print("configuration")
                    for line in c.configuration.split(separator: "\n", omittingEmptySubsequences: false) { print("  \(line)") }
                }
                reserved = Set(file.metadata.keys.filter(Checkpoint.isReserved))
            } catch {
                print("(not a PosLab checkpoint: \((error as? CheckpointError)?.problem ?? "\(error)"))")
            }
            let extra = file.metadata.keys.filter { !reserved.contains($0) }.sorted()
            if !extra.isEmpty {
                print("metadata")
                for key in extra { print("  \(key) = \(file.metadata[key]!)") }
            }
            let scalars = file.tensors.reduce(0) { $0 + $1.values.count }
            print("tensors        \(file.tensors.count), \(scalars) values\n")
            printTable(file.tensors)
        }

        func printTable(_ tensors: [SafetensorsFile.Entry]) {
            let rows = tensors.map { t -> [String] in
                let s = Summary(t.values)
                return [t.name, "[" + t.shape.map(String.init).joined(separator: ", ") + "]"] + [s.mean, s.sd, s.min, s.max].map(Self.number)
            }
            let header = ["name", "shape", "mean", "sd", "min", "max"]
            let widths = (0..<header.count).map { c in (rows.map { $0[c].count } + [header[c].count]).max()! }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { c, cell in
                    let pad = String(repeating: " ", count: widths[c] - cell.count)
                    return c < 2 ? cell + pad : pad + cell
                }.joined(separator: "  ")
            }
            print(line(header))
            for row in rows { print(line(row)) }
        }

        static func number(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "—" }

        /// One tensor: its summary line, or with --csv its values.
        func show(_ name: String, in file: SafetensorsFile) throws {
            guard let t = file[name] else {
                let hint = nearest(to: name, in: file.tensors.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                throw CheckpointError(file: checkpoint, problem: "has no tensor '\(name)'\(hint) (`poslab inspect \(checkpoint)` lists them)")
            }
            guard csv else { return printTable([t]) }
            let columns: [String] = switch t.shape.count {
            case 0: []
            case 1: ["index"]
            case 2: ["row", "column"]
            default: t.shape.indices.map { "dim\($0)" }
            }
            var out = (columns + ["value"]).joined(separator: ",") + "\n"
            for (i, value) in t.values.enumerated() {
                var index: [Int] = [], rest = i
                for d in t.shape.reversed() { index.append(rest % d); rest /= d }
                out += (index.reversed().map(String.init) + ["\(value)"]).joined(separator: ",") + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }

        /// The attention maps of one example as CSV.
        func writeAttention(_ checkpoint: Checkpoint) throws {
            let model = try Transformer(checkpoint: checkpoint)
            let tokens: [Int]
            if let ids {
                let words = ids.split(whereSeparator: { $0 == " " || $0 == "," })
                let parsed = words.compactMap { Int($0) }
                guard !parsed.isEmpty, parsed.count == words.count, parsed.allSatisfy({ (0..<model.config.vocabSize).contains($0) }) else {
                    throw ValidationError("--ids must be integers in 0..<\(model.config.vocabSize) (the model's vocabulary), separated by spaces")
                }
                if let length, length != parsed.count { throw ValidationError("--length \(length) but \(parsed.count) ids") }
                tokens = parsed
            } else {
                guard let spec = self.task ?? checkpoint.extraMetadata["task"] else {
                    throw ValidationError("--attention needs --task SPEC or --ids \"…\" (the checkpoint names no task)")
                }
                let task = try TaskRegistry.shared.make(Spec(parsing: spec))
                guard task.vocabSize == model.config.vocabSize else {
                    throw ValidationError("task \(task.fullName) has vocabulary \(task.vocabSize), the model \(model.config.vocabSize): not the task it was trained on")
                }
                // Sizes are input sizes: a prompt task lays size n out with its answer (max_length is in tokens).
                let t = length ?? (1...model.config.maxLength).last { task.sequenceLength(size: $0) <= model.config.maxLength } ?? 1
                guard t >= task.minimumLength, t <= task.maximumLength ?? t else {
                    throw ValidationError("task \(task.fullName) is defined for lengths \(task.minimumLength)…\(task.maximumLength.map(String.init) ?? "∞"), not \(t)")
                }
                let seed = try evalSeed ?? checkpoint.extraMetadata["evaluation_seed"].map {
                    guard let seed = UInt64($0) else { throw CheckpointError(file: self.checkpoint, problem: "metadata 'evaluation_seed' is '\($0)', not a seed") }
                    return seed
                } ?? 2024
                let rng = RandomGenerator(seed: seed, stream: "eval/\(task.fullName)/\(t)")
                let batch = task.batch(size: example + 1, length: t, rng: rng)
                tokens = Array(batch.inputs.suffix(batch.length))
            }
            let t = tokens.count
            let positions = model.encoding.positions(length: t, training: false)
            let maps = try model.attentionMaps(ids: tokens, batch: 1, length: t, positions: positions)
            var out = "layer,head,query,key,query_position,key_position,query_token,key_token,weight\n"
            for (layer, map) in maps.enumerated() {
                let w = map.values
                for head in 0..<model.config.heads {
                    for i in 0..<t {
                        for j in 0..<t {
                            out += "\(layer),\(head),\(i),\(j),\(positions[i]),\(positions[j]),\(tokens[i]),\(tokens[j]),\(w[(head * t + i) * t + j])\n"
                        }
                    }
                }
            }
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}

/// Mean, sample sd, min and max of a tensor's values (nil where undefined); NaN propagates.
private struct Summary {
    var mean: Double?, sd: Double?, min: Double?, max: Double?

    init(_ values: [Float]) {
        guard !values.isEmpty else { return }
        let n = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        self.mean = mean
        if values.count > 1 { sd = (values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)).squareRoot() }
        min = values.contains { $0.isNaN } ? .nan : Double(values.min()!)
        max = values.contains { $0.isNaN } ? .nan : Double(values.max()!)
    }
}
