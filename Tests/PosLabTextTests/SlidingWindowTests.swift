import PosLabModel
import PosLabText
import Testing

/// The seed chapter's dataloader and embeddings, reproduced.
@Suite struct SlidingWindowTests {
    /// docs/text.md shows the lines of this test down to `let input`, and the test command checks
    /// they are still these (Scripts/docs_examples.py, `checked-by`).
    @Test func chaptersFirstBatchAndEmbeddings() throws {
        let rawText = try verdict()
        let tokens = try GPT2Tokenizer.bundled().encode(rawText)           // the-verdict.txt: 5,145 ids
        let dataset = SlidingWindowDataset(tokens: tokens, maxLength: 4, stride: 4)
        let batch = dataset.batches(batchSize: 8, shuffle: false)[0]
        let firstInput = batch.inputRow(0)                                 // [40, 367, 2885, 1464]
        let firstTarget = batch.targetRow(0)                               // [367, 2885, 1464, 1807]
        let rng = RandomGenerator(seed: 123)
        let tokenTable = Tensor.gaussian([50257, 256], std: 1, rng: rng)   // Embedding(50257, 256)
        let x = embedding(tokenTable, ids: batch.inputs, shape: [8, 4])    // (8, 4, 256)
        let learned = LearnedEncoding(size: 4, dModel: 256, rng: rng)      // Embedding(4, 256)
        let input = learned.embed(x, context: HookContext(positions: Array(0..<4)))  // (8, 4, 256)

        #expect(tokens.count == 5145)
        #expect(batch.size == 8 && batch.length == 4)
        #expect(Array(firstInput) == [40, 367, 2885, 1464])
        #expect(Array(firstTarget) == [367, 2885, 1464, 1807])
        // Row r is tokens[4r ..< 4r + 4] and its target tokens[4r + 1 ... 4r + 4] (stride = max_length).
        for r in 0..<8 {
            #expect(Array(batch.inputRow(r)) == Array(tokens[(4 * r)..<(4 * r + 4)]))
            #expect(Array(batch.targetRow(r)) == Array(tokens[(4 * r + 1)...(4 * r + 4)]))
        }
        // token_embedding_layer = Embedding(50257, 256); pos_embedding_layer = Embedding(4, 256)
        #expect(x.shape == [8, 4, 256])
        #expect(input.shape == [8, 4, 256])
        // Each vector is its token's row plus its position's row.
        for (b, t, c) in [(0, 0, 0), (0, 3, 255), (7, 2, 100), (5, 1, 17)] {
            let id = batch.inputs[b * 4 + t]
            let want = tokenTable.data[id * 256 + c] + learned.table.data[t * 256 + c]
            #expect(input.data[(b * 4 + t) * 256 + c] == want)
        }
    }

    @Test func windowsFollowPythonsRange() {
        // range(0, 10 - 4, 3) = 0, 3: a start must leave room for the shifted target.
        let d = SlidingWindowDataset(tokens: Array(0..<10), maxLength: 4, stride: 3)
        #expect(d.count == 2)
        #expect(Array(d.window(1).input) == [3, 4, 5, 6] && Array(d.window(1).target) == [4, 5, 6, 7])
        #expect(SlidingWindowDataset(tokens: Array(0..<9), maxLength: 4, stride: 1).count == 5)
        #expect(SlidingWindowDataset(tokens: Array(0..<4), maxLength: 4, stride: 1).count == 0)
    }

    @Test func dropLastAndShuffle() {
        let d = SlidingWindowDataset(tokens: Array(0..<50), maxLength: 4, stride: 2)  // 23 windows
        #expect(d.count == 23)
        #expect(d.batches(batchSize: 5).count == 4)
        #expect(d.batches(batchSize: 5, dropLast: false).map(\.size) == [5, 5, 5, 5, 3])
        let a = d.batches(batchSize: 5, shuffle: true, seed: 1)
        #expect(a == d.batches(batchSize: 5, shuffle: true, seed: 1))
        #expect(a != d.batches(batchSize: 5, shuffle: true, seed: 2))
        #expect(a != d.batches(batchSize: 5, shuffle: true, seed: 1, epoch: 1))
        #expect(a != d.batches(batchSize: 5))
        // A shuffled pass is a permutation of the windows, each row still a window with its target.
        let all = d.batches(batchSize: 23, shuffle: true, seed: 1)[0]
        #expect(Set((0..<23).map { all.inputRow($0).first! }) == Set((0..<23).map { 2 * $0 }))
        for r in 0..<23 { #expect(Array(all.targetRow(r)) == all.inputRow(r).map { $0 + 1 }) }
    }

    @Test func heldOutWindowsNeverOverlapTraining() {
        // Token ids equal to positions, so each window's ids are the positions it reads.
        let split = TextSplit(tokens: Array(0..<1000), trainFraction: 0.9)
        #expect(split.boundary == 900)
        for (length, stride) in [(4, 4), (16, 1), (7, 3), (64, 32)] {
            let train = split.trainingWindows(maxLength: length, stride: stride)
            let held = split.heldOutWindows(maxLength: length, stride: stride)
            var trainPositions = Set<Int>(), heldPositions = Set<Int>()
            for k in 0..<train.count { let w = train.window(k); trainPositions.formUnion(w.input); trainPositions.formUnion(w.target) }
            for k in 0..<held.count { let w = held.window(k); heldPositions.formUnion(w.input); heldPositions.formUnion(w.target) }
            #expect(trainPositions.isDisjoint(with: heldPositions), "length \(length) stride \(stride)")
            #expect(trainPositions.max()! < 900 && heldPositions.min()! == 900)
        }
    }
}
