// MARK: - Vectorised elementary functions

/// A vector of eight floats: the unit the elementwise kernels work in (two SSE registers, or one
/// AVX register when the build targets it).
public typealias Float8 = SIMD8<Float>

/// e^x for eight floats at once, within 2 ulp of the correctly rounded value on [−87, 88].
///
/// Cephes' `expf` scheme: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two for exactness), a
/// degree-6 polynomial for e^r, and 2^n assembled in the exponent bits. Inputs below −87.3 give
/// about 1e-38 instead of underflowing further; above 88.7 they are clamped.
@inline(__always)
public func vectorExp(_ x: Float8) -> Float8 {
    // (`clamped(lowerBound:upperBound:)` is not specialised for SIMD8 and costs a call per lane.)
    var clamped = x.replacing(with: -87.3, where: x .< -87.3)
    clamped.replace(with: 88.7, where: clamped .> 88.7)
    // Adding 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa bits.
    let shifted = clamped * 1.44269504088896341 + 12_582_912
    let n = shifted - 12_582_912
    var r = clamped - n * 0.693359375
    r = r + n * 2.12194440e-4
    let r2 = r * r
    var p: Float8 = Float8(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * r2 + r + 1
    let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000  // bits of 1.5·2²³
    let exponent = (integer &+ 127) &<< 23
    return p * unsafeBitCast(exponent, to: Float8.self)
}

extension UnsafeMutablePointer where Pointee == Float {
    /// The eight floats starting at `offset`.
    @inline(__always)
    func load8(_ offset: Int) -> Float8 {
        UnsafeRawPointer(self + offset).loadUnaligned(as: Float8.self)
    }

    /// Writes eight floats starting at `offset`.
    @inline(__always)
    func store8(_ value: Float8, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: Float8.self)
    }
}

/// Applies `body` to `count` floats in chunks of eight; the tail is padded with zeros and only its
/// real elements are written back. `body(input chunk, start index) -> output chunk`.
@inline(__always)
func forEachChunk(_ count: Int, input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                  _ body: (Float8, Int) -> Float8) {
    var i = 0
    while i + 8 <= count {
        output.store8(body(input.load8(i), i), i)
        i += 8
    }
    if i < count {
        var tail = Float8(repeating: 0)
        for j in 0..<(count - i) { tail[j] = input[i + j] }
        let result = body(tail, i)
        for j in 0..<(count - i) { output[i + j] = result[j] }
    }
}
