import PosLabSupport

/// Exact arithmetic on binary numbers held as little-endian digit arrays (digit i has place value
/// 2^i; every digit is 0 or 1), for DeepMind's arithmetic tasks. The reference computes with Python's
/// unbounded integers and evaluates up to 500 input tokens, far past 64 bits, so the answers are
/// computed digit by digit here, never through a machine integer.
enum BinaryDigits {
    /// `digits` without its high zeros, keeping one digit for zero (Python's `f'{x:b}'` gives `0`).
    static func trimmed(_ digits: [Int]) -> [Int] {
        var d = digits
        while d.count > 1, d.last == 0 { d.removeLast() }
        return d.isEmpty ? [0] : d
    }

    /// a + b, schoolbook with a carry.
    static func sum(_ a: [Int], _ b: [Int]) -> [Int] {
        var result = [Int](), carry = 0
        result.reserveCapacity(max(a.count, b.count) + 1)
        for i in 0..<max(a.count, b.count) {
            let s = (i < a.count ? a[i] : 0) + (i < b.count ? b[i] : 0) + carry
            result.append(s & 1)
            carry = s >> 1
        }
        if carry != 0 { result.append(carry) }
        return trimmed(result)
    }

    /// a · b, schoolbook: for every 1 digit of b, a shifted to its place is added in (column sums
    /// with one carry pass at the end).
    static func product(_ a: [Int], _ b: [Int]) -> [Int] {
        guard !a.isEmpty, !b.isEmpty else { return [0] }
        var columns = [Int](repeating: 0, count: a.count + b.count)
        for (j, bj) in b.enumerated() where bj != 0 {
            for (i, ai) in a.enumerated() where ai != 0 { columns[i + j] += 1 }
        }
        var result = [Int](), carry = 0
        result.reserveCapacity(columns.count + 1)
        for c in columns {
            let s = c + carry
            result.append(s & 1)
            carry = s >> 1
        }
        while carry != 0 {
            result.append(carry & 1)
            carry >>= 1
        }
        return trimmed(result)
    }

    /// -1, 0 or 1 as a <, =, > b.
    static func compare(_ a: [Int], _ b: [Int]) -> Int {
        let a = trimmed(a), b = trimmed(b)
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for i in stride(from: a.count - 1, through: 0, by: -1) where a[i] != b[i] {
            return a[i] < b[i] ? -1 : 1
        }
        return 0
    }

    /// a − b for a ≥ b.
    static func difference(_ a: [Int], _ b: [Int]) -> [Int] {
        precondition(compare(a, b) >= 0, "difference: a < b")
        var result = [Int](), borrow = 0
        for i in 0..<a.count {
            var d = a[i] - (i < b.count ? b[i] : 0) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 2 }
            result.append(d)
        }
        return trimmed(result)
    }

    /// ⌊√x⌋ by the digit-by-digit (restoring) method: x's digits are taken two at a time from the
    /// top; each pair decides one digit of the root, 1 when 4·root + 1 fits in the remainder.
    static func squareRoot(_ x: [Int]) -> [Int] {
        let x = x.count % 2 == 0 ? x : x + [0]
        var root = [0], remainder = [0]
        for pair in stride(from: x.count - 2, through: 0, by: -2) {
            remainder = trimmed([x[pair], x[pair + 1]] + remainder)  // 4·remainder + the pair
            let trial = [1, 0] + root  // 4·root + 1
            if compare(remainder, trial) >= 0 {
                remainder = difference(remainder, trial)
                root = trimmed([1] + root)
            } else {
                root = trimmed([0] + root)
            }
        }
        return root
    }

    /// `count` digits, uniform over the 2^count − 1 nonzero values: Python's
    /// `random.randint(1, 2**count - 1)` written with `count` digits (leading zeros kept). Each
    /// digit is a fair draw from `rng`; the all-zero string is drawn again (probability 2^−count).
    static func uniformNonzero(digits count: Int, rng: RandomGenerator) -> [Int] {
        precondition(count >= 1, "a nonzero number needs at least one digit")
        while true {
            let d = (0..<count).map { _ in rng.int(below: 2) }
            if d.contains(1) { return d }
        }
    }
}
