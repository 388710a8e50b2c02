import PosLabCore
import PosLabSupport
import PosLabTasks
import Testing

@Suite struct RegistryTests {
    @Test func allBuiltinsRegistered() {
        let names = Set(TaskRegistry.shared.all.map(\.name))
        #expect(Set(taskNames).isSubset(of: names), "\(names)")
        #expect(TaskRegistry.shared.all.allSatisfy { !$0.summary.isEmpty })
    }

    /// A name registered twice is refused as the encoding registry refuses it: the error names both
    /// origins, and the first registration stays.
    @Test func aDuplicateNameIsRefusedNamingBothOrigins() throws {
        let registry = TaskRegistry()
        try registry.register(ShiftTask.self, origin: .builtIn)
        #expect(configurationError { try registry.register(ShiftTask.self, origin: .program("a test")) }
            == ConfigurationError(field: "shift", rule: "a task of this name is already registered by built-in and again by a test; rename one of them"))
        #expect(registry.all.map(\.origin) == [.builtIn])
        #expect(TaskRegistry.shared.all.allSatisfy { $0.origin == .builtIn })
    }

    @Test func makeReadsArguments() throws {
        let t = try task("shift(k=3)")
        #expect(t.name == "shift" && t.arguments == "k=3;symbols=8" && t.minimumLength == 4)
        #expect(try task("lookup(pointers=16, symbols=5)").arguments == "pointers=16;symbols=5")
        #expect(try task("majority(symbols=7)").vocabSize == 7)
    }

    @Test func unknownArgumentNamesTheField() {
        let e = configurationError { _ = try task("shift(kk=3)") }
        #expect(e?.field == "shift.kk", "\(String(describing: e))")
        #expect(e?.rule.contains("unknown argument") == true)
    }

    @Test func unknownTaskSuggestsNearest() {
        let e = configurationError { _ = try task("revrse") }
        #expect(e?.field == "revrse")
        #expect(e?.rule.contains("did you mean 'reverse'") == true, "\(String(describing: e))")
    }

    @Test func outOfRangeArgumentsThrow() {
        for (text, field) in [("shift(k=0)", "shift.k"), ("reverse(symbols=1)", "reverse.symbols"),
                              ("lookup(pointers=0)", "lookup.pointers"), ("majority(symbols=x)", "majority.symbols"),
                              ("before(symbols=0)", "before.symbols")] {
            let e = configurationError { _ = try task(text) }
            #expect(e?.field == field, "\(text): \(String(describing: e))")
        }
    }
}

@Suite struct AccuracyTests {
    @Test func perfectPredictionScoresOne() {
        let t = ReverseTask()
        let b = t.batch(size: 4, length: 6, rng: RandomGenerator(seed: 1))
        let acc = t.accuracy(predictions: b.targets, batch: b)
        #expect(acc.token == 1 && acc.sequence == 1)
    }

    @Test func oneWrongScoredPosition() {
        let t = ShiftTask(k: 2)
        let b = t.batch(size: 4, length: 6, rng: RandomGenerator(seed: 1))
        let scoredCount = b.mask.filter { $0 != 0 }.count
        #expect(scoredCount == 4 * 4)
        var p = b.targets
        let i = 1 * 6 + 3  // sequence 1, position 3: scored
        #expect(b.mask[i] == 1)
        p[i] = (p[i] + 1) % t.vocabSize
        let acc = t.accuracy(predictions: p, batch: b)
        #expect(abs(acc.token - Double(scoredCount - 1) / Double(scoredCount)) < 1e-12)
        #expect(acc.sequence == 0.75)
    }

    @Test func wrongMaskedPositionChangesNothing() {
        let t = ShiftTask(k: 2)
        let b = t.batch(size: 4, length: 6, rng: RandomGenerator(seed: 1))
        var p = b.targets
        let i = 2 * 6 + 1  // sequence 2, position 1: masked
        #expect(b.mask[i] == 0)
        p[i] = (p[i] + 1) % t.vocabSize
        let acc = t.accuracy(predictions: p, batch: b)
        #expect(acc.token == 1 && acc.sequence == 1)
    }
}
