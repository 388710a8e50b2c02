import ArgumentParser
import Foundation
import PosLabModel

/// The library to load for a plugin path: the path itself for a library, the cached build of its
/// sources for a `.swift` file or a folder of them (built now on a cache miss, with a line on
/// standard error). A compile error throws `PluginError` carrying swiftc's diagnostics (exit 2).
/// `shown` is the path as the user wrote it, for messages.
func pluginLibrary(_ path: String, shown: String? = nil) throws -> String {
    guard PluginBuilder.isSource(path) else { return path }
    let built = try PluginBuilder().build(path, shown: shown ?? path) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
    if !built.cached {
        FileHandle.standardError.write(Data("built plugin \(shown ?? path) in \(String(format: "%.1f", built.seconds)) s → \(built.library)\n".utf8))
    }
    return built.library
}

extension PosLab {
    /// `poslab plugin new|build`: one-file plugins, compiled in seconds against this PosLab.
    struct PluginCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plugin",
            abstract: "Write a one-file encoding plugin, or build one against this PosLab (cached).",
            discussion: """
                A plugin can be one Swift file: `poslab plugin new NAME` writes one that works, `poslab plugin build \
                FILE.swift` compiles it with swiftc against this PosLab's modules (seconds, without compiling PosLab \
                again). Every command that takes a plugin library takes the .swift file (or a folder of .swift files) \
                as well and builds it on first use: `--plugin FILE.swift`, `plugins: [FILE.swift]` in a suite, \
                `poslab check-plugin FILE.swift`. See docs/plugins.md.

                Examples:
                  poslab plugin new my-bias            # writes MyBias.swift
                  poslab plugin build MyBias.swift
                  poslab check-plugin MyBias.swift
                """,
            subcommands: [New.self, Build.self])

        struct New: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write a one-file plugin skeleton: a working encoding to edit, with its entry point.",
                discussion: """
                    NAME is the encoding's name in suite files, e.g. my-bias (or a type name, MyBias). The file, \
                    <TypeName>.swift, is written in the current folder (or --output) and passes `poslab check-plugin` \
                    as it is: a learned bias per head and clipped signed distance, to replace with your encoding.
                    """)

            @Argument(help: "The encoding's name, e.g. my-bias.")
            var name: String

            @Option(help: "The file to write (default: <TypeName>.swift in the current folder).")
            var output: String?

            @Flag(help: "Overwrite the file if it exists.")
            var force = false

            func validate() throws {
                guard PluginSkeleton.registryName(name) != nil else {
                    throw ValidationError("the name must be letters and digits, words joined by '-' or '_', starting with a letter, e.g. my-bias (got '\(name)')")
                }
            }

            func run() throws {
                let registryName = PluginSkeleton.registryName(name)!
                let typeName = PluginSkeleton.typeName(registryName)
                let path = output ?? "\(typeName).swift"
                if FileManager.default.fileExists(atPath: path), !force {
                    PosLab.fail("\(path) exists; choose another name or --output, or give --force to overwrite it")
                }
                try PluginSkeleton.source(registryName: registryName, typeName: typeName, file: (path as NSString).lastPathComponent)
                    .write(toFile: path, atomically: true, encoding: .utf8)
                print("""
                    wrote \(path): the encoding `\(registryName)` (\(typeName)) with its entry point. Next:
                      poslab plugin build \(path)          # compile it (seconds; cached)
                      poslab check-plugin \(path)          # the conformance checks
                      poslab run SUITE.yaml --plugin \(path)   # or plugins: [\(path)] in the suite
                    """)
            }
        }

        struct Build: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Compile a one-file plugin (or a folder of .swift files) against this PosLab, cached.",
                discussion: """
                    Compiles with swiftc against the modules beside the libPosLab.so this poslab runs on (Modules/ in \
                    its build folder), without compiling PosLab again, into \
                    <cache>/<Module>-<key>/lib<Module>.so, keyed by the sources and this PosLab's library. The cache \
                    is $POSLAB_PLUGIN_CACHE, else $XDG_CACHE_HOME/poslab/plugins, else ~/.cache/poslab/plugins. A \
                    second build of the same sources is a cache hit. Prints the library's path; swiftc's errors go to \
                    standard error with each file's path, and the exit status is 2. The compiler is $POSLAB_SWIFTC, else \
                    the toolchain's whose runtime poslab runs on, else swiftc on PATH.
                    """)

            @Argument(help: "A .swift file, or a folder of .swift files.")
            var source: String

            func run() throws {
                let built = try PluginBuilder().build(source) { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
                FileHandle.standardError.write(Data((built.cached
                    ? "plugin \(source): up to date (cached)\n"
                    : "built plugin \(source) in \(String(format: "%.1f", built.seconds)) s\n").utf8))
                print(built.library)
            }
        }
    }
}

