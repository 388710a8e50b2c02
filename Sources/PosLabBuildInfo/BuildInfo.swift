/// The commit of the sources this binary was compiled from, written at build time by
/// `Plugins/BuildInfo` (see there for `-dirty` and `unknown`).
///
/// It is reached through the C function `poslab_build_commit` (declared in `CBuildInfo`), not by
/// importing this module: a module that imports another is compiled again when that one changes,
/// and this one changes at every commit; the linker joins the call to this definition instead, so
/// a new commit compiles this file alone.
@_cdecl("poslab_build_commit")
public func poslabBuildCommit() -> UnsafePointer<CChar> { BuildInfo.commitCString }

enum BuildInfo {
    /// `recordedCommit` (the generated file) as a C string that lives as long as the process.
    nonisolated(unsafe) static let commitCString: UnsafePointer<CChar> = {
        let bytes = Array(recordedCommit.utf8CString)
        let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        copy.initialize(from: bytes, count: bytes.count)
        return UnsafePointer(copy)
    }()
}
