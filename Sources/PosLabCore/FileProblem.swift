import Foundation

/// File errors in words: which path, and what is wrong with it (never `NSCocoaErrorDomain error 512`).
public enum FileProblem {
    /// What went wrong with a file operation, in words: the POSIX reason when Foundation kept it
    /// (no space left on the device, not a directory, too many levels of symbolic links, …),
    /// else the Cocoa code's meaning.
    public static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))).lowercasedFirst }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercasedFirst
        }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)).lowercasedFirst }
        guard ns.domain == NSCocoaErrorDomain else { return String(describing: error) }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileWriteFileExists: return "a file is already there"
        case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "not a valid file name"
        case .fileReadTooLarge: return "too large to read"
        case .fileReadCorruptFile: return "not in the expected format"
        case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: return "not text in the expected encoding (UTF-8)"
        case .fileReadUnknown: return "cannot be read"
        case .fileWriteUnknown: return "cannot be written"
        default: return "file error \(ns.code)"
        }
    }

    /// Why `path` cannot be read as a file, from what is there (a folder, a loop of links, …), or
    /// from `error` when nothing more specific is known.
    public static func unreadable(_ path: String, error: Error) -> String {
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK && stat(path, &info) != 0 && errno == ELOOP {
            return "\(path): is a loop of symbolic links, not a file"
        }
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { return "\(path): is a folder, not a file" }
        if stat(path, &info) != 0 { return "\(path): \(String(cString: strerror(errno)).lowercasedFirst)" }
        return "\(path): \(reason(error))"
    }

    /// The path an error names, if any.
    public static func path(_ error: Error) -> String? {
        let ns = error as NSError
        return (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    }

    /// Folders no results folder may be: the root, the system's folders (and anything inside the
    /// ones the system owns outright) and the home folder itself.
    static let systemFolders = ["/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media",
                                "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/usr", "/var", "/usr/bin",
                                "/usr/lib", "/usr/local", "/usr/sbin", "/usr/share", "/var/lib", "/var/log", "/tmp"]
    static let systemTrees = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/sbin", "/sys",
                              "/usr/bin", "/usr/lib", "/usr/sbin", "/usr/share", "/var/lib", "/var/log"]

    /// Why `path` cannot be a folder PosLab writes into (`option` names the option that gave it),
    /// or nil when it can: not the root, a system folder or the home folder; not a file; not under one.
    public static func outputFolderProblem(_ path: String, option: String = "--out") -> String? {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        // Resolve links in the part that exists: /tmp/x/../etc and a link to /etc are /etc.
        var existing = url, rest: [String] = []
        while existing.path != "/" && !FileManager.default.fileExists(atPath: existing.path) {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        let resolved = rest.reduce(existing.resolvingSymlinksInPath()) { $0.appendingPathComponent($1) }.path
        var homes = [FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL.resolvingSymlinksInPath().path]
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty {
            homes.append(URL(fileURLWithPath: home).standardizedFileURL.resolvingSymlinksInPath().path)
        }
        let fix = "choose a folder of its own for the results, e.g. \(option) Results/NAME"
        if homes.contains(resolved) {
            return "\(option) \(path): is the home folder itself; PosLab writes nothing there: \(fix)"
        }
        if systemFolders.contains(resolved) || systemTrees.contains(where: { resolved.hasPrefix($0 + "/") }) {
            return "\(option) \(path): \(resolved == path ? "" : "(\(resolved)) ")is \(resolved == "/" ? "the root folder" : "a system folder"); PosLab writes nothing there: \(fix)"
        }
        // A file where the folder or one of its parents should be.
        var check = URL(fileURLWithPath: resolved)
        while true {
            var info = stat()
            if stat(check.path, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR {
                    return check.path == resolved ? "\(option) \(path): is a file, not a folder: \(fix)"
                        : "\(option) \(path): cannot be made, \(check.path) is a file, not a folder: \(fix)"
                }
                break
            }
            if check.path == "/" { break }
            check.deleteLastPathComponent()
        }
        return nil
    }
}

extension String {
    /// The string with its first letter lowercased ("No space left on device" → "no space left on device").
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
