import PosLabSupport
import PosLabTasks
import Testing

/// Hand-checked labels for each task, and the shape of its sampled inputs.
@Suite struct TaskDefinitionTests {
    @Test func reverse() {
        let t = ReverseTask()
        #expect(t.label([1, 2, 3]) == Labels(targets: [3, 2, 1], mask: [1, 1, 1]))
        #expect(t.label([5]) == Labels(targets: [5], mask: [1]))
    }

    @Test func shift() {
        let t = ShiftTask(k: 2)
        #expect(scored(t.label([4, 5, 6, 7, 0])) == [nil, nil, 4, 5, 6])
        #expect(scored(ShiftTask().label([1, 2, 3])) == [nil, 1, 2])
        #expect(scored(t.label([1, 2])) == [nil, nil])
    }

    @Test func lookup() {
        let t = LookupTask(symbols: 4, pointers: 8)
        // Pointer to position 3 is id 4 + 3 − 1 = 6.
        #expect(t.pointerToken(3) == 6)
        #expect(scored(t.label([6, 0, 1, 2, 3])) == [2, nil, nil, nil, nil])
        #expect(scored(t.label([4, 3, 1])) == [3, nil, nil])  // pointer to position 1
        // A pointer past the end, or no pointer: nothing scored.
        #expect(scored(t.label([t.pointerToken(5), 0, 1])) == [nil, nil, nil])
        #expect(scored(t.label([1, 0, 1])) == [nil, nil, nil])
    }

    @Test func lookupSamplesPointersInRange() {
        let rng = RandomGenerator(seed: 2)
        for (pointers, length) in [(3, 10), (64, 5), (64, 2), (8, 9)] {
            let t = LookupTask(symbols: 4, pointers: pointers)
            var seen = Set<Int>()
            for _ in 0..<300 {
                let x = t.sample(length: length, rng: rng)
                let p = x[0] - t.symbols + 1
                #expect((1...min(length - 1, pointers)).contains(p))
                #expect(x.dropFirst().allSatisfy { $0 < t.symbols })
                seen.insert(p)
            }
            #expect(seen == Set(1...min(length - 1, pointers)), "pointers=\(pointers) n=\(length)")
        }
    }

    @Test func before() {
        let t = BeforeTask(symbols: 3)
        let (a, b, yes, no) = (t.markerA, t.markerB, t.yes, t.no)
        #expect([a, b, yes, no] == [3, 4, 5, 6])
        #expect(scored(t.label([0, a, 1, b, 2])) == [nil, nil, nil, nil, yes])
        #expect(scored(t.label([0, b, 1, a, 2])) == [nil, nil, nil, nil, no])
        #expect(scored(t.label([a, 1, b])) == [nil, nil, yes])  // a marker in the last position
        #expect(scored(t.label([b, 1, a])) == [nil, nil, no])
        #expect(scored(t.label([b, a])) == [nil, no])
    }

    @Test func beforeSamplesOneOfEachMarkerBalanced() {
        let t = BeforeTask()
        let rng = RandomGenerator(seed: 4)
        var yesCount = 0, markerLast = 0
        let trials = 2000
        for _ in 0..<trials {
            let x = t.sample(length: 6, rng: rng)
            #expect(x.filter { $0 == t.markerA }.count == 1 && x.filter { $0 == t.markerB }.count == 1)
            #expect(x.allSatisfy { $0 < t.symbols || $0 == t.markerA || $0 == t.markerB })
            if t.label(x).targets[5] == t.yes { yesCount += 1 }
            if x[5] >= t.symbols { markerLast += 1 }
        }
        #expect(abs(Double(yesCount) / Double(trials) - 0.5) < 0.05)
        #expect(markerLast > 0)
    }

    @Test func duplicate() {
        let t = DuplicateTask(symbols: 4)
        let blank = t.blank
        #expect(blank == 4)
        #expect(scored(t.label([1, 2, 3, blank, blank, blank])) == [nil, nil, nil, 1, 2, 3])
        // Odd length: the extra last position is masked.
        #expect(scored(t.label([1, 2, blank, blank, blank])) == [nil, nil, 1, 2, nil])
        #expect(scored(t.label([3, blank])) == [nil, 3])
        let x = t.sample(length: 7, rng: RandomGenerator(seed: 1))
        #expect(x[..<3].allSatisfy { $0 < 4 } && x[3...].allSatisfy { $0 == blank })
    }

    @Test func oddsFirst() {
        let t = OddsFirstTask()
        let (a, b, c, d, e) = (0, 1, 2, 3, 4)
        #expect(t.label([a, b, c, d, e]) == Labels(targets: [b, d, a, c, e], mask: [1, 1, 1, 1, 1]))
        #expect(t.label([a, b, c, d]).targets == [b, d, a, c])
        #expect(t.label([a]).targets == [a])
    }

    @Test func adjacentRepeat() {
        let t = AdjacentRepeatTask()
        let (s, d) = (t.same, t.different)
        #expect([s, d] == [3, 4])
        #expect(scored(t.label([0, 0, 1, 2, 2, 2, 0])) == [nil, s, d, d, s, s, d])
        #expect(scored(t.label([1])) == [nil])
    }

    @Test func majority() {
        let t = MajorityTask()
        #expect(t.label([2, 1, 2, 3]) == Labels(targets: [2, 2, 2, 2], mask: [1, 1, 1, 1]))
        // A tie goes to the smallest id.
        #expect(t.label([3, 1, 3, 1, 0]).targets == [1, 1, 1, 1, 1])
        #expect(t.label([2, 3]).targets == [2, 2])
    }
}
