import PosLabModel

/// A learned absolute table added through a hand-written op whose backward pass is wrong (it
/// passes back half the gradient to the table): the gradient check must catch it.
public final class BadGradient: RegisteredEncoding {
    public static let registryName = "bad-gradient"
    public static let summary = "test fixture: wrong backward"
    let table: Tensor
    public var parameters: [Tensor] { [table] }
    public var maximumLength: Int? { table.shape[0] }

    init(_ context: EncodingContext) {
        table = .gaussian([context.maxLength, context.dModel], std: 1, rng: context.rng(for: Self.registryName), label: "bad.table")
    }

    public static func make(_ arguments: inout SpecArguments, context: EncodingContext) throws -> BadGradient { BadGradient(context) }

    public func embed(_ x: Tensor, context: HookContext) -> Tensor {
        let positions = context.positions.ids  // shared (T)
        let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
        let table = self.table
        let out = Tensor(shape: x.shape, parents: [x, table]) { out in
            for i in 0..<out.count {
                x.grad[i] += out.grad[i]
                table.grad[positions[(i / c) % t] * c + i % c] += 0.5 * out.grad[i]  // should be 1×
            }
        }
        for s in 0..<b { for p in 0..<t { for j in 0..<c {
            out.data[(s * t + p) * c + j] = x.data[(s * t + p) * c + j] + table.data[positions[p] * c + j]
        } } }
        return out
    }
}

@_cdecl("poslab_register_encodings")
public func registerEncodings(_ host: UnsafeMutableRawPointer, _ hostVersion: Int32) -> Int32 {
    PluginRegistrar.register(host, hostVersion) { try $0.register(BadGradient.self) }
}
