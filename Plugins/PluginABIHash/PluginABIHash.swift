import PackagePlugin

/// Derives PosLab's plugin ABI version from the plugin-facing interface: runs `poslab-abi-hash` on
/// every Swift source of PosLabModel and of the PosLab modules it depends on (the modules a plugin
/// compiles against: PosLabModel re-exports them) and compiles its output into PosLabModel
/// (`PluginABI.interfaceHash`).
///
/// Every source, not a hand-kept list of the "interface" files, and not only their public
/// declarations: PosLab is built without library evolution, so a plugin compiles in the layout of
/// every public type it touches — internal stored properties included — and the bodies of
/// inlinable code. A list missed what it did not name (RegistryOrigin.swift was not on it); a
/// `.swiftinterface` needs library evolution, which would put resilient access on the hot paths;
/// a symbol graph omits internal stored properties. So any change of a declaration in these modules
/// is a new version, and a plugin built before it is refused with "rebuild it" instead of running
/// against a layout it does not know. Comments and blank lines are left out of the hash.
@main
struct PluginABIHash: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let sources = context.package.directoryURL.appending(path: "Sources")
        let modules = ([target] + target.recursiveTargetDependencies).compactMap(\.sourceModule)
        let files = modules.flatMap { $0.sourceFiles(withSuffix: "swift").map(\.url) }
        let output = context.pluginWorkDirectoryURL.appending(path: "PluginABIHash.swift")
        return [.buildCommand(displayName: "Hashing PosLab's plugin interface",
                              executable: try context.tool(named: "poslab-abi-hash").url,
                              arguments: [output.path, sources.path] + files.map(\.path), inputFiles: files, outputFiles: [output])]
    }
}
