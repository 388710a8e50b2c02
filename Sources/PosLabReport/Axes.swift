import Foundation

/// Axes, ticks, gridlines, titles and the legend shared by the figures.
enum Axes {
    /// About `count` round tick values spanning `values` (which are kept when few).
    static func ticks(_ values: [Double], count: Int) -> [Double] {
        let sorted = Array(Set(values)).sorted()
        guard let lo = sorted.first, let hi = sorted.last, hi > lo else { return sorted }
        if sorted.count <= count { return sorted }
        let raw = (hi - lo) / Double(count - 1)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var t = (lo / step).rounded(.up) * step
        while t <= hi + 1e-9 { out.append(t); t += step }
        return out
    }

    /// A tick label: integers without a decimal point, others with up to 3 significant decimals.
    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        if abs(v) < 0.01 { return String(format: "%g", v) }  // 0.001, 0.0001: not "0.0"
        return String((v * 1000).rounded() / 1000)
    }

    static func draw(into svg: inout SVG, left: Double, right: Double, top: Double, bottom: Double,
                     x: (Double, Double), y: (Double, Double), xLabel: String, yLabel: String, xTicks: [Double],
                     title: String, titleX: Double, titleY: Double, yTicks: Bool = true) {
        func px(_ v: Double) -> Double { left + (v - x.0) / (x.1 - x.0) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (v - y.0) / (y.1 - y.0) * (bottom - top) }
        for t in yTicks ? stride(from: 0, through: 4, by: 1).map({ y.0 + (y.1 - y.0) * Double($0) / 4 }) : [] {
            svg.line(left, py(t), right, py(t), stroke: "#ddd", width: 0.6)
            svg.text(label(t), x: left - 5, y: py(t) + 3.5, size: 9.5, anchor: "end")
        }
        for t in xTicks {
            svg.line(px(t), bottom, px(t), bottom + 4, stroke: "#333", width: 0.8)
            svg.text(label(t), x: px(t), y: bottom + 14, size: 9.5, anchor: "middle")
        }
        svg.line(left, bottom, right, bottom, stroke: "#333", width: 0.8)
        svg.line(left, top, left, bottom, stroke: "#333", width: 0.8)
        svg.text(xLabel, x: (left + right) / 2, y: bottom + 30, size: 10, anchor: "middle")
        svg.text(yLabel, x: left - 38, y: (top + bottom) / 2, size: 10, anchor: "middle", rotate: true)
        svg.text(title, x: titleX, y: titleY, size: 11.5, anchor: "middle", weight: "bold")
    }
}

/// The encodings' legend: marker, line style and name, up to three to a row, fewer when the
/// longest name would not fit its cell.
enum Legend {
    /// The legend's rows' entries for `encodings` in `width` points: 3, 2 or 1.
    static func perRow(_ encodings: [String], width: Double) -> Int {
        let widest = 34 + Self.characterWidth * Double(encodings.map(\.count).max() ?? 0) + 12
        return max(1, min(3, Int(width / widest)))
    }

    /// The height the legend takes above a figure's panels.
    static func height(_ encodings: [String], width: Double) -> Double {
        let per = perRow(encodings, width: width)
        return 22.0 * Double((encodings.count + per - 1) / per) + 8
    }

    /// A generous width of one character of 10-point sans-serif text (DejaVu Sans averages 0.55 em).
    static let characterWidth = 6.0

    static func draw(into svg: inout SVG, encodings: [String], x: Double, y: Double, width: Double) {
        let per = perRow(encodings, width: width), cell = width / Double(per)
        for (i, encoding) in encodings.enumerated() {
            let style = EncodingStyle.at(i)
            let cx = x + Double(i % per) * cell, cy = y + 10 + Double(i / per) * 22
            svg.line(cx, cy, cx + 28, cy, stroke: style.colour, width: 1.6, dash: style.dash)
            style.marker.draw(into: &svg, x: cx + 14, y: cy, colour: style.colour, data: [("class", "legend-marker")])
            svg.text(encoding, x: cx + 34, y: cy + 3.5, size: 10)
        }
    }
}
