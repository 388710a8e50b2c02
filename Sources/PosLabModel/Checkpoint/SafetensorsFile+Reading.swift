import Foundation

extension SafetensorsFile {
    /// Reads and checks the file at `url`. A missing, unreadable, truncated or malformed file throws
    /// a `CheckpointError` naming it and the first problem found.
    public init(contentsOf url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw CheckpointError(file: url.path, problem: "no such file")
        }
        guard !isDirectory.boolValue else { throw CheckpointError(file: url.path, problem: "is a directory, not a safetensors file") }
        guard (try? FileManager.default.attributesOfItem(atPath: url.path)[.type] as? FileAttributeType) == .typeRegular else {
            throw CheckpointError(file: url.path, problem: "is not a regular file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CheckpointError(file: url.path, problem: "cannot be read (\(error.localizedDescription))")
        }
        try self.init(decoding: data, file: url.path)
    }

    /// Decodes and checks the bytes of a safetensors file; `file` names them in errors.
    public init(decoding data: Data, file: String) throws {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: file, problem: problem) }
        let size = data.count
        guard size >= 8 else { throw fail("truncated: \(size) bytes, too short for the 8-byte header length") }
        let length = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= UInt64(Self.maximumHeaderLength) else {
            throw fail("the header length \(length) exceeds the \(Self.maximumHeaderLength)-byte limit: not a safetensors file")
        }
        let n = Int(length)
        guard 8 + n <= size else { throw fail("truncated: the header is \(n) bytes, the file holds \(size - 8) after its length") }
        let headerBytes = data.subdata(in: data.startIndex + 8 ..< data.startIndex + 8 + n)
        guard headerBytes.first == UInt8(ascii: "{") else { throw fail("the header is not a JSON object (it must start with '{')") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: headerBytes)
        } catch let error as DecodingError {
            throw fail("bad header: \(Self.explain(error))")
        } catch let error as CheckpointError {
            throw fail(error.problem)
        }

        // The tensors must tile the data exactly: sorted by offset, each starts where the last ended.
        let dataStart = 8 + n, dataLength = size - dataStart
        let sorted = header.entries.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var expected = 0, previous: String?
        for entry in sorted {
            let what = "tensor '\(entry.name)'"
            guard entry.dtype == Self.dtype else {
                throw fail("\(what) has dtype \(entry.dtype); PosLab reads \(Self.dtype) only")
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else { throw fail("\(what) has a negative dimension in shape \(entry.shape)") }
            var bytes = 4, overflow = false
            for d in entry.shape where !overflow { (bytes, overflow) = bytes.multipliedReportingOverflow(by: d) }
            guard !overflow else { throw fail("\(what) has an impossibly large shape \(entry.shape)") }
            guard entry.begin >= 0, entry.end >= entry.begin else {
                throw fail("\(what) has data_offsets [\(entry.begin), \(entry.end)], not an increasing pair")
            }
            guard entry.end - entry.begin == bytes else {
                throw fail("\(what): shape \(entry.shape) needs \(bytes) bytes, data_offsets [\(entry.begin), \(entry.end)] hold \(entry.end - entry.begin)")
            }
            guard entry.begin <= expected else {
                throw fail("\(what) starts at data byte \(entry.begin), leaving bytes \(expected)..<\(entry.begin) undescribed")
            }
            guard entry.begin == expected else {
                throw fail("\(what) at data bytes [\(entry.begin), \(entry.end)) overlaps '\(previous ?? "")', which ends at \(expected)")
            }
            guard entry.end <= dataLength else {
                throw fail("truncated: \(what) ends at data byte \(entry.end), the file holds \(dataLength) data bytes")
            }
            expected = entry.end
            previous = entry.name
        }
        guard expected == dataLength else {
            throw fail("\(dataLength - expected) bytes after the last tensor are not described by the header")
        }
        tensors = data.withUnsafeBytes { raw in
            sorted.map { entry in
                let start = dataStart + entry.begin, count = (entry.end - entry.begin) / 4
                let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                    for i in 0..<count {
                        buffer[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
                    }
                    initialized = count
                }
                return Entry(name: entry.name, shape: entry.shape, values: values)
            }
        }
        metadata = header.metadata
    }

    /// One line for a header that JSONDecoder refused.
    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.isEmpty ? "" : context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + ": "
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty: return "not valid JSON"
        case .dataCorrupted(let context): return path(context) + context.debugDescription
        case .keyNotFound(let key, let context): return path(context) + "missing '\(key.stringValue)'"
        case .typeMismatch(let type, let context): return path(context) + "expected \(type == String.self ? "a string" : type == Int.self ? "an integer" : "\(type)")"
        case .valueNotFound(let type, let context): return path(context) + "expected \(type), found null"
        @unknown default: return "\(error)"
        }
    }
}

/// The parsed JSON header: the metadata map and each tensor's dtype, shape and data offsets.
private struct Header: Decodable {
    struct Entry {
        var name: String, dtype: String, shape: [Int], begin: Int, end: Int
    }
    struct Info: Decodable {
        var dtype: String
        var shape: [Int]
        var data_offsets: [Int]
    }
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var metadata: [String: String] = [:]
    var entries: [Entry] = []

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
                continue
            }
            let info = try container.decode(Info.self, forKey: key)
            guard info.data_offsets.count == 2 else {
                throw CheckpointError(file: "", problem: "tensor '\(key.stringValue)' has \(info.data_offsets.count) data_offsets, not 2")
            }
            entries.append(Entry(name: key.stringValue, dtype: info.dtype, shape: info.shape,
                                 begin: info.data_offsets[0], end: info.data_offsets[1]))
        }
    }
}
