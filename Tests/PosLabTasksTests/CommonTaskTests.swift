import PosLabSupport
import PosLabTasks
import Testing

/// Properties every built-in task must have.
@Suite struct CommonTaskTests {
    @Test(arguments: taskNames) func shapesAndVocabulary(name: String) throws {
        let t = try task(name)
        for length in [t.minimumLength, t.minimumLength + 1, 12, 33] {
            let b = t.batch(size: 5, length: length, rng: RandomGenerator(seed: 3))
            #expect(b.size == 5 && b.length == length)
            #expect(b.inputs.count == 5 * length && b.targets.count == 5 * length && b.mask.count == 5 * length)
            #expect(b.inputs.allSatisfy { (0..<t.vocabSize).contains($0) }, "\(name) n=\(length) inputs")
            #expect(b.targets.allSatisfy { (0..<t.vocabSize).contains($0) }, "\(name) n=\(length) targets")
            #expect(b.mask.allSatisfy { $0 == 0 || $0 == 1 })
            // Every sequence has something to score.
            for s in 0..<b.size {
                #expect(b.mask[s * length..<(s + 1) * length].contains(1), "\(name) n=\(length) row \(s)")
            }
        }
    }

    @Test(arguments: taskNames) func deterministic(name: String) throws {
        let t = try task(name)
        let a = t.batch(size: 8, length: 12, rng: RandomGenerator(seed: 11))
        let b = t.batch(size: 8, length: 12, rng: RandomGenerator(seed: 11))
        let c = t.batch(size: 8, length: 12, rng: RandomGenerator(seed: 12))
        #expect(a.inputs == b.inputs && a.targets == b.targets && a.mask == b.mask)
        #expect(a.inputs != c.inputs)
    }

    @Test(arguments: taskNames) func argumentsIncludeDefaults(name: String) throws {
        let t = try task(name)
        #expect(t.name == name)
        #expect(t.arguments == defaultArguments[name])
        #expect(t.fullName == "\(name)(\(defaultArguments[name]!))")
        #expect(!t.summary.isEmpty)
    }

    @Test(arguments: orderSensitiveNames) func orderSensitive(name: String) throws {
        let t = try task(name)
        let s = t.orderSensitivity(length: 12, rng: RandomGenerator(seed: 5))
        #expect(s > 0.3, "\(name): \(s)")
        #expect(t.positionInformation != .none)
    }

    @Test func majorityIsOrderInsensitive() throws {
        let t = try task("majority")
        for length in [1, 2, 7, 12, 40] {
            #expect(t.orderSensitivity(length: length, rng: RandomGenerator(seed: 5)) == 0)
        }
        #expect(t.positionInformation == .none)
    }

    @Test func positionInformation() throws {
        let expected: [String: PositionInformation] = [
            "reverse": .absolute, "shift": .relative, "lookup": .absolute, "before": .relative,
            "duplicate": .relative, "odds-first": .absolute, "adjacent-repeat": .relative, "majority": .none,
        ]
        for (name, info) in expected { #expect(try task(name).positionInformation == info, "\(name)") }
    }

    @Test func minimumLengths() throws {
        let expected = ["reverse": 1, "shift": 1 + 1, "lookup": 2, "before": 3, "duplicate": 2,
                        "odds-first": 1, "adjacent-repeat": 2, "majority": 1]
        for (name, n) in expected { #expect(try task(name).minimumLength == n, "\(name)") }
        #expect(try task("shift(k=5)").minimumLength == 6)
    }

    @Test func vocabularySizes() throws {
        let expected = ["reverse": 8, "shift": 8, "lookup": 72, "before": 10, "duplicate": 9,
                        "odds-first": 8, "adjacent-repeat": 5, "majority": 4]
        for (name, v) in expected { #expect(try task(name).vocabSize == v, "\(name)") }
        #expect(try task("lookup(symbols=5, pointers=10)").vocabSize == 15)
    }
}
