import Foundation
import PosLabEngine
import Testing

/// Every backward closure keeps alive the tensors whose memory it reads: an op's inputs may be
/// temporaries that the caller drops before `backward()`.
@Suite struct LifetimeTests {
    /// Rotary tables made only for the call: their memory is freed, then reused by tensors of the
    /// same size filled with garbage, before backward reads them.
    @Test func rotaryBackwardKeepsItsTablesAlive() {
        let (t, half) = (5, 12)
        let angles = (0..<(t * half)).map { Float($0) * 0.1 }
        func table(_ f: (Float) -> Float) -> Tensor { Tensor(angles.map(f), shape: [t, half]) }
        let x = randomTensor([2, t, 2 * half], seed: 3)
        let y = rotaryRotate(x, cos: table { Foundation.cos($0) }, sin: table { Foundation.sin($0) })
        // Same-sized blocks, allocated right after the tables died, take their place in the heap.
        let garbage = (0..<8).map { _ in Tensor.filled([t, half], value: 1e6) }
        let seed = randomTensor(y.shape, seed: 4)
        sum(y * seed).backward()
        // Reference: the inverse rotation of the upstream gradient, with tables that stay alive.
        let c = angles.map { Foundation.cos($0) }, s = angles.map { Foundation.sin($0) }
        var expected = [Float](repeating: 0, count: x.count)
        for r in 0..<(2 * t) {
            for k in 0..<half {
                let (a, b) = (c[(r % t) * half + k], s[(r % t) * half + k])
                let (lo, hi) = (seed.values[r * 2 * half + k], seed.values[r * 2 * half + k + half])
                expected[r * 2 * half + k] = lo * a + hi * b
                expected[r * 2 * half + k + half] = hi * a - lo * b
            }
        }
        expectClose(x.gradValues, expected)
        withExtendedLifetime(garbage) {}
    }
}
