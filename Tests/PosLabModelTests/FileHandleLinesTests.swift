import Foundation
import PosLabModel
import Testing

/// `FileHandle.forEachLine`, which reads a worker's and check-plugin's child output.
@Suite struct FileHandleLinesTests {
    /// Lines split at newlines across chunks, an empty line kept, and a last line without a newline passed too.
    @Test func everyLineIncludingAnUnterminatedLastOne() throws {
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting
        let text = "first\n" + String(repeating: "x", count: 100_000) + "\n\nlast"
        let thread = Thread { writer.write(Data(text.utf8)); try? writer.close() }
        thread.start()
        var lines: [String] = []
        pipe.fileHandleForReading.forEachLine { lines.append($0) }
        #expect(lines == ["first", String(repeating: "x", count: 100_000), "", "last"])
    }
}
