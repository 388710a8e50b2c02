import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a plugin from Swift sources — one `.swift` file, or a folder of them — with `swiftc`
/// against the modules of the libPosLab.so this process runs on (`Modules/` in the build folder
/// beside it), without compiling PosLab again, into a cache:
///
///     <cache>/<Module>-<key>/lib<Module>.so
///
/// where `<key>` is a SHA-256 of the sources (names and contents), the plugin ABI version and the
/// host library's identity (its ELF build id, else its content hash). A second build of the same
/// sources against the same PosLab is a cache hit; editing a source or rebuilding PosLab is a
/// miss. `<cache>` is `$POSLAB_PLUGIN_CACHE`, else `$XDG_CACHE_HOME/poslab/plugins`, else
/// `~/.cache/poslab/plugins` (see docs/plugins.md). A failed build caches nothing.
public struct PluginBuilder {
    /// The outcome of `build`.
    public struct Built {
        /// The library to load.
        public var library: String
        /// Whether it came from the cache.
        public var cached: Bool
        /// The wall-clock seconds `swiftc` took (0 for a cache hit).
        public var seconds: Double
        /// The source files compiled, absolute.
        public var sources: [String]
    }

    /// libPosLab.so, resolved (the host the plugin is built against).
    public let hostLibrary: String
    /// The cache folder.
    public let cache: URL
    /// The compiler.
    public let swiftc: String

    /// The host is the libPosLab.so mapped into this process; `cache` and `swiftc` default as above.
    public init(cache: URL? = nil, swiftc: String? = nil) throws {
        let library = PluginLoader.mappedFile(containing: poslabLibraryIdentityAddress)
        self.hostLibrary = URL(fileURLWithPath: library).resolvingSymlinksInPath().path
        self.cache = cache ?? Self.defaultCache
        self.swiftc = swiftc ?? Self.defaultCompiler
    }

    /// `$POSLAB_PLUGIN_CACHE`, else `$XDG_CACHE_HOME/poslab/plugins`, else `~/.cache/poslab/plugins`.
    public static var defaultCache: URL {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["POSLAB_PLUGIN_CACHE"], !folder.isEmpty { return URL(fileURLWithPath: folder) }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("poslab/plugins")
    }

    /// `$POSLAB_SWIFTC`, else the `swiftc` of the toolchain whose runtime this process runs on (the
    /// one that built PosLab's modules, which only the same compiler reads), else `swiftc` on PATH.
    public static var defaultCompiler: String {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["POSLAB_SWIFTC"], !path.isEmpty { return path }
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "swift_retain") {
            // …/usr/lib/swift/linux/libswiftCore.so → …/usr/bin/swiftc
            let runtime = URL(fileURLWithPath: PluginLoader.mappedFile(containing: symbol))
            let compiler = runtime.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("bin/swiftc").path
            if FileManager.default.isExecutableFile(atPath: compiler) { return compiler }
        }
        for folder in (environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(folder)/swiftc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "swiftc"
    }

