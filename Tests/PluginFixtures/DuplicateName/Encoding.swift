import PosLabModel

/// An encoding named like a built-in: registration must be refused, naming both.
public final class Rope: RegisteredEncoding {
    public static let registryName = "rope"
    public static let summary = "test fixture: a name already taken"
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> Rope { Rope() }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(Rope.self) }
}
