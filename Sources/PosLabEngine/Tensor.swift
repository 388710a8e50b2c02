import Foundation

/// A contiguous, row-major Float32 array with a shape, and (when it takes part in training) a
/// gradient and the recipe for passing that gradient back to its inputs.
///
/// Tensors are immutable values as far as ops are concerned: an op reads its inputs and writes a
/// new output. Parameters are tensors created with `requiresGrad: true`; the optimizer updates
/// their `data` in place between steps.
public final class Tensor {
    /// The extent of each dimension, outermost first. A scalar has shape `[]`.
    public let shape: [Int]
    /// The number of elements (the product of `shape`).
    public let count: Int
    /// The element storage (shared between a tensor and its reshapes).
    public let storage: Storage
    /// Whether gradients flow into this tensor.
    public let requiresGrad: Bool
    /// A readable label (parameters carry their path in the model, e.g. `block0.attn.wqkv`).
    public var label: String

    /// The gradient of the value `backward()` was called on, allocated on first use.
    public private(set) var gradStorage: Storage?
    /// The tensors this one was computed from (empty for leaves and for values without gradient).
    let parents: [Tensor]
    /// Adds this tensor's gradient, times the local Jacobian, into each parent's gradient.
    let backwardFn: ((Tensor) -> Void)?

    /// A leaf tensor of zeros. Set `requiresGrad` for a trainable parameter.
    public init(zeros shape: [Int], requiresGrad: Bool = false, label: String = "") {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        storage = Storage(count: count)
        self.requiresGrad = requiresGrad
        self.label = label
        parents = []
        backwardFn = nil
    }

    /// A leaf tensor holding `values` (row-major) with the given shape.
    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false, label: String = "") {
        self.init(zeros: shape, requiresGrad: requiresGrad, label: label)
        precondition(values.count == count, "\(values.count) values do not fill shape \(shape)")
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// An op result: how every op (and any fused kernel of your own) makes its output.
    ///
    /// The output's elements start uninitialised: the op must write every one of them.
    /// `backward` receives the output, whose `grad` is complete when it runs, and must add the
    /// output gradient times the local Jacobian into each parent's `grad` (check it with
    /// `checkGradients`). The output keeps `parents` and `backward` only if a parent needs a gradient.
    /// `backward` captures the tensors and storages it reads, never a pointer into them, and takes
    /// their pointers inside (the engine's one lifetime idiom: `Storage.withPointer`).
    public init(shape: [Int], storage: Storage? = nil, parents: [Tensor], backward: @escaping (Tensor) -> Void) {
        self.shape = shape
        count = shape.reduce(1, *)
        self.storage = storage ?? Storage(uninitializedCount: count)
        let needsGrad = Tensor.recording && parents.contains { $0.requiresGrad }
        requiresGrad = needsGrad
        label = ""
        self.parents = needsGrad ? parents : []
        backwardFn = needsGrad ? backward : nil
    }

    /// The element storage, for kernels.
    @inlinable public var data: UnsafeMutablePointer<Float> { storage.pointer }

    /// The gradient storage, allocated (as zeros) on first use.
    public var grad: UnsafeMutablePointer<Float> {
        if let g = gradStorage { return g.pointer }
        let g = Storage(count: count)
        gradStorage = g
        return g.pointer
    }

    /// The gradient buffer for a backward pass that will write EVERY element: when `overwrite` is
    /// true the buffer is new and uninitialised and the caller must assign (`=`, or `beta: 0`),
    /// which saves zeroing it first; otherwise it must add, as usual.
    public func gradForWriting() -> (pointer: UnsafeMutablePointer<Float>, overwrite: Bool) {
        if let g = gradStorage { return (g.pointer, false) }
        let g = Storage(uninitializedCount: count)
        gradStorage = g
        return (g.pointer, true)
    }

    /// Drops the gradient of an op result once it has been passed on (leaves keep theirs).
    func releaseIntermediateGrad() { if backwardFn != nil { gradStorage = nil } }

    /// Takes `result`'s complete gradient buffer as this tensor's gradient, without a copy, when
    /// this tensor has none yet and the sizes match: for a backward pass whose input gradient
    /// equals (or is computed in place from) its output's. `result` is left without a gradient,
    /// so the caller must not touch `result.grad` afterwards. Returns false (and takes nothing) otherwise.
    public func adoptGrad(of result: Tensor) -> Bool {
        guard gradStorage == nil, result !== self, result.count == count, let g = result.gradStorage else { return false }
        gradStorage = g
        result.gradStorage = nil
        return true
    }

    /// Whether a gradient has been accumulated into this tensor.
    public var hasGrad: Bool { gradStorage != nil }

    /// Resets the gradient to zero (the optimizer calls this for parameters each step).
    public func zeroGrad() { gradStorage?.zero() }

    /// Drops the gradient storage (evaluation copies and checkers use this).
    public func clearGrad() { gradStorage = nil }

    /// The values as an array (a copy).
    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// The gradient as an array (zeros if none has been accumulated).
    public var gradValues: [Float] {
        guard let g = gradStorage else { return [Float](repeating: 0, count: count) }
        return Array(UnsafeBufferPointer(start: g.pointer, count: count))
    }

    /// The value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with shape \(shape)")
        return data[0]
    }

    /// Overwrites the values (the count must match).
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "assign: \(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }
}

// MARK: - Evaluation without a tape

extension Tensor {
    /// Whether ops record the graph for backward (per thread; false inside `withoutGradients`).
    @TaskLocal static var recording = true

    /// Whether ops record the graph for backward here (false inside `withoutGradients`).
    public static var isRecording: Bool { recording }

    /// Runs `body` with no graph recorded: op results keep no parents and no backward closure, so
    /// every intermediate is freed as soon as it is no longer used (evaluation, inference).
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        try $recording.withValue(false, operation: body)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let head = values.prefix(8).map { String(format: "%.4f", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(head)\(count > 8 ? ", …" : "")]"
    }
}
