import Foundation
import PosLabModel
import PosLabStudy

/// Loads each plugin into the shared registry (Swift sources are built first); returns the
/// libraries' absolute paths (a source's build), which a suite's `plugins` hold for its worker
/// processes. Failures exit 2.
@discardableResult
func loadPlugins(_ paths: [String]) throws -> [String] {
    try paths.map { path in
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let library = try pluginLibrary(absolute, shown: path)  // a .swift file or folder: its build (PluginBuild.swift)
        try PluginPath.check(library)
        let names = try PluginLoader.load(library)
        FileHandle.standardError.write(Data("loaded plugin \(path): \(names.joined(separator: ", "))\n".utf8))
        return library
    }
}

/// Reads the suite file at `path`, loads the plugins it lists into the shared registry, then
/// validates the suite against the encodings they add. A plugin that cannot be loaded is named with
/// the suite's file and line; every failure exits 2, before anything is written.
func loadSuite(_ path: String) throws -> Suite {
    let file = try SuiteFile(path: path)
    var libraries: [String] = []
    for plugin in file.plugins {
        do {
            let library = try pluginLibrary(plugin.path)  // a .swift file or folder: its build (PluginBuild.swift)
            try PluginPath.check(library)
            try PluginLoader.load(library)
            libraries.append(library)
        } catch let error as PluginError {
            throw plugin.error(error.description)
        } catch let error as ConfigurationError {
            throw plugin.error(error.description)
        }
    }
    var suite = try file.validate()
    suite.plugins = libraries  // the libraries, which worker processes load (a source's build, not the source)
    return suite
}
