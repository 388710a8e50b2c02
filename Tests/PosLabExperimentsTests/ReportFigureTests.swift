import Foundation
import PosLabModel
import PosLabReport
import PosLabResults
import PosLabStudy
import Testing

/// The report's grid figure and its figures from inside the models mean what the data and the
/// checkpoints say.
@Suite(.serialized) struct ReportFigureTests {
    /// The report of ReportTests' tiny study (none, learned, sinusoidal, alibi; checkpoints saved).
    static let report: URL = {
        let out = ReportTests.results.appendingPathComponent("report-inside")
        let (status, _, err) = try! runPoslab(["report", ReportTests.results.path, "--out", out.path], in: ReportTests.results)
        precondition(status == 0, err)
        return out
    }()

    /// The matrices of a figure, by title: (i, j) → value.
    static func matrices(_ file: String) throws -> [String: [[Int]: Double]] {
        let svg = try String(contentsOf: report.appendingPathComponent(file), encoding: .utf8)
        var out: [String: [[Int]: Double]] = [:]
        for group in svg.components(separatedBy: "<g class=\"matrix\"").dropFirst() {
            let head = ReportTests.elements(in: "<g class=\"matrix\"" + group, containing: "data-title")
            let title = try #require(head.first?["data-title"])
            let body = group.components(separatedBy: "</g>")[0]
            for cell in ReportTests.elements(in: body, containing: "data-value") {
                guard let i = cell["data-i"].flatMap(Int.init), let j = cell["data-j"].flatMap(Int.init),
                      let v = cell["data-value"].flatMap(Double.init) else { continue }
                out[title, default: [:]][[i, j]] = v
            }
        }
        return out
    }

    /// The first seed's run of `encoding` on the first task, from runs.csv.
    static func firstRun(_ encoding: String) throws -> String {
        let table = try #require(try CSVTable.read(ReportTests.results.appendingPathComponent("runs.csv"), expectedHeader: ResultsStore.runColumns))
        let row = try #require(table.rows.first { $0[table.column("encoding")] == encoding })
        return row[table.column("run_id")]
    }

    /// learned-positions.svg is the cosine similarity of the learned table in the run's checkpoint.
    @Test func learnedPositionsAreTheCheckpointsTable() throws {
        let m = try #require(try Self.matrices("learned-positions.svg")["learned, positions 0–5"])
        let checkpoint = try Checkpoint(contentsOf: ReportTests.results.appendingPathComponent("runs/\(try Self.firstRun("learned")).safetensors"))
        let table = try #require(checkpoint.contents["encoding.table"])
        #expect(table.shape == [6, 16] && m.count == 36)
        func row(_ r: Int) -> [Double] { (0..<16).map { Double(table.values[r * 16 + $0]) } }
        func cosine(_ a: [Double], _ b: [Double]) -> Double {
            zip(a, b).map(*).reduce(0, +) / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
        }
        for i in 0..<6 {
            for j in 0..<6 {
                let want = cosine(row(i), row(j)), got = try #require(m[[i, j]])
                #expect(abs(got - want) <= 1e-3 * max(1, abs(want)), "(\(i), \(j)): \(got) vs \(want)")
            }
        }
    }

