import Foundation

extension FileHandle {
    /// Reads until end of file and calls `body` with each line as it arrives, without its newline;
    /// a last line without a newline is passed too. For a child process's output pipe, read while
    /// the child runs (its lines relayed or parsed as they come).
    public func forEachLine(_ body: (String) -> Void) {
        var buffer = Data()
        while true {
            let chunk = availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                body(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        }
        if !buffer.isEmpty { body(String(decoding: buffer, as: UTF8.self)) }
    }
}
