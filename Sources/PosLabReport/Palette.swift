/// Colours, markers and dashes for encodings: the Okabe–Ito colour-blind-safe palette, with a
/// marker shape and a dash pattern each so that lines stay apart in greyscale. An encoding keeps
/// its style in every figure (styles follow the suite's order of encodings).
public struct EncodingStyle: Sendable {
    public var colour: String
    public var marker: Marker
    public var dash: String?

    /// Marker shapes, drawn by `Marker.draw`.
    public enum Marker: Sendable, CaseIterable { case circle, square, triangle, diamond, cross, invertedTriangle, plus }

    /// Okabe & Ito (2008), without yellow (too light on white) and with black last.
    static let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000"]
    static let dashes: [String?] = [nil, "6 3", "2 2", "8 3 2 3", "4 4", "1 3", "10 4"]

    /// The style of the i-th encoding. Past the 7th, colours repeat with the marker moved on by 3
    /// and the dash by 1 for each round, so no two of the first 49 share colour and marker.
    public static func at(_ i: Int) -> EncodingStyle {
        let markers = Marker.allCases, round = i / colours.count
        return EncodingStyle(colour: colours[i % colours.count], marker: markers[(i + 3 * round) % markers.count],
                             dash: dashes[(i + round) % dashes.count])
    }
}

extension EncodingStyle.Marker {
    /// The marker at (x, y), with `data` attributes carrying the value it stands for.
    func draw(into svg: inout SVG, x: Double, y: Double, colour: String, data: [(String, String)]) {
        let r = 3.5, n = SVG.n
        switch self {
        case .circle:
            svg.element("circle", [("cx", n(x)), ("cy", n(y)), ("r", n(r)), ("fill", colour), ("data-cx", n(x)), ("data-cy", n(y))] + data)
        case .square:
            svg.element("rect", [("x", n(x - r)), ("y", n(y - r)), ("width", n(2 * r)), ("height", n(2 * r)), ("fill", colour),
                                 ("data-cx", n(x)), ("data-cy", n(y))] + data)
        case .triangle, .invertedTriangle:
            let s: Double = self == .triangle ? 1 : -1
            let pts = [(x, y - s * r * 1.2), (x - r * 1.1, y + s * r * 0.8), (x + r * 1.1, y + s * r * 0.8)]
            svg.element("polygon", [("points", pts.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")), ("fill", colour),
                                    ("data-cx", n(x)), ("data-cy", n(y))] + data)
        case .diamond:
            let pts = [(x, y - r * 1.3), (x + r * 1.3, y), (x, y + r * 1.3), (x - r * 1.3, y)]
            svg.element("polygon", [("points", pts.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")), ("fill", colour),
                                    ("data-cx", n(x)), ("data-cy", n(y))] + data)
        case .cross, .plus:
            let d = self == .cross ? r : r * 1.3
            let path = self == .cross
                ? "M\(n(x - d)),\(n(y - d))L\(n(x + d)),\(n(y + d))M\(n(x - d)),\(n(y + d))L\(n(x + d)),\(n(y - d))"
                : "M\(n(x - d)),\(n(y))L\(n(x + d)),\(n(y))M\(n(x)),\(n(y - d))L\(n(x)),\(n(y + d))"
            svg.element("path", [("d", path), ("stroke", colour), ("stroke-width", "2"), ("fill", "none"),
                                 ("data-cx", n(x)), ("data-cy", n(y))] + data)
        }
    }
}
