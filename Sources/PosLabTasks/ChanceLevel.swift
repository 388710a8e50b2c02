import PosLabSupport

// MARK: - Chance level

extension SequenceTask {
    /// The token accuracy of the best guess that ignores the inputs: at every position, the target
    /// seen there most often. The guess is chosen on half of `trials` sequences of `length` (drawn
    /// with a fixed seed) and scored on the other half, so that the estimate is not biased upwards
    /// by picking the luckiest class.
    ///
    /// This is 1/symbols for a task whose targets are uniform (shift, reverse), and more where they
    /// are not: `majority` breaks ties towards the smallest id, so always answering 0 does better.
    ///
    /// `majority`'s is computed exactly (`MajorityTask.exactChanceLevel`): its one target per
    /// sequence makes the scored positions of a sequence move together, and an estimate from
    /// 160,000 positions had a standard error of 0.005–0.009.
    public func chanceLevel(length: Int, trials: Int = 2000) -> Double {
        if let majority = self as? MajorityTask, let exact = majority.exactChanceLevel(length: length) { return exact }
        let rng = RandomGenerator(seed: 7, stream: "chance/\(fullName)/\(length)")
        let tokens = sequenceLength(size: length)
        var counts = [[Int: Int]](repeating: [:], count: tokens)
        for _ in 0..<(trials / 2) {
            let labels = label(sample(length: length, rng: rng))
            let weights = labels.scoreMask ?? labels.mask
            for t in 0..<tokens where weights[t] != 0 { counts[t][labels.targets[t], default: 0] += 1 }
        }
        // Ties go to the smallest id, so that the guess does not depend on dictionary order.
        let guess = counts.map { c in c.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key }
        var right = 0, scored = 0
        for _ in 0..<(trials - trials / 2) {
            let labels = label(sample(length: length, rng: rng))
            let weights = labels.scoreMask ?? labels.mask
            for t in 0..<tokens where weights[t] != 0 {
                scored += 1
                if labels.targets[t] == guess[t] { right += 1 }
            }
        }
        return scored > 0 ? Double(right) / Double(scored) : 0
    }
}
