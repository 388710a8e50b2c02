import PackagePlugin

/// Derives PosLab's plugin ABI version from the plugin-facing interface: runs `poslab-abi-hash` on
/// the files below and compiles its output into PosLabModel (`PluginABI.interfaceHash`).
@main
struct PluginABIHash: BuildToolPlugin {
    /// What a plugin compiles against and the host relies on: the encoding protocol and its
    /// context, registration, specs, errors and attention modes (PosLabCore), and the tensor's layout.
    static let interface = [
        "Sources/PosLabModel/PositionalEncoding.swift", "Sources/PosLabModel/HookContext.swift",
        "Sources/PosLabModel/Positions.swift", "Sources/PosLabModel/HookError.swift",
        "Sources/PosLabModel/EncodingRegistry.swift", "Sources/PosLabModel/Plugins.swift",
        "Sources/PosLabModel/ModelConfig.swift", "Sources/PosLabCore/Spec.swift",
        "Sources/PosLabCore/SpecArguments.swift", "Sources/PosLabCore/ConfigurationError.swift",
        "Sources/PosLabCore/AttentionMode.swift", "Sources/PosLabCore/UserError.swift",
        "Sources/PosLabEngine/Tensor.swift", "Sources/PosLabEngine/Storage.swift",
    ]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let files = Self.interface.map { context.package.directoryURL.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "PluginABIHash.swift")
        return [.buildCommand(displayName: "Hashing PosLab's plugin interface",
                              executable: try context.tool(named: "poslab-abi-hash").url,
                              arguments: [output.path] + files.map(\.path), inputFiles: files, outputFiles: [output])]
    }
}
