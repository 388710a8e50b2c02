import Foundation

/// The check a plugin path passes before it is handed to `PluginLoader.load` (kept out of
/// Plugins.swift, whose every line is part of the plugin ABI hash).
public enum PluginPath {
    /// Throws when `path` is not a regular file (links followed): dlopen opens whatever it is given,
    /// and a FIFO blocks it forever, a device is read from.
    public static func check(_ path: String) throws {
        if let kind = notARegularFile(path) {
            throw PluginError(path: path, reason: "is \(kind), not a plugin library: give the path of the built shared library (a regular file, e.g. .build/release/libMyPlugin.so)")
        }
    }

    /// What the file at `path` is when it is not a regular file ("a FIFO (named pipe)", "a
    /// directory", …), or nil when it is one or is missing (the loader names a missing file).
    static func notARegularFile(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT ? nil : "unreadable (\(String(cString: strerror(errno))))" }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }
}
