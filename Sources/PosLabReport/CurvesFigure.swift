import Foundation

/// Figure 3: training loss against step, one panel per task, one line per encoding: the mean over
/// seeds, with the band from the lowest to the highest seed. Log-scaled loss axis.
struct CurvesFigure {
    let data: ReportData

    func render() -> SVG? {
        guard !data.curves.isEmpty else { return nil }
        var runs: [String: (scope: String, encoding: String)] = [:]
        for r in data.rows { runs[r.runID] = (r.scope, r.encoding) }
        let scopes = data.scopes, encodings = data.encodings
        let columns = min(3, max(1, scopes.count)), rowsCount = (scopes.count + columns - 1) / columns
        let w = LengthFigure.panelWidth, h = LengthFigure.panelHeight, m = LengthFigure.margin
        let figureWidth = Double(columns) * w + 10, legendHeight = Legend.height(encodings, width: figureWidth - 20)
        var svg = SVG(width: figureWidth, height: legendHeight + Double(rowsCount) * h + 10)
        Legend.draw(into: &svg, encodings: encodings, x: 10, y: 8, width: svg.width - 20)
        let positive = data.curves.map(\.loss).filter { $0 > 0 }
        let lo = log10(max(1e-4, positive.min() ?? 1e-3)).rounded(.down), hi = log10(max(1e-3, positive.max() ?? 1)).rounded(.up)
        let steps = data.curves.map(\.step)
        let x = (Double(steps.min() ?? 0), Double(max((steps.max() ?? 1), (steps.min() ?? 0) + 1)))
        for (p, scope) in scopes.enumerated() {
            let ox = 10 + Double(p % columns) * w, oy = legendHeight + Double(p / columns) * h
            let left = ox + m.left, right = ox + w - m.right, top = oy + m.top, bottom = oy + h - m.bottom
            func px(_ v: Double) -> Double { left + (v - x.0) / (x.1 - x.0) * (right - left) }
            func py(_ v: Double) -> Double { bottom - (log10(max(v, 1e-4)) - lo) / max(1e-9, hi - lo) * (bottom - top) }
            svg.raw("<g class=\"panel\" data-scope=\"\(SVG.escape(scope))\">")
            for e in stride(from: lo, through: hi, by: 1) {
                svg.line(left, py(pow(10, e)), right, py(pow(10, e)), stroke: "#ddd", width: 0.6)
                svg.text(Axes.label(pow(10, e)), x: left - 5, y: py(pow(10, e)) + 3.5, size: 9.5, anchor: "end")
            }
            Axes.draw(into: &svg, left: left, right: right, top: top, bottom: bottom, x: x, y: (0, 1),
                      xLabel: "optimizer step", yLabel: "training loss (nats, log scale)",
                      xTicks: Axes.ticks(steps.map(Double.init), count: 5), title: scope, titleX: ox + w / 2, titleY: oy + 16, yTicks: false)
            for (i, encoding) in encodings.enumerated() {
                let style = EncodingStyle.at(i)
                var byStep: [Int: [Double]] = [:]
                for c in data.curves where runs[c.runID].map({ $0.scope == scope && $0.encoding == encoding }) == true {
                    byStep[c.step, default: []].append(c.loss)
                }
                let ordered = byStep.keys.sorted()
                guard !ordered.isEmpty else { continue }
                let band = ordered.map { (px(Double($0)), py(byStep[$0]!.min()!), py(byStep[$0]!.max()!)) }
                svg.polygon(band.map { ($0.0, $0.1) } + band.reversed().map { ($0.0, $0.2) }, fill: style.colour, opacity: 0.12)
                let means = ordered.map { s in (px(Double(s)), py(byStep[s]!.reduce(0, +) / Double(byStep[s]!.count))) }
                svg.polyline(means, stroke: style.colour, width: 1.4, dash: style.dash, extra: [("data-encoding", encoding)])
            }
            svg.raw("</g>")
        }
        return svg
    }
}
