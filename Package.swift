// swift-tools-version:6.0
// PosLab: a research harness for positional encodings in tiny transformers.
//
// Architecture (one module per layer; each C bridge is imported by exactly one Swift module):
//   CGSL, COpenBLAS      system-library bridges (GSL without gslcblas; OpenBLAS serves cblas_*)
//   PosLabStatistics     seeded random numbers and statistics over GSL   (imports CGSL)
//   PosLabEngine         tensors, reverse-mode autodiff, ops, optimizers (imports COpenBLAS)
//   PosLabModel          the transformer, PositionalEncoding and the built-in encodings
//   poslab-bench         training-speed benchmark (not a test)
import PackageDescription

let package = Package(
    name: "PosLab",
    products: [
        .library(name: "PosLab", targets: ["PosLabModel"]),
        .executable(name: "poslab-bench", targets: ["poslab-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .target(name: "PosLabStatistics", dependencies: ["CGSL"]),
        .target(name: "PosLabEngine", dependencies: ["COpenBLAS", "PosLabStatistics"]),
        .target(name: "PosLabModel", dependencies: ["PosLabEngine", "PosLabStatistics"]),
        .executableTarget(
            name: "poslab-bench",
            dependencies: ["PosLabModel", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "PosLabStatisticsTests", dependencies: ["PosLabStatistics"]),
        .testTarget(name: "PosLabEngineTests", dependencies: ["PosLabEngine"]),
        .testTarget(
            name: "PosLabModelTests", dependencies: ["PosLabModel"],
            resources: [.copy("Fixtures")]),
    ]
)
