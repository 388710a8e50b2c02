/// How attention may look along the sequence.
public enum AttentionMode: String, Sendable, Codable, CaseIterable {
    /// Every position attends to every position (an encoder).
    case bidirectional
    /// Position i attends to positions ≤ i (a decoder).
    case causal
}
