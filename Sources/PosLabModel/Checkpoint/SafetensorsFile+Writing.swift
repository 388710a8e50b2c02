import Foundation

extension SafetensorsFile {
    /// The file's bytes: the header (keys sorted, padded with spaces to a multiple of 8), then the
    /// tensors' data in `tensors` order. Throws for a name used twice, or values that do not fill a shape.
    public func encoded(file: String = "safetensors data") throws -> Data {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(file: file, problem: problem) }
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for tensor in tensors {
            guard tensor.name != "__metadata__", header[tensor.name] == nil else {
                throw fail("the tensor name '\(tensor.name)' is used twice or reserved")
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }), tensor.shape.reduce(1, *) == tensor.values.count else {
                throw fail("tensor '\(tensor.name)': \(tensor.values.count) values do not fill shape \(tensor.shape)")
            }
            let end = offset + 4 * tensor.values.count
            header[tensor.name] = ["dtype": Self.dtype, "shape": tensor.shape, "data_offsets": [offset, end]] as [String: Any]
            offset = end
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        json.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var bytes = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(json)
        for tensor in tensors {
            tensor.values.withUnsafeBufferPointer { values in
                #if _endian(little)
                bytes.append(values)  // the raw bytes of the floats
                #else
                for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                #endif
            }
        }
        return bytes
    }

    /// Writes the file atomically (a reader never sees half of it).
    public func write(to url: URL) throws {
        let bytes = try encoded(file: url.path)
        do {
            try bytes.write(to: url, options: .atomic)
        } catch {
            throw CheckpointError(file: url.path, problem: "cannot be written (\(error.localizedDescription))")
        }
    }
}
