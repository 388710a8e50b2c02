import ArgumentParser
import Foundation
import PosLabText

extension PosLab {
    /// `poslab windows FILE`: the seed chapter's sliding-window dataloader batches of a text file.
    struct Windows: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the sliding-window dataloader's batches of a text file (inputs and targets as token ids).",
            discussion: """
                The seed chapter's GPTDatasetV1 and DataLoader (PosLab's SlidingWindowDataset): the file is tokenized, \
                window k is tokens[k·stride ..< k·stride + max-length] and its target the same window one token later, \
                for every start before count − max-length; batches hold --batch windows in order (or shuffled with \
                --shuffle), and a last batch smaller than --batch is dropped, as with drop_last=True. --decode prints \
                each row's text beside its ids.

                Example (the chapter's first batch; its first row is inputs [40, 367, 2885, 1464], targets \
                [367, 2885, 1464, 1807]):
                  poslab windows the-verdict.txt --max-length 4 --stride 1 --batch 8
                  poslab windows the-verdict.txt --max-length 4 --stride 4 --batch 8 --batches 2 --decode
                """)

        @Argument(help: "A text file.")
        var file: String

        @Option(help: "Tokens per window (the chapter's max_length).")
        var maxLength = 4

        @Option(help: "Tokens between window starts (the chapter's stride; default: --max-length, windows that do not overlap).")
        var stride: Int?

        @Option(help: "Windows per batch (the chapter's batch_size).")
        var batch = 8

        @Option(help: "How many batches to print, from the first (0: all).")
        var batches = 1

        @Flag(help: "Shuffle the windows (a permutation drawn from --seed), as DataLoader(shuffle=True).")
        var shuffle = false

        @Option(help: "The seed of --shuffle's permutation.")
        var seed: UInt64 = 0

        @Flag(help: "Print each row's text (decoded from its ids) beside it.")
        var decode = false

        @Option(help: ArgumentHelp("The tokenizer: \(BuiltinTokenizers.names.joined(separator: " or ")).", valueName: "name"))
        var tokenizer: String = "gpt2"

        func validate() throws {
            guard maxLength >= 1 else { throw ValidationError("--max-length must be at least 1 (got \(maxLength))") }
            if let stride, stride < 1 { throw ValidationError("--stride must be at least 1 (got \(stride))") }
            guard batch >= 1 else { throw ValidationError("--batch must be at least 1 (got \(batch))") }
            guard batches >= 0 else { throw ValidationError("--batches must be 0 (all) or more (got \(batches))") }
            guard BuiltinTokenizers.names.contains(tokenizer) else {
                throw ValidationError("unknown tokenizer '\(tokenizer)'; choose \(BuiltinTokenizers.names.joined(separator: " or "))")
            }
        }

        func run() throws {
            let tok = try BuiltinTokenizers.make(tokenizer)!
            let stride = self.stride ?? maxLength
            let ids: [Int]
            do throws(TextFileError) {
                // One full batch needs batch windows: starts 0, stride, …, (batch − 1)·stride, each below count − max-length.
                ids = try TextFile(path: file).tokens(tok, atLeast: (batch - 1) * stride + maxLength + 1)
            } catch {
                PosLab.fail(error.description + " for one batch of \(batch) windows of \(maxLength) tokens every \(stride)")
            }
            let dataset = SlidingWindowDataset(tokens: ids, maxLength: maxLength, stride: stride)
            let all = dataset.batches(batchSize: batch, shuffle: shuffle, seed: seed)
            let shown = batches == 0 ? all : Array(all.prefix(batches))
            print("\(file): \(ids.count) \(tokenizer) tokens, \(dataset.count) windows of \(maxLength) every \(stride), "
                  + "\(all.count) batches of \(batch)\(shuffle ? " (shuffled, seed \(seed))" : "")")
            func row(_ values: ArraySlice<Int>) -> String {
                let numbers = "[" + values.map(String.init).joined(separator: ", ") + "]"
                guard decode else { return "  " + numbers }
                let text = tok.decode(Array(values)).unicodeScalars.map { $0.escaped(asASCII: false) }.joined()
                return "  " + numbers + "  \"" + text + "\""
            }
            for (b, batch) in shown.enumerated() {
                print("\nbatch \(b + 1) of \(all.count):")
                print("inputs:")
                for r in 0..<batch.size { print(row(batch.inputRow(r))) }
                print("targets:")
                for r in 0..<batch.size { print(row(batch.targetRow(r))) }
            }
        }
    }
}
