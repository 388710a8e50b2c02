import PosLabModel

/// ALiBi's bias, until the third call of its hook in a process, which writes through a null
/// pointer: it passes `poslab run`'s check that it changes the output (one call) and then crashes
/// while training, where the run must be recorded `failed` naming SIGSEGV and the suite go on.
public final class CrashThirdCall: RegisteredEncoding {
    public static let registryName = "crash-third-call"
    public static let summary = "test fixture: segfault on the third call of its hook"
    nonisolated(unsafe) static var calls = 0
    let alibi: ALiBiEncoding

    init(_ context: EncodingContext) { alibi = ALiBiEncoding(heads: context.heads, bidirectional: context.attention == .bidirectional) }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> CrashThirdCall {
        CrashThirdCall(context)
    }

    public func attentionBias(context: HookContext) -> Tensor? {
        Self.calls += 1
        if Self.calls == 3 {
            let null = UnsafeMutablePointer<Float>(bitPattern: 8)!
            null.pointee = 1  // SIGSEGV
        }
        return context.forEachRow { alibi.bias($0) }
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(CrashThirdCall.self) }
}
