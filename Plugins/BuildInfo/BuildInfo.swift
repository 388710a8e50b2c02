import Foundation
import PackagePlugin

/// Records the commit PosLab is built from, at build time, into `PosLabBuildInfo` (read through
/// `poslab_build_commit()`, declared in `CBuildInfo`), so that a manifest names the sources its binary was compiled from: not the
/// commit a checkout has moved on to since, and not "unknown" on a machine without the sources (a
/// Slurm node). A prebuild command, so it runs at every build; it rewrites its file only when the
/// commit changes, so an unchanged commit compiles nothing again.
///
/// The commit is `git rev-parse HEAD` in the package folder, with `-dirty` appended (as `git
/// describe --dirty` does) when a file the build compiles (`Package.swift`, `Sources/`, `Plugins/`)
/// differs from that commit or is untracked; `unknown` without git or outside a repository.
@main
struct BuildInfo: BuildToolPlugin {
    static let script = #"""
        set -u
        package="$1" out="$2"
        mkdir -p "$out"
        git() { command git -c safe.directory="$package" --no-optional-locks -C "$package" "$@"; }
        commit=$(git rev-parse HEAD 2>/dev/null) || commit=unknown
        if [ "$commit" != unknown ] && [ -n "$(git status --porcelain -- Package.swift Sources Plugins 2>/dev/null)" ]; then
          commit="$commit-dirty"
        fi
        printf '// Written at build time by Plugins/BuildInfo: the commit these sources are at.\nextension BuildInfo {\n    static let recordedCommit = "%s"\n}\n' "$commit" > "$out/.Commit.swift.new"
        if cmp -s "$out/.Commit.swift.new" "$out/Commit.swift"; then rm -f "$out/.Commit.swift.new"; else mv "$out/.Commit.swift.new" "$out/Commit.swift"; fi
        """#

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        return [.prebuildCommand(displayName: "Recording PosLab's commit",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", Self.script, "sh", context.package.directoryURL.path, output.path],
                                 outputFilesDirectory: output)]
    }
}
