import Foundation

/// The contents of a safetensors file, float32 tensors only (https://github.com/huggingface/safetensors):
///
///     8 bytes    N, the header's length in bytes, an unsigned little-endian 64-bit integer
///     N bytes    a UTF-8 JSON object: {"__metadata__": {string: string},
///                  name: {"dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end]}, …}
///                padded with spaces so that the data starts at a multiple of 8 bytes
///     the rest   the data: each tensor's values row-major and little-endian, at [begin, end)
///                counted from the start of the data; the tensors cover it exactly, with no gap or overlap
///
/// Reading (`init(contentsOf:)`) checks every rule above and throws a `CheckpointError` naming the
/// file for the first one broken; writing (`write(to:)`) produces what the `safetensors` package reads.
public struct SafetensorsFile {
    /// One tensor: its name, shape and values (row-major).
    public struct Entry {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// The tensors, in the order of their data.
    public var tensors: [Entry]
    /// The `__metadata__` map (empty when the file has none).
    public var metadata: [String: String]

    public init(tensors: [Entry], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor called `name`, if there is one.
    public subscript(name: String) -> Entry? { tensors.first { $0.name == name } }

    /// The largest header accepted, the reference implementation's limit.
    public static let maximumHeaderLength = 100_000_000
    /// The only dtype PosLab reads and writes.
    public static let dtype = "F32"
}
