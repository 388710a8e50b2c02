import Foundation
import PosLabResults
import Testing

/// `poslab report`: the figures mean what the data says, validate as XML, and bad input is named.
@Suite(.serialized) struct ReportTests {
    static let suite = """
        name: tiny
        encodings: [none, learned, sinusoidal, alibi]
        tasks: [shift, majority]
        seeds: [1, 2, 3]
        model: {d_model: 16, layers: 1, heads: 2}
        training: {steps: 40, batch_size: 16, length: 6}
        evaluation: {lengths: [6, 9, 12], size: 32}
        """

    /// Runs the tiny suite once and reports on it; returns the results folder.
    static let results: URL = {
        let dir = temporaryDirectory("report")
        try! suite.write(to: dir.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        let (status, _, err) = try! runPoslab(["run", "tiny.yaml", "--out", "out"], in: dir)
        precondition(status == 0, err)
        return dir.appendingPathComponent("out")
    }()

    /// Every plotted mean, read back from the SVG's markers, equals summary.csv's mean, and sits within
    /// a pixel of where the panel's axes put that length and that mean. Unsupported lengths are absent.
    @Test func plottedMeansAreSummaryMeans() throws {
        let (status, _, err) = try runPoslab(["report", Self.results.path], in: Self.results)
        #expect(status == 0, "\(err)")
        let svg = try String(contentsOf: Self.results.appendingPathComponent("report/length-generalization.svg"), encoding: .utf8)
        let summary = try #require(try CSVTable.read(Self.results.appendingPathComponent("summary.csv"),
                                                     expectedHeader: Summary.columns))
        var expected: [String: Double] = [:]  // "task|encoding|length" → mean token accuracy
        for row in summary.rows where row[summary.column("metric")] == "token_accuracy" {
            guard let mean = Double(row[summary.column("mean")]) else { continue }  // no numbers: no marker
            expected["\(row[summary.column("task")])|\(row[summary.column("encoding")])|\(row[summary.column("eval_length")])"] = mean
        }
        let panels = Self.elements(in: svg, containing: "class=\"panel\"")
        let markers = Self.elements(in: svg, containing: "class=\"mean\"")
        #expect(markers.count == expected.count, "\(markers.count) markers for \(expected.count) summary means")
        #expect(!expected.keys.contains { $0.hasPrefix("shift(k=1;symbols=8)|learned(size=6)|12") }, "learned has no numbers at 12")
        for m in markers {
            let scope = try #require(m["data-scope"]), encoding = try #require(m["data-encoding"])
            let length = try #require(m["data-length"].flatMap(Double.init))
            let mean = try #require(m["data-mean"].flatMap(Double.init))
            let want = try #require(expected["\(scope)|\(encoding)|\(Int(length))"], "no summary row for \(scope) \(encoding) \(length)")
            #expect(abs(mean - want) < 1e-12, "\(scope) \(encoding) @\(length): plotted \(mean), summary \(want)")
            let axes = try #require(panels.first { $0["data-scope"] == scope })
            func v(_ k: String) throws -> Double { try #require(axes[k].flatMap(Double.init)) }
            let cx = try v("data-x0px") + (length - v("data-x0")) / (v("data-x1") - v("data-x0")) * (v("data-x1px") - v("data-x0px"))
            let cy = try v("data-y0px") + (want - v("data-y0")) / (v("data-y1") - v("data-y0")) * (v("data-y1px") - v("data-y0px"))
            let x = try #require(m["data-cx"].flatMap(Double.init)), y = try #require(m["data-cy"].flatMap(Double.init))
            #expect(abs(x - cx) <= 1 && abs(y - cy) <= 1, "\(scope) \(encoding) @\(length): drawn at (\(x), \(y)), expected (\(cx), \(cy))")
        }
    }

    /// Every SVG is well-formed XML (xmllint, installed by the test command).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint"), "needs xmllint (libxml2-utils)"))
    func everySVGValidates() throws {
        let out = Self.results.appendingPathComponent("report-xml")
        let (status, _, err) = try runPoslab(["report", Self.results.path, "--out", out.path], in: Self.results)
        #expect(status == 0, "\(err)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".svg") }
        #expect(Set(files) == ["length-generalization.svg", "overview.svg", "training-curves.svg", "learned-positions.svg",
                               "attention-bias.svg", "attention-maps.svg"], "\(files)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
        process.arguments = ["--noout"] + files.map { out.appendingPathComponent($0).path }
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// A missing folder and a damaged runs.csv are exit 2 with the file named, and nothing is written.
    @Test func badInputIsNamed() throws {
        let dir = temporaryDirectory()
        let (missing, _, err1) = try runPoslab(["report", "nowhere"], in: dir)
        #expect(missing == 2 && err1.contains("nowhere/runs.csv"), "\(err1)")
        let damaged = dir.appendingPathComponent("damaged")
        try FileManager.default.createDirectory(at: damaged, withIntermediateDirectories: true)
        let text = try String(contentsOf: Self.results.appendingPathComponent("runs.csv"), encoding: .utf8)
        try String(text.dropLast(40)).write(to: damaged.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        let (status, _, err2) = try runPoslab(["report", damaged.path], in: dir)
        #expect(status == 2 && err2.range(of: #"damaged/runs\.csv:\d+: "#, options: .regularExpression) != nil, "\(err2)")  // file:line, as summarize says it
        #expect(!FileManager.default.fileExists(atPath: damaged.appendingPathComponent("report").path))
    }

    /// The attributes of every element whose tag text contains `marker`.
    static func elements(in svg: String, containing marker: String) -> [[String: String]] {
        var out: [[String: String]] = []
        var rest = svg[...]
        while let start = rest.firstIndex(of: "<"), let end = rest[start...].firstIndex(of: ">") {
            let tag = rest[start...end]
            rest = rest[rest.index(after: end)...]
            guard tag.contains(marker) else { continue }
            var attributes: [String: String] = [:]
            var scan = tag.dropFirst()
            while let eq = scan.range(of: "=\"") {
                let name = scan[..<eq.lowerBound].split(separator: " ").last.map(String.init) ?? ""
                let after = scan[eq.upperBound...]
                guard let close = after.firstIndex(of: "\"") else { break }
                attributes[name] = String(after[..<close]).replacingOccurrences(of: "&quot;", with: "\"")
                    .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
                scan = after[after.index(after: close)...]
            }
            out.append(attributes)
        }
        return out
    }
}
