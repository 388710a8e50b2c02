import PosLabModel

/// A bias of the right shape whose values are NaN: a FAIL naming the hook and the element.
public final class NaNBias: RegisteredEncoding {
    public static let registryName = "nan-bias"
    public static let summary = "test fixture: NaN bias"
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> NaNBias { NaNBias() }

    public func attentionBias(context: HookContext) -> Tensor? {
        .constant(filled: .nan, shape: [context.length, context.length])
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(NaNBias.self) }
}
