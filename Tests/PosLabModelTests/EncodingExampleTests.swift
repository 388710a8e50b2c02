import PosLabModel
import Testing

// The README's "Adding an encoding" example, compiled and checked here so the README stays true.

/// `scaled-sinusoidal`: the sinusoidal table times one learned scalar.
final class ScaledSinusoidal: RegisteredEncoding {
    static let registryName = "scaled-sinusoidal"
    static let summary = "sinusoidal table times a learned scalar"
    let table: SinusoidalEncoding
    let scale = Tensor.filled([1], value: 1, label: "scaled-sinusoidal.scale")
    var parameters: [Tensor] { [scale] }

    init(dModel: Int) { table = SinusoidalEncoding(dModel: dModel) }

    static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> ScaledSinusoidal {
        ScaledSinusoidal(dModel: context.dModel)
    }

    func embed(_ x: Tensor, context: HookContext) -> Tensor {   // x: (B, T, C)
        let pe = table.embed(Tensor(zeros: [1, context.length, x.shape[2]]), context: context)
        return x + pe * scale                                    // (1, T, C) · (1) broadcasts
    }
}

@Suite struct ReadmeExampleTests {
    @Test func exampleEncodingRegistersTrainsAndChecks() throws {
        let registry = EncodingRegistry()
        try registry.register(ScaledSinusoidal.self, origin: "README")
        let config = smallConfig(maxLength: 6)
        let model = try Transformer(config: config, encoding: Spec(parsing: "scaled-sinusoidal"), seed: 1, registry: registry)
        #expect(model.parameters.last === model.encoding.parameters.first)
        let result = checkGradients(of: model.encoding.parameters) {
            try! model.loss(ids: [1, 2, 3, 4, 5, 6], targets: [6, 5, 4, 3, 2, 1], mask: nil, batch: 1, length: 6)
        }
        #expect(result.passed, "\(result)")
    }
}
