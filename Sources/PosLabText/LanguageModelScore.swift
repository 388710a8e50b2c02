import Foundation

/// Loss summed over scored tokens, with the bytes those tokens stand for: mean loss, perplexity,
/// and bits per byte (which compares models whose tokenizers differ).
public struct LanguageModelScore: Sendable, Equatable {
    /// Scored tokens.
    public private(set) var tokens = 0
    /// The UTF-8 bytes the scored target tokens decode to.
    public private(set) var bytes = 0
    /// The summed cross-entropy, in nats.
    public private(set) var totalLoss = 0.0

    public init() {}

    /// Adds one scored token: its cross-entropy in nats and the byte count of its target.
    public mutating func add(loss: Double, targetBytes: Int) {
        tokens += 1
        bytes += targetBytes
        totalLoss += loss
    }

    /// Mean cross-entropy per scored token, in nats.
    public var meanLoss: Double { totalLoss / Double(tokens) }
    /// exp(mean loss).
    public var perplexity: Double { exp(meanLoss) }
    /// Summed loss in bits over the scored bytes.
    public var bitsPerByte: Double { totalLoss / log(2) / Double(bytes) }
}
