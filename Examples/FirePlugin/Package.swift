// swift-tools-version:6.0
// An out-of-tree PosLab encoding: a FIRE-style learned relative bias, built as a plugin.
//
//   swift build -c release                      # → .build/release/libFirePlugin.so
//   poslab check-plugin .build/release/libFirePlugin.so
//   poslab run suite.yaml --plugin .build/release/libFirePlugin.so
import PackageDescription

let package = Package(
    name: "FirePlugin",
    products: [
        .library(name: "FirePlugin", type: .dynamic, targets: ["FirePlugin"]),
    ],
    dependencies: [
        .package(name: "PosLab", path: "../.."),  // in your own package: .package(url: "<PosLab's git URL>", from: "0.1.0")
    ],
    targets: [
        .target(name: "FirePlugin", dependencies: [.product(name: "PosLab", package: "PosLab")]),
    ]
)
