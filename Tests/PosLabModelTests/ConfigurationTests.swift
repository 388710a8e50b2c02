import PosLabModel
import Testing

@Suite struct ConfigurationTests {
    func error(_ body: () throws -> Void) -> ConfigurationError? {
        do { try body() } catch let e as ConfigurationError { return e } catch { return nil }
        return nil
    }

    @Test func invalidModelConfigsNameTheField() {
        let cases: [(ModelConfig, String, String, String)] = [
            (ModelConfig(vocabSize: 8, dModel: 30, heads: 4), "none", "model.d_model", "divisible by heads"),
            (ModelConfig(vocabSize: 8, layers: 0), "none", "model.layers", "at least 1"),
            (ModelConfig(vocabSize: 1), "none", "model.vocab_size", "at least 2"),
            (ModelConfig(vocabSize: 8, dModel: 9, heads: 3), "sinusoidal", "model.d_model", "even"),
            (ModelConfig(vocabSize: 8, maxLength: 32), "learned(size=16)", "learned.size", "smaller than model.max_length"),
            (ModelConfig(vocabSize: 8), "learned(sise=64)", "learned.sise", "unknown argument"),
            (ModelConfig(vocabSize: 8), "relative-bias(buckets=x)", "relative-bias.buckets", "integer"),
            (ModelConfig(vocabSize: 8), "relative-bias(buckets=32, max_distance=4)", "relative-bias.max_distance", "exceed"),
        ]
        for (config, spec, field, rule) in cases {
            let e = error { _ = try Transformer(config: config, encoding: Spec(parsing: spec), seed: 1) }
            #expect(e?.field == field, "\(spec): \(String(describing: e))")
            #expect(e?.rule.contains(rule) == true, "\(spec): \(String(describing: e))")
        }
    }

    @Test func unknownEncodingSuggestsNearest() {
        let e = error { _ = try Transformer(config: ModelConfig(vocabSize: 8), encoding: Spec(parsing: "sinusodal"), seed: 1) }
        #expect(e?.field == "sinusodal")
        #expect(e?.rule.contains("did you mean 'sinusoidal'") == true, "\(String(describing: e))")
    }

    @Test func specParsing() throws {
        let spec = try Spec(parsing: " relative-bias( buckets=16 , max_distance=64 ) ")
        #expect(spec.name == "relative-bias" && spec.arguments == ["buckets": "16", "max_distance": "64"])
        #expect(spec.description == "relative-bias(buckets=16;max_distance=64)")
        let nested = try Spec(parsing: "randomized(relative-bias(buckets=8, max_distance=20), max_length=64)")
        #expect(nested.arguments == ["encoding": "relative-bias(buckets=8, max_distance=20)", "max_length": "64"])
        #expect(error { _ = try Spec(parsing: "learned(size=3") } != nil)
        // What results and run ids store is read back as the same spec.
        for text in ["none", "learned(size=12)", "relative-bias(buckets=8, max_distance=20)", "randomized(learned, max_length=64)",
                     "randomized(relative-bias(buckets=8, max_distance=20), max_length=64, eval=ordered)", "shift(k=2, symbols=4)"] {
            let spec = try Spec(parsing: text)
            #expect(try Spec(parsing: spec.description) == spec, "\(text) → \(spec.description)")
        }
        #expect(error { _ = try Spec(parsing: "learned(size=3, size=4)") } != nil)
    }

    @Test func registryListsBuiltinsAndRejectsDuplicates() throws {
        #expect(EncodingRegistry.shared.all.map(\.name) == ["abacus", "alibi", "alibi-asym", "cope", "fire", "kerple", "learned", "none", "randomized", "relative-bias", "rope", "shaw",
                                                               "sinusoidal", "xpos"])
        // A name registered twice is refused as the task registry refuses it: both origins named, the first kept.
        let registry = EncodingRegistry()
        try registry.register(NoEncoding.self, origin: .program("test"))
        #expect(error { try registry.register(NoEncoding.self, origin: .plugin(path: "/plugins/libOther.so")) }
            == ConfigurationError(field: "none", rule: "an encoding of this name is already registered by test and again by /plugins/libOther.so; rename one of them"))
        #expect(registry.all.map(\.origin) == [.program("test")])
    }

    /// A wrapper builds what it wraps through the registry building it: randomized(...) in a registry
    /// holding an encoding the shared one lacks resolves that encoding.
    @Test func randomizedWrapsAnEncodingOfItsOwnRegistry() throws {
        let registry = EncodingRegistry()
        try registry.register(RandomizedEncoding.self, origin: .builtIn)
        try registry.register(OnlyInATestRegistry.self, origin: .program("test"))
        #expect(EncodingRegistry.shared.entry(OnlyInATestRegistry.registryName) == nil)
        let context = EncodingContext(config: ModelConfig(vocabSize: 8, maxLength: 8), seed: 1)
        let wrapper = try registry.make(Spec(parsing: "randomized(only-in-a-test-registry, max_length=16)"), context: context)
        let inner = try #require((wrapper as? RandomizedEncoding)?.inner)
        #expect(inner is OnlyInATestRegistry)
        #expect(wrapper.fullName == "randomized(encoding=only-in-a-test-registry;eval=random;max_length=16)")
    }

    @Test func learnedRefusesLongerSequences() throws {
        let model = try Transformer(config: ModelConfig(vocabSize: 8, maxLength: 8), encoding: Spec(name: "learned"), seed: 1)
        #expect(throws: LengthUnsupported.self) { try model.logits(ids: Array(repeating: 1, count: 9), batch: 1, length: 9) }
        let sinusoidal = try Transformer(config: ModelConfig(vocabSize: 8, maxLength: 8), encoding: Spec(name: "sinusoidal"), seed: 1)
        #expect(try sinusoidal.logits(ids: Array(repeating: 1, count: 20), batch: 1, length: 20).shape == [1, 20, 8])
    }

    /// Seeds are paired: the same seed gives identical shared weights whatever the encoding.
    @Test func sharedWeightsArePairedAcrossEncodings() throws {
        let config = ModelConfig(vocabSize: 8, dModel: 16, layers: 2, heads: 2, maxLength: 8)
        let models = try ["none", "learned", "sinusoidal", "relative-bias"].map {
            try Transformer(config: config, encoding: Spec(name: $0), seed: 21)
        }
        let shared = { (m: Transformer) in m.parameters.prefix(m.parameters.count - m.encoding.parameters.count).map(\.values) }
        for m in models.dropFirst() { #expect(shared(m) == shared(models[0])) }
        let other = try Transformer(config: config, encoding: Spec(name: "none"), seed: 22)
        #expect(shared(other) != shared(models[0]))
    }
}

/// An encoding only a test's registry has.
final class OnlyInATestRegistry: RegisteredEncoding {
    static var registryName: String { "only-in-a-test-registry" }
    static var summary: String { "registered in one test's registry, never in the shared one" }
    static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> OnlyInATestRegistry { OnlyInATestRegistry() }
}
