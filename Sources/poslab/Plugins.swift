import Foundation
import PosLabModel

/// Loads each plugin into the shared registry; returns their absolute paths. Failures exit 2.
@discardableResult
func loadPlugins(_ paths: [String]) throws -> [String] {
    try paths.map { path in
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let names = try PluginLoader.load(absolute)
        FileHandle.standardError.write(Data("loaded plugin \(path): \(names.joined(separator: ", "))\n".utf8))
        return absolute
    }
}
