import Foundation

/// A line of a `.tiktoken` file that is not `base64 rank` with the next rank in order.
public struct RankTableError: Error, CustomStringConvertible {
    public let url: URL
    public let line: Int
    public let text: String
    public var description: String {
        "\(url.path):\(line): expected `base64(token bytes) \(line - 1)`, got `\(text.prefix(60))`"
    }
}
