import Foundation
import PosLabModel
import PosLabRunner
import PosLabStudy
import Testing

/// Encoding and task arguments swept in a suite file: `relative-bias(buckets=[8, 16])`.
@Suite struct SpecSweepTests {
    func suite(encodings: String, tasks: String = "  - shift") throws -> Suite {
        try Suite.parse(yaml: """
            encodings:
            \(encodings)
            tasks:
            \(tasks)
            training: {steps: 5, length: 6}
            evaluation: {lengths: [6]}
            """, file: "s.yaml", defaultName: "s")
    }

    /// A list in an argument is one spec per value; several lists, every combination, first varying slowest.
    @Test func listsSweepArguments() throws {
        let s = try suite(encodings: "  - none\n  - relative-bias(buckets=[8, 16], max_distance=[32, 64])",
                          tasks: "  - shift(k=[1, 2])\n  - majority")
        #expect(s.encodings.map(\.description) == ["none", "relative-bias(buckets=8;max_distance=32)", "relative-bias(buckets=8;max_distance=64)",
                                "relative-bias(buckets=16;max_distance=32)", "relative-bias(buckets=16;max_distance=64)"])
        #expect(s.tasks.map(\.description) == ["shift(k=1)", "shift(k=2)", "majority"])
        #expect(s.runs.count == 5 * 3 * 3)
        // Each variant is its own encoding in the results: its arguments are in its identity.
        let ids = try Trainer(suite: s).resolve(s.runs).map(\.id)
        #expect(Set(ids).count == ids.count)
        // Nested specs keep their own lists whole, and the `;` form reads back the same.
        #expect(try Spec(parsing: "randomized(relative-bias(buckets=[8, 16]), max_length=64)").arguments
                == ["encoding": "relative-bias(buckets=[8, 16])", "max_length": "64"])
    }

    /// An empty or broken list, and a sweep that repeats a value, are named with file, line and key.
    @Test func badListsAreNamed() throws {
        #expect { try suite(encodings: "  - relative-bias(buckets=[8, ])") } throws: {
            "\($0)" == "s.yaml:2: encodings[0]: a list to sweep needs values separated by commas, e.g. [8, 16] (got [8, ]) (in 'relative-bias(buckets=[8, ])')"
        }
        #expect { try suite(encodings: "  - relative-bias(buckets=[8, 8])") } throws: {
            "\($0)" == "s.yaml:2: encodings[0]: 'relative-bias(buckets=8)' (swept from 'relative-bias(buckets=[8, 8])') is listed twice"
        }
        #expect { try suite(encodings: "  - relative-bias(buckets=[8, 3000])") } throws: {
            "\($0)".contains("encodings[0]") && "\($0)".contains("buckets")
        }
    }
}
