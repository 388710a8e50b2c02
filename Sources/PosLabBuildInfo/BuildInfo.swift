/// The commit of the sources this binary was compiled from (`recordedCommit`, written at build time
/// by `Plugins/BuildInfo`; see there for `-dirty` and `unknown`), for C's `poslab_build_commit`.
///
/// No module imports or depends on this one: a module is compiled again whenever one it depends on
/// changes, and this one changes at every commit. `CBuildInfo` reaches this definition through a
/// weak symbol that the PosLab library's link resolves (the `PosLab` product lists this module), so a
/// new commit compiles this file alone.
@_cdecl("poslab_build_commit_recorded")
public func poslabBuildCommitRecorded() -> UnsafePointer<CChar> { commitCString }

/// `recordedCommit` as a C string that lives as long as the process.
nonisolated(unsafe) let commitCString: UnsafePointer<CChar> = {
    let bytes = Array(recordedCommit.utf8CString)
    let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    copy.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(copy)
}()
