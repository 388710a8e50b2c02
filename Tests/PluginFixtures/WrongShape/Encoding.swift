import PosLabModel

/// A bias one row and one column too large, (H, T+1, T+1): a FAIL naming the hook, not a crash.
public final class WrongShape: RegisteredEncoding {
    public static let registryName = "wrong-shape"
    public static let summary = "test fixture: bias of the wrong shape"
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> WrongShape { WrongShape() }

    public func attentionBias(context: HookContext) -> Tensor? {
        .constant(filled: 0, shape: [context.heads, context.length + 1, context.length + 1])
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(WrongShape.self) }
}
