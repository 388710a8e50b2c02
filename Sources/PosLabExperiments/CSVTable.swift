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

    /// Reads `url`; nil if the file does not exist. Throws if its header is not `expectedHeader`.
    public static func read(_ url: URL, expectedHeader: [String]) throws -> CSVTable? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text = try String(contentsOf: url, encoding: .utf8)
        let reader = try CSVReader(string: text, hasHeaderRow: true)
        guard reader.headerRow == expectedHeader else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path,
                NSLocalizedDescriptionKey: "\(url.path) has columns \(reader.headerRow ?? []), expected \(expectedHeader)"])
        }
        var table = CSVTable(header: expectedHeader)
        while let row = reader.next() {
            guard row.count == expectedHeader.count else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path,
                    NSLocalizedDescriptionKey: "\(url.path): row \(table.rows.count + 2) has \(row.count) fields for \(expectedHeader.count) columns (truncated or garbled)"])
            }
            table.rows.append(row)
        }
        if let error = reader.error {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path,
                NSLocalizedDescriptionKey: "\(url.path): not valid CSV after row \(table.rows.count + 1) (\(error))"])
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
