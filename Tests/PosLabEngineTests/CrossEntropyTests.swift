import Foundation
import PosLabEngine
import Testing

/// The cross-entropy of a large vocabulary (rows of 1,024 ids or more take the vectorised path)
/// against the formula computed in double precision, value and gradient.
@Suite struct CrossEntropyTests {
    /// loss = Σ_r w_r (log Σ_j e^{z_rj} − z_r,t_r) / Σ w, and ∂loss/∂z_rj = w_r (softmax_rj − [j = t_r]) / Σ w.
    func reference(_ z: [Float], rows: Int, v: Int, targets: [Int], mask: [Float]) -> (Double, [Double]) {
        let total = mask.reduce(0, +)
        var loss = 0.0, grad = [Double](repeating: 0, count: z.count)
        for r in 0..<rows where mask[r] != 0 {
            let row = z[(r * v)..<((r + 1) * v)].map(Double.init)
            let m = row.max()!, lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
            loss += Double(mask[r]) * (lse - row[targets[r]])
            for j in 0..<v { grad[r * v + j] = Double(mask[r]) * (exp(row[j] - lse) - (j == targets[r] ? 1 : 0)) / Double(total) }
        }
        return (loss / Double(total), grad)
    }

    @Test(arguments: [1_024, 1_031, 50_257]) func wideRowsMatchTheFormula(_ v: Int) throws {
        let rows = 6
        var values = randomTensor([rows, v], seed: 11, std: 3).values
        values[v - 1] = 12  // row 0's largest logit is its last: the lanes' tail must count
        values[2 * v + 5] = 12  // row 2's is in the first lanes
        let logits = Tensor(values, shape: [rows, v], requiresGrad: true)
        let targets = [v - 1] + (1..<rows).map { ($0 * 7919) % v }, mask: [Float] = [1, 0, 1, 2, 1, 1]
        let loss = crossEntropy(logits, targets: targets, mask: mask)
        loss.backward()
        let (expected, grad) = reference(logits.values, rows: rows, v: v, targets: targets, mask: mask)
        #expect(abs(Double(loss.scalar) - expected) <= 2e-6 * expected, "\(loss.scalar) vs \(expected)")
        let worst = zip(logits.gradValues, grad).map { abs(Double($0) - $1) }.max()!
        #expect(worst <= 1e-7, "largest gradient error \(worst)")
    }
}
