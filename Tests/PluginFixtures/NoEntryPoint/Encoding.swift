import PosLabModel

/// An encoding in a library that forgot to export `poslab_register_encodings`.
public final class Forgotten: RegisteredEncoding {
    public static let registryName = "forgotten"
    public static let summary = "never registered"
    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> Forgotten { Forgotten() }
}

@_cdecl("poslab_register_encodingz")  // misspelt on purpose
public func misspelt(_ host: UnsafeMutableRawPointer, _ version: Int32) -> Int32 { 0 }
