import Foundation
import PosLabModel
import PosLabStudy
import Testing

/// Issue 13: one spec syntax, `name(key=value, key=value)`, in block and flow lists of suite files
/// (the `;` form results print is read back the same).
@Suite struct SpecSyntaxTests {
    static func encodings(_ yaml: String) throws -> [String] {
        try Suite.parse(yaml: yaml + "\ntasks: [shift]\nseeds: [1]\n", file: "t.yaml", defaultName: "t").encodings.map(\.description)
    }

    /// "A YAML flow list [none, relative-bias(buckets=16, max_distance=64)] fails with unbalanced parentheses".
    @Test func flowListWithArguments() throws {
        let flow = try Self.encodings("encodings: [none, relative-bias(buckets=16, max_distance=64)]")
        let block = try Self.encodings("encodings:\n  - none\n  - relative-bias(buckets=16, max_distance=64)")
        let semicolons = try Self.encodings("encodings: [none, 'relative-bias(buckets=16;max_distance=64)']")
        #expect(flow == ["none", "relative-bias(buckets=16;max_distance=64)"])
        #expect(block == flow && semicolons == flow)
    }

    /// "So does encodings: [randomized(learned, max_length=64)]".
    @Test func flowListWithAWrapper() throws {
        let flow = try Self.encodings("encodings: [randomized(learned, max_length=64), none]")
        let block = try Self.encodings("encodings:\n  - randomized(learned, max_length=64)\n  - none")
        #expect(flow.count == 2 && flow == block && flow[0].hasPrefix("randomized("))
    }

    /// An unclosed parenthesis is still an error naming the item, not swallowed by the rejoining.
    @Test func unclosedParenthesisIsStillAnError() {
        #expect(throws: SuiteError.self) { try Self.encodings("encodings: [none, relative-bias(buckets=16, max_distance=64]") }
    }
}