/// The file `poslab plugin new` writes.
enum PluginSkeleton {
    /// The registry name for NAME (kebab-case: `MyBias` → `my-bias`), or nil when NAME is not a name.
    static func registryName(_ name: String) -> String? {
        guard let first = name.first, first.isASCII, first.isLetter,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var out = ""
        for (i, c) in name.enumerated() {
            if c.isUppercase, i > 0, let last = out.last, last != "-", last.isLowercase || last.isNumber { out.append("-") }
            out.append(c == "_" ? "-" : Character(c.lowercased()))
        }
        return out.split(separator: "-").joined(separator: "-")
    }

    /// The Swift type name for a registry name: `my-bias` → `MyBias`.
    static func typeName(_ registryName: String) -> String {
        registryName.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func source(registryName: String, typeName: String, file: String) -> String {
        """
        // \(file): a PosLab encoding plugin in one file. Edit the encoding, keep the entry point at the end.
        //
        //   poslab plugin build \(file)                  # compile against this PosLab (seconds; cached)
        //   poslab check-plugin \(file)                  # the conformance checks (builds it if needed)
        //   poslab run suite.yaml --plugin \(file)       # or `plugins: [\(file)]` in the suite file
        //
        // Hooks are forward code written with engine ops (+, *, matmul, gather, embedding, cumsum, …): the
        // engine differentiates them. See docs/plugins.md and the hooks of `PositionalEncoding`.
        import PosLabModel

        /// `\(registryName)`: a learned bias per head for each signed distance j − i between query i and key j,
        /// clipped at ±max_distance, added to the attention scores (a T5-style relative bias without buckets).
        /// Replace it with your encoding, and cite its paper here.
        ///
        /// Arguments: `max_distance` (default 8), e.g. `\(registryName)(max_distance=16)` in a suite file.
        public final class \(typeName): RegisteredEncoding {
            /// The name in suite files and results.
            public static let registryName = "\(registryName)"
            /// One line for `poslab list`.
            public static let summary = "learned bias per head and signed distance, clipped at max_distance (default 8)"
            /// The arguments as results record them.
            public var arguments: String { "max_distance=\\(maxDistance)" }

            let maxDistance: Int
            /// (H, 2·max_distance + 1): column max_distance + d holds each head's bias for distance d.
            let table: Tensor
            /// The trainable tensors the optimizer updates.
            public var parameters: [Tensor] { [table] }

            init(maxDistance: Int, context: EncodingContext) {
                self.maxDistance = maxDistance
                // Initial weights come from the run's seed, in a stream of this encoding's own.
                table = .gaussian([context.heads, 2 * maxDistance + 1], std: 0.02,
                                  rng: context.rng(for: Self.registryName), label: "\\(Self.registryName).table")
            }

            /// Builds the encoding for a model; every argument has a default and a range.
            public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> \(typeName) {
                \(typeName)(maxDistance: try arguments.int("max_distance", default: 8, in: 1...10_000), context: context)
            }

            /// (c) The additive attention bias: (H, T, T) for positions shared by the batch, (B, H, T, T) when
            /// each sequence has its own (`forEachRow` runs the closure per row and stacks).
            public func attentionBias(context: HookContext) -> Tensor? {
                context.forEachRow { p in
                    let t = p.count, heads = context.heads, k = maxDistance
                    var columns: [Int] = []
                    columns.reserveCapacity(heads * t * t)
                    for _ in 0..<heads {
                        for i in 0..<t { for j in 0..<t { columns.append(max(-k, min(k, p[j] - p[i])) + k) } }
                    }
                    // Row h of the table picked at each (i, j): (H, T·T), then (H, T, T).
                    return gather(table, axis: 1, indices: columns, shape: [heads, t * t]).reshaped([heads, t, t])
                }
            }
        }

        /// The entry point: registers the encoding with the PosLab that loads this library.
        @_cdecl("poslab_register_encodings")
        public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
            PluginRegistrar.register(host, hostVersion) { try $0.register(\(typeName).self) }
        }

        """
    }
}
