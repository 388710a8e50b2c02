import Foundation
import PosLabModel
import PosLabRunner
import PosLabStudy
import PosLabTasks
import Testing

/// Copies its input; supplies position ids counted from the end (T−1, …, 0), as an index hint would.
struct CountdownTask: RegisteredTask {
    static let registryName = "countdown"
    static let summary = "test only: identity with position ids counted from the end"
    var vocabSize: Int { 4 }
    var positionInformation: PositionInformation { .none }
    static func make(_ arguments: inout SpecArguments) throws -> CountdownTask { CountdownTask() }
    func sample(length: Int, rng: RandomGenerator) -> [Int] { (0..<length).map { _ in rng.int(below: 4) } }
    func label(_ inputs: [Int]) -> Labels { Labels(targets: inputs, mask: inputs.map { _ in 1 }) }
    func positionIDs(_ inputs: [Int]) -> [Int]? { Array((0..<inputs.count).reversed()) }
}

/// Records the positions its embedding hook is given.
final class PositionRecorder: RegisteredEncoding {
    static let registryName = "position-recorder"
    static let summary = "test only: records positions"
    nonisolated(unsafe) static var seen: [Positions] = []
    static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> PositionRecorder { PositionRecorder() }
    func embed(_ x: Tensor, context: HookContext) -> Tensor {
        Self.seen.append(context.positions)
        return x
    }
}

@Suite(.serialized) struct TaskPositionsTests {
    @Test func aTaskCanSupplyPositionIDs() throws {
        let batch = CountdownTask().batch(size: 3, length: 4, rng: RandomGenerator(seed: 1))
        #expect(batch.positions == [3, 2, 1, 0, 3, 2, 1, 0, 3, 2, 1, 0])
        #expect(try TaskRegistry.shared.make(Spec(name: "shift")).batch(size: 2, length: 4, rng: RandomGenerator(seed: 1)).positions == nil)

        let encodings = EncodingRegistry(), tasks = TaskRegistry()
        try encodings.register(PositionRecorder.self, origin: .program("test"))
        try tasks.register(CountdownTask.self, origin: .program("test"))
        let yaml = """
            encodings: [position-recorder]
            tasks: [countdown]
            seeds: [1]
            model: {d_model: 8, layers: 1, heads: 2}
            training: {steps: 2, batch_size: 3, length: 5}
            evaluation: {lengths: [6], size: 4}
            """
        let suite = try Suite.parse(yaml: yaml, file: "t.yaml", defaultName: "t", encodings: encodings, tasks: tasks)
        PositionRecorder.seen = []
        let result = try Trainer(suite: suite, encodings: encodings, tasks: tasks)
            .run(suite.runs[0])
        #expect(result.status == .ok)
        // Two training batches of 3 × 5, then one evaluation chunk of 4 × 6, every row counting down.
        #expect(PositionRecorder.seen == [Positions(perSequence: Array(repeating: [4, 3, 2, 1, 0], count: 3).flatMap { $0 }, rows: 3),
                                          Positions(perSequence: Array(repeating: [4, 3, 2, 1, 0], count: 3).flatMap { $0 }, rows: 3),
                                          Positions(perSequence: Array(repeating: [5, 4, 3, 2, 1, 0], count: 4).flatMap { $0 }, rows: 4)],
                "\(PositionRecorder.seen)")
    }
}
