import Foundation
import PosLabModel
import PosLabResults
import PosLabTasks

/// Figure 5: inside the trained models, drawn from the checkpoints `poslab run` saves
/// (runs/<id>.safetensors), for the first task and the first seed of each encoding:
/// - `learned-positions.svg`: the cosine similarity of every pair of rows of a learned position
///   table (the seed chapter's absolute positional embeddings, made visible);
/// - `attention-bias.svg`: each head's attention bias (layer 0) at the training length, for the
///   encodings that add one (relative-bias, ALiBi, KERPLE, FIRE, …);
/// - `attention-maps.svg`: one example's attention, last layer, mean over heads, at the training
///   length and at twice it (or the longest evaluated length).
/// A run whose checkpoint is missing, or whose encoding cannot be rebuilt here (a plugin not
/// loaded), is left out and named in the caption.
///
/// Every matrix is a `<g class="matrix">` with `data-title`, `data-rows`, `data-columns`,
/// `data-min` and `data-max`, and each cell a rect with `data-i`, `data-j` and `data-value`.
struct InsideFigure {
    let data: ReportData
    let tasks: TaskRegistry
    let encodings: EncodingRegistry

    /// One run chosen to look inside: its encoding, task and checkpoint.
    struct Chosen { var encoding: String, task: String, runID: String, trainMax: Int, longest: Int, url: URL }

    /// The first seed's run of each encoding on the first task with checkpoints; and the runs left out.
    var chosen: (runs: [Chosen], missing: [String]) {
        let checkpoints = data.folder.appendingPathComponent("runs")
        guard let task = data.rows.first?.task else { return ([], []) }
        var runs: [Chosen] = [], missing: [String] = []
        for encoding in data.encodings {
            let rows = data.rows.filter { $0.task == task && $0.encoding == encoding }
            guard let first = rows.first else { continue }
            let url = checkpoints.appendingPathComponent("\(first.runID).safetensors")
            guard FileManager.default.fileExists(atPath: url.path) else { missing.append(encoding); continue }
            runs.append(Chosen(encoding: encoding, task: task, runID: first.runID, trainMax: first.trainMax,
                               longest: rows.map(\.evalLength).max() ?? first.trainMax, url: url))
        }
        return (runs, missing)
    }

    /// An encoding's name without its arguments when that is unambiguous in this study (titles are short).
    func short(_ encoding: String) -> String {
        let name = String(encoding.prefix { $0 != "(" })
        return data.encodings.filter { $0.prefix { $0 != "(" } == name }.count == 1 ? name : encoding
    }

    /// The three figures (each nil when no run has what it shows), and the encodings left out.
    func render() -> (figures: [Report.Figure], leftOut: [String]) {
        let (runs, missing) = chosen
        var leftOut = missing.map { "\($0) (no checkpoint)" }
        let seed = (data.manifest?["suite"] as? [String: Any]).flatMap { ($0["evaluation"] as? [String: Any])?["seed"] as? Int } ?? 2024
        var tables: [(String, [[Double]])] = [], biases: [(String, [[Double]])] = [], maps: [(String, [[Double]])] = []
        for run in runs {
            let model: Transformer
            do { model = try Transformer(checkpoint: run.url, registry: encodings) } catch {
                leftOut.append("\(run.encoding) (\(error))")
                continue
            }
            // Learned position tables: (rows, d_model).
            if let table = model.checkpointSlots.first(where: { $0.name == "encoding.table" && $0.shape.count == 2 }),
               run.encoding.hasPrefix("learned") || run.encoding.hasPrefix("randomized") {
                let rows = table.shape[0], width = table.shape[1], v = table.tensor.values.map(Double.init)
                tables.append(("\(short(run.encoding)), positions 0–\(rows - 1)",
                               Self.cosineSimilarity(v, rows: rows, width: width)))
            }
            // Attention biases, layer 0, each head: (H, T, T).
            let t = run.trainMax, c = model.config
            let context = HookContext(layer: 0, attention: c.attention, positions: Positions(shared: Array(0..<t)), batch: 1,
                                      heads: c.heads, headDim: c.dModel / c.heads, training: false)
            if let bias = try? Tensor.withoutGradients({ model.encoding.attentionBias(context: context) }), bias.count == c.heads * t * t {
                let v = bias.values.map(Double.init)
                for h in 0..<c.heads {
                    biases.append(("\(short(run.encoding)), head \(h)", Self.matrix(v, offset: h * t * t, rows: t, columns: t,
                                                                               causal: c.attention == .causal)))
                }
            }
            // One example's attention, last layer, mean over heads.
            guard let spec = try? Spec(parsing: run.task), let task = try? tasks.make(spec) else { continue }
            for length in [t, min(2 * t, max(run.longest, t))].uniqued() {
                if let limit = model.encoding.maximumLength, task.sequenceLength(size: length) > limit {
                    maps.append(("\(short(run.encoding)) @\(length): unsupported", []))
                    continue
                }
                let rng = RandomGenerator(seed: UInt64(seed), stream: "eval/\(task.fullName)/\(length)")
                let example = task.batch(size: 1, length: length, rng: rng)
                let tokens = example.length  // a prompt task's size n is laid out with more tokens
                guard let last = try? model.attentionMaps(ids: example.inputs, batch: 1, length: tokens,
                                                          positions: example.positions).last else { continue }
                let v = last.values.map(Double.init), heads = last.shape[1]
                var mean = [[Double]](repeating: [Double](repeating: 0, count: tokens), count: tokens)
                for h in 0..<heads {
                    for i in 0..<tokens { for j in 0..<tokens { mean[i][j] += v[(h * tokens + i) * tokens + j] / Double(heads) } }
                }
                maps.append(("\(short(run.encoding)) @\(length)", mean))
            }
        }
        // (file, matrices, colour scale, caption); a figure only where some run has what it shows.
        let specs: [(String, [(String, [[Double]])], symmetric: Bool, unit: Bool, String)] = [
            ("learned-positions.svg", tables, true, false,
             "Learned position embeddings, cosine similarity of every pair of positions (row i, column j; 1 on the diagonal), "
                + "first seed on the first task: nearby positions alike means the table learned a smooth order."),
            ("attention-bias.svg", biases, false, false,
             "Attention bias added to the scores, layer 0, each head, at the training length: query i (row) and key j (column); "
                + "first seed on the first task. Blank: masked (causal)."),
            ("attention-maps.svg", maps, false, true,
             "Attention weights of one evaluation example (the first of the evaluation set), last layer, mean over heads: "
                + "query i (row) over key j (column), at the training length and beyond it."),
        ]
        let figures = specs.filter { !$0.1.isEmpty }.map { file, matrices, symmetric, unit, caption in
            Report.Figure(file: file, caption: caption, svg: Self.grid(matrices, symmetric: symmetric, unit: unit))
        }
        return (figures, leftOut)
    }

