import Foundation
import PosLabTestSupport
import Testing

/// `runProcess` reads a command's stdout and stderr at once. Reading stdout to its end first waited
/// forever on a command that writes more than a pipe holds (64 KiB) to stderr before it ends stdout:
/// the command blocks on the full stderr pipe, the reader on stdout. Both variants read the same
/// way (`readBoth`); the test uses the one with a timeout, so that deadlock fails it instead of hanging.
@Suite struct RunProcessTests {
    /// 200,000 bytes to stderr, then one line to stdout.
    static let script = "head -c 200000 /dev/zero | tr '\\0' x >&2; echo done"

    @Test func moreThanAPipeOnStderrBeforeStdout() throws {
        let (status, out, err, timedOut) = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", Self.script], timeout: 30)
        #expect(!timedOut && status == 0, "timed out: \(timedOut), status \(status)")
        #expect(out == "done\n" && err.count == 200_000, "stdout \(out.debugDescription), \(err.count) bytes on stderr")
    }
}
