import PosLabModel

/// Written for protocol 1: its bias has the old signature, `attentionBias(positions:layer:)`, so it
/// matches no hook of protocol 2; it compiles as an ordinary method and is never called, and the
/// encoding would train as `none`. `poslab run` must refuse it, unless it declares itself
/// positionless (`inert-v1(positionless=1)`).
public final class InertV1: RegisteredEncoding {
    public static let registryName = "inert-v1"
    public static let summary = "test fixture: a protocol-1 hook that is never called"
    public let isPositionless: Bool
    public var arguments: String { isPositionless ? "positionless=1" : "" }

    init(positionless: Bool) { isPositionless = positionless }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> InertV1 {
        InertV1(positionless: try arguments.int("positionless", default: 0, in: 0...1) == 1)
    }

    public func attentionBias(positions: [Int], layer: Int) -> Tensor? {
        .constant(filled: -1, shape: [positions.count, positions.count])
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(InertV1.self) }
}
