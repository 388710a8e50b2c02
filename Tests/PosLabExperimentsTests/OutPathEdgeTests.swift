import Foundation
import PosLabModel
import Testing

/// `--out` and file errors at the edges a newcomer hit (issue 24): the root, system folders and the
/// home folder are refused before anything is written, and every file error names the path in words.
@Suite struct OutPathEdgeTests {
    static let suite = PluginPathEdgeTests.suite

    func folder(_ name: String = #function) throws -> URL {
        let dir = temporaryDirectory(name)
        try Self.suite.write(to: dir.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    /// The rule itself, for every folder the issue names (no process writes anywhere here).
    @Test func outputFolderProblemRefusesTheRootSystemFoldersAndTheHomeFolder() throws {
        for path in ["/", "/etc", "/usr", "/bin", "/boot", "/dev", "/proc", "/sys", "/var", "/etc/poslab", "/usr/lib/x", "/tmp/../etc"] {
            let problem = try #require(FileProblem.outputFolderProblem(path), "\(path) accepted")
            #expect(problem.hasPrefix("--out \(path): ") && (problem.contains("is a system folder") || problem.contains("is the root folder")),
                    "\(problem)")
        }
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        #expect(FileProblem.outputFolderProblem(home)?.contains("is the home folder itself") == true)
        // A link to a system folder is that folder.
        let dir = temporaryDirectory()
        let link = dir.appendingPathComponent("etc-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/etc")
        #expect(FileProblem.outputFolderProblem(link.path)?.contains("(/etc) is a system folder") == true)
        // Ordinary folders, existing or not, below the home folder or /tmp or /var/tmp, are fine.
        for path in [dir.path, dir.appendingPathComponent("new/deeper").path, home + "/Results/x", "/var/tmp/poslab-x", "Results/quick"] {
            #expect(FileProblem.outputFolderProblem(path) == nil, "\(path)")
        }
    }

    /// `poslab run --out` a system folder or the home folder: exit 2 naming it, nothing written. (The
    /// old run wrote runs/, manifest.json and the CSV files into the home folder, and failed in /proc
    /// and /sys with `NSCocoaErrorDomain error 512`.)
    @Test func runRefusesSystemFoldersAndTheHomeFolderBeforeWriting() throws {
        let dir = try folder()
        let home = dir.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        for (out, words) in [("/proc", "is a system folder"), ("/sys/poslab", "is a system folder"), (home.path, "is the home folder itself")] {
            let (status, _, err) = try runPoslab(["run", "p.yaml", "--out", out, "--jobs", "1"], in: dir, environment: ["HOME": home.path])
            #expect(status == 2 && err.hasPrefix("error: --out \(out): ") && err.contains(words), "\(out): \(err)")
            #expect(!err.contains("NSCocoaErrorDomain"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).isEmpty, "nothing written in the home folder")
    }

    /// `--out` a file (/etc/passwd, a file of the user's), or a folder under a file: exit 2 in words.
    @Test func outAFileIsRefusedInWords() throws {
        let dir = try folder()
        try Data("mine".utf8).write(to: dir.appendingPathComponent("afile"))
        for (out, words) in [("/etc/passwd", "--out /etc/passwd: is a system folder"), ("afile", "--out afile: is a file, not a folder"),
                             ("afile/sub", "--out afile/sub: cannot be made, \(dir.path)/afile is a file, not a folder")] {
            let (status, _, err) = try runPoslab(["run", "p.yaml", "--out", out, "--jobs", "1"], in: dir)
            #expect(status == 2 && err.contains(words) && !err.contains("NSCocoaErrorDomain"), "\(out): \(err)")
        }
        #expect(try String(contentsOf: dir.appendingPathComponent("afile"), encoding: .utf8) == "mine")
    }

    /// A folder or a loop of symbolic links as the suite path: exit 2, the path and what it is.
    /// (It was `cannot read the file (… NSCocoaErrorDomain error 256.)`.)
    @Test func aFolderOrASymlinkLoopAsTheSuitePathIsNamedInWords() throws {
        let dir = try folder()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("suites"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("loop.yaml").path, withDestinationPath: "loop.yaml")
        for (path, words) in [("suites", "error: suites: cannot read the suite file: it is a folder, not a file"),
                              ("loop.yaml", "error: loop.yaml: cannot read the suite file: it is a loop of symbolic links, not a file")] {
            let (status, _, err) = try runPoslab(["run", path, "--out", "R"], in: dir)
            #expect(status == 2 && err.hasPrefix(words) && !err.contains("NSCocoaErrorDomain"), "\(err)")
        }
    }

    /// The disk fills while the report is written (a 12 kB tmpfs when this process may mount one):
    /// exit 2, one line naming the file and "no space left on the device".
    @Test func aFullDiskWhileWritingTheReportIsNamedInWords() throws {
        let dir = try folder()
        #expect(try runPoslab(["run", "p.yaml", "--out", "R", "--jobs", "1"], in: dir).0 == 0)
        let small = dir.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        let mounted = getuid() == 0 && runShell("mount -t tmpfs -o size=12k tmpfs '\(small.path)'") == 0
        defer { if mounted { _ = runShell("umount '\(small.path)'") } }
        if mounted {
            let (status, _, err) = try runPoslab(["report", "R", "--out", "small/report"], in: dir)
            #expect(status == 2 && err.hasPrefix("error: \(small.path)/report/") && err.hasSuffix(": no space left on the device\n"), "\(err)")
            #expect(err.filter { $0 == "\n" }.count == 1 && !err.contains("NSCocoaErrorDomain") && !err.contains("enough space"), "\(err)")
        }
        // Where no tmpfs can be mounted: a folder whose parent is a file.
        try Data("mine".utf8).write(to: dir.appendingPathComponent("afile"))
        let (status, _, err) = try runPoslab(["report", "R", "--out", "afile/report"], in: dir)
        #expect(status == 2 && err.contains("afile/report: cannot be made, \(dir.path)/afile is a file, not a folder"), "\(err)")
    }
}

/// Runs a shell command line; returns its exit status.
func runShell(_ line: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", line]
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