    /// cos(row a, row b) for every pair of rows of a (rows, width) matrix.
    static func cosineSimilarity(_ v: [Double], rows: Int, width: Int) -> [[Double]] {
        let norms = (0..<rows).map { r in (0..<width).reduce(0) { $0 + v[r * width + $1] * v[r * width + $1] }.squareRoot() }
        return (0..<rows).map { a in
            (0..<rows).map { b in
                let dot = (0..<width).reduce(0) { $0 + v[a * width + $1] * v[b * width + $1] }
                return norms[a] > 0 && norms[b] > 0 ? dot / (norms[a] * norms[b]) : 0
            }
        }
    }

    /// Rows of a (rows, columns) block of `v` starting at `offset`; NaN above the diagonal when causal.
    static func matrix(_ v: [Double], offset: Int, rows: Int, columns: Int, causal: Bool) -> [[Double]] {
        (0..<rows).map { i in (0..<columns).map { j in causal && j > i ? .nan : v[offset + i * columns + j] } }
    }

    /// Matrices side by side, four to a row, each with its own colour scale (stated in its title):
    /// a diverging blue–white–red ramp around 0 when `symmetric`, else white to dark blue from the
    /// matrix's minimum (0 for `unit` matrices such as attention weights) to its maximum.
    static func grid(_ matrices: [(String, [[Double]])], symmetric: Bool, unit: Bool = false) -> SVG {
        let per = 4, side = 150.0, gap = 30.0, head = 34.0
        let rowsCount = (matrices.count + per - 1) / per
        var svg = SVG(width: Double(min(per, matrices.count)) * (side + gap) + 20, height: Double(rowsCount) * (side + head + 20) + 10)
        for (k, (title, m)) in matrices.enumerated() {
            let ox = 10 + Double(k % per) * (side + gap), oy = 10 + Double(k / per) * (side + head + 20)
            let finite = m.flatMap { $0 }.filter(\.isFinite)
            let lo = unit ? 0 : (finite.min() ?? 0), hi = finite.max() ?? 1
            let bound = max(abs(lo), abs(hi), 1e-12)
            let range = symmetric ? "[−\(Axes.label(bound)), \(Axes.label(bound))]" : "[\(Axes.label(lo)), \(Axes.label(hi))]"
            svg.text(title.count > 34 ? String(title.prefix(33)) + "…" : title, x: ox, y: oy + 11, size: 10, weight: "bold")
            svg.text(m.isEmpty ? "no map" : "colour scale \(range)", x: ox, y: oy + 24, size: 9, fill: "#555")
            guard !m.isEmpty else { continue }
            let rows = m.count, columns = m[0].count, cell = side / Double(max(rows, columns))
            let n = SVG.n
            svg.raw("<g class=\"matrix\" data-title=\"\(SVG.escape(title))\" data-rows=\"\(rows)\" data-columns=\"\(columns)\" "
                    + "data-min=\"\(n(lo))\" data-max=\"\(n(hi))\">")
            for i in 0..<rows {
                for j in 0..<columns where m[i][j].isFinite {
                    let value = m[i][j]
                    let fill = symmetric ? diverging(value / bound)
                        : HeatmapFigure.ramp(hi > lo ? (value - lo) / (hi - lo) : 0)
                    svg.rect(ox + Double(j) * cell, oy + head + Double(i) * cell, cell + 0.2, cell + 0.2, fill: fill,
                             extra: [("data-i", String(i)), ("data-j", String(j)), ("data-value", String(format: "%.4g", value))])
                }
            }
            svg.raw("</g>")
            svg.element("rect", [("x", n(ox)), ("y", n(oy + head)), ("width", n(cell * Double(columns))),
                                 ("height", n(cell * Double(rows))), ("fill", "none"), ("stroke", "#999"), ("stroke-width", "0.6")])
        }
        return svg
    }

    /// Blue (−1) through white (0) to red (+1): the two ends differ in lightness too (greyscale-safe).
    static func diverging(_ t: Double) -> String {
        let x = max(-1, min(1, t))
        let (end, white) = (x < 0 ? (33.0, 102.0, 172.0) : (178.0, 24.0, 43.0), (247.0, 247.0, 247.0))
        func c(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * abs(x)).rounded()) }
        return "rgb(\(c(white.0, end.0)),\(c(white.1, end.1)),\(c(white.2, end.2)))"
    }
}
