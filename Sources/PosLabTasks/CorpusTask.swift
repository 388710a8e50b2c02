import PosLabSupport

/// A task trained and evaluated on a fixed corpus rather than on sampled sequences — language
/// modelling on a text file. The trainer asks it for training batches, and at each evaluation
/// length scores it under each of its protocols (one row of results per protocol).
public protocol CorpusTask: SequenceTask {
    /// A training batch: `size` sequences of `length` tokens drawn with `rng`.
    func trainingBatch(size: Int, length: Int, rng: RandomGenerator) -> Batch
    /// The protocols scored at `length`, by their names in results, e.g. `nonoverlapping`.
    func evaluationProtocols(length: Int) -> [String]
    /// The evaluation of one protocol at `length`, in batches of at most `maxRows` sequences;
    /// every target whose mask is 1 is scored once.
    func evaluationBatches(length: Int, protocol: String, maxRows: Int) -> [Batch]
    /// The UTF-8 bytes token `id` stands for (for bits per byte).
    func byteCount(of id: Int) -> Int
}
