import Foundation
import PosLabModel

/// The memory a suite may use: the machine's available memory shared by the runs trained at once.
public enum MemoryBudget {
    /// MemAvailable from /proc/meminfo, in bytes (nil where it cannot be read).
    public static func availableBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kb * 1024
    }
}
