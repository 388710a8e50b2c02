import PosLabModel
import Testing

// docs/writing-an-encoding.md's example encoding, compiled and checked here. The test command checks
// that the page shows these lines (Scripts/docs_examples.py, `checked-by`), so the two cannot drift.

/// `scaled-sinusoidal`: the sinusoidal table times one learned scalar.
public final class ScaledSinusoidal: RegisteredEncoding {
    public static let registryName = "scaled-sinusoidal"
    public static let summary = "sinusoidal table times a learned scalar"
    let table: SinusoidalEncoding
    let scale = Tensor.filled([1], value: 1, label: "scaled-sinusoidal.scale")
    public var parameters: [Tensor] { [scale] }

    init(dModel: Int) { table = SinusoidalEncoding(dModel: dModel) }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> ScaledSinusoidal {
        ScaledSinusoidal(dModel: context.dModel)
    }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor {   // x: (B, T, C)
        let pe = table.embed(Tensor(zeros: [1, context.length, x.shape[2]]), context: context)
        return x + pe * scale                                            // (1, T, C) · (1) broadcasts
    }
}

@Suite struct EncodingExampleTests {
    @Test func exampleEncodingRegistersTrainsAndChecks() throws {
        let registry = EncodingRegistry()
        try registry.register(ScaledSinusoidal.self, origin: .program("README"))
        let config = smallConfig(maxLength: 6)
        let model = try Transformer(config: config, encoding: Spec(parsing: "scaled-sinusoidal"), seed: 1, registry: registry)
        #expect(model.parameters.last === model.encoding.parameters.first)
        let result = checkGradients(of: model.encoding.parameters) {
            try! model.loss(ids: [1, 2, 3, 4, 5, 6], targets: [6, 5, 4, 3, 2, 1], mask: nil, batch: 1, length: 6)
        }
        #expect(result.passed, "\(result)")
    }
}
