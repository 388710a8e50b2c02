import Foundation
import PosLabStudy
import PosLabTestSupport
import Testing

/// The memory budget is the smallest of MemAvailable, RLIMIT_AS and the cgroup's limit, and
/// `poslab slurm` checks a suite against the memory its tasks get (issue 24).
@Suite struct MemoryLimitEdgeTests {
    static let gb = 1 << 30

    @Test func theBudgetIsTheSmallestOfTheThreeReadingsAndSaysWhich() {
        let gb = Self.gb
        #expect(MemoryBudget.smallest(memAvailable: 8 * gb, addressSpace: 2 * gb, cgroup: (4 * gb, "/c/memory.max"))
                == MemoryLimit(bytes: 2 * gb, source: .addressSpace))
        #expect(MemoryBudget.smallest(memAvailable: 8 * gb, addressSpace: nil, cgroup: (4 * gb, "/c/memory.max"))
                == MemoryLimit(bytes: 4 * gb, source: .cgroup("/c/memory.max")))
        #expect(MemoryBudget.smallest(memAvailable: 1 * gb, addressSpace: 2 * gb, cgroup: (4 * gb, "/c/memory.max"))
                == MemoryLimit(bytes: 1 * gb, source: .memAvailable))
        #expect(MemoryBudget.smallest(memAvailable: nil, addressSpace: nil, cgroup: nil) == nil)
        #expect(MemoryBudget.smallest(memAvailable: 8 * gb, addressSpace: -5, cgroup: nil)?.bytes == 0, "mapped past the limit: nothing left")
        #expect(MemoryLimit(bytes: 2 * gb, source: .addressSpace).phrase.contains("RLIMIT_AS (ulimit -v)"))
        #expect(MemoryLimit(bytes: 2 * gb, source: .cgroup("/c/memory.max")).phrase.contains("/c/memory.max"))
    }

    /// A fake cgroup tree: v2 (the tightest of the cgroup and its ancestors, "max" no limit), v1 as a
    /// fallback, and a namespace whose own path is not under the mount.
    @Test func theCgroupLimitIsReadFromTheProcesssOwnCgroup() throws {
        let root = temporaryDirectory().path, fm = FileManager.default
        func write(_ path: String, _ text: String) throws {
            try fm.createDirectory(atPath: (root + "/" + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8)
        }
        try write("cgroup.controllers", "cpu memory\n")
        try write("job/memory.max", "1000000\n")
        try write("job/memory.current", "100000\n")
        try write("job/step/memory.max", "max\n")
        try write("job/step/memory.current", "50000\n")
        let v2 = try #require(MemoryBudget.cgroupRemaining(selfCgroup: "0::/job/step\n", root: root))
        #expect(v2.bytes == 900_000 && v2.file == root + "/job/memory.max")
        try write("job/step/memory.max", "400000\n")
        #expect(MemoryBudget.cgroupRemaining(selfCgroup: "0::/job/step\n", root: root)?.bytes == 350_000)
        // v1 where v2 has no limit.
        try fm.removeItem(atPath: root + "/job")
        try write("memory/slurm/uid_0/job_7/memory.limit_in_bytes", "2000000\n")
        try write("memory/slurm/uid_0/job_7/memory.usage_in_bytes", "500000\n")
        try write("memory/memory.limit_in_bytes", "9223372036854771712\n")  // the root: no limit
        try write("memory/memory.usage_in_bytes", "7000000\n")
        let v1 = try #require(MemoryBudget.cgroupRemaining(selfCgroup: "4:memory:/slurm/uid_0/job_7\n0::/\n", root: root))
        #expect(v1.bytes == 1_500_000 && v1.file.hasSuffix("job_7/memory.limit_in_bytes"))
        // In a namespace the process's path is not under the mount: the mount's own files apply.
        try write("memory/memory.limit_in_bytes", "3000000\n")
        try write("memory/memory.usage_in_bytes", "1000000\n")
        #expect(MemoryBudget.cgroupRemaining(selfCgroup: "4:memory:/elsewhere/abc\n", root: root)?.bytes == 2_000_000)
        #expect(MemoryBudget.cgroupRemaining(selfCgroup: "0::/\n", root: temporaryDirectory().path) == nil)
    }

    /// A suite whose largest run needs about 2.5 GB, in its training step (B·H·T² attention weights
    /// kept for the backward pass; evaluation runs attention in blocks, in memory linear in T).
    static let bigSuite = """
        encodings: [sinusoidal]
        tasks: [shift]
        seeds: [1]
        training: {length: 1500, batch_size: 32}
        evaluation: {lengths: [1500], size: 64}

        """

    /// `poslab run` under `ulimit -v` refuses a suite that does not fit, naming RLIMIT_AS: exit 2,
    /// nothing written. (It used to read MemAvailable only, accept the suite and die allocating.)
    @Test func runUnderUlimitVRefusesASuiteThatDoesNotFit() throws {
        let dir = temporaryDirectory()
        try Self.bigSuite.write(to: dir.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
        let line = "ulimit -v 1500000 && exec '\(poslabExecutable.path)' run big.yaml --out out --jobs 1"
        let (status, _, err, timedOut) = try runProcess(URL(fileURLWithPath: "/bin/bash"), ["-c", line], in: dir, timeout: 120)
        #expect(!timedOut)
        #expect(status == 2, "\(err)")
        #expect(err.contains("big.yaml: training.batch_size, training.length: the largest run (shift × sinusoidal) needs about")
                && err.contains("this process may map") && err.contains("RLIMIT_AS (ulimit -v)") && err.contains("or raise ulimit -v"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "nothing written")
    }

    /// `poslab slurm` checks the largest run against --mem shared by --cpus-per-task runs, and without
    /// --mem against this machine; it writes #SBATCH --mem. (It wrote job scripts for a 193.6 GB model, exit 0.)
    @Test func slurmRefusesASuiteThatCannotFitItsTasksMemory() throws {
        let dir = temporaryDirectory()
        try Self.bigSuite.write(to: dir.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
        let (s1, _, e1) = try runPoslab(["slurm", "big.yaml", "--array", "2", "--mem", "3G", "--cpus-per-task", "2", "--out", "R"], in: dir)
        #expect(s1 == 2 && e1.contains("big.yaml: training.batch_size, training.length:") && e1.contains("each task gets 3.0 GB (Slurm's --mem 3G per task)")
                && e1.contains("per run with --jobs 2") && e1.contains("or ask Slurm for more with --mem"), "\(e1)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("R").path), "nothing written")
        // The issue's 193.6 GB model, no --mem: checked against this machine.
        try "encodings: [none]\ntasks: [shift]\nseeds: [1]\nmodel: {d_model: 4096, layers: 64, heads: 256}\n"
            .write(to: dir.appendingPathComponent("huge.yaml"), atomically: true, encoding: .utf8)
        let (s2, _, e2) = try runPoslab(["slurm", "huge.yaml", "--array", "2", "--out", "H"], in: dir)
        #expect(s2 == 2 && e2.contains("huge.yaml: model:") && e2.contains("needs about"), "\(e2)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("H").path))
        // It fits one run per task in 8G: written, with the memory asked of Slurm.
        let (s3, _, e3) = try runPoslab(["slurm", "big.yaml", "--array", "2", "--mem", "8G", "--cpus-per-task", "1", "--out", "R"], in: dir)
        #expect(s3 == 0, "\(e3)")
        let script = try String(contentsOf: dir.appendingPathComponent("R/slurm/run.sbatch"), encoding: .utf8)
        #expect(script.contains("#SBATCH --mem=8G\n"))
        let (s4, _, e4) = try runPoslab(["slurm", "big.yaml", "--array", "2", "--mem", "lots", "--out", "R"], in: dir)
        #expect(s4 == 2 && e4.contains("--mem must be a size as Slurm reads it"), "\(e4)")
    }
}
