import Foundation

/// `sinusoidal`: Vaswani et al. (2017), fixed, added to the token embeddings:
/// PE(p, 2i) = sin(p / base^(2i/d)), PE(p, 2i+1) = cos(p / base^(2i/d)), base = 10000.
///
/// Layout: interleaved — sine in even columns, cosine in odd ones — exactly as the paper's formula
/// indexes them (and as the PyTorch tutorial's `pe[:, 0::2]`, `pe[:, 1::2]`), so published tables
/// compare column for column. Any position can be encoded, so it extrapolates (in form).
public final class SinusoidalEncoding: RegisteredEncoding {
    public static let registryName = "sinusoidal"
    public static let summary = "fixed sin/cos absolute encoding added to the embeddings (Vaswani 2017); base=10000"
    public var attentionInBlocks: Bool { true }  // no bias or score term
    public var arguments: String { "base=\(base == base.rounded() ? String(Int(base)) : String(base))" }
    /// The wavelength base.
    public let base: Double
    /// d_model.
    public let width: Int
    private var table: Tensor  // rows 0 ..< capacity, no gradient

    public init(dModel: Int, base: Double = 10000) {
        self.base = base
        width = dModel
        table = SinusoidalEncoding.table(rows: 0, width: dModel, base: base)
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> SinusoidalEncoding {
        let base = try arguments.double("base", default: 10000, in: 1.0000001...1e12)
        guard context.dModel % 2 == 0 else {
            throw ConfigurationError(field: "model.d_model", rule: "sinusoidal needs an even d_model (sin/cos pairs); got \(context.dModel)")
        }
        return SinusoidalEncoding(dModel: context.dModel, base: base)
    }

    /// PE(p, column) for one position and column, in double precision.
    public static func value(position p: Int, column: Int, width: Int, base: Double = 10000) -> Double {
        let i = column / 2
        let angle = Double(p) / pow(base, Double(2 * i) / Double(width))
        return column % 2 == 0 ? sin(angle) : cos(angle)
    }

    static func table(rows: Int, width: Int, base: Double) -> Tensor {
        let t = Tensor(zeros: [rows, width])
        for p in 0..<rows {
            for c in 0..<width { t.data[p * width + c] = Float(value(position: p, column: c, width: width, base: base)) }
        }
        return t
    }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor {
        let p = context.positions
        let needed = (p.max ?? -1) + 1
        if needed > table.shape[0] { table = Self.table(rows: max(needed, 2 * table.shape[0]), width: width, base: base) }
        return x + embedding(table, ids: p.ids, shape: p.isShared ? [p.length] : [p.rows, p.length])  // + (T, C) or (B, T, C)
    }
}
