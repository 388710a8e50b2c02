import PosLabStatistics

/// Figure 1: a metric against evaluation length, one panel per task (small multiples), one line
/// per encoding with the mean over seeds, its 95% t interval as a band (clipped to the metric's
/// range), the training lengths shaded and the task's chance level dashed. Lengths where an
/// encoding has no numbers (unsupported, diverged) are gaps, never zeros.
///
/// Every marker carries `data-scope`, `data-encoding`, `data-length`, `data-mean`, `data-n` and
/// its centre (`data-cx`, `data-cy`); every panel its axis mapping (`data-x0`, `data-x0px`, `data-x1`,
/// `data-x1px`, and the same for y), so a test can read the values back from the picture.
struct LengthFigure {
    let data: ReportData
    let metric: String
    /// Chance level per scope and length (accuracy metrics only).
    let chance: [String: [Int: Double]]

    static let panelWidth = 300.0, panelHeight = 220.0
    static let margin = (left: 52.0, right: 14.0, top: 30.0, bottom: 40.0)

    var bounded: Bool { metric.hasSuffix("accuracy") }

    func render() -> SVG {
        let scopes = data.scopes, encodings = data.encodings
        let columns = min(3, max(1, scopes.count)), rowsCount = (scopes.count + columns - 1) / columns
        let figureWidth = Double(columns) * Self.panelWidth + 10, legendHeight = Legend.height(encodings, width: figureWidth - 20)
        var svg = SVG(width: figureWidth, height: legendHeight + Double(rowsCount) * Self.panelHeight + 10)
        Legend.draw(into: &svg, encodings: encodings, x: 10, y: 8, width: svg.width - 20)
        let lengths = Set(data.rows.map(\.evalLength)).sorted()
        let xMin = Double(lengths.first ?? 0), xMax = Double(max((lengths.last ?? 1), (lengths.first ?? 0) + 1))
        let values = data.rows.compactMap { $0.metrics[metric] }
        let yMin = bounded ? 0 : min(0, values.min() ?? 0)
        let yMax = bounded ? 1 : Swift.max(1e-9, (values.max() ?? 1) * 1.05)
        for (p, scope) in scopes.enumerated() {
            let ox = 10 + Double(p % columns) * Self.panelWidth, oy = legendHeight + Double(p / columns) * Self.panelHeight
            panel(scope, into: &svg, ox: ox, oy: oy, x: (xMin, xMax), y: (yMin, yMax), lengths: lengths, encodings: encodings)
        }
        return svg
    }

    func panel(_ scope: String, into svg: inout SVG, ox: Double, oy: Double, x: (Double, Double), y: (Double, Double),
               lengths: [Int], encodings: [String]) {
        let m = Self.margin
        let left = ox + m.left, right = ox + Self.panelWidth - m.right
        let top = oy + m.top, bottom = oy + Self.panelHeight - m.bottom
        func px(_ v: Double) -> Double { left + (v - x.0) / (x.1 - x.0) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (v - y.0) / (y.1 - y.0) * (bottom - top) }
        let n = SVG.n
        svg.raw("<g class=\"panel\" data-scope=\"\(SVG.escape(scope))\" data-x0=\"\(n(x.0))\" data-x0px=\"\(n(left))\" "
                + "data-x1=\"\(n(x.1))\" data-x1px=\"\(n(right))\" data-y0=\"\(n(y.0))\" data-y0px=\"\(n(bottom))\" "
                + "data-y1=\"\(n(y.1))\" data-y1px=\"\(n(top))\">")
        let rows = data.rows.filter { $0.scope == scope }
        // Training lengths, shaded (at least 4 px wide so that a single length shows).
        if let first = rows.first {
            let a = px(Double(first.trainMin)), b = px(Double(first.trainMax))
            svg.rect(min(a, b - 2), top, max(4, b - a + 4), bottom - top, fill: "#e8e8e8")
            svg.text("trained", x: min(a, b - 2) + 2, y: top + 10, size: 9, fill: "#666")
        }
        Axes.draw(into: &svg, left: left, right: right, top: top, bottom: bottom, x: x, y: y,
                  xLabel: "evaluation length (tokens)", yLabel: metric.replacingOccurrences(of: "_", with: " "),
                  xTicks: Axes.ticks(lengths.map(Double.init), count: 6), title: scope, titleX: ox + Self.panelWidth / 2, titleY: oy + 16)
        // Chance level.
        if bounded, let levels = chance[scope], !levels.isEmpty {
            let points = lengths.compactMap { l in levels[l].map { (px(Double(l)), py($0)) } }
            svg.polyline(points, stroke: "#777", width: 1, dash: "3 3", extra: [("class", "chance")])
            if let last = points.last { svg.text("chance", x: last.0 - 2, y: last.1 - 3, size: 9, anchor: "end", fill: "#555") }
        }
        for (i, encoding) in encodings.enumerated() {
            let style = EncodingStyle.at(i)
            var segment: [(Double, Double)] = [], band: [(Double, Double, Double)] = []
            var markers: [(Double, Double, [(String, String)])] = []
            func flush() {
                if band.count >= 2 {
                    svg.polygon(band.map { ($0.0, $0.2) } + band.reversed().map { ($0.0, $0.1) }, fill: style.colour, opacity: 0.15)
                }
                if segment.count >= 2 {
                    svg.polyline(segment, stroke: style.colour, width: 1.6, dash: style.dash, extra: [("data-encoding", encoding)])
                }
                segment = []
                band = []
            }
            for length in lengths {
                let values = rows.filter { $0.encoding == encoding && $0.evalLength == length }.compactMap { $0.metrics[metric] }
                guard let stats = Descriptive(values) else { flush(); continue }
                let point = (px(Double(length)), py(stats.mean))
                segment.append(point)
                if let ci = stats.meanInterval() {
                    let lo = bounded ? max(y.0, ci.low) : ci.low, hi = bounded ? min(y.1, ci.high) : ci.high
                    band.append((point.0, py(lo), py(hi)))
                }
                markers.append((point.0, point.1, [
                    ("class", "mean"), ("data-scope", scope), ("data-encoding", encoding), ("data-length", String(length)),
                    ("data-mean", "\(stats.mean)"), ("data-n", String(stats.n))]))
            }
            flush()
            for (mx, my, attributes) in markers {  // on top of the bands and lines
                style.marker.draw(into: &svg, x: mx, y: my, colour: style.colour, data: attributes)
            }
        }
        svg.raw("</g>")
    }
}
