import PosLabCore
import PosLabSupport

/// `cycle_navigation`: where a walk on a cycle ends (DeepMind's Chomsky-hierarchy suite, regular;
/// Delétang et al. 2023, google-deepmind/randomized_positional_encodings
/// `tasks/regular/cycle_navigation.py`).
///
/// Input: n moves drawn uniformly from ids 0, 1, 2, meaning a step of −1 (left), 0 (stay) and +1
/// (right): id = step + 1, as the reference one-hot encodes them. Answer: one token, the final
/// position (Σ steps) mod `cycle_length`, starting from 0, in 0 ..< cycle_length; scored.
/// Vocabulary: input 0, 1, 2; output 0 ..< cycle_length. Examples from the reference's docstring
/// (steps +1 −1 0 −1 −1 are ids 2 0 1 0 0): 2 0 1 0 0 → −2 → 3; 2 2 2 0 → 2. Every n ≥ 1 is defined.
///
/// Decision beyond the reference: the reference fixes the cycle at 5 states; here it is the
/// argument `cycle_length` (default 5, the reference's).
///
/// Position information: none — the answer is a function of the bag of moves (PosLab therefore
/// counts it as a control task in summaries).
public struct CycleNavigationTask: RegisteredTask, PromptTask {
    public static let registryName = "cycle_navigation"
    public static let summary = "regular · the final position of a walk of −1/0/+1 steps on a cycle (DeepMind)"
    public var arguments: String { "cycle_length=\(cycleLength);form=\(form.rawValue)" }
    /// The number of states on the cycle.
    public let cycleLength: Int
    public let form: TaskForm
    public var inputSize: Int { 3 }
    public var outputSize: Int { cycleLength }
    public var positionInformation: PositionInformation { .none }

    public init(cycleLength: Int = 5, form: TaskForm = .encoder) {
        precondition(cycleLength >= 2, "cycle_navigation needs at least 2 states")
        self.cycleLength = cycleLength
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> CycleNavigationTask {
        CycleNavigationTask(cycleLength: try arguments.int("cycle_length", default: 5, in: 2...4096),
                            form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        (0..<n).map { _ in rng.int(below: 3) }
    }

    public func answer(for input: [Int]) -> [Int] {
        var position = 0
        for move in input { position = (position + move - 1 + cycleLength) % cycleLength }
        return [position]
    }
}
