import PosLabStatistics

/// Figure 2: task × encoding heatmaps of the mean metric, at the training length and at the
/// longest evaluated length, values printed in the cells (greyscale-safe: a single-hue ramp, and
/// the numbers), and a ★ where `comparisons.csv` finds the encoding significantly different from
/// its baseline after correction (p_holm < 0.05) at that task and length.
struct HeatmapFigure {
    let data: ReportData
    let metric: String

    func render() -> SVG {
        let scopes = data.scopes, encodings = data.encodings
        let cellW = 86.0, cellH = 24.0, labelW = 190.0, headH = 150.0
        let panelW = labelW + cellW * Double(encodings.count) + 20
        var svg = SVG(width: 2 * panelW + 10, height: headH + cellH * Double(scopes.count) + 40)
        for (p, which) in ["training length", "longest length"].enumerated() {
            let ox = 10 + Double(p) * panelW
            svg.text("\(metric.replacingOccurrences(of: "_", with: " ")) at the \(which)", x: ox + panelW / 2, y: 16,
                     size: 11.5, anchor: "middle", weight: "bold")
            for (j, encoding) in encodings.enumerated() {
                let x = ox + labelW + (Double(j) + 0.5) * cellW
                svg.text(encoding.count > 24 ? String(encoding.prefix(23)) + "…" : encoding, x: x + 3, y: headH - 6, size: 9.5,
                         anchor: "start", rotate: true)
            }
            for (i, scope) in scopes.enumerated() {
                let rows = data.rows.filter { $0.scope == scope }
                guard let first = rows.first else { continue }
                let length = p == 0 ? first.trainMax : (rows.map(\.evalLength).max() ?? first.trainMax)
                let y = headH + Double(i) * cellH
                svg.text("\(scope) @\(length)", x: ox + labelW - 6, y: y + cellH / 2 + 4, size: 10, anchor: "end")
                for (j, encoding) in encodings.enumerated() {
                    let values = rows.filter { $0.encoding == encoding && $0.evalLength == length }.compactMap { $0.metrics[metric] }
                    let x = ox + labelW + Double(j) * cellW
                    guard let stats = Descriptive(values) else {
                        svg.rect(x + 1, y + 1, cellW - 2, cellH - 2, fill: "#f4f4f4")
                        svg.text("—", x: x + cellW / 2, y: y + cellH / 2 + 4, size: 10, anchor: "middle", fill: "#888")
                        continue
                    }
                    let t = metric.hasSuffix("accuracy") ? max(0, min(1, stats.mean)) : 0.5
                    let fill = Self.ramp(t)
                    svg.rect(x + 1, y + 1, cellW - 2, cellH - 2, fill: fill, extra: [
                        ("class", "cell"), ("data-scope", scope), ("data-encoding", encoding), ("data-length", String(length)),
                        ("data-mean", "\(stats.mean)")])
                    let star = significant(scope: scope, encoding: encoding, length: length) ? " ★" : ""
                    svg.text(String(format3(stats.mean)) + star, x: x + cellW / 2, y: y + cellH / 2 + 4, size: 10, anchor: "middle",
                             fill: t > 0.55 ? "#fff" : "#111")
                }
            }
        }
        svg.text("★ better or worse than the baseline in comparisons.csv (encoding_a against encoding_b, p_holm < 0.05); — no numbers (unsupported or diverged)",
                 x: 10, y: svg.height - 10, size: 9.5, fill: "#555")
        return svg
    }

    /// White to dark blue, by lightness: readable in greyscale.
    static func ramp(_ t: Double) -> String {
        let (r0, g0, b0) = (247.0, 251.0, 255.0), (r1, g1, b1) = (8.0, 48.0, 107.0)
        func c(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * t).rounded()) }
        return "rgb(\(c(r0, r1)),\(c(g0, g1)),\(c(b0, b1)))"
    }

    func format3(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 1000
        var s = String(r)
        if let dot = s.firstIndex(of: ".") { s = String(s[..<dot]) + String(s[dot...].prefix(4)) }
        return s
    }

    /// Whether comparisons.csv has a significant row for this encoding at this task and length.
    func significant(scope: String, encoding: String, length: Int) -> Bool {
        guard let c = data.comparisons, let a = c.header.firstIndex(of: "encoding_a"), let b = c.header.firstIndex(of: "encoding_b"),
              let task = c.header.firstIndex(of: "task"), let len = c.header.firstIndex(of: "eval_length"),
              let p = c.header.firstIndex(of: "p_holm") else { return false }
        return c.rows.contains { r in
            r[a] == encoding && r[b] != encoding && scope.hasPrefix(r[task]) && Int(r[len]) == length
                && (Double(r[p]).map { $0 < 0.05 } ?? false)
                && (c.header.firstIndex(of: "metric").map { r[$0] == metric } ?? true)
        }
    }
}
