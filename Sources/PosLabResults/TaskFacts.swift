import Foundation
import PosLabModel
import PosLabTasks

/// What statistics need to know about a task named in results: whether it is an
/// order-insensitive control, its chance level and its order-blind ceiling at a length (built-in
/// tasks only; a task the registry does not know has none of them).
public final class TaskFacts: @unchecked Sendable {
    /// Sequences the chance level at `length` is estimated from (half choose the guess, half score
    /// it): about 160,000 scored positions, so the estimate's standard error is below 0.002.
    public static func chanceTrials(length: Int) -> Int { max(2000, 160_000 / max(length, 1)) }

    private let registry: TaskRegistry
    private var tasks: [String: (any SequenceTask)?] = [:]
    private var chance: [String: Double] = [:]
    private var orderBlind: [String: Double?] = [:]
    private let lock = NSLock()

    public init(registry: TaskRegistry = .shared) { self.registry = registry }

    private func task(_ name: String) -> (any SequenceTask)? {
        lock.withLock {
            if let known = tasks[name] { return known }
            let made = (try? Spec(parsing: name)).flatMap { try? registry.make($0) }
            tasks[name] = made
            return made
        }
    }

    /// Whether `task` (as written in results, e.g. `majority(symbols=4)`) needs no order: a control.
    public func isControl(_ task: String) -> Bool { self.task(task)?.positionInformation == PositionInformation.none }

    /// The token accuracy of the best input-blind guess for `task` at `length` (`SequenceTask.chanceLevel`).
    public func chanceLevel(_ task: String, length: Int) -> Double? {
        guard let t = self.task(task) else { return nil }
        let key = "\(task)\u{1}\(length)"
        if let known = lock.withLock({ chance[key] }) { return known }
        guard length >= t.minimumLength, t.maximumLength.map({ length <= $0 }) ?? true, t.undefinedSizeReason(length) == nil else { return nil }
        let value = t.chanceLevel(length: length, trials: Self.chanceTrials(length: length))
        lock.withLock { chance[key] = value }
        return value
    }

    /// The token accuracy of the best order-blind predictor for `task` at `length` — own token and
    /// bag of tokens, no positions (`SequenceTask.orderBlindCeiling`); nil for tasks without one.
    public func orderBlindCeiling(_ task: String, length: Int) -> Double? {
        guard let t = self.task(task) else { return nil }
        let key = "\(task)\u{1}\(length)"
        if let known = lock.withLock({ orderBlind[key] }) { return known }
        let value = t.orderBlindCeiling(length: length)?.value
        lock.withLock { orderBlind[key] = .some(value) }
        return value
    }
}
