import Foundation
import PosLabTestSupport
import Testing

/// A plugin must be a regular file (issue 24): a FIFO given as a plugin used to hang `poslab` in
/// dlopen forever. Each is now refused at once, exit 2, naming the path and what it is.
@Suite struct PluginPathEdgeTests {
    static let suite = """
        name: p
        encodings: [none]
        tasks: [shift]
        seeds: [1]
        model: {d_model: 16, layers: 1, heads: 2}
        training: {steps: 5, batch_size: 8, length: 6}
        evaluation: {lengths: [6], size: 16}

        """

    /// A folder with a FIFO named like a plugin, `libFifo.so`, and the suite above.
    func folderWithFIFO(_ name: String = #function) throws -> URL {
        let dir = temporaryDirectory(name)
        #expect(mkfifo(dir.appendingPathComponent("libFifo.so").path, 0o644) == 0)
        try Self.suite.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func aFIFOGivenAsPluginIsRefusedAtOnce() throws {
        let dir = try folderWithFIFO()
        let fifo = dir.appendingPathComponent("libFifo.so").path
        let (status, _, err, timedOut) = try runProcess(poslabExecutable, ["run", "p.yaml", "--plugin", "libFifo.so", "--out", "R"],
                                                        in: dir, timeout: 60)
        #expect(!timedOut, "poslab hung on the FIFO")
        #expect(status == 2)
        #expect(err.contains("libFifo.so") && err.contains("is a FIFO (named pipe), not a plugin library"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("R").path), "nothing written")
        #expect(FileManager.default.fileExists(atPath: fifo))
    }

    @Test func aFIFOInASuitesPluginsIsRefusedAtOnceNamingTheLine() throws {
        let dir = try folderWithFIFO()
        try ("plugins: [libFifo.so]\n" + Self.suite).write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let (status, _, err, timedOut) = try runProcess(poslabExecutable, ["run", "p.yaml", "--out", "R"], in: dir, timeout: 60)
        #expect(!timedOut, "poslab hung on the FIFO")
        #expect(status == 2)
        #expect(err.contains("p.yaml") && err.contains("plugins[0]") && err.contains("is a FIFO (named pipe)"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("R").path), "nothing written")
    }

    @Test func aFIFOGivenToCheckPluginIsRefusedAtOnce() throws {
        let dir = try folderWithFIFO()
        let (status, _, err, timedOut) = try runProcess(poslabExecutable, ["check-plugin", "./libFifo.so"], in: dir, timeout: 60)
        #expect(!timedOut, "poslab hung on the FIFO")
        #expect(status == 2, "\(err)")
        #expect(err.contains("is a FIFO (named pipe)"), "\(err)")
    }

    @Test func aDirectoryOrDeviceGivenAsPluginIsRefusedNamingWhatItIs() throws {
        let dir = temporaryDirectory()
        try Self.suite.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("libDir.so"), withIntermediateDirectories: true)
        for (path, kind) in [("libDir.so", "is a directory"), ("/dev/zero", "is a character device")] {
            let (status, _, err, timedOut) = try runProcess(poslabExecutable, ["run", "p.yaml", "--plugin", path, "--out", "R"],
                                                            in: dir, timeout: 60)
            #expect(!timedOut && status == 2, "\(path): \(err)")
            #expect(err.contains(path) && err.contains("\(kind), not a plugin library"), "\(err)")
        }
    }
}
