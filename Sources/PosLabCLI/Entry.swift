/// The entry point the `poslab` launcher calls (Sources/poslab/main.c).
///
/// The whole tool lives in libPosLab.so, the one library plugins link too: the launcher loads it,
/// and a plugin loaded later resolves its `libPosLab.so` to this copy, so the host and every plugin
/// share one `Tensor`, one `ConfigurationError` and one registry (checked by `PluginLoader`).
@_cdecl("poslab_main")
public func poslabMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    PosLab.main(arguments: (1..<Int(argc)).map { String(cString: argv[$0]!) })
    return 0
}
