import PosLabModel

/// A plugin's own error type, thrown from `make`: the host must name the encoding with it.
public enum FixtureError: Error { case needsEightHeads(got: Int) }

public final class ThrowingMake: RegisteredEncoding {
    public static let registryName = "throwing-make"
    public static let summary = "test fixture: make throws its own error"
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> ThrowingMake {
        throw FixtureError.needsEightHeads(got: context.heads)
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(ThrowingMake.self) }
}
