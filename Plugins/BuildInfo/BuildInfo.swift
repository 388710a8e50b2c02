import Foundation
import PackagePlugin

/// Records the commit PosLab is built from, at build time, into `PosLabBuildInfo` (read through
/// `poslab_build_commit()`, declared in `CBuildInfo`), so that a manifest names the sources its
/// binary was compiled from: not the commit a checkout has moved on to since, and not "unknown" on
/// a machine without the sources (a Slurm node).
///
/// The commit is `git rev-parse HEAD` in the package folder, with `-dirty` appended (as `git
/// describe --dirty` does) when a file the build compiles (`Package.swift`, `Sources/`, `Plugins/`)
/// differs from that commit or is untracked; `unknown` without git or outside a repository.
///
/// The command runs again whenever git's HEAD, the branch it names, the index or any of the
/// package's sources change (its input files), and rewrites its output only when the recorded
/// commit changes, so that an unchanged commit compiles nothing again.
@main
struct BuildInfo: BuildToolPlugin {
    static let script = #"""
        set -u
        package="$1" out="$2"
        git() { command git -c safe.directory="$package" --no-optional-locks -C "$package" "$@"; }
        commit=$(git rev-parse HEAD 2>/dev/null) || commit=unknown
        if [ "$commit" != unknown ] && [ -n "$(git status --porcelain -- Package.swift Sources Plugins 2>/dev/null)" ]; then
          commit="$commit-dirty"
        fi
        printf '// Written at build time by Plugins/BuildInfo: the commit these sources are at.\nlet recordedCommit = "%s"\n' "$commit" > "$out.new"
        if cmp -s "$out.new" "$out"; then rm -f "$out.new"; else mv "$out.new" "$out"; fi
        """#

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "Commit.swift")
        let sources = context.package.targets.compactMap { $0 as? SourceModuleTarget }.flatMap { $0.sourceFiles.map(\.url) }
        let inputs = Self.gitFiles(package) + [package.appending(path: "Package.swift")] + sources
        return [.buildCommand(displayName: "Recording PosLab's commit",
                              executable: URL(fileURLWithPath: "/bin/sh"),
                              arguments: ["-c", Self.script, "sh", package.path, output.path],
                              inputFiles: inputs, outputFiles: [output])]
    }

    /// The files of the repository at `package` whose change may change HEAD's commit: HEAD, the
    /// branch it names, packed-refs and the index (`.git` may be a folder or, in a worktree, a file
    /// naming one). None outside a repository.
    static func gitFiles(_ package: URL) -> [URL] {
        let dotGit = package.appending(path: ".git")
        var folder = dotGit
        if let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir:") {
            let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
            folder = path.hasPrefix("/") ? URL(fileURLWithPath: path) : package.appending(path: path)
        }
        var common = folder
        if let text = try? String(contentsOf: folder.appending(path: "commondir"), encoding: .utf8) {
            let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
            common = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appending(path: path)
        }
        var files = [folder.appending(path: "HEAD"), folder.appending(path: "index"), common.appending(path: "packed-refs")]
        if let head = try? String(contentsOf: folder.appending(path: "HEAD"), encoding: .utf8), head.hasPrefix("ref:") {
            files.append(common.appending(path: head.dropFirst("ref:".count).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return files.filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
