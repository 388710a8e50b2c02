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

    /// Runs `body` with `pointer`, this storage kept alive until `body` returns.
    ///
    /// The engine's one idiom for buffers read or written through raw pointers: a pointer is taken
    /// inside a closure that holds its owner, and never outlives it.
    /// - A backward closure captures the `Storage` or `Tensor` it reads (saved statistics, tables
    ///   that are not parents, an input) and takes `.pointer` or `.data` inside the closure; the
    ///   capture keeps the owner alive for as long as the closure can run. It never captures a
    ///   pointer taken outside.
    /// - Code that owns a local `Storage` (a scratch buffer, or values saved for a backward closure
    ///   that is dropped when no graph is recorded) uses its pointer inside `withPointer`.
    /// Swift may release an object right after its last use, so a pointer taken from a local and
    /// used after that would read freed memory.
    @inlinable
    public func withPointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }
}
