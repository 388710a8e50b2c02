import PosLabCore
import PosLabSupport

/// `stack_manipulation`: a stack after a sequence of POP and PUSH instructions (DeepMind's
/// Chomsky-hierarchy suite, deterministic context-free; Delétang et al. 2023,
/// google-deepmind/randomized_positional_encodings `tasks/dcf/stack_manipulation.py`).
///
/// Input of size n: an initial stack of bits (ids 0, 1), bottom to top, then instructions POP = 2,
/// PUSH 0 = 3, PUSH 1 = 4. Drawn as the reference draws it: for n = 1, one bit and no instruction;
/// otherwise a stack size k uniform in 1 ... n − 1, k uniform bits, then n − k instructions
/// uniform over the three. A POP on an empty stack does nothing.
/// Answer: n + 1 tokens (DeepMind's `output_length`): the final stack top to bottom, the
/// termination token 2, then 0s up to n + 1. Scored (DeepMind's `accuracy_mask`): the stack and
/// the termination token; the padding 0s after it are trained on but not scored.
/// Vocabulary: input 0 ..< 5 as above; output 0, 1 (bits) and 2 (termination).
/// Examples from the reference's docstring: 0 1 1 0 PUSH 1 POP POP (ids 0 1 1 0 4 2 2) →
/// 1 1 0 2 0 0 0 0 (scored 1 1 1 1 0 0 0 0); 1 1 0 POP POP POP (ids 1 1 0 2 2 2) → 2 0 0 0 0 0 0
/// (the empty stack: only the termination token scored). Every n ≥ 1 is defined. The reference's
/// docstring pads its second example to 8 tokens; its code (and this task) to n + 1 = 7.
///
/// `answer(for:)` reads every token as an instruction: 0 and 1 push themselves (the initial stack
/// is pushed bottom first), 2 pops, 3 and 4 push 0 and 1 — for the generator's inputs the same as
/// the reference's rule; any other id is ignored.
///
/// Position information: absolute — the answer writes the k-th stack element at the k-th answer slot.
public struct StackManipulationTask: RegisteredTask, PromptTask {
    public static let registryName = "stack_manipulation"
    public static let summary = "deterministic context-free · a bit stack after POP/PUSH instructions, top first (DeepMind)"
    public var arguments: String { "form=\(form.rawValue)" }
    public let form: TaskForm
    public var inputSize: Int { 5 }
    public var outputSize: Int { 3 }
    public var positionInformation: PositionInformation { .absolute }

    /// Instruction ids.
    public static let pop = 2, pushZero = 3, pushOne = 4
    /// The answer's termination token.
    public static let termination = 2

    public init(form: TaskForm = .encoder) {
        self.form = form
    }

    public static func make(_ arguments: inout SpecArguments) throws -> StackManipulationTask {
        StackManipulationTask(form: try TaskForm.read(&arguments, default: .encoder))
    }

    public func answerLength(size n: Int) -> Int { n + 1 }

    public func sampleInput(size n: Int, rng: RandomGenerator) -> [Int] {
        if n == 1 { return [rng.int(below: 2)] }
        let k = rng.int(in: 1...(n - 1))
        return (0..<k).map { _ in rng.int(below: 2) } + (k..<n).map { _ in rng.int(in: 2...4) }
    }

    public func answer(for input: [Int]) -> [Int] {
        var stack: [Int] = []
        for token in input {
            switch token {
            case 0, 1: stack.append(token)
            case Self.pop: _ = stack.popLast()
            case Self.pushZero: stack.append(0)
            case Self.pushOne: stack.append(1)
            default: break
            }
        }
        let answer = stack.reversed() + [Self.termination]
        return answer + [Int](repeating: 0, count: max(0, input.count + 1 - answer.count))
    }

    /// Scored: up to and including the first termination token.
    public func answerScoreMask(_ answer: [Int]) -> [Float] {
        let end = answer.firstIndex(of: Self.termination) ?? answer.count - 1
        return answer.indices.map { $0 <= end ? 1 : 0 }
    }
}
