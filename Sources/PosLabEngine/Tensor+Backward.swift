// MARK: - Reverse-mode automatic differentiation

extension Tensor {
    /// Back-propagates from this tensor: its gradient is set to `seed` (ones for a scalar loss, by
    /// default) and every tensor it was computed from receives d(Σ seed·self)/d(tensor).
    ///
    /// The tape is the graph recorded by the ops: it is replayed in reverse topological order, so
    /// each node's gradient is complete before it is passed on. Parameter gradients accumulate
    /// across calls until `zeroGrad()`. As in PyTorch, only leaves (parameters and inputs) keep
    /// their gradient: an op result's is released once passed on, so later buffers reuse its memory.
    public func backward(seed: [Float]? = nil) {
        precondition(requiresGrad, "backward() on a tensor that does not depend on any parameter")
        let g = grad
        if let seed {
            precondition(seed.count == count, "backward seed has \(seed.count) values, tensor \(count)")
            for i in 0..<count { g[i] += seed[i] }
        } else {
            for i in 0..<count { g[i] += 1 }
        }
        for node in tape().reversed() {
            node.backwardFn?(node)
            if node !== self { node.releaseIntermediateGrad() }
        }
    }

    /// Every tensor this one depends on that needs a gradient, in topological order (inputs first).
    func tape() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.requiresGrad, visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
