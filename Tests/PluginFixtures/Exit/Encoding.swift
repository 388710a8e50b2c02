import Foundation
import PosLabModel

/// Ends the process with exit(0) in its embedding hook: the host must not take that for success.
public final class Exit: RegisteredEncoding {
    public static let registryName = "exit"
    public static let summary = "test fixture: exit(0) in a hook"
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> Exit { Exit() }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor { Foundation.exit(0) }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(Exit.self) }
}
