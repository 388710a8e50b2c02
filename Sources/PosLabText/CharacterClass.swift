/// The four classes GPT-2's pre-tokenisation pattern tells apart: `\p{L}`, `\p{N}`, `\s`, and the rest.
enum CharacterClass: UInt8 {
    case letter, number, whitespace, other

    /// The class of a Unicode scalar: general category L* (letter) or N* (number), the White_Space
    /// property (`\s` in the Rust regex crate tiktoken uses), else other.
    static func of(_ value: UInt32) -> CharacterClass {
        if value < 128 { return ascii[Int(value)] }
        let properties = Unicode.Scalar(value)!.properties
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return properties.isWhitespace ? .whitespace : .other
        }
    }

    private static let ascii: [CharacterClass] = (0..<128).map { v -> CharacterClass in
        switch UInt8(v) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case 0x09...0x0D, 0x20: return .whitespace
        default: return .other
        }
    }
}
