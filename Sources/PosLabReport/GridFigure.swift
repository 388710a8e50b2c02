import Foundation
import PosLabResults
import PosLabStatistics

/// Figure 4: for a grid (a suite that sweeps settings), the metric at the training length against
/// each swept setting, one line per encoding (mean over seeds, with its 95% t interval as error
/// bars), one panel per task and combination of the other swept settings. The setting's values
/// are evenly spaced in their numeric order (a learning rate swept by factors of 10 reads as a
/// log axis).
///
/// Every marker carries `data-panel`, `data-encoding`, `data-value` (the setting's value),
/// `data-mean` and `data-n`, so a test can read the values back.
struct GridFigure {
    let data: ReportData
    let metric: String

    static let panelWidth = 300.0, panelHeight = 220.0
    static let margin = (left: 52.0, right: 14.0, top: 30.0, bottom: 40.0)

    /// The swept setting columns, in runs.csv's order.
    var swept: [String] { ResultsStore.settingColumns.filter { c in data.rows.contains { $0.settings[c] != nil } } }

    /// One panel: the swept column on the x axis, and the task with the other settings fixed.
    struct Panel { var column: String, title: String, rows: [ReportData.Row] }

    var panels: [Panel] {
        var out: [Panel] = []
        for column in swept {
            var order: [String] = []
            var groups: [String: [ReportData.Row]] = [:]
            for r in data.rows where r.evalLength == r.trainMax {
                let others = r.settings.filter { $0.key != column }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                let protocolPart = r.setting.split(separator: ";").filter { $0.hasPrefix("eval_protocol=") }.map(String.init)
                let key = ([r.task] + others + protocolPart).joined(separator: " · ")
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(r)
            }
            out += order.map { Panel(column: column, title: "\($0)", rows: groups[$0]!) }
        }
        return out
    }

    /// The figure, or nil when nothing is swept.
    func render() -> SVG? {
        let panels = self.panels, encodings = data.encodings
        guard !panels.isEmpty else { return nil }
        let columns = min(3, panels.count), rowsCount = (panels.count + columns - 1) / columns
        let figureWidth = Double(columns) * Self.panelWidth + 10, legendHeight = Legend.height(encodings, width: figureWidth - 20)
        var svg = SVG(width: figureWidth, height: legendHeight + Double(rowsCount) * Self.panelHeight + 10)
        Legend.draw(into: &svg, encodings: encodings, x: 10, y: 8, width: svg.width - 20)
        let bounded = metric.hasSuffix("accuracy")
        let all = data.rows.compactMap { $0.metrics[metric] }
        let y = bounded ? (0.0, 1.0) : (min(0, all.min() ?? 0), max(1e-9, (all.max() ?? 1) * 1.05))
        for (p, panel) in panels.enumerated() {
            draw(panel, into: &svg, ox: 10 + Double(p % columns) * Self.panelWidth,
                 oy: legendHeight + Double(p / columns) * Self.panelHeight, y: y, encodings: encodings, bounded: bounded)
        }
        return svg
    }

    /// A setting's values in numeric order when they are numbers, else in text order.
    static func sorted(_ values: [String]) -> [String] {
        values.uniqued().sorted { a, b in
            if let x = Double(a), let y = Double(b) { return x < y }
            return a < b
        }
    }

    func draw(_ panel: Panel, into svg: inout SVG, ox: Double, oy: Double, y: (Double, Double), encodings: [String], bounded: Bool) {
        let m = Self.margin
        let left = ox + m.left, right = ox + Self.panelWidth - m.right, top = oy + m.top, bottom = oy + Self.panelHeight - m.bottom
        let values = Self.sorted(panel.rows.compactMap { $0.settings[panel.column] })
        let step = values.count > 1 ? (right - left - 20) / Double(values.count - 1) : 0
        func px(_ i: Int) -> Double { values.count > 1 ? left + 10 + Double(i) * step : (left + right) / 2 }
        func py(_ v: Double) -> Double { bottom - (v - y.0) / (y.1 - y.0) * (bottom - top) }
        let n = SVG.n
        svg.raw("<g class=\"grid-panel\" data-panel=\"\(SVG.escape(panel.title))\" data-column=\"\(SVG.escape(panel.column))\" "
                + "data-y0=\"\(n(y.0))\" data-y0px=\"\(n(bottom))\" data-y1=\"\(n(y.1))\" data-y1px=\"\(n(top))\">")
        Axes.draw(into: &svg, left: left, right: right, top: top, bottom: bottom, x: (0, 1), y: y,
                  xLabel: "\(panel.column.replacingOccurrences(of: "_", with: " ")) (swept)",
                  yLabel: "\(metric.replacingOccurrences(of: "_", with: " ")) at training length", xTicks: [],
                  title: panel.title.count > 48 ? String(panel.title.prefix(47)) + "…" : panel.title,
                  titleX: ox + Self.panelWidth / 2, titleY: oy + 16)
        for (i, value) in values.enumerated() {
            svg.text(value, x: px(i), y: bottom + 14, size: 9.5, anchor: "middle")
        }
        for (e, encoding) in encodings.enumerated() {
            let style = EncodingStyle.at(e)
            var line: [(Double, Double)] = [], markers: [(Double, Double, [(String, String)])] = []
            for (i, value) in values.enumerated() {
                let v = panel.rows.filter { $0.encoding == encoding && $0.settings[panel.column] == value }.compactMap { $0.metrics[metric] }
                guard let stats = Descriptive(v) else { continue }
                let point = (px(i), py(stats.mean))
                line.append(point)
                if let ci = stats.meanInterval() {
                    let lo = bounded ? max(y.0, ci.low) : ci.low, hi = bounded ? min(y.1, ci.high) : ci.high
                    svg.line(point.0, py(lo), point.0, py(hi), stroke: style.colour, width: 1)
                }
                markers.append((point.0, point.1, [("class", "grid-mean"), ("data-panel", panel.title), ("data-encoding", encoding),
                                                   ("data-value", value), ("data-mean", "\(stats.mean)"), ("data-n", String(stats.n))]))
            }
            if line.count >= 2 { svg.polyline(line, stroke: style.colour, width: 1.6, dash: style.dash, extra: [("data-encoding", encoding)]) }
            for (x, yy, attributes) in markers { style.marker.draw(into: &svg, x: x, y: yy, colour: style.colour, data: attributes) }
        }
        svg.raw("</g>")
    }
}