    /// Whether `path` names plugin sources: a `.swift` file, or a folder holding `.swift` files
    /// (and no Package.swift). Anything else is a library for `PluginLoader`.
    public static func isSource(_ path: String) -> Bool {
        if path.hasSuffix(".swift") { return true }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return false }
        return !swiftFiles(in: URL(fileURLWithPath: path)).isEmpty
    }

    /// The `.swift` files under `folder` (hidden folders and `.build` left out), sorted.
    static func swiftFiles(in folder: URL) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else { return [] }
        var files: [URL] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(url) }
        }
        return files.map(\.standardizedFileURL).sorted { $0.path < $1.path }
    }

    /// The source files `path` names, and the module name the plugin is compiled as.
    public static func sources(_ path: String) throws -> (files: [URL], module: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw PluginError(path: path, reason: "no such file")
        }
        if !isFolder.boolValue {
            return ([url], moduleName(url.deletingPathExtension().lastPathComponent))
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            throw PluginError(path: path, reason: "is a Swift package: build it with `swift build -c release` and give its library (see docs/plugins.md), or give its .swift files' folder")
        }
        let files = swiftFiles(in: url)
        guard !files.isEmpty else { throw PluginError(path: path, reason: "holds no .swift file") }
        return (files, moduleName(url.lastPathComponent))
    }

    /// A Swift module name from a file or folder name: letters, digits and `_`, not starting with a
    /// digit, and not one of PosLab's own modules.
    static func moduleName(_ name: String) -> String {
        var module = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        if module.isEmpty || module.first!.isNumber { module = "Plugin_" + module }
        if module.hasPrefix("PosLab") || ["Swift", "Foundation", "Glibc", "Darwin"].contains(module) { module += "Plugin" }
        return module
    }

    /// The build folder (holding libPosLab.so and Modules/).
    public var buildFolder: URL { URL(fileURLWithPath: hostLibrary).deletingLastPathComponent() }

    /// The host's identity: its ELF build id, or its SHA-256 when it has none.
    public func hostIdentity() throws -> String {
        guard let data = FileManager.default.contents(atPath: hostLibrary) else {
            throw PluginError(path: hostLibrary, reason: "cannot read the PosLab library this poslab runs on")
        }
        return Self.elfBuildID(data).map { "build-id:\($0)" } ?? "sha256:\(SHA256.hex(data))"
    }

    /// The GNU build id of an ELF64 little-endian file (NT_GNU_BUILD_ID in a PT_NOTE segment), hex.
    static func elfBuildID(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(1 << 16))  // the program headers and notes sit at the start
        func int(_ offset: Int, _ size: Int) -> Int? {
            guard offset >= 0, offset + size <= bytes.count else { return nil }
            return (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        guard bytes.count > 64, bytes[0] == 0x7f, bytes[1] == 0x45, bytes[2] == 0x4c, bytes[3] == 0x46,
              bytes[4] == 2, bytes[5] == 1,
              let phoff = int(32, 8), let phentsize = int(54, 2), let phnum = int(56, 2) else { return nil }
        for index in 0..<phnum {
            let header = phoff + index * phentsize
            guard int(header, 4) == 4, var offset = int(header + 8, 8), let size = int(header + 32, 8) else { continue }  // PT_NOTE
            let end = offset + size
            while offset + 12 <= end, let nameSize = int(offset, 4), let descSize = int(offset + 4, 4), let type = int(offset + 8, 4) {
                let name = offset + 12, desc = name + (nameSize + 3) / 4 * 4
                if type == 3, nameSize == 4, desc + descSize <= bytes.count,
                   bytes[name..<name + 3].elementsEqual("GNU".utf8) {  // NT_GNU_BUILD_ID
                    return bytes[desc..<desc + descSize].map { String(format: "%02x", $0) }.joined()
                }
                offset = desc + (descSize + 3) / 4 * 4
            }
        }
        return nil
    }

    /// The cache key of `files` against this host.
    public func key(_ files: [URL]) throws -> String {
        var text = "poslab plugin build 2\nabi \(PluginABI.version)\nhost \(try hostIdentity())\n"
        let root = files.count == 1 ? files[0].deletingLastPathComponent().path : commonFolder(files)
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw PluginError(path: file.path, reason: "cannot be read")
            }
            text += "\(file.path.dropFirst(root.count)) \(SHA256.hex(data))\n"
        }
        return String(SHA256.hex(text).prefix(24))
    }

    func commonFolder(_ files: [URL]) -> String {
        var prefix = files[0].deletingLastPathComponent().pathComponents
        for file in files.dropFirst() {
            let parts = file.deletingLastPathComponent().pathComponents
            prefix = Array(zip(prefix, parts).prefix { $0 == $1 }.map(\.0))
        }
        return NSString.path(withComponents: prefix)
    }

    /// The library `path`'s sources build to, built now unless the cache has it. `progress` is told
    /// before `swiftc` starts. Throws `PluginError` (with swiftc's diagnostics) when they do not compile.
    /// `shown` is the path as the user wrote it, for messages (default: `path`).
    public func build(_ path: String, shown: String? = nil, progress: (String) -> Void = { _ in }) throws -> Built {
        let name = shown ?? path
        let files: [URL], module: String
        do { (files, module) = try Self.sources(path) } catch var error as PluginError {
            error.path = name
            throw error
        }
        let entry = cache.appendingPathComponent("\(module)-\(try key(files))")
        let library = entry.appendingPathComponent("lib\(module).so")
        if FileManager.default.fileExists(atPath: library.path) {
            return Built(library: library.path, cached: true, seconds: 0, sources: files.map(\.path))
        }
        let modules = buildFolder.appendingPathComponent("Modules")
        guard FileManager.default.fileExists(atPath: modules.appendingPathComponent("PosLabModel.swiftmodule").path) else {
            throw PluginError(path: name, reason: "cannot be built here: there are no PosLab modules beside \(hostLibrary) (\(modules.path)/PosLabModel.swiftmodule); run poslab from PosLab's build folder (swift build -c release), or build the plugin as a package (docs/plugins.md)")
        }
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
        let scratch = cache.appendingPathComponent(".building-\(entry.lastPathComponent)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let arguments = compilerArguments(module: module, files: files, output: scratch.appendingPathComponent("lib\(module).so"))
        progress("building plugin \(name) (\(files.count) file\(files.count == 1 ? "" : "s"), module \(module)) with \(swiftc)")
        let start = Date()
        let (status, output) = try Self.execute(swiftc, arguments)
        let seconds = Date().timeIntervalSince(start)
        guard status == 0 else {
            let diagnostics = output.trimmingCharacters(in: .whitespacesAndNewlines)
            throw PluginError(path: name, reason: "does not compile (swiftc exited with status \(status); nothing was cached):\n\(diagnostics)")
        }
        // The command as run, naming the entry it is stored as rather than the temporary folder.
        let record = ([swiftc] + arguments).joined(separator: " ").replacingOccurrences(of: scratch.path, with: entry.path) + "\n"
        try? record.write(to: scratch.appendingPathComponent("build-command.txt"), atomically: true, encoding: .utf8)
        // Another process may have built the same entry meanwhile: either copy is the same build.
        if rename(scratch.path, entry.path) != 0, !FileManager.default.fileExists(atPath: library.path) {
            throw PluginError(path: name, reason: "cannot store the build in \(entry.path): \(String(cString: strerror(errno)))")
        }
        return Built(library: library.path, cached: false, seconds: seconds, sources: files.map(\.path))
    }

    /// swiftc's arguments: a release-optimised dynamic library linking libPosLab.so, reading
    /// PosLab's modules and the C modules they import (module maps in the build folder for C
    /// targets, in the source tree for system libraries).
    func compilerArguments(module: String, files: [URL], output: URL) -> [String] {
        var arguments = ["-emit-library", "-O", "-wmo", "-parse-as-library", "-module-name", module,
                         "-I", buildFolder.appendingPathComponent("Modules").path,
                         "-L", buildFolder.path, "-lPosLab",
                         // Found on its own too (ldd, another host): in poslab, the libPosLab.so already
                         // loaded answers the NEEDED entry by its name and this path is not consulted.
                         "-Xlinker", "-rpath", "-Xlinker", buildFolder.path,
                         "-module-cache-path", moduleCache.path]
        for map in moduleMaps() { arguments += ["-Xcc", "-fmodule-map-file=\(map)"] }
        return arguments + ["-o", output.path] + files.map(\.path)
    }

    /// The clang module cache: PosLab's build folder's own when it is writable (PosLab's build filled
    /// it, so the system modules are not compiled again), else one in the plugin cache.
    var moduleCache: URL {
        let own = buildFolder.appendingPathComponent("ModuleCache")
        return FileManager.default.isWritableFile(atPath: own.path) ? own : cache.appendingPathComponent("module-cache")
    }

    /// The module maps of the C modules PosLab's modules import.
    func moduleMaps() -> [String] {
        let manager = FileManager.default
        var maps: [String] = []
        for item in ((try? manager.contentsOfDirectory(atPath: buildFolder.path)) ?? []).sorted() where item.hasSuffix(".build") {
            let map = buildFolder.appendingPathComponent(item).appendingPathComponent("module.modulemap").path
            if manager.fileExists(atPath: map) { maps.append(map) }
        }
        if let root = sourceRoot() {
            let sources = root.appendingPathComponent("Sources")
            for item in ((try? manager.contentsOfDirectory(atPath: sources.path)) ?? []).sorted() {
                let map = sources.appendingPathComponent(item).appendingPathComponent("module.modulemap").path
                if manager.fileExists(atPath: map) { maps.append(map) }
            }
        }
        return maps
    }

    /// PosLab's package folder: the nearest folder above the build folder with a Package.swift and
    /// Sources/PosLabModel (a build in `.build/<triple>/release`), else the folder this file was compiled from.
    func sourceRoot() -> URL? {
        func isRoot(_ url: URL) -> Bool {
            FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path)
                && FileManager.default.fileExists(atPath: url.appendingPathComponent("Sources/PosLabModel").path)
        }
        var folder = buildFolder
        while folder.path != "/" {
            if isRoot(folder) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        let compiled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return isRoot(compiled) ? compiled : nil
    }

    /// Runs `executable` and returns its status and its standard output and error, interleaved.
    static func execute(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            throw PluginError(path: executable, reason: "cannot run the Swift compiler (\(error.localizedDescription)); set POSLAB_SWIFTC to swiftc's path")
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
