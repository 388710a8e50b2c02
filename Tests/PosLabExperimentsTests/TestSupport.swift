import Foundation
import PosLabResults
import PosLabTestSupport

/// A fixture file's path.
func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
}

/// A fresh, empty temporary folder.
func temporaryDirectory(_ name: String = #function) -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("poslab-tests-\(name.filter(\.isLetter))-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The rows of a runs.csv table without the wall-clock column (the only one that may differ).
func withoutWallTime(_ rows: [[String]]) -> [[String]] {
    let wall = ResultsStore.runColumns.firstIndex(of: "wall_seconds")!
    return rows.map { row in row.enumerated().filter { $0.offset != wall }.map(\.element) }
}

/// The `poslab` executable built next to the test bundle.
var poslabExecutable: URL {
    let products = Bundle.module.bundleURL.deletingLastPathComponent()
    return products.appendingPathComponent("poslab")
}

/// Runs `poslab` with `arguments` in `directory`, with `environment` changes (nil removes a
/// variable); returns (status, stdout, stderr).
@discardableResult
func runPoslab(_ arguments: [String], in directory: URL, environment: [String: String?] = [:]) throws -> (Int32, String, String) {
    try runProcess(poslabExecutable, arguments, in: directory, environment: environment)
}
