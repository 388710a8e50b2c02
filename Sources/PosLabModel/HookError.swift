/// A hook returned a tensor of the wrong shape, or a bias or score term the attention cannot use.
public struct HookError: Error, CustomStringConvertible {
    /// The encoding and the hook, e.g. `attentionBias`.
    public var encoding: String, hook: String
    /// What it returned, and what was expected.
    public var got: [Int], expected: String
    public var description: String { "\(encoding): \(hook) returned shape \(got); expected \(expected)" }
}
