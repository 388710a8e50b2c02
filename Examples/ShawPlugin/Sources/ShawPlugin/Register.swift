import PosLabModel

/// The plugin's one entry point: PosLab calls it after loading the library.
@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { registrar in
        try registrar.register(RelativeKeys.self)
    }
}
