/// A small SVG document builder: shapes in user units (pixels), text escaped, numbers rounded to
/// 0.01 so that files are stable and small. Each figure is a standalone SVG 1.1 file.
public struct SVG {
    /// The canvas size in pixels.
    public let width: Double, height: Double
    private(set) var body: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// XML-escaped text for element content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(c.value < 0x20 && c != "\n" && c != "\t" ? " " : c)
            }
        }
        return out
    }

    /// A coordinate or size, rounded to 0.01.
    public static func n(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func attributes(_ a: [(String, String)]) -> String {
        a.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// Appends raw markup (already escaped).
    mutating func raw(_ markup: String) { body.append(markup) }

    mutating func element(_ name: String, _ a: [(String, String)], content: String? = nil) {
        if let content {
            body.append("<\(name)\(Self.attributes(a))>\(Self.escape(content))</\(name)>")
        } else {
            body.append("<\(name)\(Self.attributes(a))/>")
        }
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil) {
        var a = [("x1", Self.n(x1)), ("y1", Self.n(y1)), ("x2", Self.n(x2)), ("y2", Self.n(y2)), ("stroke", stroke),
                 ("stroke-width", Self.n(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        element("line", a)
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, extra: [(String, String)] = []) {
        element("rect", [("x", Self.n(x)), ("y", Self.n(y)), ("width", Self.n(max(0, w))), ("height", Self.n(max(0, h))),
                         ("fill", fill)] + extra)
    }

    mutating func text(_ s: String, x: Double, y: Double, size: Double = 11, anchor: String = "start",
                       rotate: Bool = false, weight: String? = nil, fill: String = "#222") {
        var a = [("x", Self.n(x)), ("y", Self.n(y)), ("font-size", Self.n(size)), ("text-anchor", anchor), ("fill", fill)]
        if rotate { a.append(("transform", "rotate(-90 \(Self.n(x)) \(Self.n(y)))")) }
        if let weight { a.append(("font-weight", weight)) }
        element("text", a, content: s)
    }

    /// A polyline through `points`, or nothing for fewer than two.
    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, dash: String? = nil,
                           extra: [(String, String)] = []) {
        guard points.count >= 2 else { return }
        var a = [("points", points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")), ("fill", "none"),
                 ("stroke", stroke), ("stroke-width", Self.n(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        element("polyline", a + extra)
    }

    /// A closed polygon (for interval bands).
    mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double, extra: [(String, String)] = []) {
        guard points.count >= 3 else { return }
        element("polygon", [("points", points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")),
                            ("fill", fill), ("fill-opacity", Self.n(opacity))] + extra)
    }

    /// The document, with an XML declaration and a title (for screen readers and file browsers).
    public func document(title: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        \(inline(title: title))
        """
    }

    /// The `<svg>` element alone, for embedding in HTML.
    public func inline(title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" "
            + "viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">"
            + "<title>\(Self.escape(title))</title>" + body.joined(separator: "\n") + "</svg>\n"
    }
}
