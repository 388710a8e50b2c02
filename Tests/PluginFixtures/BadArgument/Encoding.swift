import PosLabModel

/// A KERPLE-like bias whose `make` range-checks an argument with PosLab's own `SpecArguments`: the
/// `ConfigurationError` it throws is the host's type, so `run` reports it as it does a built-in's.
public final class BadArgument: RegisteredEncoding {
    public static let registryName = "kerple-log"
    public static let summary = "test fixture: r1 must be in 0.001...100"
    public let r1: Double
    init(r1: Double) { self.r1 = r1 }
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> BadArgument {
        BadArgument(r1: try arguments.double("r1", default: 1, in: 0.001...100))
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(BadArgument.self) }
}
