import CSV
import Foundation

/// A CSV file held as a header and rows of strings, read and written with CSV.swift, and saved
/// atomically (a temporary file renamed over the old one): a reader never sees half a file.
public struct CSVTable: Equatable, Sendable {
    /// The column names.
    public var header: [String]
    /// The rows, each with one field per column.
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// Reads `url`; nil if the file does not exist. An unreadable, empty, ragged or unparsable
    /// file, or a header other than `expectedHeader`, is a `ResultsError` naming the file and the
    /// line (and `fix`, what to do about it).
    ///
    /// A header in `accepting` (an older layout whose columns are all in `expectedHeader`) is read
    /// too: its rows come back in `expectedHeader`'s columns, the ones it lacks empty.
    public static func read(_ url: URL, expectedHeader: [String], accepting older: [[String]] = [], fix: String? = nil) throws -> CSVTable? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let hint = fix.map { "; \($0)" } ?? ""
        func damaged(_ line: Int?, _ problem: String) -> ResultsError {
            ResultsError("\(url.path)\(line.map { ":\($0)" } ?? ""): \(problem)\(hint)")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw damaged(nil, "cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw damaged(nil, "is not UTF-8 text") }
        guard !text.isEmpty else { throw damaged(nil, "is empty (no header row)") }
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: true) } catch {
            throw damaged(1, "the header row cannot be read as CSV")
        }
        let header = reader.headerRow ?? []
        let layout = header == expectedHeader ? nil : older.first { $0 == header }
        guard header == expectedHeader || layout != nil else {
            let got = reader.headerRow ?? []
            let first = zip(got, expectedHeader).enumerated().first { $0.element.0 != $0.element.1 }
            let detail = first.map { "column \($0.offset + 1) is '\($0.element.0)', expected '\($0.element.1)'" }
                ?? "\(got.count) columns, expected \(expectedHeader.count)"
            throw damaged(1, "not the expected header (\(detail))")
        }
        var table = CSVTable(header: expectedHeader)
        while let row = reader.next() {
            let line = table.rows.count + 2
            if row == [""] { throw damaged(line, "blank line (a file PosLab writes has none)") }
            guard row.count == header.count else {
                let where_ = row.count < header.count ? "column \(row.count + 1) (\(header[row.count])) is missing" : "column \(header.count + 1) is extra"
                throw damaged(line, "\(row.count) fields for \(header.count) columns, \(where_) (truncated, or an unbalanced quote)")
            }
            if let layout {
                let field = Dictionary(uniqueKeysWithValues: zip(layout, row).map { ($0, $1) })
                table.rows.append(expectedHeader.map { field[$0] ?? "" })
            } else {
                table.rows.append(row)
            }
        }
        if reader.error != nil {
            throw damaged(table.rows.count + 2, "not valid CSV (an unbalanced quote?)")
        }
        return table
    }

    /// The table as CSV text (RFC 4180 quoting where needed, LF line ends).
    public func encoded() throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: header)
        for row in rows {
            precondition(row.count == header.count, "CSV row has \(row.count) fields for \(header.count) columns")
            try writer.write(row: row)  // CSV.swift quotes fields holding commas, quotes or newlines
        }
        writer.stream.close()
        var data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        data.append(0x0A)
        return data
    }

    /// Writes the table to `url` atomically.
    public func write(to url: URL) throws {
        try encoded().write(to: url, options: .atomic)
    }

    /// A number as a CSV field: empty when missing or not finite (read as NA by pandas and R).
    public static func field(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return "\(x)"
    }

    /// The index of column `name`.
    public func column(_ name: String) -> Int {
        guard let i = header.firstIndex(of: name) else { preconditionFailure("no column \(name)") }
        return i
    }
}
