/// A fixed-size block of Float32 that a tensor owns (or shares, for a reshape).
///
/// A class around a raw pointer rather than `[Float]`: kernels write through the pointer with no
/// copy-on-write checks and no bounds checks in inner loops.
public final class Storage {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Float>
    /// The number of elements.
    public let count: Int

    /// Allocates `count` zeros.
    public convenience init(count: Int) {
        self.init(uninitializedCount: count)
        zero()
    }

    /// Allocates `count` elements without setting them: for op outputs that write every element.
    public init(uninitializedCount count: Int) {
        self.count = count
        pointer = .allocate(capacity: Swift.max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }
}
