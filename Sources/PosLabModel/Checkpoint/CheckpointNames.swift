/// Where one model tensor goes in a checkpoint: its name and whether it is stored transposed.
///
/// Names follow the model's structure as a PyTorch state dict would (`nn.Embedding`, `nn.LayerNorm`,
/// `nn.Linear`): `token_embedding.weight`, `blocks.{i}.ln1.weight|bias`, `blocks.{i}.attn.qkv.weight|bias`,
/// `blocks.{i}.attn.out.weight|bias`, `blocks.{i}.ln2.weight|bias`, `blocks.{i}.mlp.fc1.weight|bias`,
/// `blocks.{i}.mlp.fc2.weight|bias`, `ln_final.weight|bias`, `head.weight|bias`, then the encoding's
/// parameters as `encoding.<name>` (its label without the encoding's prefix: `learned.table` →
/// `encoding.table`). Linear weights are stored (out, in), as `nn.Linear` holds them (y = x·Wᵀ + b);
/// PosLab keeps them (in, out), so they are transposed on the way in and out.
public struct CheckpointSlot {
    /// The tensor's name in the checkpoint.
    public let name: String
    /// The model's tensor.
    public let tensor: Tensor
    /// Whether the checkpoint holds the transpose of the model's (in, out) matrix.
    public let transposed: Bool

    /// The shape in the checkpoint.
    public var shape: [Int] { transposed ? [tensor.shape[1], tensor.shape[0]] : tensor.shape }
}

extension Transformer {
    /// The layout of linear weights, as recorded in a checkpoint's metadata.
    public static let checkpointLinearLayout = "out_in"

    /// Every tensor of the model with its checkpoint name, in the model's order.
    public var checkpointSlots: [CheckpointSlot] {
        func plain(_ name: String, _ t: Tensor) -> CheckpointSlot { CheckpointSlot(name: name, tensor: t, transposed: false) }
        func linear(_ name: String, _ w: Tensor, _ b: Tensor) -> [CheckpointSlot] {
            [CheckpointSlot(name: name + ".weight", tensor: w, transposed: true), plain(name + ".bias", b)]
        }
        var slots = [plain("token_embedding.weight", tokenEmbedding)]
        for (i, block) in blocks.enumerated() {
            let p = "blocks.\(i)."
            slots += [plain(p + "ln1.weight", block.ln1Gain), plain(p + "ln1.bias", block.ln1Bias)]
            slots += linear(p + "attn.qkv", block.wqkv, block.bqkv) + linear(p + "attn.out", block.wo, block.bo)
            slots += [plain(p + "ln2.weight", block.ln2Gain), plain(p + "ln2.bias", block.ln2Bias)]
            slots += linear(p + "mlp.fc1", block.w1, block.b1) + linear(p + "mlp.fc2", block.w2, block.b2)
        }
        slots += [plain("ln_final.weight", lnFinalGain), plain("ln_final.bias", lnFinalBias)]
        slots += linear("head", headWeight, headBias)
        return slots + encodingSlots
    }

    /// The encoding's parameters as `encoding.<label after its first dot>`; if that leaves a name
    /// empty or used twice, `encoding.<index>.<label>` for all of them.
    private var encodingSlots: [CheckpointSlot] {
        let parameters = encoding.parameters
        let short = parameters.map { p in
            "encoding." + (p.label.firstIndex(of: ".").map { String(p.label[p.label.index(after: $0)...]) } ?? p.label)
        }
        let unique = Set(short).count == short.count && !short.contains("encoding.")
        return parameters.enumerated().map { i, p in
            CheckpointSlot(name: unique ? short[i] : "encoding.\(i).\(p.label)", tensor: p, transposed: false)
        }
    }
}
