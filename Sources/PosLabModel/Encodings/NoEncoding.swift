/// `none`: no position information at all — the control.
///
/// A bidirectional transformer without positions is permutation-equivariant: shuffling the input
/// shuffles the output the same way, so it cannot solve a task whose answer depends on order.
public final class NoEncoding: RegisteredEncoding {
    public static let registryName = "none"
    public static let summary = "no positional information (the control; bidirectional is permutation-equivariant)"
    public var attentionInBlocks: Bool { true }  // no bias or score term

    public init() {}

    /// The control carries no position information, by design.
    public var isPositionless: Bool { true }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> NoEncoding {
        NoEncoding()
    }
}
