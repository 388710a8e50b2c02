import Foundation
import PosLabModel
import Testing

/// A study never silently mixes numbers from two OpenBLAS kernels (they differ in the last bits,
/// and so do trained models): growing it under another kernel is refused unless asked for.
@Suite struct MixedKernelTests {
    @Test func anotherKernelMustBeAskedFor() throws {
        let dir = temporaryDirectory()
        let suite = { (seeds: String) in """
            name: k
            encodings: [none]
            tasks: [shift]
            seeds: \(seeds)
            model: {d_model: 16, layers: 1, heads: 2}
            training: {steps: 5, batch_size: 8, length: 6}
            evaluation: {lengths: [6], size: 16}
            """ }
        try suite("[1]").write(to: dir.appendingPathComponent("k.yaml"), atomically: true, encoding: .utf8)
        #expect(try runPoslab(["run", "k.yaml", "--out", "out"], in: dir).0 == 0)
        let mine = BLAS.kernel.core, other = mine == "Prescott" ? "Nehalem" : "Prescott"  // both run on any x86-64 CPU PosLab supports
        let env: [String: String?] = ["OPENBLAS_CORETYPE": other]
        // Nothing new to compute: nothing mixed, fine.
        #expect(try runPoslab(["run", "k.yaml", "--out", "out"], in: dir, environment: env).0 == 0)
        // A new seed under the other kernel: refused before anything is written.
        try suite("[1, 2]").write(to: dir.appendingPathComponent("k.yaml"), atomically: true, encoding: .utf8)
        let runs = try Data(contentsOf: dir.appendingPathComponent("out/runs.csv"))
        let (status, _, err) = try runPoslab(["run", "k.yaml", "--out", "out"], in: dir, environment: env)
        #expect(status == 2 && err.contains("1 with \(mine) of this study's runs were computed with another OpenBLAS kernel than this process's \(other)"),
                "\(err)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("out/runs.csv")) == runs)
        #expect(recordFiles(dir.appendingPathComponent("out")).count == 1)
        // Asked for: the new run is trained, and its record names its kernel.
        #expect(try runPoslab(["run", "k.yaml", "--out", "out", "--allow-mixed-kernels"], in: dir, environment: env).0 == 0)
        let kernels = try recordFiles(dir.appendingPathComponent("out")).map { url in
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            return try #require((json["build"] as? [String: Any])?["blas_kernel"] as? String).prefix { $0 != " " }
        }
        #expect(Set(kernels.map(String.init)) == [mine, other])
    }
}
