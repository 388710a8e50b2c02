import Foundation
import PosLabModel

/// A limit on the memory a suite may use, and where it comes from.
public struct MemoryLimit: Sendable, Equatable, CustomStringConvertible {
    public enum Source: Sendable, Equatable {
        /// MemAvailable in /proc/meminfo: the machine's free and reclaimable memory.
        case memAvailable
        /// The process's address-space limit (RLIMIT_AS, `ulimit -v`) less what it already maps.
        case addressSpace
        /// The process's cgroup (Slurm's `--mem`, a container): its limit less its usage, in this file.
        case cgroup(String)
        /// What a Slurm task asks for: `--mem`, as given.
        case slurm(String)
    }
    public var bytes: Int
    public var source: Source

    public init(bytes: Int, source: Source) {
        self.bytes = bytes
        self.source = source
    }

    /// Which limit this is, in words.
    public var description: String {
        switch source {
        case .memAvailable: "MemAvailable in /proc/meminfo"
        case .addressSpace: "the address-space limit RLIMIT_AS (ulimit -v), less what poslab already maps"
        case .cgroup(let file): "the cgroup's memory limit less its usage (\(file))"
        case .slurm(let mem): "Slurm's --mem \(mem) per task"
        }
    }

    /// The limit in a clause: how much, and which limit applies.
    public var phrase: String {
        let amount = MemoryEstimate.format(bytes)
        switch source {
        case .memAvailable: return "this machine has \(amount) available (\(self))"
        case .addressSpace: return "this process may map \(amount) more (the limit that applies: \(self))"
        case .cgroup: return "this process's cgroup allows \(amount) more (the limit that applies: \(self))"
        case .slurm: return "each task gets \(amount) (\(self))"
        }
    }

    /// What to do besides making the suite smaller.
    public var remedy: String {
        switch source {
        case .memAvailable: ""
        case .addressSpace: ", or raise ulimit -v"
        case .cgroup: ", or ask for more memory (Slurm's --mem, the container's limit)"
        case .slurm: ", or ask Slurm for more with --mem"
        }
    }
}

/// The memory a suite may use: the smallest of the machine's available memory, the process's
/// address-space limit and its cgroup's limit, shared by the runs trained at once.
public enum MemoryBudget {
    /// The smallest of the three readings (nil ones are no limit); nil when none is known.
    public static func smallest(memAvailable: Int?, addressSpace: Int?, cgroup: (bytes: Int, file: String)?) -> MemoryLimit? {
        var limits: [MemoryLimit] = []
        if let memAvailable { limits.append(MemoryLimit(bytes: max(0, memAvailable), source: .memAvailable)) }
        if let addressSpace { limits.append(MemoryLimit(bytes: max(0, addressSpace), source: .addressSpace)) }
        if let cgroup { limits.append(MemoryLimit(bytes: max(0, cgroup.bytes), source: .cgroup(cgroup.file))) }
        return limits.min { $0.bytes < $1.bytes }  // the first of equals: MemAvailable, then RLIMIT_AS
    }

    /// This process's budget now: `smallest` of the three readings.
    public static func current() -> MemoryLimit? {
        smallest(memAvailable: availableBytes(), addressSpace: addressSpaceRemaining(),
                 cgroup: (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)).flatMap { cgroupRemaining(selfCgroup: $0) })
    }

    /// MemAvailable from /proc/meminfo, in bytes (nil where it cannot be read).
    public static func availableBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kb * 1024
    }

    /// The soft RLIMIT_AS less the address space this process already maps (VmSize), in bytes;
    /// nil when there is no limit.
    public static func addressSpaceRemaining() -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
              limit.rlim_cur < UInt64(Int.max) else { return nil }
        let mapped = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))
            .flatMap { $0.split(separator: "\n").first { $0.hasPrefix("VmSize:") } }
            .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Int($0) } }.map { $0 * 1024 } ?? 0
        return Int(limit.rlim_cur) - mapped
    }

    /// The memory this process's cgroup still allows, and the file that limits it: the smallest of
    /// limit − usage over its cgroup and the cgroup's ancestors, cgroup v2 (`memory.max`,
    /// `memory.current`) first, v1 (`memory.limit_in_bytes`, `memory.usage_in_bytes`) as a
    /// fallback. `selfCgroup` is /proc/self/cgroup's text; `root` is where cgroups are mounted.
    public static func cgroupRemaining(selfCgroup: String, root: String = "/sys/fs/cgroup") -> (bytes: Int, file: String)? {
        let fm = FileManager.default
        func number(_ path: String) -> Int? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        /// The tightest limit from `mount` + `path` up to `mount`.
        func walk(mount: String, path: String, limitFile: String, usageFile: String) -> (bytes: Int, file: String)? {
            var components = path.split(separator: "/").map(String.init)
            // Inside a cgroup namespace the path may not exist under the mount: the mount is then the cgroup.
            while !components.isEmpty && !fm.fileExists(atPath: ([mount] + components).joined(separator: "/")) { components.removeFirst() }
            var best: (bytes: Int, file: String)?
            while true {
                let dir = ([mount] + components).joined(separator: "/")
                let limitPath = dir + "/" + limitFile
                // "max" (v2) reads as no number; v1 writes a huge number for no limit.
                if let limit = number(limitPath), limit < 1 << 60, let usage = number(dir + "/" + usageFile) {
                    let remaining = max(0, limit - usage)
                    if best == nil || remaining < best!.bytes { best = (remaining, limitPath) }
                }
                if components.isEmpty { break }
                components.removeLast()
            }
            return best
        }
        let lines = selfCgroup.split(separator: "\n").map { $0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init) }
        if let v2 = lines.first(where: { $0.count == 3 && $0[0] == "0" && $0[1].isEmpty }) {
            let mount = fm.fileExists(atPath: root + "/cgroup.controllers") ? root : root + "/unified"
            if let found = walk(mount: mount, path: v2[2], limitFile: "memory.max", usageFile: "memory.current") { return found }
        }
        if let v1 = lines.first(where: { $0.count == 3 && $0[1].split(separator: ",").contains("memory") }) {
            return walk(mount: root + "/memory", path: v1[2], limitFile: "memory.limit_in_bytes", usageFile: "memory.usage_in_bytes")
        }
        return nil
    }
}
