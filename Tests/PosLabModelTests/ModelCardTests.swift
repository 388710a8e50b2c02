import Foundation
import PosLabModel
import Testing

/// docs/model-card.md's conventions table, checked against the code. The PyTorch fixture scripts
/// read their conventions from that table (Scripts/model_card.py), so the card is what both sides
/// agree on: each row's cited line must still say what the row quotes, and the behaviours the card
/// states (GELU's form, LayerNorm's ε, the head layout, the causal mask, T5's bucket direction, the
/// checkpoint layout) are checked here by running the code.
@Suite struct ModelCardTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Row { let key: String, value: String, source: String, quote: String }

    /// The rows of the card's conventions table, by key.
    static func conventions() throws -> [String: Row] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/model-card.md"), encoding: .utf8)
        let section = try #require(text.components(separatedBy: "\n## Conventions\n").dropFirst().first)
            .components(separatedBy: "\n## ")[0]
        var rows: [String: Row] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = cellsOf(String(line))
            try #require(cells.count == 5, "\(line)")
            let bare = cells.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            rows[bare[0]] = Row(key: bare[0], value: bare[1], source: bare[3], quote: bare[4])
        }
        return rows
    }

    struct MissingConvention: Error, CustomStringConvertible { let key: String; var description: String { "docs/model-card.md has no \(key)" } }

    /// The card's value for `key`.
    static func value(_ rows: [String: Row], _ key: String) throws -> String {
        guard let row = rows[key] else { throw MissingConvention(key: key) }
        return row.value
    }

    /// A Markdown table row's cells, `\|` read as a literal bar.
    static func cellsOf(_ line: String) -> [String] {
        var cells: [String] = [], cell = "", escaped = false
        for character in line {
            if escaped { cell.append(character == "|" ? "|" : "\\\(character)"); escaped = false; continue }
            if character == "\\" { escaped = true; continue }
            if character == "|" { cells.append(cell.trimmingCharacters(in: .whitespaces)); cell = ""; continue }
            cell.append(character)
        }
        return Array(cells.dropFirst())  // before the first bar
    }

    @Test func everyCitedLineSaysWhatTheCardQuotes() throws {
        let rows = try Self.conventions()
        #expect(rows.count >= 30)
        for row in rows.values.sorted(by: { $0.key < $1.key }) {
            let parts = row.source.split(separator: ":")
            let line = try #require(parts.count == 2 ? Int(parts[1]) : nil, "\(row.key): source '\(row.source)' is not path:line")
            let file = Self.root.appendingPathComponent(String(parts[0]))
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            try #require(line >= 1 && line <= lines.count, "\(row.key): \(row.source) is past the end of the file")
            #expect(lines[line - 1].contains(row.quote),
                    "docs/model-card.md: \(row.key) cites \(row.source), which no longer says '\(row.quote)': '\(lines[line - 1])'")
        }
    }

    @Test func gelu_layerNorm_andTheMLPAreAsTheCardSays() throws {
        let rows = try Self.conventions()
        // GELU at 1: ½(1 + erf(1/√2)) = 0.8413447 with erf; the tanh approximation gives 0.8411920.
        let forms: [String: Double] = ["erf": 0.5 * (1 + erf(1 / 2.0.squareRoot())),
                                       "tanh": 0.5 * (1 + tanh((2 / Double.pi).squareRoot() * (1 + 0.044715)))]
        let expected = try #require(forms[try Self.value(rows, "gelu")])
        #expect(abs(Double(gelu(Tensor.constant([1], shape: [1])).scalar) - expected) < 1e-6)
        // LayerNorm of (a, −a): a / √(a² + ε), which tells ε apart at a = 1e-3.
        let epsilon = try #require(Double(try Self.value(rows, "layer_norm_eps")))
        let a: Float = 1e-3
        let y = layerNorm(Tensor.constant([a, -a], shape: [1, 2]), gamma: Tensor.constant([1, 1], shape: [2]),
                          beta: Tensor.constant([0, 0], shape: [2])).values[0]
        let normalised = Double(a) / (Double(a * a) + epsilon).squareRoot()
        #expect(abs(Double(y) - normalised) < 1e-4 * normalised, "layerNorm(\(a), \(-a)) = \(y), ε = \(epsilon) gives \(normalised)")
        // The MLP's hidden width.
        let model = try Transformer(config: smallConfig(), encoding: Spec(parsing: "none"), seed: 1)
        let ratio = try #require(Int(try Self.value(rows, "mlp_ratio")))
        #expect(model.blocks[0].w1.shape == [8, ratio * 8])
    }

    @Test func theHeadLayoutAndTheCausalMaskAreAsTheCardSays() throws {
        let rows = try Self.conventions()
        // A fused projection (1, 1, 3C) whose value is its column: part p, head h, component i of
        // heads(of:) must be column p·C + h·D + i (head-major) or p·C + i·H + h (dim-major).
        let (c, h) = (8, 2), d = 8 / 2
        let qkv = Tensor.constant((0..<(3 * c)).map(Float.init), shape: [1, 1, 3 * c])
        let layout = try Self.value(rows, "head_layout")
        let order = try Self.value(rows, "qkv_order").split(separator: ",")
        #expect(order == ["q", "k", "v"], "TransformerBlock takes queries from part 0, keys from 1, values from 2")
        for part in 0..<3 {
            let split = heads(of: qkv, part: part, heads: h).values  // (1, H, 1, D)
            for head in 0..<h { for i in 0..<d {
                let column = layout == "head-major" ? part * c + head * d + i : part * c + i * h + head
                #expect(split[head * d + i] == Float(column), "part \(part), head \(head), component \(i)")
            } }
        }
        // Causal: query 0 sees key 0 only ("key<=query"), so its output is value 0.
        #expect(try Self.value(rows, "causal_mask") == "key<=query")
        let q = Tensor.constant([1, 1], shape: [1, 1, 2, 1]), v = Tensor.constant([3, 5], shape: [1, 1, 2, 1])
        #expect(attention(q, q, v, scale: 1, causal: true).values[0] == 3)
    }

    @Test func t5BucketsAndCheckpointLayoutAreAsTheCardSays() throws {
        let rows = try Self.conventions()
        // relative = key − query; bidirectional: a key after the query is in the upper half.
        #expect(try Self.value(rows, "t5_relative") == "key-query")
        let later = RelativeBiasEncoding.bucket(1, bidirectional: true), earlier = RelativeBiasEncoding.bucket(-1, bidirectional: true)
        switch try Self.value(rows, "t5_later_keys") {
        case "upper-half": #expect(later >= 16 && earlier < 16)
        case "lower-half": #expect(later < 16 && earlier >= 16)
        case let other: Issue.record("t5_later_keys '\(other)'")
        }
        #expect((try Self.value(rows, "t5_causal_later_keys") == "bucket-0") == (RelativeBiasEncoding.bucket(5, bidirectional: false) == 0))
        // Checkpoints: linear weights (out, in) under "out_in".
        #expect(try Self.value(rows, "checkpoint_linear_layout") == Transformer.checkpointLinearLayout)
        let model = try Transformer(config: smallConfig(), encoding: Spec(parsing: "none"), seed: 1)
        let qkv = try #require(model.checkpointSlots.first { $0.name == "blocks.0.attn.qkv.weight" })
        #expect(qkv.shape == (Transformer.checkpointLinearLayout == "out_in" ? [24, 8] : [8, 24]))
    }
}
