import PosLabModel

/// Writes through a null pointer in its bias hook: a segfault the host must report as a FAIL.
public final class Crash: RegisteredEncoding {
    public static let registryName = "crash"
    public static let summary = "test fixture: segfault in a hook"
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> Crash { Crash() }

    public func attentionBias(context: HookContext) -> Tensor? {
        let null = UnsafeMutablePointer<Float>(bitPattern: 8)!
        null.pointee = 1  // SIGSEGV
        return nil
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(Crash.self) }
}