    /// attention-bias.svg for ALiBi is −m_h·|i − j| with slopes 2^(−8(h+1)/H): H = 2, m = 1/16 and 1/256.
    @Test func alibiBiasIsThePapers() throws {
        let all = try Self.matrices("attention-bias.svg")
        #expect(Set(all.keys) == ["alibi, head 0", "alibi, head 1"])
        for (h, slope) in [(0, 1.0 / 16), (1, 1.0 / 256)] {
            let m = try #require(all["alibi, head \(h)"])
            #expect(m.count == 36)
            for (ij, v) in m { #expect(abs(v + slope * Double(abs(ij[0] - ij[1]))) <= 1e-4 * max(1, abs(v)), "head \(h) \(ij): \(v)") }
        }
    }

    /// attention-maps.svg: each query's weights sum to 1 (mean over heads of softmax rows), at the
    /// training length and at twice it; learned has no map past its table.
    @Test func attentionMapsAreDistributions() throws {
        let all = try Self.matrices("attention-maps.svg")
        #expect(Set(all.keys) == ["none @6", "none @12", "learned @6", "sinusoidal @6", "sinusoidal @12", "alibi @6", "alibi @12"])
        let svg = try String(contentsOf: Self.report.appendingPathComponent("attention-maps.svg"), encoding: .utf8)
        #expect(svg.contains("learned @12: unsupported"))
        for (title, m) in all {
            let n = Int(title.split(separator: "@")[1])!
            for i in 0..<n {
                let sum = (0..<n).compactMap { m[[i, $0]] }.reduce(0, +)
                #expect(abs(sum - 1) <= 1e-3 * Double(n), "\(title) row \(i) sums to \(sum)")
            }
        }
    }

    /// grid.svg: each marker's mean is the mean over seeds at the training length for its
    /// encoding and swept value, read from runs.csv.
    @Test func gridMeansAreTheRunsMeans() throws {
        let dir = temporaryDirectory()
        try """
            name: sweep
            encodings: [none, sinusoidal]
            tasks: [shift]
            seeds: [1, 2]
            model: {d_model: 16, layers: 1, heads: 2}
            training: {steps: 20, batch_size: 8, length: 6, learning_rate: [0.001, 0.01]}
            evaluation: {lengths: [6, 9], size: 16}
            """.write(to: dir.appendingPathComponent("sweep.yaml"), atomically: true, encoding: .utf8)
        #expect(try runPoslab(["run", "sweep.yaml", "--out", "out"], in: dir).0 == 0)
        let svg = try String(contentsOf: dir.appendingPathComponent("out/report/grid.svg"), encoding: .utf8)
        let table = try #require(try CSVTable.read(dir.appendingPathComponent("out/runs.csv"), expectedHeader: ResultsStore.runColumns))
        let markers = ReportTests.elements(in: svg, containing: "class=\"grid-mean\"")
        #expect(markers.count == 4)
        for m in markers {
            let encoding = try #require(m["data-encoding"]), value = try #require(m["data-value"])
            let values = table.rows.filter { r in
                let args = r[table.column("encoding_args")], name = r[table.column("encoding")]
                return (args.isEmpty ? name : "\(name)(\(args))") == encoding && r[table.column("learning_rate")] == value
                    && r[table.column("eval_length")] == "6"
            }.compactMap { Double($0[table.column("token_accuracy")]) }
            #expect(values.count == 2)
            let mean = try #require(m["data-mean"].flatMap(Double.init))
            #expect(abs(mean - values.reduce(0, +) / 2) < 1e-12, "\(encoding) @ lr \(value): \(mean) vs \(values)")
        }
    }

    /// Encodings keep apart when there are more than the palette's 7 colours: no two of the first
    /// 49 share colour and marker (before, the 8th looked like the 1st but for its dash).
    @Test func stylesStayDistinctPastSevenEncodings() {
        let styles = (0..<49).map { EncodingStyle.at($0) }
        #expect(Set(styles.map { "\($0.colour) \($0.marker)" }).count == 49)
    }

    /// A study of many encodings with long resolved names (the 15-encoding standard suite has
    /// `randomized(encoding=learned(size=64);eval=random;max_length=64)`): the legend puts fewer
    /// names to a row, so no name runs into the next (at 6 points a character of 10-point text).
    @Test func longEncodingNamesDoNotOverlapInTheLegend() throws {
        let dir = temporaryDirectory()
        let encodings = (0..<8).map { "relative-bias(buckets=\(8 + $0), max_distance=\(100 + $0), init_std=0.125)" }
            + ["randomized(learned, max_length=64)"]
        try """
            encodings: [\(encodings.map { "\"\($0)\"" }.joined(separator: ", "))]
            tasks: [shift, reverse, lookup]
            seeds: [1]
            model: {d_model: 8, layers: 1, heads: 2}
            training: {checkpoint: false, steps: 2, batch_size: 2, length: 4}
            evaluation: {lengths: [4, 8], size: 4}
            """.write(to: dir.appendingPathComponent("long.yaml"), atomically: true, encoding: .utf8)
        let (status, _, err) = try runPoslab(["run", "long.yaml", "--out", "out"], in: dir)
        #expect(status == 0, "\(err)")
        let svg = try String(contentsOf: dir.appendingPathComponent("out/report/length-generalization.svg"), encoding: .utf8)
        // The legend's names: the text elements before the first panel, each with its x, y and length.
        let legend = svg.components(separatedBy: "class=\"panel\"")[0].components(separatedBy: "<text ").dropFirst().compactMap { part -> (x: Double, y: Double, chars: Int)? in
            func attribute(_ name: String) -> Double? {
                part.components(separatedBy: "\(name)=\"").dropFirst().first?.split(separator: "\"").first.flatMap { Double($0) }
            }
            guard let x = attribute("x"), let y = attribute("y"), let text = part.split(separator: ">").dropFirst().first?.split(separator: "<").first
            else { return nil }
            return (x, y, text.count)
        }
        #expect(legend.count == encodings.count, "\(legend)")
        #expect(legend.map(\.chars).max()! >= 60)
        for (a, b) in zip(legend, legend.dropFirst()) where a.y == b.y {
            #expect(b.x - a.x >= 6 * Double(a.chars) + 34, "a name of \(a.chars) characters at \(a.x) runs into the next at \(b.x)")
        }
    }
}
