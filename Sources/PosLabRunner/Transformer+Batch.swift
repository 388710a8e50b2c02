import PosLabModel
import PosLabTasks

extension Transformer {
    /// Logits (B, T, V) for a task's batch: at the task's own position ids, one row per sequence,
    /// when it supplies them (`SequenceTask.positionIDs`), else at the encoding's positions.
    func logits(_ batch: Batch, training: Bool) throws -> Tensor {
        guard let ids = batch.positions else {
            return try logits(ids: batch.inputs, batch: batch.size, length: batch.length, training: training)
        }
        return try logits(ids: batch.inputs, batch: batch.size, length: batch.length,
                          positions: Positions(perSequence: ids, rows: batch.size), training: training)
    }
}
