import ArgumentParser
import PosLabModel
import PosLabTasks

extension PosLab {
    /// `poslab list`: every encoding and task, one line each.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the encodings and tasks a suite file can name.",
            discussion: """
                Arguments are written name(key=value, ...), e.g. relative-bias(buckets=16, max_distance=64) or shift(k=2).

                Example:
                  poslab list
                """)

        @OptionGroup var plugin: PluginOptions

        func run() throws {
            try loadPlugins(plugin.paths)
            print("Encodings:")
            let encodings = EncodingRegistry.shared.all
            let ew = encodings.map(\.name.count).max() ?? 0
            for e in encodings {
                print("  \(e.name.padding(toLength: ew, withPad: " ", startingAt: 0))  \(e.summary)\(e.origin == .builtIn ? "" : " [\(e.origin)]")")
            }
            print("\nTasks:")
            let tasks = TaskRegistry.shared.all
            let tw = tasks.map(\.name.count).max() ?? 0
            for t in tasks {
                print("  \(t.name.padding(toLength: tw, withPad: " ", startingAt: 0))  \(t.summary)")
            }
        }
    }
}
