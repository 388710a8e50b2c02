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
    return exponential(clamped)
}

/// The float vectors the elementwise kernels are written for, 8 or 16 lanes: generic kernels do
/// exactly the same arithmetic in every lane, whatever the width.
protocol FloatLanes: SIMD where Scalar == Float, MaskStorage.Scalar == Int32 {
    /// Each lane below `bound` replaced by `bound`, as one vector compare and blend (the generic
    /// `.<` of `SIMD` compiles to a loop over the lanes).
    func clamped(below bound: Float) -> Self
}

extension SIMD8: FloatLanes where Scalar == Float {
    @inline(__always)
    func clamped(below bound: Float) -> Self { replacing(with: bound, where: self .< bound) }
}

extension SIMD16: FloatLanes where Scalar == Float {
    @inline(__always)
    func clamped(below bound: Float) -> Self { replacing(with: bound, where: self .< bound) }
}

/// `vectorExp` for x ≤ 0 (e.g. −z²/2, or scores minus their maximum), for 8 or 16 lanes: the same
/// values lane by lane, one clamp fewer.
@inline(__always)
func vectorExpNonPositive<V: FloatLanes>(_ x: V) -> V {
    exponential(x.clamped(below: -87.3))
}

/// e^x for x already clamped to [−87.3, 88.7]. Generic over the lane count so that a kernel can
/// work 16 lanes at a time (one AVX-512 register) with exactly the per-lane arithmetic of 8.
@inline(__always)
private func exponential<V: FloatLanes>(_ clamped: V) -> V {
    // Adding 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa bits.
    let shifted = clamped * 1.44269504088896341 + 12_582_912
    let n = shifted - 12_582_912
    var r = clamped - n * 0.693359375
    r = r + n * 2.12194440e-4
    let r2 = r * r
    var p = V(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * r2 + r + 1
    let integer = unsafeBitCast(shifted, to: V.MaskStorage.self) &- 0x4B40_0000  // bits of 1.5·2²³
    let exponent = (integer &+ 127) &<< 23
    return p * unsafeBitCast(exponent, to: V.self)
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

    /// The sixteen floats starting at `offset`.
    @inline(__always)
    func load16(_ offset: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + offset).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// Writes sixteen floats starting at `offset`.
    @inline(__always)
    func store16(_ value: SIMD16<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(self + offset).storeBytes(of: value, as: SIMD16<Float>.self)
    }
}

// MARK: - Lane blocks with padded tails

/// Calls `body(offset, lanes)` for the blocks of eight elements that cover `start..<end`: whole
/// blocks (`lanes` = 8), then one last block of the remaining `(end − start) % 8` elements, if any,
/// padded. The body reads with `load8(offset, lanes:)` and writes with `store8(_:_:lanes:)`, which
/// touch only the first `lanes` elements (the others read as 0 and are not written), so one body
/// serves the vector loop and its tail.
///
/// For elementwise loops, where each lane computes exactly what a scalar loop computes for its
/// element (IEEE operations lane by lane): the padded tail gives the bits a scalar tail would.
/// Reductions keep their scalar tails: a padded block's lanes would be summed in another order.
@inline(__always)
func forEachLaneBlock(from start: Int = 0, to end: Int, _ body: (_ offset: Int, _ lanes: Int) -> Void) {
    var j = start
    while j + 8 <= end {
        body(j, 8)
        j += 8
    }
    if j < end { body(j, end - j) }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// The `lanes` (1 through 8) floats starting at `offset`, padded with zeros to eight.
    @inline(__always)
    func load8(_ offset: Int, lanes: Int) -> Float8 {
        if lanes == 8 { return load8(offset) }
        var value = Float8(repeating: 0)
        for l in 0..<lanes { value[l] = self[offset + l] }
        return value
    }

    /// Writes the first `lanes` (1 through 8) of the eight floats, starting at `offset`.
    @inline(__always)
    func store8(_ value: Float8, _ offset: Int, lanes: Int) {
        if lanes == 8 { return store8(value, offset) }
        for l in 0..<lanes { self[offset + l] = value[l] }
    }
}

extension SIMD8 where Scalar == Float {
    /// The sum of the eight lanes, as ((0+4) + (2+6)) + ((1+5) + (3+7)): three vector adds.
    @inline(__always)
    var horizontalSum: Float {
        let four = lowHalf + highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }
}

/// dst[0..<count] = src[0..<count], eight at a time: for the short rows (a head's 16 or 32
/// floats) where a `memmove` call per row costs more than the copy.
@inline(__always)
func copyRow(_ src: UnsafeMutablePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    forEachLaneBlock(to: count) { j, lanes in dst.store8(src.load8(j, lanes: lanes), j, lanes: lanes) }
}

/// dst[0..<count] += src[0..<count], eight at a time.
@inline(__always)
func addRow(_ src: UnsafeMutablePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
    forEachLaneBlock(to: count) { j, lanes in
        dst.store8(dst.load8(j, lanes: lanes) + src.load8(j, lanes: lanes), j, lanes: lanes)
    }
}

/// sums[j] += Σ_r rows[r·width + j] for every column j of a (rowCount, width) matrix: a bias's
/// gradient from its output's. Each column is added row by row in order r = 0, 1, … (the order of
/// `addRow` applied to each row in turn, so the same bits), but 32 columns at a time stay in
/// registers over all the rows instead of being loaded and stored once per row.
public func addColumnSums(of rows: UnsafeMutablePointer<Float>, rowCount: Int, width: Int,
                          into sums: UnsafeMutablePointer<Float>) {
    var j = 0
    while j + 32 <= width {  // (rowCount, 32) column blocks
        var s0 = sums.load8(j), s1 = sums.load8(j + 8), s2 = sums.load8(j + 16), s3 = sums.load8(j + 24)
        var row = rows + j
        for _ in 0..<rowCount {
            s0 += row.load8(0)
            s1 += row.load8(8)
            s2 += row.load8(16)
            s3 += row.load8(24)
            row += width
        }
        sums.store8(s0, j)
        sums.store8(s1, j + 8)
        sums.store8(s2, j + 16)
        sums.store8(s3, j + 24)
        j += 32
    }
    while j + 8 <= width {  // (rowCount, 8)
        var s = sums.load8(j)
        var row = rows + j
        for _ in 0..<rowCount {
            s += row.load8(0)
            row += width
        }
        sums.store8(s, j)
        j += 8
    }
    while j < width {  // single columns
        var s = sums[j]
        for r in 0..<rowCount { s += rows[r * width + j] }
        sums[j] = s
        j += 1
    }
}
