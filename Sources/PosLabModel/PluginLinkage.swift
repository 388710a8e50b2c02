import Foundation

/// How a plugin library links PosLab, read from its file, for the loader's message when the
/// library lacks `poslab_library_identity` (kept out of Plugins.swift, whose every line is part of
/// the plugin ABI hash).
///
/// Two kinds of library lack it: one built before PosLab became one dynamic library (commit
/// 0914098), when the `PosLab` product was static, so the plugin carries its own copy of PosLab's
/// code although its package depends on the product; and one that does not link PosLab at all. The
/// first is told to rebuild, the second to depend on the product. The difference is in the file: the
/// libraries it needs (ELF `DT_NEEDED`) and whether PosLab's own code is in it.
public enum PluginLinkage {
    /// Why the plugin at `path`, which has no `poslab_library_identity`, cannot be used.
    public static func missingIdentityProblem(_ path: String) -> String {
        let needed = neededLibraries(path) ?? []
        if needed.contains("libPosLab.so") {
            return "links a libPosLab.so that has no poslab_library_identity, from an older PosLab than this poslab's; "
                + "rebuild the plugin against this PosLab (rm -rf .build && swift build -c release in its package)"
        }
        if containsPosLabCode(path) {
            return [
                "carries its own static copy of PosLab and links no libPosLab.so: it was built when the PosLab product ",
                "was a static library (before PosLab became one dynamic library, libPosLab.so, shared by poslab and its ",
                "plugins). Its package may well depend on the PosLab product already: rebuild it against this PosLab ",
                "(rm -rf .build && swift build -c release in its package), and rename hooks written for protocol 1 ",
                "(see the README's \"Plugins written for protocol 1\")",
            ].joined()
        }
        return "links no libPosLab.so and holds no PosLab code — depend on the PosLab product (a dynamic library; see Examples/FirePlugin/Package.swift)"
    }

    /// Whether a library that needs no libPosLab.so holds PosLab's Swift code itself: it names
    /// PosLabModel's mangled symbols (a plugin that links libPosLab.so names them too, as imports,
    /// so this is asked only of one that does not).
    static func containsPosLabCode(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return data.range(of: Data("11PosLabModel".utf8)) != nil
    }

    /// The libraries an ELF64 little-endian shared object at `path` needs (`DT_NEEDED`), in file
    /// order; nil when it is not one or cannot be read. Follows the ELF specification (System V
    /// gABI, "Dynamic Section"): the `PT_DYNAMIC` segment's entries, whose `DT_NEEDED` values are
    /// offsets into the string table at `DT_STRTAB`, a virtual address mapped to the file through
    /// the `PT_LOAD` segments.
    public static func neededLibraries(_ path: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: path), data.count > 64,
              data.prefix(4) == Data([0x7F, 0x45, 0x4C, 0x46]), data[4] == 2, data[5] == 1 else { return nil }  // ELF, 64-bit, LSB
        let bytes = [UInt8](data)
        func u64(_ at: Int) -> UInt64? {
            guard at >= 0, at + 8 <= bytes.count else { return nil }
            return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
        }
        func u32(_ at: Int) -> UInt32? { u64(at).map { UInt32(truncatingIfNeeded: $0) } }
        func u16(_ at: Int) -> Int? { at + 2 <= bytes.count ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : nil }
        guard let phoff = u64(0x20), let phentsize = u16(0x36), let phnum = u16(0x38) else { return nil }
        var loads: [(vaddr: UInt64, offset: UInt64, size: UInt64)] = [], dynamic: (offset: Int, size: Int)?
        for i in 0..<phnum {
            let h = Int(phoff) + i * phentsize
            guard let type = u32(h), let offset = u64(h + 8), let vaddr = u64(h + 16), let size = u64(h + 32) else { return nil }
            if type == 1 { loads.append((vaddr, offset, size)) }            // PT_LOAD
            if type == 2 { dynamic = (Int(offset), Int(size)) }             // PT_DYNAMIC
        }
        guard let dynamic else { return [] }
        var needed: [UInt64] = [], strtab: UInt64?
        var at = dynamic.offset
        while at + 16 <= dynamic.offset + dynamic.size, let tag = u64(at), let value = u64(at + 8), tag != 0 {  // DT_NULL ends
            if tag == 1 { needed.append(value) }                            // DT_NEEDED
            if tag == 5 { strtab = value }                                  // DT_STRTAB
            at += 16
        }
        guard let strtab, let load = loads.first(where: { $0.vaddr <= strtab && strtab < $0.vaddr + $0.size }) else { return [] }
        let base = Int(strtab - load.vaddr + load.offset)
        return needed.compactMap { offset in
            let start = base + Int(offset)
            guard start < bytes.count else { return nil }
            let end = bytes[start...].firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }
}
